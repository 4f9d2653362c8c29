//! The wire protocol between `tools/chainboot` (host) and the chainloader (board), and the
//! memory layout it loads into. All numbers are little-endian u32.
//!
//! Every frame, both ways, is [`MAGIC`], one command byte, then a fixed payload:
//!
//! | host -> board | payload | board's answer |
//! |---|---|---|
//! | `H` hello | baud | `h` + baud, then both switch to that baud |
//! | `S` sync (at the new baud) | - | `s` |
//! | `L` load | kernel len, initrd len, kernel CRC, initrd CRC, CRC of these 16 bytes | `k`, or `n` + [`Nak`] |
//! | (after `k`) the kernel's bytes, then the initrd's | | `o` (checksums match; it jumps), or `n` + [`Nak`] |
//!
//! The board prints readable text between frames (its banner, errors); the host shows it. If
//! no `S` arrives within [`SYNC_TIMEOUT_MS`] of a baud change, the board goes back to 115200
//! and waits for a new `H`. A gap of more than [`DATA_TIMEOUT_MS`] in the data aborts the
//! transfer with [`Nak::Timeout`]; after any NAK the host may send `L` again.

/// Starts every frame, both ways.
pub const MAGIC: [u8; 4] = *b"ZXCB";
/// The baud rate at power-on and after a failed switch.
pub const BOOT_BAUD: u32 = 115_200;
/// Baud rates the board accepts in `H` (the PL011 at 48 MHz reaches 3 Mbaud).
pub const MIN_BAUD: u32 = 9_600;
pub const MAX_BAUD: u32 = 3_000_000;
pub const SYNC_TIMEOUT_MS: u64 = 3_000;
pub const DATA_TIMEOUT_MS: u64 = 3_000;

pub const CMD_HELLO: u8 = b'H';
pub const CMD_SYNC: u8 = b'S';
pub const CMD_LOAD: u8 = b'L';
pub const ACK_HELLO: u8 = b'h';
pub const ACK_SYNC: u8 = b's';
pub const ACK_LOAD: u8 = b'k';
pub const ACK_DONE: u8 = b'o';
pub const NAK: u8 = b'n';

/// Payload length after the command byte.
pub fn payload_len(cmd: u8) -> Option<usize> {
    match cmd {
        CMD_HELLO => Some(4),
        CMD_SYNC => Some(0),
        CMD_LOAD => Some(20),
        _ => None,
    }
}

/// Why the board refused a load (the byte after `n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Nak {
    /// The `L` header's own CRC does not match.
    BadHeader = 1,
    /// The kernel is too small to be an arm64 Image or does not fit below the loader.
    KernelSize = 2,
    /// The initrd does not fit between the kernel and the loader.
    InitrdSize = 3,
    /// The kernel has no arm64 Image header ("ARM\x64" at offset 56).
    NotAnImage = 4,
    KernelCrc = 5,
    InitrdCrc = 6,
    /// The data stopped for more than [`DATA_TIMEOUT_MS`].
    Timeout = 7,
    /// The devicetree from the firmware could not be read or edited.
    Devicetree = 8,
}

/// Physical memory layout. The firmware (and QEMU) load kernel8.img at [`KERNEL_ADDR`]; the
/// chainloader moves itself to [`LOADER_BASE`] (see `link.ld`) so the real kernel can go there.
pub const KERNEL_ADDR: u64 = 0x8_0000;
pub const LOADER_BASE: u64 = 0x2000_0000;
/// The loader's code, data and stack stay below this; then the saved and the edited DTB.
pub const LOADER_SIZE: u64 = 0x10_0000;
pub const DTB_SAVE: u64 = LOADER_BASE + LOADER_SIZE;
pub const DTB_OUT: u64 = DTB_SAVE + DTB_MAX;
/// Largest devicetree accepted (the Pi 4's is ~50 KiB).
pub const DTB_MAX: u64 = 0x10_0000;
/// Room the edit may add: two properties, perhaps a `chosen` node and their names.
pub const DTB_GROWTH: u64 = 256;

/// The `L` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    pub kernel_len: u32,
    pub initrd_len: u32,
    pub kernel_crc: u32,
    pub initrd_crc: u32,
}

impl Load {
    /// Encodes the 20-byte payload (host side; also used by tests).
    pub fn encode(&self) -> [u8; 20] {
        let mut p = [0u8; 20];
        for (i, v) in [
            self.kernel_len,
            self.initrd_len,
            self.kernel_crc,
            self.initrd_crc,
        ]
        .into_iter()
        .enumerate()
        {
            p[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        let crc = crate::crc32::crc32(&p[..16]);
        p[16..].copy_from_slice(&crc.to_le_bytes());
        p
    }

    /// Decodes and checks a payload: its CRC, and that the kernel fits below the loader
    /// (whether the initrd fits is known once the kernel's header has arrived: [`initrd_addr`]).
    pub fn decode(p: &[u8; 20]) -> Result<Load, Nak> {
        let w = |i: usize| u32::from_le_bytes([p[4 * i], p[4 * i + 1], p[4 * i + 2], p[4 * i + 3]]);
        if crate::crc32::crc32(&p[..16]) != w(4) {
            return Err(Nak::BadHeader);
        }
        let l = Load {
            kernel_len: w(0),
            initrd_len: w(1),
            kernel_crc: w(2),
            initrd_crc: w(3),
        };
        if l.kernel_len < 64 || KERNEL_ADDR + u64::from(l.kernel_len) > LOADER_BASE {
            return Err(Nak::KernelSize);
        }
        Ok(l)
    }
}

/// Where the initrd goes, given the kernel's first 64 bytes (its arm64 Image header) and file
/// length: past the kernel's whole footprint (`image_size` covers its .bss, which the file
/// does not), 2 MiB aligned; it must end below the loader. This is what the firmware's
/// `initramfs ... followkernel` does with an Image padded to its `image_size`.
pub fn initrd_addr(header: &[u8], kernel_len: u32, initrd_len: u32) -> Result<u64, Nak> {
    if header.len() < 64 || &header[56..60] != b"ARM\x64" {
        return Err(Nak::NotAnImage);
    }
    let mut size = [0u8; 8];
    size.copy_from_slice(&header[16..24]);
    let image_size = u64::from_le_bytes(size);
    let end = KERNEL_ADDR
        .checked_add(image_size.max(u64::from(kernel_len)))
        .ok_or(Nak::KernelSize)?;
    let start = end.checked_add(0x1f_ffff).ok_or(Nak::KernelSize)? & !0x1f_ffff;
    if start >= LOADER_BASE {
        return Err(Nak::KernelSize);
    }
    if start + u64::from(initrd_len) > LOADER_BASE {
        return Err(Nak::InitrdSize);
    }
    Ok(start)
}

/// Finds frames in a byte stream, one byte at a time (the board's receive loop).
#[derive(Default)]
pub struct FrameScanner {
    matched: usize,
    cmd: u8,
    payload: [u8; 20],
    have: usize,
}

impl FrameScanner {
    pub const fn new() -> Self {
        FrameScanner {
            matched: 0,
            cmd: 0,
            payload: [0; 20],
            have: 0,
        }
    }

    /// Feeds one byte; returns a complete frame (command, payload) when one ends here.
    /// Bytes that are not part of a frame are dropped.
    pub fn push(&mut self, b: u8) -> Option<(u8, [u8; 20])> {
        if self.matched < MAGIC.len() {
            self.matched = if b == MAGIC[self.matched] {
                self.matched + 1
            } else if b == MAGIC[0] {
                1
            } else {
                0
            };
            return None;
        }
        if self.cmd == 0 {
            match payload_len(b) {
                Some(_) => {
                    self.cmd = b;
                    self.have = 0;
                }
                None => {
                    self.matched = usize::from(b == MAGIC[0]);
                    return None;
                }
            }
        } else {
            self.payload[self.have] = b;
            self.have += 1;
        }
        if Some(self.have) == payload_len(self.cmd) {
            let frame = (self.cmd, self.payload);
            *self = FrameScanner::new();
            return Some(frame);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_header_round_trip_and_checks() {
        let l = Load {
            kernel_len: 188_672,
            initrd_len: 3_000_000,
            kernel_crc: 0x1234_5678,
            initrd_crc: 0x9abc_def0,
        };
        let p = l.encode();
        assert_eq!(Load::decode(&p), Ok(l));
        let mut bad = p;
        bad[0] ^= 1;
        assert_eq!(Load::decode(&bad), Err(Nak::BadHeader));
        let tiny = Load {
            kernel_len: 10,
            ..l
        };
        assert_eq!(Load::decode(&tiny.encode()), Err(Nak::KernelSize));
        let huge = Load {
            kernel_len: 0x2000_0000,
            ..l
        };
        assert_eq!(Load::decode(&huge.encode()), Err(Nak::KernelSize));
    }

    fn image_header(image_size: u64) -> [u8; 64] {
        let mut h = [0u8; 64];
        h[8..16].copy_from_slice(&0x80000u64.to_le_bytes());
        h[16..24].copy_from_slice(&image_size.to_le_bytes());
        h[56..60].copy_from_slice(b"ARM\x64");
        h
    }

    #[test]
    fn initrd_goes_past_the_kernels_bss() {
        // The kernel's file is 184 KiB, its footprint 856 KiB: the initrd starts at 2 MiB.
        let h = image_header(0xd6000);
        assert_eq!(initrd_addr(&h, 188_672, 1000), Ok(0x20_0000));
        // A footprint past 2 MiB moves it to 4 MiB; a file longer than image_size counts too.
        assert_eq!(initrd_addr(&h, 0x18_0000 + 1, 1000), Ok(0x40_0000));
        assert_eq!(
            initrd_addr(&image_header(0x20_0000), 4096, 1),
            Ok(0x40_0000)
        );
        assert_eq!(initrd_addr(&[0u8; 64], 4096, 1), Err(Nak::NotAnImage));
        assert_eq!(initrd_addr(&h, 4096, 0x2000_0000), Err(Nak::InitrdSize));
        assert_eq!(
            initrd_addr(&image_header(u64::MAX - 10), 4096, 1),
            Err(Nak::KernelSize)
        );
    }

    #[test]
    fn scanner_finds_frames_in_noise() {
        let mut s = FrameScanner::new();
        let mut stream = b"hello ZXC ZZXCBx ZXCB".to_vec();
        stream.push(CMD_HELLO);
        stream.extend_from_slice(&921_600u32.to_le_bytes());
        stream.extend_from_slice(b"ZXCBS");
        let frames: Vec<_> = stream.iter().filter_map(|&b| s.push(b)).collect();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].0, CMD_HELLO);
        assert_eq!(&frames[0].1[..4], &921_600u32.to_le_bytes());
        assert_eq!(frames[1].0, CMD_SYNC);
    }
}

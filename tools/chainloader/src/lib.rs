//! The chainloader's pure logic, tested on the host: the wire protocol, CRC-32, where the kernel
//! and initrd go, and the devicetree edits (find a device, record the initrd in `/chosen`).
//! `main.rs` is the target side: the entry and relocation, the UART and the receive loop.
//!
//! The UART and GPIO drivers and the Pi's board facts are the kernel's own
//! (`bsp/src/drivers/{pl011,gpio}.rs`, `bsp/src/board/rpi4.rs`, included by path: depending on
//! `bsp` would link the kernel's entry point and vectors too).
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

#[path = "../../../bsp/src/drivers/gpio.rs"]
pub mod gpio;
#[path = "../../../bsp/src/drivers/pl011.rs"]
pub mod pl011;
#[path = "../../../bsp/src/board/rpi4.rs"]
pub mod rpi4;

pub mod fdt;
pub mod proto;

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`), table-driven.
pub mod crc32 {
    const fn table() -> [u32; 256] {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    }
    static TABLE: [u32; 256] = table();

    /// A running CRC: `Crc32::new()`, `update` with each piece, `finish`.
    #[derive(Clone, Copy)]
    pub struct Crc32(u32);

    impl Default for Crc32 {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Crc32 {
        pub const fn new() -> Self {
            Crc32(0xffff_ffff)
        }
        pub fn update(&mut self, data: &[u8]) {
            for &b in data {
                self.0 = TABLE[((self.0 ^ u32::from(b)) & 0xff) as usize] ^ (self.0 >> 8);
            }
        }
        pub fn finish(self) -> u32 {
            !self.0
        }
    }

    /// The CRC-32 of `data`.
    pub fn crc32(data: &[u8]) -> u32 {
        let mut c = Crc32::new();
        c.update(data);
        c.finish()
    }

    #[cfg(test)]
    #[test]
    fn known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let mut c = Crc32::new();
        c.update(b"1234");
        c.update(b"56789");
        assert_eq!(c.finish(), 0xcbf4_3926);
    }
}

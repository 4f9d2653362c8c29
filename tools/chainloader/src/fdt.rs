//! Just enough flattened-devicetree handling for the chainloader: find a device's CPU physical
//! address, and copy the blob with `/chosen` `linux,initrd-start`/`-end` set (what the firmware
//! does for `initramfs` in config.txt). Never panics on malformed input.

const MAGIC: u32 = 0xd00d_feed;
const BEGIN_NODE: u32 = 1;
const END_NODE: u32 = 2;
const PROP: u32 = 3;
const NOP: u32 = 4;
const END: u32 = 9;
const MAX_DEPTH: usize = 16;
const INITRD_START: &[u8] = b"linux,initrd-start";
const INITRD_END: &[u8] = b"linux,initrd-end";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdtError {
    /// Not a devicetree, or its header contradicts itself.
    BadHeader,
    /// A malformed structure block.
    BadStructure,
    /// The output buffer is too small.
    NoRoom,
}

fn be32(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// The blob's `totalsize` from its header, if `hdr` starts with one.
pub fn total_size(hdr: &[u8]) -> Option<usize> {
    (be32(hdr, 0)? == MAGIC).then_some(())?;
    let t = be32(hdr, 4)? as usize;
    (t >= 40).then_some(t)
}

struct Blob<'a> {
    structs: &'a [u8],
    strings: &'a [u8],
    rsv: &'a [u8],
    boot_cpu: u32,
}

enum Token<'a> {
    Begin(&'a [u8]),
    End,
    Prop(&'a [u8], &'a [u8]),
    Nop,
    Finish,
}

impl<'a> Blob<'a> {
    fn new(d: &'a [u8]) -> Result<Self, FdtError> {
        let total = total_size(d).ok_or(FdtError::BadHeader)?;
        let d = d.get(..total).ok_or(FdtError::BadHeader)?;
        let f = |i: usize| {
            be32(d, 4 * i)
                .map(|v| v as usize)
                .ok_or(FdtError::BadHeader)
        };
        let (o_struct, o_str, o_rsv, version) = (f(2)?, f(3)?, f(4)?, f(5)?);
        let (sz_str, sz_struct) = (f(8)?, f(9)?);
        if version < 16 || o_rsv < 40 || !o_rsv.is_multiple_of(8) {
            return Err(FdtError::BadHeader);
        }
        let block = |o: usize, n: usize| {
            o.checked_add(n)
                .and_then(|e| d.get(o..e))
                .ok_or(FdtError::BadHeader)
        };
        // The reservation map runs to its (0, 0) entry.
        let mut end = o_rsv;
        loop {
            let e = block(end, 16)?;
            end += 16;
            if e.iter().all(|&b| b == 0) {
                break;
            }
        }
        Ok(Blob {
            structs: block(o_struct, sz_struct)?,
            strings: block(o_str, sz_str)?,
            rsv: &d[o_rsv..end],
            boot_cpu: f(7)? as u32,
        })
    }

    fn token(&self, off: usize) -> Option<(Token<'a>, usize)> {
        let s = self.structs;
        let body = off + 4;
        let align = |x: usize| (x + 3) & !3;
        match be32(s, off)? {
            BEGIN_NODE => {
                let rest = s.get(body..)?;
                let n = rest.iter().position(|&b| b == 0)?;
                Some((Token::Begin(&rest[..n]), align(body + n + 1)))
            }
            PROP => {
                let len = be32(s, body)? as usize;
                let name_off = be32(s, body + 4)? as usize;
                let rest = self.strings.get(name_off..)?;
                let name = &rest[..rest.iter().position(|&b| b == 0)?];
                let value = s.get(body + 8..(body + 8).checked_add(len)?)?;
                Some((Token::Prop(name, value), align(body + 8 + len)))
            }
            END_NODE => Some((Token::End, body)),
            NOP => Some((Token::Nop, body)),
            END => Some((Token::Finish, body)),
            _ => None,
        }
    }
}

fn cells(v: &[u8], n: usize) -> Option<u64> {
    if n == 0 || n > 2 || v.len() < 4 * n {
        return None;
    }
    let mut x = 0u64;
    for i in 0..n {
        x = (x << 32) | u64::from(be32(v, 4 * i)?);
    }
    Some(x)
}

/// One node's addressing facts, as a walk meets it.
#[derive(Clone, Copy)]
struct Level<'a> {
    /// `#address-cells`/`#size-cells` it sets for its children.
    ac: usize,
    sc: usize,
    /// Its `ranges` (None: absent, Some(empty): identity).
    ranges: Option<&'a [u8]>,
    compatible_hit: bool,
    enabled: bool,
    reg: Option<&'a [u8]>,
}

const LEVEL0: Level = Level {
    ac: 2,
    sc: 1,
    ranges: None,
    compatible_hit: false,
    enabled: true,
    reg: None,
};

/// The CPU physical address of the first enabled node compatible with `compat`: its first
/// `reg` address translated through every ancestor's `ranges`.
pub fn find_compatible(dtb: &[u8], compat: &str) -> Option<u64> {
    let blob = Blob::new(dtb).ok()?;
    let mut stack = [LEVEL0; MAX_DEPTH];
    let (mut depth, mut off) = (0usize, 0usize);
    loop {
        let (tok, next) = blob.token(off)?;
        off = next;
        match tok {
            Token::Begin(_) => {
                depth += 1;
                if depth >= MAX_DEPTH {
                    return None;
                }
                stack[depth] = LEVEL0;
            }
            Token::Prop(name, v) if depth > 0 => {
                let l = &mut stack[depth];
                match name {
                    b"#address-cells" => l.ac = be32(v, 0)? as usize,
                    b"#size-cells" => l.sc = be32(v, 0)? as usize,
                    b"ranges" => l.ranges = Some(v),
                    b"reg" => l.reg = Some(v),
                    b"status" => l.enabled = v.starts_with(b"okay") || v.starts_with(b"ok\0"),
                    b"compatible" => {
                        l.compatible_hit = v.split(|&b| b == 0).any(|s| s == compat.as_bytes())
                    }
                    _ => {}
                }
            }
            Token::End => {
                let l = stack[depth];
                if depth > 1 && l.compatible_hit && l.enabled {
                    if let Some(a) = l.reg.and_then(|r| cells(r, stack[depth - 1].ac)) {
                        return translate(&stack[..depth], a);
                    }
                }
                depth = depth.checked_sub(1)?;
            }
            Token::Finish => return None,
            Token::Prop(..) | Token::Nop => {}
        }
    }
}

/// Translates `addr` (in the space of the children of the last of `chain`) up to the root.
fn translate(chain: &[Level], mut addr: u64) -> Option<u64> {
    // chain[0] is a placeholder above the root; the root's children use CPU addresses.
    for i in (2..chain.len()).rev() {
        let (bus, parent) = (chain[i], chain[i - 1]);
        let ranges = bus.ranges?;
        if ranges.is_empty() {
            continue;
        }
        let entry = 4 * (bus.ac + parent.ac + bus.sc);
        let mut mapped = None;
        for e in ranges.chunks_exact(entry) {
            let child = cells(e, bus.ac)?;
            let par = cells(&e[4 * bus.ac..], parent.ac)?;
            let size = cells(&e[4 * (bus.ac + parent.ac)..], bus.sc)?;
            if addr >= child && addr - child < size {
                mapped = Some(par + (addr - child));
                break;
            }
        }
        addr = mapped?;
    }
    Some(addr)
}

/// Output cursor with bounds checks.
struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Out<'_> {
    fn bytes(&mut self, b: &[u8]) -> Result<(), FdtError> {
        let end = self.len.checked_add(b.len()).ok_or(FdtError::NoRoom)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(FdtError::NoRoom)?
            .copy_from_slice(b);
        self.len = end;
        Ok(())
    }
    fn word(&mut self, w: u32) -> Result<(), FdtError> {
        self.bytes(&w.to_be_bytes())
    }
    fn align4(&mut self) -> Result<(), FdtError> {
        while !self.len.is_multiple_of(4) {
            self.bytes(&[0])?;
        }
        Ok(())
    }
    fn put_word(&mut self, at: usize, w: u32) {
        self.buf[at..at + 4].copy_from_slice(&w.to_be_bytes());
    }
}

/// Copies the devicetree `src` into `dst` with `/chosen` `linux,initrd-start` = `start` and
/// `linux,initrd-end` = `end` (64-bit values; replacing any there were, creating `/chosen` if
/// there is none). NOPs are dropped; everything else is kept. Returns the new blob's length.
pub fn set_initrd(src: &[u8], dst: &mut [u8], start: u64, end: u64) -> Result<usize, FdtError> {
    let blob = Blob::new(src)?;
    let mut o = Out { buf: dst, len: 0 };
    o.bytes(&[0; 40])?;
    o.bytes(blob.rsv)?;
    let struct_off = o.len;
    // Our two names: where the strings block has them, else appended to it.
    let find = |name: &[u8]| {
        let n = name.len();
        (0..blob.strings.len().saturating_sub(n)).find(|&i| {
            (i == 0 || blob.strings[i - 1] == 0)
                && &blob.strings[i..i + n] == name
                && blob.strings[i + n] == 0
        })
    };
    let (found_start, found_end) = (find(INITRD_START), find(INITRD_END));
    let append = found_start.is_none() || found_end.is_none();
    let (s_start, s_end) = match (found_start, found_end) {
        (Some(a), Some(b)) => (a as u32, b as u32),
        _ => {
            let a = blob.strings.len() as u32;
            (a, a + INITRD_START.len() as u32 + 1)
        }
    };
    let props = |o: &mut Out| -> Result<(), FdtError> {
        for (name, v) in [(s_start, start), (s_end, end)] {
            o.word(PROP)?;
            o.word(8)?;
            o.word(name)?;
            o.bytes(&v.to_be_bytes())?;
        }
        Ok(())
    };
    let (mut off, mut depth, mut in_chosen, mut done) = (0, 0usize, false, false);
    loop {
        let (tok, next) = blob.token(off).ok_or(FdtError::BadStructure)?;
        match tok {
            Token::Begin(name) => {
                depth += 1;
                o.word(BEGIN_NODE)?;
                o.bytes(name)?;
                o.bytes(&[0])?;
                o.align4()?;
                in_chosen = depth == 2 && name == b"chosen";
                if in_chosen {
                    props(&mut o)?;
                    done = true;
                }
            }
            Token::Prop(name, value) => {
                if depth == 0 {
                    return Err(FdtError::BadStructure);
                }
                if !(in_chosen && (name == INITRD_START || name == INITRD_END)) {
                    o.word(PROP)?;
                    o.word(value.len() as u32)?;
                    o.word(be32(blob.structs, off + 8).ok_or(FdtError::BadStructure)?)?;
                    o.bytes(value)?;
                    o.align4()?;
                }
            }
            Token::End => {
                if depth == 1 && !done {
                    o.word(BEGIN_NODE)?;
                    o.bytes(b"chosen\0\0")?;
                    props(&mut o)?;
                    o.word(END_NODE)?;
                    done = true;
                }
                depth = depth.checked_sub(1).ok_or(FdtError::BadStructure)?;
                in_chosen = false;
                o.word(END_NODE)?;
            }
            Token::Nop => {}
            Token::Finish => {
                if depth != 0 || !done {
                    return Err(FdtError::BadStructure);
                }
                o.word(END)?;
                break;
            }
        }
        off = next;
    }
    let struct_len = o.len - struct_off;
    let strings_off = o.len;
    o.bytes(blob.strings)?;
    if append {
        o.bytes(INITRD_START)?;
        o.bytes(&[0])?;
        o.bytes(INITRD_END)?;
        o.bytes(&[0])?;
    }
    let strings_len = o.len - strings_off;
    o.align4()?;
    let total = o.len;
    let header = [
        MAGIC,
        total as u32,
        struct_off as u32,
        strings_off as u32,
        40,
        17,
        16,
        blob.boot_cpu,
        strings_len as u32,
        struct_len as u32,
    ];
    for (i, w) in header.into_iter().enumerate() {
        o.put_word(4 * i, w);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bsp::dt;

    const PI_REAL: &[u8] = include_bytes!("../../../bsp/tests/data/bcm2711-rpi-4-b.dtb");
    const PI_REAL_QEMU: &[u8] = include_bytes!("../../../bsp/tests/data/bcm2711-rpi-4-b-qemu.dtb");
    const RPI4: &[u8] = include_bytes!("../../../bsp/tests/data/rpi4.dtb");
    const VIRT: &[u8] = include_bytes!("../../../bsp/tests/data/virt-gicv2.dtb");

    #[test]
    fn finds_the_pi_uart_and_gpio_like_the_kernel_does() {
        for d in [PI_REAL, PI_REAL_QEMU] {
            assert_eq!(find_compatible(d, "arm,pl011"), Some(0xfe20_1000));
            assert_eq!(find_compatible(d, "brcm,bcm2711-gpio"), Some(0xfe20_0000));
            let (info, _) = match dt::discover(d, 0) {
                Ok(i) => (i, ()),
                Err(_) => continue, // the raw upstream blob has empty /memory
            };
            assert_eq!(info.gpio, find_compatible(d, "brcm,bcm2711-gpio"));
        }
        assert_eq!(find_compatible(RPI4, "arm,pl011"), Some(0xfe20_1000));
        assert_eq!(find_compatible(RPI4, "brcm,bcm2711-gpio"), None);
        assert_eq!(find_compatible(VIRT, "arm,pl011"), Some(0x0900_0000));
        assert_eq!(
            find_compatible(b"not a dtb at all, really", "arm,pl011"),
            None
        );
    }

    fn patched(src: &[u8], start: u64, end: u64) -> Vec<u8> {
        let mut out = vec![0u8; src.len() + 256];
        let n = set_initrd(src, &mut out, start, end).unwrap();
        out.truncate(n);
        out
    }

    #[test]
    fn initrd_recorded_in_existing_chosen_and_kernel_reads_it() {
        // QEMU's blob already has an initrd (0x0800_0000, 8 bytes) and bootargs: replaced and
        // kept respectively; memory, UART and the rest unchanged.
        let before = dt::discover(PI_REAL_QEMU, 0).unwrap();
        let out = patched(PI_REAL_QEMU, 0x20_0000, 0x20_0000 + 3_000_001);
        let after = dt::discover(&out, 0).unwrap();
        assert_eq!(after.initrd, Some((0x20_0000, 3_000_001)));
        assert_eq!(after.bootargs, before.bootargs);
        assert_eq!(after.memory, before.memory);
        assert_eq!(after.reserved, before.reserved);
        assert_eq!(after.uart, before.uart);
        assert_eq!(after.console_pl011(), before.console_pl011());
        assert_eq!(after.gic, before.gic);
        assert_eq!(after.cpus, before.cpus);
        assert_eq!(after.gpio, before.gpio);
        // Patching twice gives the same blob.
        assert_eq!(patched(&out, 0x20_0000, 0x20_0000 + 3_000_001), out);
    }

    #[test]
    fn chosen_is_created_when_missing() {
        // Take /chosen out of our small devicetree by renaming it.
        let mut d = RPI4.to_vec();
        let at = d.windows(7).position(|w| w == b"chosen\0").unwrap();
        d[at..at + 6].copy_from_slice(b"chosex");
        let out = patched(&d, 0x40_0000, 0x50_0000);
        let info = dt::discover(&out, 0).unwrap();
        assert_eq!(info.initrd, Some((0x40_0000, 0x10_0000)));
        assert_eq!(info.memory, dt::discover(RPI4, 0).unwrap().memory);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let mut out = vec![0u8; 64 * 1024];
        assert_eq!(
            set_initrd(b"nonsense", &mut out, 0, 1),
            Err(FdtError::BadHeader)
        );
        let mut small = vec![0u8; 100];
        assert_eq!(set_initrd(RPI4, &mut small, 0, 1), Err(FdtError::NoRoom));
        // Every truncation and every single-byte corruption of the header and structure.
        for n in 0..RPI4.len() {
            let _ = set_initrd(&RPI4[..n], &mut out, 0, 1);
        }
        for i in (0..RPI4.len()).step_by(3) {
            let mut d = RPI4.to_vec();
            d[i] ^= 0xa5;
            let _ = set_initrd(&d, &mut out, 0, 1);
            let _ = find_compatible(&d, "arm,pl011");
        }
    }
}

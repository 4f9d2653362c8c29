//! Kernel backtraces with symbol names (docs/design.md, "Backtraces").
//!
//! The kernel is built with frame pointers (`-C force-frame-pointers=yes`, `.cargo/config.toml`),
//! so x29 points at a frame record `[previous x29, return address]` on the kernel stack. A
//! backtrace follows that chain, checking each record before reading it: 16-byte aligned,
//! strictly above the previous one (so the walk ends), inside the current kernel stack, and at
//! most [`MAX_FRAMES`] deep. Nothing is read outside the stack the walk started on, so printing
//! a fault's backtrace cannot fault again.
//!
//! Names come from a symbol table that `tools/ksyms.py` (run by `tools/build.sh` after the link)
//! writes into [`KSYMS_CAPACITY`] bytes reserved in `.rodata` under the symbol `__ksyms`. The
//! patch changes no address, so the table describes the very image that carries it. Layout
//! (little-endian): the magic [`KSYMS_MAGIC`], `count: u32`, `strings_len: u32`, then `count`
//! entries `{ addr: u64, name_off: u32, name_len: u32 }` sorted by address, then the UTF-8 names
//! (demangled, without the legacy `::h<hash>` suffix).
//!
//! The table parser and the walk are pure and host-tested; only reading registers and memory is
//! target code.

/// Bytes reserved in the image for the symbol table (`tools/ksyms.py` fails the build if the
/// table does not fit).
pub const KSYMS_CAPACITY: usize = 64 * 1024;
/// First bytes of a valid table (the reserved area is zeros until the build step fills it).
pub const KSYMS_MAGIC: &[u8; 8] = b"ZXKSYMS1";
/// Most frames a backtrace prints.
pub const MAX_FRAMES: usize = 32;

const HEADER: usize = 16;
const ENTRY: usize = 16;

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

/// A validated view of the symbol table.
#[derive(Clone, Copy, Debug)]
pub struct SymbolTable<'a> {
    entries: &'a [u8],
    strings: &'a [u8],
    count: usize,
}

impl<'a> SymbolTable<'a> {
    /// Checks the header and that entries and strings lie inside `blob`; `None` for a blob
    /// without the magic (e.g. an image that skipped the build step) or a malformed one.
    pub fn parse(blob: &'a [u8]) -> Option<Self> {
        if blob.get(..8)? != KSYMS_MAGIC {
            return None;
        }
        let count = u32_at(blob, 8)? as usize;
        let strings_len = u32_at(blob, 12)? as usize;
        let entries_end = HEADER.checked_add(count.checked_mul(ENTRY)?)?;
        let strings_end = entries_end.checked_add(strings_len)?;
        Some(Self {
            entries: blob.get(HEADER..entries_end)?,
            strings: blob.get(entries_end..strings_end)?,
            count,
        })
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.count
    }

    /// `true` for a table without symbols.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn addr(&self, i: usize) -> u64 {
        u64_at(self.entries, i * ENTRY).unwrap_or(u64::MAX)
    }

    fn name(&self, i: usize) -> &'a str {
        let (Some(off), Some(len)) = (
            u32_at(self.entries, i * ENTRY + 8),
            u32_at(self.entries, i * ENTRY + 12),
        ) else {
            return "?";
        };
        let (off, len) = (off as usize, len as usize);
        self.strings
            .get(off..off.saturating_add(len))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("?")
    }

    /// The symbol at or below `addr` and the offset of `addr` into it (the caller checks that
    /// `addr` is inside the kernel's text).
    pub fn lookup(&self, addr: u64) -> Option<(&'a str, u64)> {
        // The last entry whose address is <= addr (entries are sorted).
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.addr(mid) <= addr {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let i = lo.checked_sub(1)?;
        Some((self.name(i), addr - self.addr(i)))
    }
}

/// Follows the frame-record chain from `fp`, calling `out` with each return address, at most
/// `max` of them. `read(addr)` reads the u64 at `addr` and is only called for addresses in
/// `[lo, hi)`: a record is used only when it is 16-byte aligned, lies wholly in `[lo, hi)` and
/// sits above the previous one. Ends at a zero return address or a zero frame pointer.
pub fn walk(
    mut fp: u64,
    lo: u64,
    hi: u64,
    max: usize,
    read: impl Fn(u64) -> u64,
    mut out: impl FnMut(u64),
) {
    let mut prev = None;
    for _ in 0..max {
        let ok = fp != 0
            && fp.is_multiple_of(16)
            && fp >= lo
            && fp.checked_add(16).is_some_and(|end| end <= hi)
            && prev.is_none_or(|p| fp > p);
        if !ok {
            return;
        }
        let ret = read(fp + 8);
        if ret == 0 {
            return;
        }
        out(ret);
        prev = Some(fp);
        fp = read(fp);
    }
}

#[cfg(target_os = "none")]
mod target {
    use super::*;

    core::arch::global_asm!(
        ".section .rodata.ksyms, \"a\", %progbits",
        ".balign 8",
        ".global __ksyms",
        "__ksyms:",
        ".space {size}",
        size = const KSYMS_CAPACITY,
    );

    extern "C" {
        /// The reserved table, filled in after the link by `tools/ksyms.py`.
        static __ksyms: [u8; KSYMS_CAPACITY];
    }

    fn table() -> Option<SymbolTable<'static>> {
        // SAFETY: `__ksyms` is KSYMS_CAPACITY bytes of read-only data in the image (above),
        // never written at run time; as an extern static its contents are opaque to the
        // compiler, so the bytes the build step wrote are what is read.
        SymbolTable::parse(unsafe { &__ksyms })
    }

    /// The stack the walk may read: the image's own `.bss` (the boot stack lives there) or the
    /// 16 KiB kernel stack that holds `sp` (thread and secondary-core stacks are
    /// `sched::KSTACK_FRAMES` frames from the buddy frame allocator, so aligned to their size).
    fn stack_bounds(sp: u64) -> Option<(u64, u64)> {
        let img = bsp::cpu::boot::image_layout();
        if (img.rodata_end..img.end).contains(&sp) {
            return Some((sp, img.end));
        }
        let size = crate::sched::KSTACK_FRAMES as u64 * crate::mm::PAGE_SIZE;
        if sp >= bsp::cpu::boot::LINEAR_BASE && sp < img.start {
            return Some((sp, (sp & !(size - 1)) + size));
        }
        None
    }

    fn print_frame(n: usize, addr: u64, is_return: bool) {
        let img = bsp::cpu::boot::image_layout();
        // A return address follows its `bl`: look up the call itself, which may be the last
        // instruction of its function.
        let probe = if is_return {
            addr.wrapping_sub(4)
        } else {
            addr
        };
        let name = if (img.start..img.text_end).contains(&probe) {
            table().and_then(|t| t.lookup(probe))
        } else {
            None
        };
        match name {
            Some((sym, off)) => crate::console::print_panic(format_args!(
                "  #{:<2} {:#018x} {}+{:#x}\n",
                n,
                addr,
                sym,
                off + (addr - probe)
            )),
            None => crate::console::print_panic(format_args!("  #{:<2} {:#018x} ?\n", n, addr)),
        }
    }

    fn print_walk(first: Option<u64>, fp: u64, sp: u64) {
        crate::console::print_panic(format_args!(
            "backtrace{}:\n",
            if table().is_some() {
                ""
            } else {
                " (no symbol table in this image)"
            }
        ));
        let mut n = 0;
        if let Some(pc) = first {
            print_frame(n, pc, false);
            n += 1;
        }
        let Some((lo, hi)) = stack_bounds(sp) else {
            crate::console::print_panic(format_args!("  (stack {:#x} not a kernel stack)\n", sp));
            return;
        };
        walk(
            fp,
            lo,
            hi,
            MAX_FRAMES,
            // SAFETY: `walk` reads only 8-byte-aligned words inside [lo, hi), which
            // `stack_bounds` chose inside the current kernel stack (mapped memory).
            |a| unsafe { core::ptr::read_volatile(a as *const u64) },
            |ret| {
                print_frame(n, ret, true);
                n += 1;
            },
        );
    }

    /// Prints the backtrace of the caller (the panic handler).
    #[inline(always)]
    pub fn print_current() {
        let (fp, sp): (u64, u64);
        // SAFETY: reads two registers.
        unsafe { core::arch::asm!("mov {}, x29", "mov {}, sp", out(reg) fp, out(reg) sp) };
        print_walk(None, fp, sp);
    }

    /// Prints the backtrace of the code an EL1 exception interrupted: its PC (ELR) first, then
    /// the chain from its x29. The trap frame sits on the interrupted stack.
    pub fn print_trap(frame: &bsp::cpu::exception::TrapFrame) {
        let sp = frame as *const _ as u64;
        print_walk(Some(frame.elr), frame.x[29], sp);
    }

    #[inline(never)]
    fn selftest_fault_leaf(addr: u64) -> u64 {
        // SAFETY: deliberately not safe: `selftest=fault` asks for a kernel data abort. The
        // address is in the upper half, above the image and below the linear map's end: the
        // kernel maps nothing there.
        unsafe { core::ptr::read_volatile(addr as *const u64) }
    }

    #[inline(never)]
    fn selftest_fault_caller() -> u64 {
        let v = selftest_fault_leaf(core::hint::black_box(0xffff_ffc0_dead_0000));
        core::hint::black_box(v) + 1
    }

    #[inline(never)]
    fn selftest_panic_leaf(n: u64) -> u64 {
        if core::hint::black_box(n) != 0 {
            panic!("selftest=panic: a kernel panic on purpose");
        }
        n
    }

    #[inline(never)]
    fn selftest_panic_caller() -> u64 {
        selftest_panic_leaf(core::hint::black_box(1)) + 1
    }

    /// `selftest=fault` / `selftest=panic`: stop the kernel on purpose so that `make test` can
    /// check the backtrace names `selftest_*_leaf` and its caller.
    pub fn boot_selftest(which: Option<&str>) {
        match which {
            None => {}
            Some("fault") => {
                crate::kprintln!("kernel: selftest=fault: reading an unmapped kernel address");
                selftest_fault_caller();
            }
            Some("panic") => {
                selftest_panic_caller();
            }
            Some(other) => crate::kprintln!("  warning  unknown selftest `{}` ignored", other),
        }
    }
}

#[cfg(target_os = "none")]
pub use target::{boot_selftest, print_current, print_trap};

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn build(syms: &[(u64, &str)]) -> Vec<u8> {
        let mut entries = Vec::new();
        let mut strings = Vec::new();
        for &(addr, name) in syms {
            entries.extend_from_slice(&addr.to_le_bytes());
            entries.extend_from_slice(&(strings.len() as u32).to_le_bytes());
            entries.extend_from_slice(&(name.len() as u32).to_le_bytes());
            strings.extend_from_slice(name.as_bytes());
        }
        let mut b = Vec::from(&KSYMS_MAGIC[..]);
        b.extend_from_slice(&(syms.len() as u32).to_le_bytes());
        b.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        b.extend(entries);
        b.extend(strings);
        b.resize(b.len() + 64, 0); // trailing reserved zeros are ignored
        b
    }

    #[test]
    fn lookup_finds_the_symbol_at_or_below() {
        let blob = build(&[(0x1000, "a::f"), (0x1040, "b::g"), (0x2000, "c::h")]);
        let t = SymbolTable::parse(&blob).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.lookup(0xfff), None);
        assert_eq!(t.lookup(0x1000), Some(("a::f", 0)));
        assert_eq!(t.lookup(0x103c), Some(("a::f", 0x3c)));
        assert_eq!(t.lookup(0x1040), Some(("b::g", 0)));
        assert_eq!(t.lookup(0x1fff), Some(("b::g", 0xfbf)));
        assert_eq!(t.lookup(u64::MAX), Some(("c::h", u64::MAX - 0x2000)));
    }

    #[test]
    fn malformed_tables_are_refused() {
        assert!(SymbolTable::parse(&[0u8; 64]).is_none(), "zeros: no table");
        let blob = build(&[(0x1000, "a::f")]);
        assert!(SymbolTable::parse(&blob[..20]).is_none(), "entries cut off");
        let mut huge = blob.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(SymbolTable::parse(&huge).is_none(), "count beyond the blob");
        let mut bad_name = blob.clone();
        bad_name[HEADER + 12..HEADER + 16].copy_from_slice(&1000u32.to_le_bytes());
        let t = SymbolTable::parse(&bad_name).unwrap();
        assert_eq!(
            t.lookup(0x1000),
            Some(("?", 0)),
            "a name outside the strings"
        );
        assert!(SymbolTable::parse(&build(&[])).unwrap().is_empty());
    }

    /// A fake stack: words at 0x1000.., frame records chained upwards.
    fn mem(words: &[(u64, u64)]) -> impl Fn(u64) -> u64 + '_ {
        move |a| {
            assert!(a % 8 == 0, "unaligned read {a:#x}");
            words.iter().find(|w| w.0 == a).map_or(0xbad, |w| w.1)
        }
    }

    fn collect(fp: u64, lo: u64, hi: u64, max: usize, words: &[(u64, u64)]) -> Vec<u64> {
        let mut v = Vec::new();
        let read = mem(words);
        walk(
            fp,
            lo,
            hi,
            max,
            |a| {
                assert!(a >= lo && a + 8 <= hi, "read {a:#x} outside the stack");
                read(a)
            },
            |r| v.push(r),
        );
        v
    }

    #[test]
    fn walk_follows_the_chain_to_the_end() {
        let words = [
            (0x1000, 0x1020),
            (0x1008, 0xa1),
            (0x1020, 0x1040),
            (0x1028, 0xa2),
            (0x1040, 0),
            (0x1048, 0xa3),
        ];
        assert_eq!(
            collect(0x1000, 0x1000, 0x2000, 32, &words),
            [0xa1, 0xa2, 0xa3]
        );
        assert_eq!(
            collect(0x1000, 0x1000, 0x2000, 2, &words),
            [0xa1, 0xa2],
            "depth bound"
        );
    }

    #[test]
    fn walk_stops_at_bad_frame_pointers() {
        // Unaligned, below the stack, past its end, a loop, and a downward link.
        assert!(collect(0x1008, 0x1000, 0x2000, 32, &[]).is_empty());
        assert!(collect(0x0ff0, 0x1000, 0x2000, 32, &[]).is_empty());
        assert!(collect(0x1ff8, 0x1000, 0x2000, 32, &[]).is_empty());
        assert!(collect(0x1ff0, 0x1000, 0x1ff8, 32, &[]).is_empty());
        let looped = [(0x1000, 0x1000), (0x1008, 0xa1)];
        assert_eq!(collect(0x1000, 0x1000, 0x2000, 32, &looped), [0xa1]);
        let down = [
            (0x1020, 0x1000),
            (0x1028, 0xa1),
            (0x1000, 0),
            (0x1008, 0xa0),
        ];
        assert_eq!(collect(0x1020, 0x1000, 0x2000, 32, &down), [0xa1]);
        let zero_ret = [(0x1000, 0x1020), (0x1008, 0)];
        assert!(collect(0x1000, 0x1000, 0x2000, 32, &zero_ret).is_empty());
        let huge = [(0xffff_ffff_ffff_fff0u64, 0), (0xffff_ffff_ffff_fff8, 1)];
        assert!(collect(0xffff_ffff_ffff_fff0, 0x1000, u64::MAX, 32, &huge).is_empty());
    }
}

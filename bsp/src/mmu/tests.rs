//! Host tests: a mock physical memory of 4 KiB frames at a fake base address.

use super::desc::*;
use super::*;
use crate::addr::{PhysAddr, VirtAddr, PAGE_SIZE};
use std::cell::UnsafeCell;
use std::collections::BTreeSet;

/// Fake physical address of the mock's first frame.
const FAKE_BASE: u64 = 0x4000_0000;
/// Contents of never-used mock frames: every entry "valid table", so a builder that forgot to
/// clear a new table would chase garbage and trip the mock's bounds check.
const GARBAGE: u64 = u64::MAX;

const KB: u64 = 1 << 10;
const MB: u64 = 1 << 20;
const GB: u64 = 1 << 30;

struct MockMem {
    frames: Box<[UnsafeCell<[u64; 512]>]>,
}

impl MockMem {
    fn new(n: usize) -> Self {
        Self {
            frames: (0..n).map(|_| UnsafeCell::new([GARBAGE; 512])).collect(),
        }
    }
}

// SAFETY: every frame the matching `MockFrames` hands out is an element of `frames`, a boxed
// slice that never moves or shrinks while `MockMem` lives; `UnsafeCell` makes writing through a
// pointer obtained from `&self` legal. Tests are single-threaded per mock.
unsafe impl PhysMem for MockMem {
    fn table(&self, pa: PhysAddr) -> *mut [u64; 512] {
        let off =
            pa.0.checked_sub(FAKE_BASE)
                .expect("table PA below the mock");
        assert_eq!(off % PAGE_SIZE, 0, "unaligned table PA {pa:?}");
        let idx = usize::try_from(off / PAGE_SIZE).unwrap();
        self.frames
            .get(idx)
            .expect("table PA beyond the mock")
            .get()
    }
}

struct MockFrames {
    total: usize,
    budget: usize,
    free: Vec<PhysAddr>,
    next: usize,
    live: BTreeSet<u64>,
    allocs: usize,
    frees: usize,
}

impl MockFrames {
    fn new(total: usize) -> Self {
        Self {
            total,
            budget: total,
            free: Vec::new(),
            next: 0,
            live: BTreeSet::new(),
            allocs: 0,
            frees: 0,
        }
    }
    fn live(&self) -> usize {
        self.live.len()
    }
}

// SAFETY: frames are distinct elements of the `MockMem` built with the same `total`, handed out
// at most once until freed (tracked in `live`).
unsafe impl FrameSource for MockFrames {
    fn alloc_table(&mut self) -> Option<PhysAddr> {
        if self.live.len() >= self.budget {
            return None;
        }
        let pa = match self.free.pop() {
            Some(pa) => pa,
            None if self.next < self.total => {
                self.next += 1;
                PhysAddr(FAKE_BASE + (self.next as u64 - 1) * PAGE_SIZE)
            }
            None => return None,
        };
        assert!(self.live.insert(pa.0));
        self.allocs += 1;
        Some(pa)
    }

    fn free_table(&mut self, pa: PhysAddr) {
        assert!(
            self.live.remove(&pa.0),
            "free of a frame not allocated: {pa:?}"
        );
        self.frees += 1;
        self.free.push(pa);
    }
}

fn setup(frames: usize) -> (MockMem, MockFrames) {
    (MockMem::new(frames), MockFrames::new(frames))
}

fn user_tables(mem: &MockMem, fs: &mut MockFrames) -> AddressSpaceTables {
    AddressSpaceTables::new(mem, fs, VaHalf::Lower).unwrap()
}

fn kernel_tables(mem: &MockMem, fs: &mut MockFrames) -> AddressSpaceTables {
    AddressSpaceTables::new(mem, fs, VaHalf::Upper).unwrap()
}

/// The level of the leaf translating `va`, by walking with `decode`.
fn leaf_level(t: &AddressSpaceTables, mem: &MockMem, va: u64) -> Option<usize> {
    let mut table = t.root();
    for (level, idx) in va_indices(VirtAddr(va)).into_iter().enumerate() {
        // SAFETY: `table` is a live frame of the mock.
        let d = unsafe { (*mem.table(table))[idx] };
        let dec = decode(d, level);
        match dec.kind {
            DescKind::Invalid => return None,
            DescKind::Table => table = dec.pa,
            DescKind::Block | DescKind::Page => return Some(level),
        }
    }
    None
}

fn all_flag_combos() -> Vec<MapFlags> {
    let mut v = Vec::new();
    for bits in 0..32u32 {
        for kind in [MemKind::Normal, MemKind::Device, MemKind::NonCacheable] {
            let b = |i: u32| bits & (1 << i) != 0;
            v.push(MapFlags {
                read: b(0),
                write: b(1),
                execute: b(2),
                user: b(3),
                kind,
                global: b(4),
            });
        }
    }
    v
}

#[test]
fn mmu_mair_value() {
    assert_eq!(MAIR_VALUE, 0x0044_ff04);
    assert_eq!((MAIR_VALUE >> (8 * MAIR_IDX_DEVICE)) & 0xff, 0x04);
    assert_eq!((MAIR_VALUE >> (8 * MAIR_IDX_NORMAL)) & 0xff, 0xff);
    assert_eq!((MAIR_VALUE >> (8 * MAIR_IDX_NORMAL_NC)) & 0xff, 0x44);
}

#[test]
fn mmu_page_descriptor_bits_per_constructor() {
    let pa = PhysAddr(0x0000_8123_4567_8000);
    let page = |f| encode_page(pa, f).unwrap() & !OA_MASK;
    assert_eq!(
        encode_page(pa, MapFlags::kernel_text()).unwrap() & OA_MASK,
        pa.0
    );
    // valid|page 0x3, AttrIndx 1 (0x4), AP 10 (0x80), SH 11 (0x300), AF (0x400), UXN.
    assert_eq!(page(MapFlags::kernel_text()), 0x0040_0000_0000_0787);
    // + PXN.
    assert_eq!(page(MapFlags::kernel_rodata()), 0x0060_0000_0000_0787);
    // AP 00.
    assert_eq!(page(MapFlags::kernel_data()), 0x0060_0000_0000_0707);
    // AttrIndx 0, AP 00, SH 00, AF, PXN|UXN.
    assert_eq!(page(MapFlags::device()), 0x0060_0000_0000_0403);
    // AttrIndx 2 (0x8).
    assert_eq!(page(MapFlags::kernel_noncacheable()), 0x0060_0000_0000_070b);
    // User: nG (0x800), PXN always. RO: AP 11; RW: AP 01; RX: AP 11 without UXN;
    // execute-only: AP 10 without UXN.
    let user_cases = [
        (MapFlags::user(true, false, false), 0x0060_0000_0000_0fc7),
        (MapFlags::user(true, true, false), 0x0060_0000_0000_0f47),
        (MapFlags::user(true, false, true), 0x0020_0000_0000_0fc7),
        (MapFlags::user(false, false, true), 0x0020_0000_0000_0f87),
        // User device window: Device, AP 01, SH 00, nG, XN.
        (
            MapFlags::user(true, true, false).with_kind(MemKind::Device),
            0x0060_0000_0000_0c43,
        ),
    ];
    for (f, bits) in user_cases {
        assert_eq!(page(f), bits, "{f:?}");
    }
    // Non-global kernel mapping.
    assert_eq!(
        page(MapFlags::kernel_data().with_global(false)),
        0x0060_0000_0000_0f07
    );
    // NS is never set.
    for f in all_flag_combos() {
        if let Ok(d) = encode_page(pa, f) {
            assert_eq!(d & DESC_NS, 0);
            assert_ne!(d & DESC_AF, 0);
        }
    }
}

#[test]
fn mmu_block_and_table_descriptor_bits() {
    assert_eq!(
        encode_block(PhysAddr(0x4000_0000), MapFlags::kernel_data(), 1),
        Ok(0x0060_0000_4000_0705)
    );
    assert_eq!(
        encode_block(PhysAddr(0x4020_0000), MapFlags::kernel_data(), 2),
        Ok(0x0060_0000_4020_0705)
    );
    assert_eq!(
        encode_block(PhysAddr(0x4020_0000), MapFlags::device(), 2),
        Ok(0x0060_0000_4020_0401)
    );
    assert_eq!(
        encode_block(PhysAddr(0x4020_0000), MapFlags::kernel_data(), 1),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        encode_block(PhysAddr(0x4000_1000), MapFlags::kernel_data(), 2),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        encode_block(PhysAddr(0), MapFlags::kernel_data(), 0),
        Err(MapError::BadLevel)
    );
    assert_eq!(
        encode_block(PhysAddr(0), MapFlags::kernel_data(), 3),
        Err(MapError::BadLevel)
    );
    assert_eq!(
        encode_block(PhysAddr(1 << 48), MapFlags::kernel_data(), 1),
        Err(MapError::OutOfRange)
    );
    assert_eq!(encode_table(PhysAddr(0x4000_1000)), Ok(0x4000_1003));
    assert_eq!(
        encode_table(PhysAddr(0x4000_1008)),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        encode_table(PhysAddr(0xffff_ffff_ffff_f000)),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        encode_page(PhysAddr(0x123), MapFlags::kernel_data()),
        Err(MapError::Misaligned)
    );
}

#[test]
fn mmu_flag_validation() {
    for f in [
        MapFlags::user(true, true, true),
        MapFlags::user(false, true, true),
        MapFlags {
            write: true,
            ..MapFlags::kernel_text()
        },
    ] {
        assert_eq!(encode_page(PhysAddr(0), f), Err(MapError::WriteExecute));
        assert_eq!(encode_block(PhysAddr(0), f, 2), Err(MapError::WriteExecute));
    }
    let bad = [
        MapFlags {
            write: false,
            execute: true,
            ..MapFlags::device()
        },
        MapFlags {
            read: false,
            ..MapFlags::kernel_rodata()
        },
        MapFlags {
            read: false,
            ..MapFlags::kernel_text()
        },
        MapFlags::user(false, false, false),
        MapFlags::user(false, true, false),
    ];
    for f in bad {
        assert_eq!(
            encode_page(PhysAddr(0), f),
            Err(MapError::InvalidFlags),
            "{f:?}"
        );
    }
    // Device is XN in every valid combination.
    for f in all_flag_combos() {
        if let (Ok(d), MemKind::Device) = (encode_page(PhysAddr(0), f), f.kind) {
            assert_eq!(d & (DESC_PXN | DESC_UXN), DESC_PXN | DESC_UXN);
            assert_eq!(d & SH_MASK, SH_NON);
        }
    }
}

#[test]
fn mmu_decode_inverts_encode() {
    let mut valid = 0;
    for f in all_flag_combos() {
        let Ok(d) = encode_page(PhysAddr(0x1234_5000), f) else {
            continue;
        };
        valid += 1;
        let dec = decode(d, 3);
        assert_eq!(
            dec,
            Decoded {
                level: 3,
                kind: DescKind::Page,
                pa: PhysAddr(0x1234_5000),
                flags: Some(f)
            }
        );
        assert!(dec.is_valid());
        assert_eq!(dec.size(), 4 * KB);
        for level in [1, 2] {
            let pa = PhysAddr(0x8000_0000);
            let dec = decode(encode_block(pa, f, level).unwrap(), level);
            assert_eq!(dec.kind, DescKind::Block);
            assert_eq!(dec.pa, pa);
            assert_eq!(dec.flags, Some(f));
            assert_eq!(dec.size(), entry_size(level));
        }
    }
    assert!(valid > 20);
    let t = decode(0x4000_1003, 0);
    assert_eq!(
        (t.kind, t.pa, t.flags),
        (DescKind::Table, PhysAddr(0x4000_1000), None)
    );
    assert!(!decode(0, 2).is_valid());
    // Reserved encodings fault like invalid ones.
    assert_eq!(decode(0x4000_0001, 3).kind, DescKind::Invalid);
    assert_eq!(decode(0x4000_0001, 0).kind, DescKind::Invalid);
    assert_eq!(decode(0x4000_0003, 4).kind, DescKind::Invalid);
    // Upper attribute bits do not leak into block output addresses.
    let d = encode_block(PhysAddr(0x4000_0000), MapFlags::kernel_data(), 1).unwrap() | 0x3fff_f000;
    assert_eq!(decode(d, 1).pa, PhysAddr(0x4000_0000));
    // Unused MAIR slot.
    assert_eq!(decode(0x403 | (5 << 2), 3).flags, None);
}

#[test]
fn mmu_va_indices_and_halves() {
    assert_eq!(va_indices(VirtAddr(0)), [0; 4]);
    assert_eq!(
        va_indices(VirtAddr(USER_VA_END - PAGE_SIZE)),
        [255, 511, 511, 511]
    );
    assert_eq!(va_indices(VirtAddr(u64::MAX)), [511; 4]);
    assert_eq!(va_indices(VirtAddr(KERNEL_VA_BASE)), [0; 4]);
    let va = (3u64 << 39) | (5 << 30) | (7 << 21) | (9 << 12) | 0x123;
    assert_eq!(va_indices(VirtAddr(va)), [3, 5, 7, 9]);
    assert!(is_user_va(0));
    assert!(is_user_va(USER_VA_END - 1));
    assert!(!is_user_va(USER_VA_END));
    assert!(!is_user_va(KERNEL_VA_BASE));
    assert!(VaHalf::Upper.contains(u64::MAX));
    assert!(!VaHalf::Upper.contains(KERNEL_VA_BASE - 1));
    assert_eq!(
        ttbr_value(PhysAddr(0x4000_0000), 0xabcd),
        0xabcd_0000_4000_0000
    );
}

#[test]
fn mmu_tcr_fields() {
    let v = tcr_value(5);
    assert_eq!(v, 0x0000_0015_b510_3510);
    let field = |shift: u32, width: u32| (v >> shift) & ((1 << width) - 1);
    assert_eq!(field(0, 6), 16, "T0SZ");
    assert_eq!(field(7, 1), 0, "EPD0");
    assert_eq!(field(8, 2), 0b01, "IRGN0");
    assert_eq!(field(10, 2), 0b01, "ORGN0");
    assert_eq!(field(12, 2), 0b11, "SH0");
    assert_eq!(field(14, 2), 0b00, "TG0");
    assert_eq!(field(16, 6), 16, "T1SZ");
    assert_eq!(field(22, 1), 0, "A1");
    assert_eq!(field(23, 1), 0, "EPD1");
    assert_eq!(field(24, 2), 0b01, "IRGN1");
    assert_eq!(field(26, 2), 0b01, "ORGN1");
    assert_eq!(field(28, 2), 0b11, "SH1");
    assert_eq!(field(30, 2), 0b10, "TG1");
    assert_eq!(field(32, 3), 5, "IPS");
    assert_eq!(field(35, 1), 0, "RES0");
    assert_eq!(field(36, 1), 1, "AS");
    assert_eq!(v >> 37, 0);
    for (pa_range, ips) in [(0, 0), (1, 1), (2, 2), (4, 4), (6, 5), (0xf, 5), (0x12, 2)] {
        assert_eq!((tcr_value(pa_range) >> 32) & 7, ips);
        assert_eq!(tcr_value(pa_range) & !(7u64 << 32), v & !(7u64 << 32));
    }
}

#[test]
fn mmu_map_translate_unmap_round_trip() {
    let (mem, mut fs) = setup(64);
    let mut t = user_tables(&mem, &mut fs);
    assert_eq!(fs.live(), 1);
    let va = VirtAddr(0x1000_0000);
    let pa = PhysAddr(0x8000_0000);
    let flags = MapFlags::user(true, true, false);
    t.map(&mem, &mut fs, va, pa, 5 * PAGE_SIZE, flags).unwrap();
    // Root + L1 + L2 + L3.
    assert_eq!(fs.live(), 4);
    for i in 0..5 {
        let (got, f) = t
            .translate(&mem, VirtAddr(va.0 + i * PAGE_SIZE + 0x7ff))
            .unwrap();
        assert_eq!(got, PhysAddr(pa.0 + i * PAGE_SIZE + 0x7ff));
        assert_eq!(f, flags);
        assert_eq!(leaf_level(&t, &mem, va.0 + i * PAGE_SIZE), Some(3));
    }
    assert_eq!(t.translate(&mem, VirtAddr(va.0 - 1)), None);
    assert_eq!(t.translate(&mem, VirtAddr(va.0 + 5 * PAGE_SIZE)), None);

    // Unmap the middle two pages: only they go, no table is unlinked.
    let mut seen = Vec::new();
    t.unmap(&mem, VirtAddr(va.0 + PAGE_SIZE), 2 * PAGE_SIZE, |u| {
        seen.push(u)
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            Unmapped::Page {
                va: VirtAddr(va.0 + PAGE_SIZE),
                pa: PhysAddr(pa.0 + PAGE_SIZE)
            },
            Unmapped::Page {
                va: VirtAddr(va.0 + 2 * PAGE_SIZE),
                pa: PhysAddr(pa.0 + 2 * PAGE_SIZE)
            },
        ]
    );
    assert!(t.translate(&mem, VirtAddr(va.0 + PAGE_SIZE)).is_none());
    assert!(t.translate(&mem, va).is_some());
    assert!(t.translate(&mem, VirtAddr(va.0 + 3 * PAGE_SIZE)).is_some());

    // Unmap a wider range with holes: the rest goes, then the now-empty L3, L2, L1 tables.
    seen.clear();
    t.unmap(&mem, VirtAddr(va.0 - 16 * PAGE_SIZE), 64 * PAGE_SIZE, |u| {
        seen.push(u)
    })
    .unwrap();
    let pages: Vec<_> = seen
        .iter()
        .filter(|u| matches!(u, Unmapped::Page { .. }))
        .collect();
    let tables: Vec<_> = seen
        .iter()
        .filter_map(|u| match u {
            Unmapped::Table { pa } => Some(*pa),
            _ => None,
        })
        .collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(tables.len(), 3);
    assert!(matches!(seen.last(), Some(Unmapped::Table { .. })));
    assert!(!tables.contains(&t.root()));
    for pa in tables {
        fs.free_table(pa);
    }
    assert_eq!(fs.live(), 1);
    for i in 0..5 {
        assert!(t.translate(&mem, VirtAddr(va.0 + i * PAGE_SIZE)).is_none());
    }
    // Unmapping nothing is fine.
    t.unmap(&mem, va, 16 * PAGE_SIZE, |_| panic!("nothing mapped"))
        .unwrap();
    // And the space is reusable.
    t.map(
        &mem,
        &mut fs,
        va,
        pa,
        PAGE_SIZE,
        MapFlags::user(true, false, true),
    )
    .unwrap();
    assert_eq!(
        t.translate(&mem, va),
        Some((pa, MapFlags::user(true, false, true)))
    );
    t.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_blocks_for_aligned_ranges() {
    let (mem, mut fs) = setup(64);
    let mut t = kernel_tables(&mem, &mut fs);
    let va = KERNEL_VA_BASE;
    let pa = 0x4000_0000;
    let len = 2 * GB + 4 * MB + 2 * PAGE_SIZE;
    t.map_large(
        &mem,
        &mut fs,
        VirtAddr(va),
        PhysAddr(pa),
        len,
        MapFlags::kernel_data(),
    )
    .unwrap();
    // Root + L1 + one L2 + one L3.
    assert_eq!(fs.live(), 4);
    assert_eq!(leaf_level(&t, &mem, va), Some(1));
    assert_eq!(leaf_level(&t, &mem, va + GB + 12345), Some(1));
    assert_eq!(leaf_level(&t, &mem, va + 2 * GB), Some(2));
    assert_eq!(leaf_level(&t, &mem, va + 2 * GB + 2 * MB), Some(2));
    assert_eq!(leaf_level(&t, &mem, va + 2 * GB + 4 * MB), Some(3));
    assert_eq!(
        leaf_level(&t, &mem, va + 2 * GB + 4 * MB + PAGE_SIZE),
        Some(3)
    );
    assert_eq!(leaf_level(&t, &mem, va + len), None);
    for off in [0, 0x1234, GB - 1, GB, 2 * GB + 3 * MB + 5, len - 1] {
        assert_eq!(
            t.translate(&mem, VirtAddr(va + off)),
            Some((PhysAddr(pa + off), MapFlags::kernel_data())),
            "offset {off:#x}"
        );
    }
    // Blocks are not reported to `free_leaf`; the two pages are.
    let mut leaves = Vec::new();
    t.destroy(&mem, &mut fs, |pa| leaves.push(pa));
    assert_eq!(
        leaves,
        [
            PhysAddr(pa + 2 * GB + 4 * MB),
            PhysAddr(pa + 2 * GB + 4 * MB + PAGE_SIZE)
        ]
    );
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_page_fallback_when_unaligned() {
    let (mem, mut fs) = setup(64);
    let mut t = kernel_tables(&mem, &mut fs);
    // VA aligned to 1 GiB, PA only to 4 KiB: all pages, 4 MiB = two L3 tables.
    let va = KERNEL_VA_BASE + GB;
    t.map_large(
        &mem,
        &mut fs,
        VirtAddr(va),
        PhysAddr(0x4000_1000),
        4 * MB,
        MapFlags::kernel_data(),
    )
    .unwrap();
    assert_eq!(fs.live(), 1 + 1 + 1 + 2);
    assert_eq!(leaf_level(&t, &mem, va), Some(3));
    assert_eq!(leaf_level(&t, &mem, va + 4 * MB - 1), Some(3));
    assert_eq!(
        t.translate(&mem, VirtAddr(va + 3 * MB)).unwrap().0,
        PhysAddr(0x4000_1000 + 3 * MB)
    );

    // Range straddling a 2 MiB boundary: 2 pages, one block, 2 pages.
    let va = KERNEL_VA_BASE + 4 * GB + 2 * MB - 2 * PAGE_SIZE;
    let pa = 0x1_0000_0000 + 2 * MB - 2 * PAGE_SIZE;
    t.map_large(
        &mem,
        &mut fs,
        VirtAddr(va),
        PhysAddr(pa),
        2 * MB + 4 * PAGE_SIZE,
        MapFlags::device(),
    )
    .unwrap();
    assert_eq!(leaf_level(&t, &mem, va), Some(3));
    assert_eq!(leaf_level(&t, &mem, va + PAGE_SIZE), Some(3));
    assert_eq!(leaf_level(&t, &mem, va + 2 * PAGE_SIZE), Some(2));
    assert_eq!(leaf_level(&t, &mem, va + 2 * MB + PAGE_SIZE), Some(2));
    assert_eq!(leaf_level(&t, &mem, va + 2 * MB + 2 * PAGE_SIZE), Some(3));
    assert_eq!(leaf_level(&t, &mem, va + 2 * MB + 3 * PAGE_SIZE), Some(3));
    assert_eq!(
        t.translate(&mem, VirtAddr(va + MB)),
        Some((PhysAddr(pa + MB), MapFlags::device()))
    );

    // Plain `map` never uses blocks, even when everything is aligned.
    let va = KERNEL_VA_BASE + 8 * GB;
    t.map(
        &mem,
        &mut fs,
        VirtAddr(va),
        PhysAddr(0x8000_0000),
        2 * MB,
        MapFlags::kernel_rodata(),
    )
    .unwrap();
    assert_eq!(leaf_level(&t, &mem, va), Some(3));
    t.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_refuses_write_execute_and_bad_flags() {
    let (mem, mut fs) = setup(16);
    let mut t = user_tables(&mem, &mut fs);
    let va = VirtAddr(0x40_0000);
    assert_eq!(
        t.map(
            &mem,
            &mut fs,
            va,
            PhysAddr(0x8000_0000),
            PAGE_SIZE,
            MapFlags::user(true, true, true)
        ),
        Err(MapError::WriteExecute)
    );
    let rwx = MapFlags {
        write: true,
        ..MapFlags::kernel_text()
    };
    assert_eq!(
        t.map_large(&mem, &mut fs, va, PhysAddr(0), 2 * MB, rwx),
        Err(MapError::WriteExecute)
    );
    // Nothing allocated, nothing mapped.
    assert_eq!(fs.live(), 1);
    assert!(t.translate(&mem, va).is_none());

    // User mappings are refused in the upper half.
    let mut k = kernel_tables(&mem, &mut fs);
    assert_eq!(
        k.map(
            &mem,
            &mut fs,
            VirtAddr(KERNEL_VA_BASE),
            PhysAddr(0),
            PAGE_SIZE,
            MapFlags::user(true, false, false)
        ),
        Err(MapError::InvalidFlags)
    );
    assert_eq!(fs.live(), 2);
    k.destroy(&mem, &mut fs, |_| {});
    t.destroy(&mem, &mut fs, |_| {});
}

#[test]
fn mmu_rejects_bad_ranges() {
    let (mem, mut fs) = setup(16);
    let mut t = user_tables(&mem, &mut fs);
    let f = MapFlags::user(true, true, false);
    let pa = PhysAddr(0x8000_0000);
    assert_eq!(
        t.map(&mem, &mut fs, VirtAddr(0x1001), pa, PAGE_SIZE, f),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        t.map(
            &mem,
            &mut fs,
            VirtAddr(0x1000),
            PhysAddr(0x8000_0800),
            PAGE_SIZE,
            f
        ),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        t.map(&mem, &mut fs, VirtAddr(0x1000), pa, 100, f),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        t.map(&mem, &mut fs, VirtAddr(KERNEL_VA_BASE), pa, PAGE_SIZE, f),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        t.map(
            &mem,
            &mut fs,
            VirtAddr(0x1000),
            PhysAddr((1 << 48) - PAGE_SIZE),
            2 * PAGE_SIZE,
            f
        ),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        t.map(
            &mem,
            &mut fs,
            VirtAddr(0x1000),
            PhysAddr(0xffff_ffff_ffff_f000),
            PAGE_SIZE,
            f
        ),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        t.map(
            &mem,
            &mut fs,
            VirtAddr(0x1000),
            pa,
            0xffff_ffff_ffff_f000,
            f
        ),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        t.unmap(&mem, VirtAddr(0x1000), 0x800, |_| {}),
        Err(MapError::Misaligned)
    );
    assert_eq!(
        t.unmap(&mem, VirtAddr(USER_VA_END), PAGE_SIZE, |_| {}),
        Err(MapError::OutOfRange)
    );
    // Zero length: nothing happens.
    t.map(&mem, &mut fs, VirtAddr(0x1000), pa, 0, f).unwrap();
    t.unmap(&mem, VirtAddr(0x1000), 0, |_| {}).unwrap();
    assert_eq!(fs.live(), 1);
    t.destroy(&mem, &mut fs, |_| {});
}

#[test]
fn mmu_already_mapped_changes_nothing() {
    let (mem, mut fs) = setup(64);
    let mut t = user_tables(&mem, &mut fs);
    let f = MapFlags::user(true, false, false);
    t.map(
        &mem,
        &mut fs,
        VirtAddr(0x10_0000),
        PhysAddr(0x8000_0000),
        4 * PAGE_SIZE,
        f,
    )
    .unwrap();
    let live = fs.live();
    // Overlapping at the tail of the new range; its head (in a fresh region) must stay unmapped.
    let r = t.map(
        &mem,
        &mut fs,
        VirtAddr(0x0f_0000),
        PhysAddr(0x9000_0000),
        0x11000,
        f,
    );
    assert_eq!(r, Err(MapError::AlreadyMapped));
    assert_eq!(fs.live(), live);
    assert!(t.translate(&mem, VirtAddr(0x0f_0000)).is_none());
    assert_eq!(
        t.translate(&mem, VirtAddr(0x10_0000)).unwrap().0,
        PhysAddr(0x8000_0000)
    );
    // A new range whose first page is the old range's last, across a fresh L1 slot: no tables.
    let r = t.map(
        &mem,
        &mut fs,
        VirtAddr(0x10_3000),
        PhysAddr(0x9000_0000),
        GB,
        f,
    );
    assert_eq!(r, Err(MapError::AlreadyMapped));
    assert_eq!(fs.live(), live);
    // Exactly the same range.
    let r = t.map(
        &mem,
        &mut fs,
        VirtAddr(0x10_0000),
        PhysAddr(0x8000_0000),
        4 * PAGE_SIZE,
        f,
    );
    assert_eq!(r, Err(MapError::AlreadyMapped));

    // A page inside a block, and a block over pages.
    t.map_large(
        &mem,
        &mut fs,
        VirtAddr(0x4000_0000),
        PhysAddr(0xc000_0000),
        2 * MB,
        f,
    )
    .unwrap();
    assert_eq!(leaf_level(&t, &mem, 0x4000_0000), Some(2));
    let r = t.map(
        &mem,
        &mut fs,
        VirtAddr(0x4010_0000),
        PhysAddr(0),
        PAGE_SIZE,
        f,
    );
    assert_eq!(r, Err(MapError::AlreadyMapped));
    let r = t.map_large(&mem, &mut fs, VirtAddr(0), PhysAddr(0), 2 * MB, f);
    assert_eq!(r, Err(MapError::AlreadyMapped));
    // Adjacent ranges are fine.
    t.map(
        &mem,
        &mut fs,
        VirtAddr(0x10_4000),
        PhysAddr(0x8000_4000),
        PAGE_SIZE,
        f,
    )
    .unwrap();
    t.map(
        &mem,
        &mut fs,
        VirtAddr(0x0f_f000),
        PhysAddr(0x8000_f000),
        PAGE_SIZE,
        f,
    )
    .unwrap();
    t.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_no_memory_leaves_nothing_mapped() {
    let (mem, mut fs) = setup(64);
    let mut t = user_tables(&mem, &mut fs);
    let f = MapFlags::user(true, true, false);
    // A single page needs L1, L2, L3: allow only two more frames.
    fs.budget = 3;
    let va = VirtAddr(0x7f00_0000_0000);
    assert_eq!(
        t.map(&mem, &mut fs, va, PhysAddr(0x8000_0000), PAGE_SIZE, f),
        Err(MapError::NoMemory)
    );
    assert!(t.translate(&mem, va).is_none());

    // Four L3 tables' worth of pages; the budget runs out after the first L3 table, yet no page
    // of the range (not even in the first L3 table) is mapped.
    fs.budget = 6;
    let va = VirtAddr(0x2000_0000 - PAGE_SIZE);
    let len = 4 * MB + 2 * PAGE_SIZE;
    assert_eq!(
        t.map(&mem, &mut fs, va, PhysAddr(0x8000_0000), len, f),
        Err(MapError::NoMemory)
    );
    let mut off = 0;
    while off < len {
        assert!(
            t.translate(&mem, VirtAddr(va.0 + off)).is_none(),
            "{off:#x} mapped"
        );
        off += PAGE_SIZE;
    }
    // With enough memory the same call succeeds, reusing the tables already linked.
    fs.budget = 64;
    t.map(&mem, &mut fs, va, PhysAddr(0x8000_0000), len, f)
        .unwrap();
    // Root; L1 + L2 left by the first attempt; L1, L2 and four L3 for the range (L2 slots 255
    // to 258: 0x1fe00000.., 0x20000000.., 0x20200000.., 0x20400000..).
    assert_eq!(fs.live(), 1 + 2 + 2 + 4);
    assert_eq!(
        t.translate(&mem, VirtAddr(va.0 + len - 1)).unwrap().0,
        PhysAddr(0x8000_0000 + len - 1)
    );
    // Unmapping the first attempt's range reports its empty tables for deferred freeing.
    let mut tables = 0;
    t.unmap(&mem, VirtAddr(0x7f00_0000_0000), PAGE_SIZE, |u| {
        assert!(matches!(u, Unmapped::Table { .. }));
        tables += 1;
    })
    .unwrap();
    assert_eq!(tables, 2, "the L2 and L1 tables created before the failure");
    // Everything is returned by destroy (the two unlinked tables are the caller's now).
    let allocs = fs.allocs;
    t.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 2);
    assert_eq!(fs.frees + 2, allocs);

    // A root cannot be made without memory.
    fs.budget = 0;
    assert!(AddressSpaceTables::new(&mem, &mut fs, VaHalf::Lower).is_none());
}

#[test]
fn mmu_destroy_returns_every_frame() {
    let (mem, mut fs) = setup(128);
    let mut t = user_tables(&mem, &mut fs);
    let f = MapFlags::user(true, true, false);
    let regions = [
        (0x1000u64, 3u64),
        (0x40_0000_0000, 1),
        (0x7fff_ffff_0000, 16),
        (0x3f_ffe0_0000 - 0x1000, 2),
    ];
    let mut expect = BTreeSet::new();
    let mut next_pa = 0x1_0000_0000u64;
    for (va, pages) in regions {
        t.map(
            &mem,
            &mut fs,
            VirtAddr(va),
            PhysAddr(next_pa),
            pages * PAGE_SIZE,
            f,
        )
        .unwrap();
        for i in 0..pages {
            expect.insert(next_pa + i * PAGE_SIZE);
        }
        next_pa += 0x10_0000;
    }
    // A block: not a leaf page to free.
    t.map_large(
        &mem,
        &mut fs,
        VirtAddr(0x100_0000_0000),
        PhysAddr(0x2_0000_0000),
        GB,
        f,
    )
    .unwrap();
    assert_eq!(leaf_level(&t, &mem, 0x100_0000_0000), Some(1));
    assert!(fs.live() > 8);
    let mut freed = BTreeSet::new();
    t.destroy(&mem, &mut fs, |pa| {
        assert!(freed.insert(pa.0), "leaf {pa:?} reported twice")
    });
    assert_eq!(freed, expect);
    assert_eq!(fs.live(), 0);
    assert_eq!(fs.allocs, fs.frees);
}

#[test]
fn mmu_translate_edges() {
    let (mem, mut fs) = setup(32);
    let mut t = user_tables(&mem, &mut fs);
    // First 64 KiB, including page 0.
    let pa = 0x9000_0000;
    let f = MapFlags::user(true, false, true);
    t.map(&mem, &mut fs, VirtAddr(0), PhysAddr(pa), 64 * KB, f)
        .unwrap();
    assert_eq!(t.translate(&mem, VirtAddr(0)), Some((PhysAddr(pa), f)));
    assert_eq!(
        t.translate(&mem, VirtAddr(0x1234)),
        Some((PhysAddr(pa + 0x1234), f))
    );
    assert_eq!(
        t.translate(&mem, VirtAddr(0xffff)),
        Some((PhysAddr(pa + 0xffff), f))
    );
    assert_eq!(t.translate(&mem, VirtAddr(0x1_0000)), None);

    // The last user page, just below 1 << 47.
    let top = USER_VA_END - PAGE_SIZE;
    t.map(
        &mem,
        &mut fs,
        VirtAddr(top),
        PhysAddr(0xa000_0000),
        PAGE_SIZE,
        f,
    )
    .unwrap();
    assert_eq!(
        t.translate(&mem, VirtAddr(top + 0xfff)),
        Some((PhysAddr(0xa000_0fff), f))
    );
    assert_eq!(t.translate(&mem, VirtAddr(USER_VA_END)), None);
    assert_eq!(t.translate(&mem, VirtAddr(u64::MAX)), None);
    assert_eq!(
        t.map(&mem, &mut fs, VirtAddr(top), PhysAddr(0), 2 * PAGE_SIZE, f),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        t.map(
            &mem,
            &mut fs,
            VirtAddr(USER_VA_END),
            PhysAddr(0),
            PAGE_SIZE,
            f
        ),
        Err(MapError::OutOfRange)
    );
    t.destroy(&mem, &mut fs, |_| {});

    // Upper half: its first and very last pages; beyond is out of range.
    let mut k = kernel_tables(&mem, &mut fs);
    let last = 0xffff_ffff_ffff_f000;
    let kf = MapFlags::kernel_rodata();
    k.map(
        &mem,
        &mut fs,
        VirtAddr(last),
        PhysAddr(0x4000_0000),
        PAGE_SIZE,
        kf,
    )
    .unwrap();
    k.map(
        &mem,
        &mut fs,
        VirtAddr(KERNEL_VA_BASE),
        PhysAddr(0x4000_1000),
        PAGE_SIZE,
        kf,
    )
    .unwrap();
    assert_eq!(
        k.translate(&mem, VirtAddr(u64::MAX)),
        Some((PhysAddr(0x4000_0fff), kf))
    );
    assert_eq!(
        k.translate(&mem, VirtAddr(KERNEL_VA_BASE)),
        Some((PhysAddr(0x4000_1000), kf))
    );
    assert_eq!(k.translate(&mem, VirtAddr(0)), None);
    assert_eq!(k.translate(&mem, VirtAddr(KERNEL_VA_BASE - 1)), None);
    assert_eq!(
        k.map(
            &mem,
            &mut fs,
            VirtAddr(last),
            PhysAddr(0),
            2 * PAGE_SIZE,
            kf
        ),
        Err(MapError::OutOfRange)
    );
    assert_eq!(
        k.map(
            &mem,
            &mut fs,
            VirtAddr(KERNEL_VA_BASE - PAGE_SIZE),
            PhysAddr(0),
            PAGE_SIZE,
            kf
        ),
        Err(MapError::OutOfRange)
    );
    let mut seen = Vec::new();
    k.unmap(&mem, VirtAddr(last), PAGE_SIZE, |u| seen.push(u))
        .unwrap();
    assert_eq!(
        seen[0],
        Unmapped::Page {
            va: VirtAddr(last),
            pa: PhysAddr(0x4000_0000)
        }
    );
    assert_eq!(seen.len(), 4, "page + L3, L2, L1 tables");
    for u in seen {
        if let Unmapped::Table { pa } = u {
            fs.free_table(pa);
        }
    }
    k.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_partial_block_unmap_refused() {
    let (mem, mut fs) = setup(16);
    let mut k = kernel_tables(&mem, &mut fs);
    let va = KERNEL_VA_BASE + 2 * MB;
    let f = MapFlags::kernel_data();
    k.map_large(
        &mem,
        &mut fs,
        VirtAddr(va),
        PhysAddr(0x4020_0000),
        2 * MB + PAGE_SIZE,
        f,
    )
    .unwrap();
    // Page after the block, then the block's first page: refused, and the page was not removed.
    assert_eq!(
        k.unmap(&mem, VirtAddr(va + PAGE_SIZE), 2 * MB, |_| panic!(
            "nothing may go"
        )),
        Err(MapError::PartialBlock)
    );
    assert!(k.translate(&mem, VirtAddr(va + 2 * MB)).is_some());
    assert!(k.translate(&mem, VirtAddr(va)).is_some());
    let mut seen = Vec::new();
    k.unmap(&mem, VirtAddr(va), 2 * MB, |u| seen.push(u))
        .unwrap();
    assert_eq!(
        seen,
        [Unmapped::Block {
            va: VirtAddr(va),
            pa: PhysAddr(0x4020_0000),
            size: 2 * MB
        }]
    );
    assert!(k.translate(&mem, VirtAddr(va)).is_none());
    assert!(k.translate(&mem, VirtAddr(va + 2 * MB)).is_some());
    k.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_protect() {
    let (mem, mut fs) = setup(16);
    let mut t = user_tables(&mem, &mut fs);
    let va = 0x20_0000;
    t.map(
        &mem,
        &mut fs,
        VirtAddr(va),
        PhysAddr(0x8000_0000),
        4 * PAGE_SIZE,
        MapFlags::user(true, true, false),
    )
    .unwrap();
    let ro = MapFlags::user(true, false, false);
    // Holes around the mapping are skipped.
    t.protect(&mem, VirtAddr(va + PAGE_SIZE), 8 * PAGE_SIZE, ro)
        .unwrap();
    assert_eq!(
        t.translate(&mem, VirtAddr(va)).unwrap().1,
        MapFlags::user(true, true, false)
    );
    assert_eq!(
        t.translate(&mem, VirtAddr(va + PAGE_SIZE)),
        Some((PhysAddr(0x8000_1000), ro))
    );
    assert_eq!(
        t.translate(&mem, VirtAddr(va + 3 * PAGE_SIZE)).unwrap().1,
        ro
    );
    // Memory type / global changes need break-before-make: refused, nothing changed.
    let dev = MapFlags::user(true, true, false).with_kind(MemKind::Device);
    assert_eq!(
        t.protect(&mem, VirtAddr(va), 4 * PAGE_SIZE, dev),
        Err(MapError::AttributeChange)
    );
    assert_eq!(
        t.protect(&mem, VirtAddr(va), 4 * PAGE_SIZE, ro.with_global(true)),
        Err(MapError::AttributeChange)
    );
    assert_eq!(
        t.protect(
            &mem,
            VirtAddr(va),
            PAGE_SIZE,
            MapFlags::user(true, true, true)
        ),
        Err(MapError::WriteExecute)
    );
    assert_eq!(
        t.translate(&mem, VirtAddr(va)).unwrap().1,
        MapFlags::user(true, true, false)
    );
    let rx = MapFlags::user(true, false, true);
    t.protect(&mem, VirtAddr(va), 4 * PAGE_SIZE, rx).unwrap();
    assert_eq!(
        t.translate(&mem, VirtAddr(va + 2 * PAGE_SIZE)),
        Some((PhysAddr(0x8000_2000), rx))
    );
    t.destroy(&mem, &mut fs, |_| {});
    assert_eq!(fs.live(), 0);
}

#[test]
fn mmu_new_tables_are_cleared() {
    // Mock frames start full of "valid table" garbage; a fresh hierarchy translates nothing.
    let (mem, mut fs) = setup(4);
    let t = user_tables(&mem, &mut fs);
    for va in [0, 0x1234_5000, USER_VA_END - 1] {
        assert!(t.translate(&mem, VirtAddr(va)).is_none());
    }
    assert_eq!(t.ttbr(7), (7 << 48) | FAKE_BASE);
    t.destroy(&mem, &mut fs, |_| panic!("no leaves"));
}

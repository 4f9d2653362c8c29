//! The per-level steps of the table builder: reading and writing entries, walking the entries
//! a range overlaps, and the checks, preparation, commits and removals that
//! [`AddressSpaceTables`](super::table::AddressSpaceTables)' operations are made of. The
//! invariants of `table.rs` hold here too: every table address reached is a frame from the
//! hierarchy's [`FrameSource`], written only through this module and `table.rs`.

use super::desc::{
    classify, desc_addr, DescKind, BBM_ATTR_MASK, DESC_BLOCK_BITS, DESC_PAGE_BITS, DESC_TABLE_BITS,
    PA_LIMIT,
};
use super::table::{FrameSource, PhysMem, Unmapped};
use super::{entry_size, level_shift, MapError};
use crate::addr::{PhysAddr, VirtAddr};

/// Reads entry `idx` of `table`.
pub(super) fn read_entry<M: PhysMem + ?Sized>(mem: &M, table: PhysAddr, idx: usize) -> u64 {
    let base = mem.table(table).cast::<u64>();
    // SAFETY: `table` is a table frame of a hierarchy (module invariant), so by the `PhysMem`
    // contract `base` points to 512 readable, aligned u64s; `idx & 511` stays within them. A
    // volatile read keeps the access a single 64-bit load.
    unsafe { base.add(idx & 511).read_volatile() }
}

/// Writes entry `idx` of `table`.
pub(super) fn write_entry<M: PhysMem + ?Sized>(mem: &M, table: PhysAddr, idx: usize, val: u64) {
    let base = mem.table(table).cast::<u64>();
    // SAFETY: as in `read_entry`, plus the frame is exclusively ours (`FrameSource` contract) and
    // writable (`PhysMem` contract). A volatile write is a single 64-bit store, so the walker
    // never sees a torn descriptor.
    unsafe { base.add(idx & 511).write_volatile(val) }
}

/// Clears every entry of `table`.
pub(super) fn zero_table<M: PhysMem + ?Sized>(mem: &M, table: PhysAddr) {
    let base = mem.table(table).cast::<u64>();
    for i in 0..512 {
        // SAFETY: `table` was just obtained from the frame source and checked to be 4 KiB
        // aligned, so `base` points to 512 writable, aligned u64s we own; `i < 512`.
        unsafe { base.add(i).write_volatile(0) }
    }
}

pub(super) fn table_is_empty<M: PhysMem + ?Sized>(mem: &M, table: PhysAddr, level: usize) -> bool {
    (0..512).all(|i| classify(read_entry(mem, table, i), level) == DescKind::Invalid)
}

/// A cleared frame from `fs`.
pub(super) fn alloc_zeroed<M: PhysMem + ?Sized, F: FrameSource + ?Sized>(
    mem: &M,
    fs: &mut F,
) -> Result<PhysAddr, MapError> {
    let pa = fs.alloc_table().ok_or(MapError::NoMemory)?;
    if !pa.is_page_aligned() || pa.0 >= PA_LIMIT {
        // A broken frame source; do not touch the frame.
        fs.free_table(pa);
        return Err(MapError::NoMemory);
    }
    zero_table(mem, pa);
    Ok(pa)
}

/// The entries of a level-`level` table overlapping `[start, last]` (inclusive, and within the
/// table's span): `(index, first byte, last byte)` of the overlap with each entry.
pub(super) struct Entries {
    shift: u32,
    cur: u64,
    last: u64,
    done: bool,
}

impl Entries {
    fn new(level: usize, start: u64, last: u64) -> Self {
        Self {
            shift: level_shift(level),
            cur: start,
            last,
            done: start > last,
        }
    }
}

impl Iterator for Entries {
    type Item = (usize, u64, u64);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let start = self.cur;
        let entry_last = start | ((1u64 << self.shift) - 1);
        let sub_last = if entry_last < self.last {
            entry_last
        } else {
            self.last
        };
        match sub_last.checked_add(1) {
            Some(next) if sub_last < self.last => self.cur = next,
            _ => self.done = true,
        }
        Some((((start >> self.shift) & 0x1ff) as usize, start, sub_last))
    }
}

/// Whether `[start, last]` is exactly one whole level-`level` entry.
pub(super) fn covers_entry(level: usize, start: u64, last: u64) -> bool {
    let mask = entry_size(level) - 1;
    start & mask == 0 && last.checked_sub(start) == Some(mask)
}

/// A validated `map` request.
pub(super) struct MapPlan {
    pub(super) va: u64,
    pub(super) pa: u64,
    pub(super) attrs: u64,
    pub(super) blocks: bool,
}

impl MapPlan {
    fn pa_at(&self, va: u64) -> Result<u64, MapError> {
        va.checked_sub(self.va)
            .and_then(|off| self.pa.checked_add(off))
            .ok_or(MapError::OutOfRange)
    }

    /// Whether an (invalid) level-`level` entry covering `[start, last]` becomes a block.
    fn block_at(&self, level: usize, start: u64, last: u64) -> bool {
        if !self.blocks || !(level == 1 || level == 2) || !covers_entry(level, start, last) {
            return false;
        }
        let mask = entry_size(level) - 1;
        matches!(self.pa_at(start), Ok(pa) if pa & mask == 0)
    }
}

/// Fails with `AlreadyMapped` if any leaf overlaps `[start, last]`. Read-only.
pub(super) fn check_free<M: PhysMem + ?Sized>(
    mem: &M,
    table: PhysAddr,
    level: usize,
    start: u64,
    last: u64,
) -> Result<(), MapError> {
    for (idx, s, l) in Entries::new(level, start, last) {
        let d = read_entry(mem, table, idx);
        match classify(d, level) {
            DescKind::Invalid => {}
            DescKind::Table => check_free(
                mem,
                PhysAddr(desc_addr(d, DescKind::Table, level)),
                level + 1,
                s,
                l,
            )?,
            DescKind::Block | DescKind::Page => return Err(MapError::AlreadyMapped),
        }
    }
    Ok(())
}

/// Creates every intermediate table the mapping needs; writes no leaf.
pub(super) fn prepare<M: PhysMem + ?Sized, F: FrameSource + ?Sized>(
    mem: &M,
    fs: &mut F,
    table: PhysAddr,
    level: usize,
    start: u64,
    last: u64,
    plan: &MapPlan,
) -> Result<(), MapError> {
    if level >= 3 {
        return Ok(());
    }
    for (idx, s, l) in Entries::new(level, start, last) {
        let d = read_entry(mem, table, idx);
        let next = match classify(d, level) {
            DescKind::Table => PhysAddr(desc_addr(d, DescKind::Table, level)),
            DescKind::Invalid if plan.block_at(level, s, l) => continue,
            DescKind::Invalid => {
                let t = alloc_zeroed(mem, fs)?;
                mem.publish_barrier();
                write_entry(mem, table, idx, t.0 | DESC_TABLE_BITS);
                t
            }
            DescKind::Block | DescKind::Page => return Err(MapError::AlreadyMapped),
        };
        prepare(mem, fs, next, level + 1, s, l, plan)?;
    }
    Ok(())
}

/// Writes the leaves. After `check_free` and `prepare` succeeded this cannot fail.
pub(super) fn commit<M: PhysMem + ?Sized>(
    mem: &M,
    table: PhysAddr,
    level: usize,
    start: u64,
    last: u64,
    plan: &MapPlan,
) -> Result<(), MapError> {
    for (idx, s, l) in Entries::new(level, start, last) {
        let d = read_entry(mem, table, idx);
        match classify(d, level) {
            DescKind::Table => commit(
                mem,
                PhysAddr(desc_addr(d, DescKind::Table, level)),
                level + 1,
                s,
                l,
                plan,
            )?,
            DescKind::Invalid if level == 3 => write_entry(
                mem,
                table,
                idx,
                plan.pa_at(s)? | plan.attrs | DESC_PAGE_BITS,
            ),
            DescKind::Invalid if plan.block_at(level, s, l) => write_entry(
                mem,
                table,
                idx,
                plan.pa_at(s)? | plan.attrs | DESC_BLOCK_BITS,
            ),
            _ => return Err(MapError::AlreadyMapped),
        }
    }
    Ok(())
}

/// Fails with `PartialBlock` if a block is only partly inside `[start, last]`; with
/// `AttributeChange` if `new_attrs` is given and a leaf's break-before-make attributes differ.
/// Read-only.
pub(super) fn check_leaves<M: PhysMem + ?Sized>(
    mem: &M,
    table: PhysAddr,
    level: usize,
    start: u64,
    last: u64,
    new_attrs: Option<u64>,
) -> Result<(), MapError> {
    for (idx, s, l) in Entries::new(level, start, last) {
        let d = read_entry(mem, table, idx);
        let kind = classify(d, level);
        match kind {
            DescKind::Invalid => continue,
            DescKind::Table => {
                check_leaves(
                    mem,
                    PhysAddr(desc_addr(d, kind, level)),
                    level + 1,
                    s,
                    l,
                    new_attrs,
                )?;
                continue;
            }
            DescKind::Block if !covers_entry(level, s, l) => return Err(MapError::PartialBlock),
            DescKind::Block | DescKind::Page => {}
        }
        if let Some(attrs) = new_attrs {
            if d & BBM_ATTR_MASK != attrs & BBM_ATTR_MASK {
                return Err(MapError::AttributeChange);
            }
        }
    }
    Ok(())
}

/// Clears every leaf in `[start, last]` and unlinks tables left empty.
pub(super) fn remove<M: PhysMem + ?Sized, C: FnMut(Unmapped)>(
    mem: &M,
    table: PhysAddr,
    level: usize,
    start: u64,
    last: u64,
    on_unmap: &mut C,
) {
    for (idx, s, l) in Entries::new(level, start, last) {
        let d = read_entry(mem, table, idx);
        let kind = classify(d, level);
        let pa = PhysAddr(desc_addr(d, kind, level));
        match kind {
            DescKind::Invalid => {}
            DescKind::Page => {
                write_entry(mem, table, idx, 0);
                on_unmap(Unmapped::Page {
                    va: VirtAddr(s),
                    pa,
                });
            }
            DescKind::Block => {
                write_entry(mem, table, idx, 0);
                on_unmap(Unmapped::Block {
                    va: VirtAddr(s),
                    pa,
                    size: entry_size(level),
                });
            }
            DescKind::Table => {
                remove(mem, pa, level + 1, s, l, on_unmap);
                if table_is_empty(mem, pa, level + 1) {
                    write_entry(mem, table, idx, 0);
                    on_unmap(Unmapped::Table { pa });
                }
            }
        }
    }
}

/// Rewrites the permissions of every leaf in `[start, last]`.
pub(super) fn reprotect<M: PhysMem + ?Sized>(
    mem: &M,
    table: PhysAddr,
    level: usize,
    start: u64,
    last: u64,
    attrs: u64,
) {
    for (idx, s, l) in Entries::new(level, start, last) {
        let d = read_entry(mem, table, idx);
        let kind = classify(d, level);
        let pa = desc_addr(d, kind, level);
        match kind {
            DescKind::Invalid => {}
            DescKind::Table => reprotect(mem, PhysAddr(pa), level + 1, s, l, attrs),
            DescKind::Page => write_entry(mem, table, idx, pa | attrs | DESC_PAGE_BITS),
            DescKind::Block => write_entry(mem, table, idx, pa | attrs | DESC_BLOCK_BITS),
        }
    }
}

/// Frees `table` and everything below it, reporting 4 KiB leaves.
pub(super) fn free_tree<M: PhysMem + ?Sized, F: FrameSource + ?Sized, L: FnMut(PhysAddr)>(
    mem: &M,
    fs: &mut F,
    table: PhysAddr,
    level: usize,
    free_leaf: &mut L,
) {
    for idx in 0..512 {
        let d = read_entry(mem, table, idx);
        let kind = classify(d, level);
        let pa = PhysAddr(desc_addr(d, kind, level));
        match kind {
            DescKind::Table => free_tree(mem, fs, pa, level + 1, free_leaf),
            DescKind::Page => free_leaf(pa),
            DescKind::Block | DescKind::Invalid => {}
        }
    }
    fs.free_table(table);
}

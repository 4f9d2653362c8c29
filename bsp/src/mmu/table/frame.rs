//! Access to one table frame: reading and writing its entries, clearing it, getting a cleared
//! one from the [`FrameSource`], and the entries of a table that a virtual range overlaps. The
//! `unsafe` here relies on the invariants stated in the parent module.

use super::{FrameSource, PhysMem};
use crate::addr::PhysAddr;
use crate::mmu::desc::{classify, DescKind, PA_LIMIT};
use crate::mmu::{entry_size, level_shift, MapError};

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
    pub(super) fn new(level: usize, start: u64, last: u64) -> Self {
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

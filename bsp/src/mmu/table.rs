//! The translation-table builder: one four-level hierarchy (one TTBR's worth) of 4 KiB tables.
//!
//! Invariants the `unsafe` below relies on: every table frame of a hierarchy came from a
//! [`FrameSource`] (so it is exclusively ours until freed) and every table descriptor in it was
//! written by this module and points at such a frame. Mutation goes through `&mut
//! AddressSpaceTables`, so one hierarchy is never modified concurrently.

use super::desc::{classify, desc_addr, leaf_attrs, leaf_flags, DescKind, MapFlags, PA_LIMIT};
use super::walk::{
    alloc_zeroed, check_free, check_leaves, commit, free_tree, prepare, read_entry, remove,
    reprotect, MapPlan,
};
use super::{entry_size, va_indices, MapError, KERNEL_VA_BASE, USER_VA_END};
use crate::addr::{PhysAddr, VirtAddr, PAGE_SIZE};

/// How the builder reaches the memory of a table frame given its physical address: through the
/// linear map in the kernel, through identity while the MMU is off, through a mock in tests.
///
/// # Safety
///
/// For every frame address `pa` handed out by a [`FrameSource`] that is used together with this
/// `PhysMem` (and not yet given back with [`FrameSource::free_table`]), `table(pa)` must return a
/// pointer to that frame's 4096 bytes, 8-byte aligned and valid for reads and writes for as long
/// as the frame is allocated. The builder only calls `table` with such addresses.
pub unsafe trait PhysMem {
    /// The table frame at `pa`.
    fn table(&self, pa: PhysAddr) -> *mut [u64; 512];

    /// Called after a new table frame has been cleared and before the descriptor pointing to it
    /// is written, so the table walker never sees the frame's old contents. The kernel issues
    /// `dsb ishst` here; the default (for tests and MMU-off use) does nothing.
    fn publish_barrier(&self) {}
}

/// Where table frames come from and go back to.
///
/// # Safety
///
/// `alloc_table` must return the address of a 4 KiB-aligned frame below `1 << 48` that nothing
/// else reads or writes until it is passed back to `free_table`, and that the [`PhysMem`] used
/// with this source can reach. The frame need not be zeroed: the builder clears it.
pub unsafe trait FrameSource {
    /// A free 4 KiB frame, or `None` when out of memory.
    fn alloc_table(&mut self) -> Option<PhysAddr>;
    /// Gives back a frame obtained from `alloc_table`.
    fn free_table(&mut self, pa: PhysAddr);
}

/// Which TTBR a hierarchy serves, and so which virtual addresses it accepts.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum VaHalf {
    /// TTBR0_EL1: `0..USER_VA_END` (`1 << 47`). User address spaces, and the boot identity map.
    Lower,
    /// TTBR1_EL1: `KERNEL_VA_BASE..=u64::MAX`. The kernel; user mappings are refused here.
    Upper,
}

impl VaHalf {
    /// Whether `va` belongs to this half.
    pub const fn contains(self, va: u64) -> bool {
        match self {
            VaHalf::Lower => va < USER_VA_END,
            VaHalf::Upper => va >= KERNEL_VA_BASE,
        }
    }
}

/// An entry removed by [`AddressSpaceTables::unmap`].
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Unmapped {
    /// A 4 KiB page mapping of the frame `pa` at `va`.
    Page {
        /// Virtual address of the page.
        va: VirtAddr,
        /// The frame it mapped.
        pa: PhysAddr,
    },
    /// A block mapping of `size` bytes (2 MiB or 1 GiB) at `va`.
    Block {
        /// Virtual address of the block.
        va: VirtAddr,
        /// First byte of the physical range it mapped.
        pa: PhysAddr,
        /// 2 MiB or 1 GiB.
        size: u64,
    },
    /// A table frame that became empty and was unlinked. Give it back to the frame source only
    /// after the TLB invalidation that follows the unmap has completed: walk caches may hold the
    /// descriptor that pointed to it until then.
    Table {
        /// The table frame.
        pa: PhysAddr,
    },
}

/// One translation-table hierarchy: a level-0 root and the tables below it.
///
/// Not `Clone`; dropping it leaks its frames, use [`AddressSpaceTables::destroy`].
#[derive(Debug)]
pub struct AddressSpaceTables {
    root: PhysAddr,
    half: VaHalf,
}

impl AddressSpaceTables {
    /// An empty hierarchy for `half`: one cleared root table from `fs`. `None` when `fs` is out
    /// of memory.
    pub fn new(
        mem: &(impl PhysMem + ?Sized),
        fs: &mut (impl FrameSource + ?Sized),
        half: VaHalf,
    ) -> Option<Self> {
        let root = alloc_zeroed(mem, fs).ok()?;
        Some(Self { root, half })
    }

    /// Physical address of the level-0 table.
    pub const fn root(&self) -> PhysAddr {
        self.root
    }

    /// The half this hierarchy serves.
    pub const fn half(&self) -> VaHalf {
        self.half
    }

    /// The TTBRn_EL1 value selecting these tables with `asid` (see [`super::ttbr_value`]).
    pub const fn ttbr(&self, asid: u16) -> u64 {
        super::ttbr_value(self.root, asid)
    }

    /// Checks a range: alignment, non-wrapping, inside the half. Returns the last byte; `None`
    /// for an empty range.
    fn check_range(&self, va: VirtAddr, len: u64) -> Result<Option<u64>, MapError> {
        if !va.is_page_aligned() || !len.is_multiple_of(PAGE_SIZE) {
            return Err(MapError::Misaligned);
        }
        if len == 0 {
            return Ok(None);
        }
        let last = va.0.checked_add(len - 1).ok_or(MapError::OutOfRange)?;
        if !self.half.contains(va.0) || !self.half.contains(last) {
            return Err(MapError::OutOfRange);
        }
        Ok(Some(last))
    }

    fn checked_attrs(&self, flags: MapFlags) -> Result<u64, MapError> {
        let attrs = leaf_attrs(flags)?;
        if flags.user && self.half == VaHalf::Upper {
            return Err(MapError::InvalidFlags);
        }
        Ok(attrs)
    }

    /// Maps `[va, va + len)` to `[pa, pa + len)` with 4 KiB pages. `va`, `pa` and `len` must be
    /// page aligned; `len == 0` does nothing.
    ///
    /// All or nothing: on any error no leaf descriptor has been written, so the address space
    /// translates exactly as before. Overlap with any existing mapping is `AlreadyMapped` and
    /// changes nothing at all. On `NoMemory`, intermediate tables created before the frame source
    /// ran dry stay linked, empty: freeing them at once would be unsafe because a concurrent walk
    /// may already have cached their table descriptors. They are reused by later maps, reported
    /// by an `unmap` covering them, and freed by `destroy`.
    ///
    /// Only invalid entries are changed, so no TLB maintenance is needed; the caller issues
    /// `dsb ishst` (and `isb` before the kernel itself uses the mapping) afterwards.
    pub fn map(
        &mut self,
        mem: &(impl PhysMem + ?Sized),
        fs: &mut (impl FrameSource + ?Sized),
        va: VirtAddr,
        pa: PhysAddr,
        len: u64,
        flags: MapFlags,
    ) -> Result<(), MapError> {
        self.map_inner(mem, fs, va, pa, len, flags, false)
    }

    /// Like [`map`](Self::map), but uses 1 GiB (L1) and 2 MiB (L2) blocks wherever `va` and `pa`
    /// are aligned to the block size and the whole block lies in the range (and its entry is not
    /// already a table), 4 KiB pages elsewhere. For the kernel's linear map and large device
    /// windows. Blocks can only be unmapped whole.
    pub fn map_large(
        &mut self,
        mem: &(impl PhysMem + ?Sized),
        fs: &mut (impl FrameSource + ?Sized),
        va: VirtAddr,
        pa: PhysAddr,
        len: u64,
        flags: MapFlags,
    ) -> Result<(), MapError> {
        self.map_inner(mem, fs, va, pa, len, flags, true)
    }

    #[allow(clippy::too_many_arguments)]
    fn map_inner(
        &mut self,
        mem: &(impl PhysMem + ?Sized),
        fs: &mut (impl FrameSource + ?Sized),
        va: VirtAddr,
        pa: PhysAddr,
        len: u64,
        flags: MapFlags,
        blocks: bool,
    ) -> Result<(), MapError> {
        let attrs = self.checked_attrs(flags)?;
        if !pa.is_page_aligned() {
            return Err(MapError::Misaligned);
        }
        let Some(last) = self.check_range(va, len)? else {
            return Ok(());
        };
        match pa.0.checked_add(len - 1) {
            Some(pa_last) if pa_last < PA_LIMIT => {}
            _ => return Err(MapError::OutOfRange),
        }
        let plan = MapPlan {
            va: va.0,
            pa: pa.0,
            attrs,
            blocks,
        };
        check_free(mem, self.root, 0, va.0, last)?;
        prepare(mem, fs, self.root, 0, va.0, last, &plan)?;
        commit(mem, self.root, 0, va.0, last, &plan)
    }

    /// Removes every mapping in `[va, va + len)`; holes are skipped. `va` and `len` must be page
    /// aligned. `on_unmap` is told about each page and block removed (so the caller can free
    /// user frames) and each table frame that became empty and was unlinked (the root never is).
    ///
    /// A block only partly inside the range fails the whole call with `PartialBlock` before
    /// anything changes.
    ///
    /// The caller must then invalidate the TLB for the range (`tlbi vae1is`/`vaae1is` per page or
    /// `aside1is`; not the last-level-only forms when tables were reported), `dsb ish`, and only
    /// after that reuse the reported frames.
    pub fn unmap(
        &mut self,
        mem: &(impl PhysMem + ?Sized),
        va: VirtAddr,
        len: u64,
        mut on_unmap: impl FnMut(Unmapped),
    ) -> Result<(), MapError> {
        let Some(last) = self.check_range(va, len)? else {
            return Ok(());
        };
        check_leaves(mem, self.root, 0, va.0, last, None)?;
        remove(mem, self.root, 0, va.0, last, &mut on_unmap);
        Ok(())
    }

    /// Changes the permissions of every mapping in `[va, va + len)` to `flags`; holes are
    /// skipped. Memory type and global-ness cannot change in place (`AttributeChange`), nor can
    /// part of a block (`PartialBlock`); every check is made before anything changes.
    ///
    /// The caller must then invalidate the TLB for the range and `dsb ish`.
    pub fn protect(
        &mut self,
        mem: &(impl PhysMem + ?Sized),
        va: VirtAddr,
        len: u64,
        flags: MapFlags,
    ) -> Result<(), MapError> {
        let attrs = self.checked_attrs(flags)?;
        let Some(last) = self.check_range(va, len)? else {
            return Ok(());
        };
        check_leaves(mem, self.root, 0, va.0, last, Some(attrs))?;
        reprotect(mem, self.root, 0, va.0, last, attrs);
        Ok(())
    }

    /// The physical address `va` translates to, with the mapping's flags; `None` when unmapped
    /// or outside this half.
    pub fn translate(
        &self,
        mem: &(impl PhysMem + ?Sized),
        va: VirtAddr,
    ) -> Option<(PhysAddr, MapFlags)> {
        if !self.half.contains(va.0) {
            return None;
        }
        let mut table = self.root;
        for (level, idx) in va_indices(va).into_iter().enumerate() {
            let d = read_entry(mem, table, idx);
            let kind = classify(d, level);
            let addr = desc_addr(d, kind, level);
            match kind {
                DescKind::Invalid => return None,
                DescKind::Table => table = PhysAddr(addr),
                DescKind::Block | DescKind::Page => {
                    let offset = va.0 & (entry_size(level) - 1);
                    return Some((PhysAddr(addr | offset), leaf_flags(d)?));
                }
            }
        }
        None
    }

    /// Frees every table frame (root included) to `fs` and calls `free_leaf` for the frame of
    /// each 4 KiB page still mapped (not for blocks, whose memory the caller manages).
    ///
    /// The tables must no longer be installed in any TTBR and their TLB entries (the ASID's, or
    /// everything for global mappings) must have been invalidated.
    pub fn destroy(
        self,
        mem: &(impl PhysMem + ?Sized),
        fs: &mut (impl FrameSource + ?Sized),
        mut free_leaf: impl FnMut(PhysAddr),
    ) {
        free_tree(mem, fs, self.root, 0, &mut free_leaf);
    }
}

//! A process's address space: its own TTBR0 tables tagged with an ASID, holding exactly the ELF
//! PT_LOAD segments and the stack (with an unmapped guard page below it). Mappings never change
//! while the process runs; they are torn down once no thread of it runs anywhere.

use super::kspace::{Frames, LinearMem};
use crate::boot::elf::Segment;
use crate::mm::{self, PAGE_SIZE};
use bsp::addr::{PhysAddr, VirtAddr};
use bsp::mmu::{AddressSpaceTables, MapError, MapFlags, VaHalf};
use spin::Mutex;
use zx_abi::Status;

const ASID_COUNT: usize = 1 << 16;
static ASIDS: Mutex<[u64; ASID_COUNT / 64]> = Mutex::new([1; ASID_COUNT / 64]); // ASID 0: no process
static EMPTY_ROOT: spin::Once<u64> = spin::Once::new();

/// An empty user table, for cores running no process (so no walk can reach freed tables).
pub fn init_empty() -> bool {
    EMPTY_ROOT.call_once(|| mm::alloc_frame().map_or(0, |pa| pa.0));
    EMPTY_ROOT.get().is_some_and(|v| *v != 0)
}

/// Switches this core's user half to the empty table (no process runs).
pub fn activate_empty() {
    if let Some(&root) = EMPTY_ROOT.get() {
        bsp::cpu::set_user_table(root);
    }
}

fn alloc_asid() -> Option<u16> {
    let mut a = ASIDS.lock();
    for (i, w) in a.iter_mut().enumerate() {
        if *w != u64::MAX {
            let bit = (!*w).trailing_zeros() as usize;
            *w |= 1 << bit;
            return Some((i * 64 + bit) as u16);
        }
    }
    None
}

fn free_asid(asid: u16) {
    // No core may keep translations tagged with an ASID that will be handed out again.
    bsp::cpu::tlb_flush_asid(asid);
    let mut a = ASIDS.lock();
    a[usize::from(asid) / 64] &= !(1 << (asid % 64));
}

/// A process's user half: its tables and ASID.
pub struct AddressSpace {
    tables: Option<AddressSpaceTables>,
    asid: u16,
}

fn map_err(e: MapError) -> Status {
    match e {
        MapError::NoMemory => Status::NO_MEMORY,
        _ => Status::INVALID_ARGS,
    }
}

impl AddressSpace {
    /// An empty address space with its own ASID (`NO_RESOURCES` when none is left).
    pub fn new() -> Result<Self, Status> {
        let asid = alloc_asid().ok_or(Status::NO_RESOURCES)?;
        match AddressSpaceTables::new(&LinearMem, &mut Frames, VaHalf::Lower) {
            Some(t) => Ok(AddressSpace {
                tables: Some(t),
                asid,
            }),
            None => {
                free_asid(asid);
                Err(Status::NO_MEMORY)
            }
        }
    }

    /// TTBR0_EL1 value: table root and ASID.
    pub fn ttbr0(&self) -> u64 {
        self.tables.as_ref().map_or(0, |t| t.root().0) | (u64::from(self.asid) << 48)
    }

    fn map_fresh(
        &mut self,
        va: u64,
        len: u64,
        flags: MapFlags,
        mut fill: impl FnMut(u64, &mut [u8]),
    ) -> Result<(), Status> {
        let t = self.tables.as_mut().ok_or(Status::BAD_STATE)?;
        let mut off = 0;
        while off < len {
            let pa = mm::alloc_frame().ok_or(Status::NO_MEMORY)?;
            // SAFETY: the frame was just allocated, is exclusively ours and mapped in the linear map.
            let page = unsafe {
                core::slice::from_raw_parts_mut(mm::phys_to_virt(pa) as *mut u8, PAGE_SIZE as usize)
            };
            fill(va + off, page);
            if flags.execute {
                bsp::cpu::sync_icache(mm::phys_to_virt(pa), PAGE_SIZE);
            }
            if let Err(e) = t.map(
                &LinearMem,
                &mut Frames,
                VirtAddr(va + off),
                pa,
                PAGE_SIZE,
                flags,
            ) {
                mm::free_frame(pa);
                return Err(map_err(e));
            }
            off += PAGE_SIZE;
            // A large `.bss` or stack is zeroed a page at a time, preemptibly (map_fresh runs
            // while a process is built, on the spawning thread, with no lock held).
            crate::sched::preempt::maybe_preempt();
        }
        Ok(())
    }

    /// Maps one ELF segment with its own permissions, copying its file bytes.
    pub fn load_segment(&mut self, seg: &Segment) -> Result<(), Status> {
        let (start, end) = seg.page_range();
        let flags = MapFlags::user(
            seg.flags.read || seg.flags.execute,
            seg.flags.write,
            seg.flags.execute,
        );
        let data = seg.data;
        let vaddr = seg.vaddr;
        self.map_fresh(start, end - start, flags, |page_va, page| {
            // Copy the part of the file image that falls in this page.
            let page_end = page_va + PAGE_SIZE;
            let lo = vaddr.max(page_va);
            let hi = (vaddr + data.len() as u64).min(page_end);
            if lo < hi {
                let src = &data[(lo - vaddr) as usize..(hi - vaddr) as usize];
                page[(lo - page_va) as usize..(hi - page_va) as usize].copy_from_slice(src);
            }
        })
    }

    /// Maps a zeroed read/write stack `[base, base+size)`; the page below stays unmapped.
    pub fn map_stack(&mut self, base: u64, size: u64) -> Result<(), Status> {
        self.map_fresh(base, size, MapFlags::user(true, true, false), |_, _| {})
    }

    /// Physical address behind a user VA (for diagnostics and tests).
    pub fn translate(&self, va: u64) -> Option<PhysAddr> {
        self.tables
            .as_ref()?
            .translate(&LinearMem, VirtAddr(va))
            .map(|(pa, _)| pa)
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        if let Some(t) = self.tables.take() {
            t.destroy(&LinearMem, &mut Frames, mm::free_frame);
        }
        free_asid(self.asid);
    }
}

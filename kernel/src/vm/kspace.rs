//! The kernel's own address space (TTBR1): the image with W^X permissions, a linear map of all
//! RAM, and device windows; plus the glue that lets bsp's table builder reach frames.

use crate::mm::{self, phys_to_virt};
use bsp::addr::{PhysAddr, VirtAddr};
use bsp::cpu::boot::LINEAR_BASE;
use bsp::mmu::{AddressSpaceTables, FrameSource, MapError, MapFlags, PhysMem, VaHalf};

/// Reaches table frames through the linear map.
pub struct LinearMem;

// SAFETY: every table frame comes from the frame allocator, lies in RAM, and RAM is mapped at
// `LINEAR_BASE + pa` for the kernel's lifetime (early tables, then the final ones).
unsafe impl PhysMem for LinearMem {
    fn table(&self, pa: PhysAddr) -> *mut [u64; 512] {
        phys_to_virt(pa) as *mut [u64; 512]
    }
    fn publish_barrier(&self) {
        // Table writes must be visible to the walker before a descriptor points at them.
        bsp::cpu::sysreg::store_barrier();
    }
}

/// Table frames from the frame allocator.
pub struct Frames;

// SAFETY: `alloc_frame` returns zeroed, exclusively owned frames; `free_table` gives back only
// frames that came from `alloc_table`.
unsafe impl FrameSource for Frames {
    fn alloc_table(&mut self) -> Option<PhysAddr> {
        mm::alloc_frame()
    }
    fn free_table(&mut self, pa: PhysAddr) {
        mm::free_frame(pa)
    }
}

/// What the kernel's tables need to know.
pub struct KernelLayout<'a> {
    /// Physical address the image was loaded at.
    pub image_pa: u64,
    /// RAM ranges `(pa, len)`, for the linear map.
    pub ram: &'a [(u64, u64)],
    /// Device windows `(pa, len)` to map at `LINEAR_BASE + pa`.
    pub devices: &'a [(u64, u64)],
}

/// Builds the final TTBR1 tables; returns their root.
pub fn build(layout: &KernelLayout) -> Result<PhysAddr, MapError> {
    let mem = LinearMem;
    let mut fs = Frames;
    let mut t = AddressSpaceTables::new(&mem, &mut fs, VaHalf::Upper).ok_or(MapError::NoMemory)?;
    let img = bsp::cpu::boot::image_layout();
    let pa_of = |va: u64| PhysAddr(layout.image_pa + (va - img.start));
    let text = img.text_end - img.start;
    let ro = img.rodata_end - img.text_end;
    let rw = img.end - img.rodata_end;
    t.map(
        &mem,
        &mut fs,
        VirtAddr(img.start),
        pa_of(img.start),
        text,
        MapFlags::kernel_text(),
    )?;
    t.map(
        &mem,
        &mut fs,
        VirtAddr(img.text_end),
        pa_of(img.text_end),
        ro,
        MapFlags::kernel_rodata(),
    )?;
    t.map(
        &mem,
        &mut fs,
        VirtAddr(img.rodata_end),
        pa_of(img.rodata_end),
        rw,
        MapFlags::kernel_data(),
    )?;
    for &(base, size) in layout.ram {
        let start = base & !0xfff;
        let end = (base + size + 0xfff) & !0xfff;
        t.map_large(
            &mem,
            &mut fs,
            VirtAddr(LINEAR_BASE + start),
            PhysAddr(start),
            end - start,
            MapFlags::kernel_data(),
        )?;
    }
    for &(pa, len) in layout.devices {
        let start = pa & !0xfff;
        let end = (pa + len + 0xfff) & !0xfff;
        match t.map(
            &mem,
            &mut fs,
            VirtAddr(LINEAR_BASE + start),
            PhysAddr(start),
            end - start,
            MapFlags::device(),
        ) {
            Ok(()) | Err(MapError::AlreadyMapped) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(t.root())
}

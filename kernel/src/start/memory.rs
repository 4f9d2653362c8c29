//! Boot memory: the frame allocator and the heap from the devicetree's RAM (less the image, the
//! DTB, the initrd and reserved ranges), then the kernel's final tables (the image W^X, the
//! linear map of RAM, the device windows), switched to.

use super::run_end::halt;
use crate::{kprintln, mm};
use bsp::cpu::boot::MAX_CPUS;
use bsp::dt::{BoardInfo, GicVersion};

/// Gives the frame allocator every free page of RAM and creates the kernel heap.
pub fn init(info: &BoardInfo, image_pa: u64) {
    let img = bsp::cpu::boot::image_layout();
    let image_end = image_pa + (img.end - img.start);
    let mut reserved = [(0u64, 0u64); 24];
    let mut nres = 0;
    for &r in info.boot_reserved().iter() {
        if nres < reserved.len() {
            reserved[nres] = r;
            nres += 1;
        }
    }
    reserved[nres] = (image_pa & !0x1f_ffff, image_end - (image_pa & !0x1f_ffff));
    nres += 1;
    // The spin table and firmware stub live in the first page on the Pi.
    reserved[nres] = bsp::board::rpi4::SPIN_TABLE_PAGE;
    nres += 1;
    mm::heap::init_boot_arena();
    let mut ram_total = 0;
    for &(base, size) in info.memory.iter() {
        ram_total += size;
        mm::usable_ranges(base, base + size, &reserved[..nres], &mut |s, e| {
            mm::add_ram(s, e)
        });
    }
    kprintln!(
        "  ram      {} MiB ({} MiB free for frames)",
        ram_total >> 20,
        mm::free_bytes() >> 20
    );
    if !mm::heap::init() {
        kprintln!("kernel: cannot create the kernel heap: no free memory");
        halt()
    }
}

/// Builds the kernel's final tables and switches TTBR1 to them; returns the root's address.
pub fn switch_to_kernel_tables(info: &BoardInfo, image_pa: u64, uart_pa: u64) -> u64 {
    let mut devices = [(0u64, 0u64); 4];
    let mut nd = 0;
    devices[nd] = (uart_pa, 0x1000);
    nd += 1;
    if let Some(g) = info.gic {
        devices[nd] = (g.gicd, 0x1_0000);
        nd += 1;
        match g.version {
            GicVersion::V2 => devices[nd] = (g.gicc, 0x2000),
            GicVersion::V3 => devices[nd] = (g.gicr, g.gicr_size.max(0x2_0000 * MAX_CPUS as u64)),
        }
        nd += 1;
    }
    let ram: &[(u64, u64)] = info.memory.as_slice();
    let root = match crate::vm::kspace::build(&crate::vm::kspace::KernelLayout {
        image_pa,
        ram,
        devices: &devices[..nd],
    }) {
        Ok(r) => r,
        Err(e) => {
            kprintln!("kernel: cannot build the kernel page tables: {}", e);
            halt()
        }
    };
    bsp::cpu::sysreg::set_kernel_table(root.0);
    bsp::cpu::tlb_flush_all();
    root.0
}

//! SMP bring-up: the boot core hands each secondary core a stack and the kernel's tables and
//! starts it (PSCI `CPU_ON` or the spin table); each secondary sets itself up and waits until
//! the boot core lets every core schedule.

use super::run_end::psci_smc;
use crate::{irq, kprintln, mm, sched, timer};
use bsp::cpu::boot::{LINEAR_BASE, MAX_CPUS, SECONDARY_BOOT};
use bsp::dt;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

static ONLINE: AtomicU32 = AtomicU32::new(1);
static SCHEDULING: AtomicBool = AtomicBool::new(false);

/// This core's scheduler, interrupt controller interface, timer, and the EL0-visible controls.
pub fn init_this_cpu() {
    sched::init_cpu();
    if irq::init_cpu() {
        bsp::drivers::timer::allow_el0_counter();
        bsp::cpu::reset_el0_debug_and_pmu();
        timer::arm(bsp::drivers::timer::ticks() + sched::slice_ticks());
    }
}

/// Starts every other core the devicetree lists and waits (half a second at most) until they
/// are online; returns how many cores were expected.
pub fn start_secondaries(info: &dt::BoardInfo, image_pa: u64, ttbr1: u64) -> usize {
    let ncpus = info.cpus.len().clamp(1, MAX_CPUS);
    release_secondaries(info, image_pa, ttbr1);
    let deadline = bsp::drivers::timer::ticks() + timer::frequency() / 2;
    while (ONLINE.load(Ordering::Acquire) as usize) < ncpus
        && bsp::drivers::timer::ticks() < deadline
    {
        core::hint::spin_loop();
    }
    ncpus
}

/// Cores online.
pub fn online() -> u32 {
    ONLINE.load(Ordering::Acquire)
}

/// Lets the secondary cores leave their wait and schedule.
pub fn start_scheduling() {
    SCHEDULING.store(true, Ordering::Release);
}

fn release_secondaries(info: &dt::BoardInfo, image_pa: u64, ttbr1: u64) {
    let entry_pa = image_pa + bsp::cpu::boot::secondary_entry_offset();
    let me = bsp::cpu::mpidr();
    let sbp = &raw mut SECONDARY_BOOT;
    // SAFETY: no secondary runs yet; the boot core is the only writer of SECONDARY_BOOT.
    let sb = unsafe { &mut *sbp };
    sb.ttbr1 = ttbr1;
    for c in info.cpus.iter() {
        let idx = (c.mpidr & 0xff) as usize;
        if c.mpidr == me || idx >= MAX_CPUS {
            continue;
        }
        let Some(stack) = mm::alloc_frames(sched::KSTACK_FRAMES) else {
            return;
        };
        sb.stack_top[idx] = mm::phys_to_virt(stack) + sched::KSTACK_FRAMES as u64 * mm::PAGE_SIZE;
    }
    let sb_va = (&raw const SECONDARY_BOOT) as u64;
    bsp::cpu::dcache_clean_inval(sb_va, core::mem::size_of_val(sb) as u64);
    for c in info.cpus.iter() {
        if c.mpidr == me || (c.mpidr & 0xff) as usize >= MAX_CPUS {
            continue;
        }
        match c.enable_method {
            dt::EnableMethod::Psci => {
                let r =
                    bsp::cpu::psci_call(psci_smc(), bsp::cpu::PSCI_CPU_ON, c.mpidr, entry_pa, 0);
                if r != 0 {
                    kprintln!("  warning  PSCI CPU_ON({:#x}) failed: {}", c.mpidr, r);
                }
            }
            dt::EnableMethod::SpinTable { release_addr } => {
                // SAFETY: the release address is in the first page, reserved from the allocator
                // and mapped in the linear map; the core polls it with its MMU off, so clean it.
                unsafe {
                    core::ptr::write_volatile((LINEAR_BASE + release_addr) as *mut u64, entry_pa)
                };
                bsp::cpu::dcache_clean_inval(LINEAR_BASE + release_addr, 8);
                bsp::cpu::sev();
            }
            _ => {}
        }
    }
}

/// Rust entry on a secondary core (its own stack, final kernel tables).
#[no_mangle]
pub extern "C" fn kernel_secondary_main(_cpu: u64, _entry_el: u64) -> ! {
    bsp::cpu::exception::install_vectors();
    init_this_cpu();
    ONLINE.fetch_add(1, Ordering::AcqRel);
    while !SCHEDULING.load(Ordering::Acquire) {
        core::hint::spin_loop();
    }
    sched::idle_loop()
}

//! The CPU: boot entry, exception vectors, the context switch, and the few system operations the
//! kernel needs (interrupt masking, core identity, TLB and cache maintenance, EL0 address checks,
//! PSCI and semihosting).

pub mod boot;
pub mod context;
pub mod exception;
pub mod sysreg;

#[cfg(target_os = "none")]
mod ops {
    use aarch64_cpu::asm::barrier;
    use aarch64_cpu::registers::{Readable, Writeable, MPIDR_EL1, PAR_EL1, TPIDR_EL1, TTBR0_EL1};
    use core::arch::asm;

    /// This core's MPIDR_EL1 (affinity fields).
    pub fn mpidr() -> u64 {
        MPIDR_EL1.get() & 0xff_00ff_ffff
    }

    /// This core's index (MPIDR Aff0), the kernel's CPU number.
    pub fn cpu_index() -> usize {
        (MPIDR_EL1.get() & 0xff) as usize
    }

    /// Per-CPU pointer kept in TPIDR_EL1 (EL0 cannot read it).
    pub fn set_percpu(ptr: u64) {
        TPIDR_EL1.set(ptr);
    }
    /// The per-CPU pointer [`set_percpu`] stored.
    pub fn percpu() -> u64 {
        TPIDR_EL1.get()
    }

    /// Masks IRQs and returns whether they were unmasked before.
    pub fn irq_save() -> bool {
        let daif: u64;
        // SAFETY: reads DAIF and masks IRQs; no memory is touched.
        unsafe { asm!("mrs {0}, daif", "msr daifset, #2", out(reg) daif, options(nostack)) };
        daif & (1 << 7) == 0
    }
    /// Unmasks IRQs if `enabled`.
    pub fn irq_restore(enabled: bool) {
        if enabled {
            // SAFETY: unmasks IRQs; the caller restores a state it saved.
            unsafe { asm!("msr daifclr, #2", options(nostack)) };
        }
    }

    /// Waits for an interrupt with IRQs briefly unmasked, then masks them again: the idle loop.
    pub fn wait_for_interrupt() {
        // SAFETY: the IRQ handler runs on the current stack and returns here.
        unsafe {
            asm!(
                "dsb sy",
                "msr daifclr, #2",
                "wfi",
                "msr daifset, #2",
                options(nostack)
            )
        };
    }

    /// Puts the EL0-visible debug and PMU controls in a known state (both are UNKNOWN at reset
    /// on hardware): no EL0 access to the performance monitors (`PMUSERENR_EL0` = 0), and no
    /// software step, breakpoints, watchpoints or EL0 access to the debug channel
    /// (`MDSCR_EL1` = 0).
    pub fn reset_el0_debug_and_pmu() {
        // SAFETY: writes two control registers of this core; nothing else depends on their old
        // values.
        unsafe {
            asm!(
                "msr pmuserenr_el0, xzr",
                "msr mdscr_el1, xzr",
                "isb",
                options(nostack)
            )
        };
    }

    /// Unmasks IRQs for a moment so that any pending interrupt is taken (on the current stack,
    /// through the EL1h IRQ vector), then masks them again: a preemption point's window.
    pub fn take_pending_interrupts() {
        // SAFETY: the IRQ handler runs on the current stack and returns here; the ISB makes
        // the unmask take effect before the mask, so a pending IRQ is taken in between.
        unsafe {
            asm!(
                "msr daifclr, #2",
                "isb",
                "msr daifset, #2",
                options(nostack)
            )
        };
    }

    /// Switches the user half to `ttbr0` (table PA | ASID << 48). Non-global user entries are
    /// tagged with the ASID, so no TLB flush is needed here.
    pub fn set_user_table(ttbr0: u64) {
        TTBR0_EL1.set(ttbr0);
        barrier::isb(barrier::SY);
    }

    /// Invalidates every TLB entry tagged with `asid`, on all cores of the inner-shareable domain.
    pub fn tlb_flush_asid(asid: u16) {
        // SAFETY: TLB maintenance only.
        unsafe {
            asm!("dsb ishst", "tlbi aside1is, {0}", "dsb ish", "isb", in(reg) u64::from(asid) << 48, options(nostack))
        };
    }

    /// Invalidates every EL1&0 TLB entry on all cores.
    pub fn tlb_flush_all() {
        // SAFETY: TLB maintenance only.
        unsafe {
            asm!(
                "dsb ishst",
                "tlbi vmalle1is",
                "dsb ish",
                "isb",
                options(nostack)
            )
        };
    }

    /// Cleans and invalidates `[va, va+len)` to the point of coherency, so a core running with its
    /// MMU off sees the data.
    pub fn dcache_clean_inval(va: u64, len: u64) {
        let mut p = va & !63;
        while p < va + len {
            // SAFETY: cache maintenance by VA on mapped kernel memory.
            unsafe { asm!("dc civac, {0}", in(reg) p, options(nostack)) };
            p += 64;
        }
        barrier::dsb(barrier::SY);
    }

    /// Makes instruction fetch coherent with data just written to `[va, va+len)` (user code pages
    /// written through the linear map).
    pub fn sync_icache(va: u64, len: u64) {
        let mut p = va & !63;
        while p < va + len {
            // SAFETY: cache maintenance by VA on mapped kernel memory.
            unsafe { asm!("dc cvau, {0}", in(reg) p, options(nostack)) };
            p += 64;
        }
        // SAFETY: barrier and I-cache invalidate only.
        unsafe { asm!("dsb ish", "ic ialluis", "dsb ish", "isb", options(nostack)) };
    }

    /// What EL0 may do at `va` under the current TTBR0, asked of the MMU itself
    /// (`AT S1E0R`/`AT S1E0W`, ARM ARM C5.5): the physical address on success.
    ///
    /// Must run with IRQs masked (the kernel always does, outside the idle loop), so nothing
    /// can use PAR_EL1 between the translation and the read.
    pub fn translate_el0(va: u64, write: bool) -> Option<u64> {
        // SAFETY: address translation instructions only write PAR_EL1.
        unsafe {
            if write {
                asm!("at s1e0w, {0}", in(reg) va, options(nostack));
            } else {
                asm!("at s1e0r, {0}", in(reg) va, options(nostack));
            }
        }
        barrier::isb(barrier::SY);
        let par = PAR_EL1.get();
        if par & 1 != 0 {
            None
        } else {
            Some((par & 0x0000_ffff_ffff_f000) | (va & 0xfff))
        }
    }

    /// PSCI call through the conduit the devicetree names (DEN0022 "Arm PSCI").
    pub fn psci_call(use_smc: bool, func: u64, a1: u64, a2: u64, a3: u64) -> i64 {
        let mut x0 = func;
        // SAFETY: PSCI calls follow the SMC calling convention: x0-x3 in, x0 out, x1-x17 may be
        // clobbered by the firmware.
        unsafe {
            if use_smc {
                asm!("smc #0", inout("x0") x0, inout("x1") a1 => _, inout("x2") a2 => _, inout("x3") a3 => _,
                     out("x4") _, out("x5") _, out("x6") _, out("x7") _, out("x8") _, out("x9") _, out("x10") _,
                     out("x11") _, out("x12") _, out("x13") _, out("x14") _, out("x15") _, out("x16") _, out("x17") _,
                     options(nostack));
            } else {
                asm!("hvc #0", inout("x0") x0, inout("x1") a1 => _, inout("x2") a2 => _, inout("x3") a3 => _,
                     out("x4") _, out("x5") _, out("x6") _, out("x7") _, out("x8") _, out("x9") _, out("x10") _,
                     out("x11") _, out("x12") _, out("x13") _, out("x14") _, out("x15") _, out("x16") _, out("x17") _,
                     options(nostack));
            }
        }
        x0 as i64
    }

    /// PSCI `CPU_ON` (64-bit).
    pub const PSCI_CPU_ON: u64 = 0xC400_0003;
    /// PSCI `SYSTEM_OFF`.
    pub const PSCI_SYSTEM_OFF: u64 = 0x8400_0008;

    /// Exits QEMU through semihosting `SYS_EXIT` with `code` (0..255).
    ///
    /// # Safety
    /// Only valid when the machine runs with semihosting enabled (`-semihosting`); on real
    /// hardware `hlt #0xf000` is an undefined instruction.
    pub unsafe fn semihosting_exit(code: u32) -> ! {
        let block: [u64; 2] = [0x20026, u64::from(code)];
        loop {
            // SAFETY: the caller guarantees a semihosting host; the block outlives the call.
            unsafe {
                asm!("hlt #0xf000", in("x0") 0x18u64, in("x1") &block as *const _ as u64, options(nostack));
            }
        }
    }

    /// One pass of a wait for another core: the `yield` hint (an emulator switches to another
    /// virtual core; hardware goes on at once).
    #[inline]
    pub fn spin_yield() {
        // SAFETY: a hint instruction with no architectural effect.
        unsafe { asm!("yield", options(nomem, nostack, preserves_flags)) };
    }

    /// Sends an event to cores waiting in `wfe` (spin-table release).
    pub fn sev() {
        // SAFETY: hint instruction.
        unsafe { asm!("dsb sy", "sev", options(nostack)) };
    }
}

#[cfg(target_os = "none")]
pub use ops::*;

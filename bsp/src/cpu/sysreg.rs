//! The system registers the kernel core reads or writes, behind functions, and the decoding of
//! the values it reads: the syndrome (ESR_EL1) and fault address (FAR_EL1) of the exception
//! being handled, the saved program status of a trap, the kernel's table base (TTBR1_EL1), the
//! FP/SIMD access control (CPACR_EL1.FPEN, for lazy FP switching) and the EL0 thread pointer
//! (TPIDR_EL0), and the two hints and barriers the kernel core uses (`wfe`, `dsb ishst`). Decoding is pure and
//! host-tested; register access is built for the target only.

/// Exception class of an ESR value (ESR_ELx.EC, bits [31:26]; ARM ARM D17.2.37).
pub fn esr_class(esr: u64) -> u64 {
    (esr >> 26) & 0x3f
}

/// CPACR_EL1.FPEN (bits [21:20]) value that traps FP/SIMD at EL0 and EL1: the state of every
/// core between a thread's switch-in and its first FP use. Trapping EL1 too (rather than
/// `0b01`, EL0 only) turns an FP instruction in the soft-float kernel into a kernel fault
/// report instead of a silent write to some thread's registers.
pub const CPACR_FP_TRAPPED: u64 = 0;
/// CPACR_EL1 with FP/SIMD usable at EL0 and EL1 (FPEN = 0b11): the current thread's FP state
/// is in the registers (set by `el0_fp_trap` in cpu::context, on the thread's first FP use).
pub const CPACR_FP_ENABLED: u64 = 3 << 20;

/// Whether `esr` reports an instruction or data abort (from a lower or the same EL), whose
/// fault status `exception::abort_status_name` names.
pub fn esr_is_abort(esr: u64) -> bool {
    matches!(esr_class(esr), 0x20 | 0x21 | 0x24 | 0x25)
}

/// Whether a trap's saved SPSR says it was taken from EL0 (SPSR_ELx.M[3:0] = EL0t).
pub fn spsr_from_el0(spsr: u64) -> bool {
    spsr & 0xf == 0
}

#[cfg(target_os = "none")]
mod ops {
    use super::{CPACR_FP_ENABLED, CPACR_FP_TRAPPED};
    use aarch64_cpu::registers::{
        Readable, Writeable, CPACR_EL1, ESR_EL1, FAR_EL1, TPIDR_EL0, TTBR1_EL1,
    };

    /// ESR_EL1: the syndrome of the exception being handled.
    pub fn fault_syndrome() -> u64 {
        ESR_EL1.get()
    }

    /// FAR_EL1: the faulting address of the exception being handled (valid for aborts).
    pub fn fault_address() -> u64 {
        FAR_EL1.get()
    }

    /// Whether FP/SIMD access is enabled on this core (CPACR_EL1.FPEN = 0b11): the running
    /// thread used FP since it was switched in, and its FP state is live in the registers.
    pub fn fp_access_enabled() -> bool {
        CPACR_EL1.get() & CPACR_FP_ENABLED == CPACR_FP_ENABLED
    }

    /// Traps FP/SIMD access at EL0 and EL1 again. No `isb`: the kernel uses no FP, and the
    /// `eret` to EL0 is the synchronization the next EL0 instruction needs.
    pub fn fp_access_disable() {
        CPACR_EL1.set(CPACR_FP_TRAPPED);
    }

    /// TPIDR_EL0: the running thread's EL0 thread pointer.
    pub fn user_tls() -> u64 {
        TPIDR_EL0.get()
    }

    /// Sets TPIDR_EL0 (the incoming thread's EL0 thread pointer).
    pub fn set_user_tls(v: u64) {
        TPIDR_EL0.set(v);
    }

    /// Points TTBR1_EL1 (the upper, kernel half) at the table root `root_pa`. The caller flushes
    /// the TLB afterwards.
    pub fn set_kernel_table(root_pa: u64) {
        TTBR1_EL1.set(root_pa);
    }

    /// Waits for an event (`wfe`): the body of a halted core's loop.
    pub fn wait_for_event() {
        aarch64_cpu::asm::wfe();
    }

    /// `dsb ishst`: earlier stores are visible to the inner-shareable domain (and to the table
    /// walker) before later ones.
    pub fn store_barrier() {
        aarch64_cpu::asm::barrier::dsb(aarch64_cpu::asm::barrier::ISHST);
    }
}

#[cfg(target_os = "none")]
pub use ops::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esr_and_spsr_decode() {
        assert_eq!(esr_class(0x15 << 26 | 0x1234), 0x15);
        for ec in [0x20, 0x21, 0x24, 0x25] {
            assert!(esr_is_abort(ec << 26 | 0x07));
        }
        assert!(!esr_is_abort(0x22 << 26));
        assert!(!esr_is_abort(0x15 << 26));
        assert_eq!(CPACR_FP_ENABLED >> 20 & 3, 3);
        assert_eq!(CPACR_FP_TRAPPED >> 20 & 3, 0);
        assert_eq!(esr_class(0xffff_ffff), 0x3f);
        assert!(spsr_from_el0(0x6000_0000));
        assert!(!spsr_from_el0(0x6000_0005));
        assert!(!spsr_from_el0(0x3c4));
    }
}

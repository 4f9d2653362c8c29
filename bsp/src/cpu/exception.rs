//! Exception vectors, the trap frame and the exception return path (ARM ARM D1.10 "Exception
//! entry", D1.10.2 "Exception vectors"). The context switch is in [`super::context`].
//!
//! The vectors save a [`TrapFrame`] on the current kernel stack and call the kernel's handlers,
//! which are plain `extern "C"` functions the kernel defines (`exc_el0_sync`, `exc_el1_sync`,
//! `exc_irq`, `exc_unexpected`): the bsp knows nothing of threads or processes. The kernel runs
//! with IRQs masked (it is not preemptible); IRQs are taken from EL0 and from the idle loop.

// The context switch moved to `cpu::context`; these names stay valid here for the kernel.
#[cfg(target_os = "none")]
pub use super::context::{fp_save, switch_context, thread_trampoline};
pub use super::context::{CpuContext, FpState};

/// Registers saved on every exception, in the order the vector code stores them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TrapFrame {
    /// x0..x30.
    pub x: [u64; 31],
    /// SP_EL0: the user stack pointer (the kernel runs on SP_EL1).
    pub sp_el0: u64,
    /// ELR_EL1: the address the exception returns to.
    pub elr: u64,
    /// SPSR_EL1: the PSTATE the exception returns with (0 is EL0t, interrupts unmasked).
    pub spsr: u64,
}

const _: () = assert!(core::mem::size_of::<TrapFrame>() == 272);

impl TrapFrame {
    /// A frame that `eret`s to EL0t at `entry` with `sp_el0 = sp` and interrupts unmasked.
    pub fn new_user(entry: u64, sp: u64) -> Self {
        TrapFrame {
            x: [0; 31],
            sp_el0: sp,
            elr: entry,
            spsr: 0,
        }
    }
}

#[cfg(target_os = "none")]
core::arch::global_asm!(
    r#"
.arch armv8-a+fp+simd
// x2..x17 into their frame slots (both kinds of frame).
.macro SAVE_X2_X17
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
.endm

// x0..x17 back from their frame slots.
.macro LOAD_X0_X17
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
.endm

.macro SAVE_FRAME
    sub     sp, sp, #272
    stp     x0, x1, [sp, #0]
    SAVE_X2_X17
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x21, sp_el0
    stp     x30, x21, [sp, #240]
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x22, x23, [sp, #256]
.endm

.macro VECTOR target
.balign 0x80
    b       \target
.endm

.macro UNEXPECTED kind
    SAVE_FRAME
    mov     x0, sp
    mov     x1, #\kind
    bl      exc_unexpected
    b       trap_return
.endm

.section .text.vectors, "ax"
.balign 2048
.global exception_vectors
exception_vectors:
    VECTOR  el1t_sync           // current EL with SP_EL0: never used
    VECTOR  el1t_irq
    VECTOR  el1t_fiq
    VECTOR  el1t_serror
    VECTOR  el1h_sync           // current EL with SP_ELx: kernel
    VECTOR  el1h_irq
    VECTOR  el1h_fiq
    VECTOR  el1h_serror
    VECTOR  el0_sync            // lower EL, AArch64: user
    VECTOR  el0_irq
    VECTOR  el0_fiq
    VECTOR  el0_serror
    VECTOR  el0_32_sync         // lower EL, AArch32: not supported
    VECTOR  el0_32_irq
    VECTOR  el0_32_fiq
    VECTOR  el0_32_serror

el1t_sync:      UNEXPECTED 0
el1t_irq:       UNEXPECTED 1
el1t_fiq:       UNEXPECTED 2
el1t_serror:    UNEXPECTED 3
el1h_fiq:       UNEXPECTED 6
el1h_serror:    UNEXPECTED 7
el0_fiq:        UNEXPECTED 10
el0_serror:     UNEXPECTED 11
el0_32_sync:    UNEXPECTED 12
el0_32_irq:     UNEXPECTED 13
el0_32_fiq:     UNEXPECTED 14
el0_32_serror:  UNEXPECTED 15

el1h_sync:
    SAVE_FRAME
    mov     x0, sp
    bl      exc_el1_sync
    b       trap_return
el1h_irq:
    SAVE_FRAME
    mov     x0, sp
    bl      exc_irq
    b       trap_return
el0_sync:
    // A syscall (ESR_EL1.EC = 0x15, SVC from AArch64) saves only what the kernel's code may
    // change: x0..x18, x30, SP_EL0, ELR and SPSR. x19..x29 are callee-saved in the kernel's
    // calling convention, so they come back as they were (a context switch saves them in the
    // thread's `CpuContext`); the frame's slots for them are left stale. A trapped FP/SIMD
    // access (EC 0x07) saves nothing more (`el0_fp_trap`). Anything else (a fault) saves the
    // whole frame, which the fault report prints.
    sub     sp, sp, #272
    stp     x0, x1, [sp, #0]
    mrs     x0, esr_el1
    lsr     x1, x0, #26
    cmp     x1, #0x15
    b.ne    1f
    SAVE_X2_X17
    mrs     x0, sp_el0
    stp     x30, x0, [sp, #240]
    mrs     x0, elr_el1
    mrs     x1, spsr_el1
    stp     x0, x1, [sp, #256]
    str     x18, [sp, #144]
    mov     x0, sp
    bl      exc_el0_svc
    ldp     x0, x1, [sp, #256]
    msr     elr_el1, x0
    msr     spsr_el1, x1
    ldp     x30, x0, [sp, #240]
    msr     sp_el0, x0
    LOAD_X0_X17
    ldr     x18, [sp, #144]
    add     sp, sp, #272
    eret
    // An FP/SIMD access trapped (EC 0x07): the thread's first FP use since it was switched in,
    // handled by `el0_fp_trap` (cpu::context) with only x0 and x1 saved.
1:  cmp     x1, #0x07
    b.eq    el0_fp_trap
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #272
    SAVE_FRAME
    mov     x0, sp
    bl      exc_el0_sync
    b       trap_return
el0_irq:
    SAVE_FRAME
    mov     x0, sp
    bl      exc_irq
    // fall through

.global trap_return
trap_return:
    ldp     x22, x23, [sp, #256]
    msr     elr_el1, x22
    msr     spsr_el1, x23
    ldp     x30, x21, [sp, #240]
    msr     sp_el0, x21
    LOAD_X0_X17
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    add     sp, sp, #272
    eret
"#
);

#[cfg(target_os = "none")]
extern "C" {
    /// Restores the [`TrapFrame`] at `sp` and `eret`s: the first return of a new thread.
    pub fn trap_return();
    static exception_vectors: u8;
}

/// Installs the vector table on this core.
#[cfg(target_os = "none")]
pub fn install_vectors() {
    use aarch64_cpu::registers::{Writeable, VBAR_EL1};
    // Only the address of the linker-placed vector table is taken.
    let base = (&raw const exception_vectors) as u64;
    VBAR_EL1.set(base);
    aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
}

/// Exception class of an ESR value (ESR_ELx.EC, bits \[31:26\]), named as in ARM ARM D17.2.37.
pub fn esr_class_name(esr: u64) -> &'static str {
    match (esr >> 26) & 0x3f {
        0x00 => "unknown reason",
        0x01 => "WFI/WFE trapped",
        0x07 => "FP/SIMD access trapped",
        0x0e => "illegal execution state",
        0x15 => "SVC from AArch64",
        0x18 => "MSR/MRS/system instruction trapped",
        0x20 => "instruction abort from a lower EL",
        0x21 => "instruction abort from the same EL",
        0x22 => "PC alignment fault",
        0x24 => "data abort from a lower EL",
        0x25 => "data abort from the same EL",
        0x26 => "SP alignment fault",
        0x2c => "FP exception",
        0x2f => "SError",
        0x30 | 0x31 => "breakpoint",
        0x32 | 0x33 => "software step",
        0x34 | 0x35 => "watchpoint",
        0x3c => "BRK instruction",
        _ => "other",
    }
}

/// Fault status of an abort (ESR_ELx.ISS.DFSC/IFSC, bits \[5:0\]), named for a report.
pub fn abort_status_name(esr: u64) -> &'static str {
    match esr & 0x3f {
        0x04..=0x07 => "translation fault",
        0x09..=0x0b => "access flag fault",
        0x0d..=0x0f => "permission fault",
        0x21 => "alignment fault",
        0x10 => "synchronous external abort",
        _ => "other fault",
    }
}

/// Names of the exception kinds passed to `exc_unexpected`, indexed by vector slot.
pub const VECTOR_NAMES: [&str; 16] = [
    "EL1t sync",
    "EL1t IRQ",
    "EL1t FIQ",
    "EL1t SError",
    "EL1h sync",
    "EL1h IRQ",
    "EL1h FIQ",
    "EL1h SError",
    "EL0 sync",
    "EL0 IRQ",
    "EL0 FIQ",
    "EL0 SError",
    "EL0/AArch32 sync",
    "EL0/AArch32 IRQ",
    "EL0/AArch32 FIQ",
    "EL0/AArch32 SError",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esr_classes_decode_by_name() {
        assert_eq!(esr_class_name(0x15 << 26), "SVC from AArch64");
        assert_eq!(
            esr_class_name(0x24 << 26 | 0x07),
            "data abort from a lower EL"
        );
        assert_eq!(abort_status_name(0x24 << 26 | 0x07), "translation fault");
        assert_eq!(abort_status_name(0x0f), "permission fault");
    }
}

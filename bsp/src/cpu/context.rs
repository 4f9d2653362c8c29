//! The context switch: a kernel thread's callee-saved registers ([`CpuContext`],
//! `switch_context`), the user FP/SIMD state kept with it ([`FpState`], saved by `fp_save`,
//! loaded by the lazy-FP trap `el0_fp_trap`), and the first entry of a new thread (`thread_trampoline`). The functions are
//! assembly, built for the target only.
//!
//! FP/SIMD state is switched lazily (docs/design.md, "Lazy FP/SIMD switching"): a thread is
//! switched in with FP trapped; its first FP instruction traps and `el0_fp_trap` loads its
//! state; it is switched out with `fp_save` only if it took that trap during the run. The
//! kernel tells `el0_fp_trap` where the running thread's [`FpState`] is: the exported
//! `ZX_PERCPU_FP_OFFSET` (a `usize`) is its offset from the per-CPU pointer
//! ([`super::set_percpu`], TPIDR_EL1).
//!
//! `switch_context` follows the AAPCS64 (ARM IHI 0055): a thread switched away from is always
//! inside a call to it, so only x19..x29, x30 (lr) and `sp` need saving; x29 stays the frame
//! pointer, so a switched-to thread's stack unwinds as before. The kernel never uses FP/SIMD
//! registers (it is built soft-float), so their user values are saved and loaded only here.

/// Callee-saved state of a kernel thread, switched by `switch_context`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuContext {
    /// x19..x29, then x30 (lr).
    pub regs: [u64; 12],
    /// The kernel stack pointer (`sp`) at the switch.
    pub sp: u64,
}

/// User register state the kernel itself never uses, kept with the thread: q0..q31, FPCR and
/// FPSR (saved by `fp_save`, loaded lazily by `el0_fp_trap`), and the EL0 thread pointer
/// TPIDR_EL0 (docs/abi.md section 1; switched eagerly on every switch, by the scheduler through
/// `sysreg::user_tls`/`set_user_tls`). A new thread's state is all zero.
#[repr(C, align(16))]
#[derive(Clone, Copy, Default)]
pub struct FpState {
    /// The 128-bit SIMD&FP registers q0..q31.
    pub q: [u128; 32],
    /// FPCR, the Floating-point Control Register.
    pub fpcr: u64,
    /// FPSR, the Floating-point Status Register.
    pub fpsr: u64,
    /// TPIDR_EL0, the EL0 thread pointer (switched eagerly, not by `fp_save`).
    pub tpidr_el0: u64,
}

// The offsets the assembly below uses.
const _: () = assert!(core::mem::offset_of!(CpuContext, sp) == 96);
const _: () = assert!(core::mem::offset_of!(FpState, fpcr) == 512);
const _: () = assert!(core::mem::offset_of!(FpState, tpidr_el0) == 528);

#[cfg(target_os = "none")]
core::arch::global_asm!(
    r#"
.arch armv8-a+fp+simd
.section .text.switch_context, "ax"
.balign 4
// First run of a new thread: release the previous one, then enter EL0 from the prepared frame.
.global thread_trampoline
thread_trampoline:
    bl      thread_first_run
    b       trap_return

// switch_context(from: *mut CpuContext, to: *const CpuContext)
.global switch_context
switch_context:
    mov     x9, sp
    stp     x19, x20, [x0, #0]
    stp     x21, x22, [x0, #16]
    stp     x23, x24, [x0, #32]
    stp     x25, x26, [x0, #48]
    stp     x27, x28, [x0, #64]
    stp     x29, x30, [x0, #80]
    str     x9, [x0, #96]
    ldp     x19, x20, [x1, #0]
    ldp     x21, x22, [x1, #16]
    ldp     x23, x24, [x1, #32]
    ldp     x25, x26, [x1, #48]
    ldp     x27, x28, [x1, #64]
    ldp     x29, x30, [x1, #80]
    ldr     x9, [x1, #96]
    mov     sp, x9
    ret

// fp_save(state: *mut FpState)
.global fp_save
fp_save:
    stp     q0, q1, [x0, #0]
    stp     q2, q3, [x0, #32]
    stp     q4, q5, [x0, #64]
    stp     q6, q7, [x0, #96]
    stp     q8, q9, [x0, #128]
    stp     q10, q11, [x0, #160]
    stp     q12, q13, [x0, #192]
    stp     q14, q15, [x0, #224]
    stp     q16, q17, [x0, #256]
    stp     q18, q19, [x0, #288]
    stp     q20, q21, [x0, #320]
    stp     q22, q23, [x0, #352]
    stp     q24, q25, [x0, #384]
    stp     q26, q27, [x0, #416]
    stp     q28, q29, [x0, #448]
    stp     q30, q31, [x0, #480]
    mrs     x1, fpcr
    mrs     x2, fpsr
    add     x0, x0, #512
    stp     x1, x2, [x0]
    ret

// The trap of an FP/SIMD access from EL0 (ESR_EL1.EC = 0x07), branched to from `el0_sync`
// with sp lowered by 272 and x0, x1 saved at [sp]: the running thread's first FP/SIMD
// instruction since it was switched in. Enables FP access at EL0 and EL1, loads the thread's
// FpState (at ZX_PERCPU_FP_OFFSET from the kernel's per-CPU pointer, TPIDR_EL1) and returns to
// retry the instruction. Only x0 and x1 are used. If FP access is already enabled (a spurious
// trap) it only returns: loading would overwrite newer register values.
.global el0_fp_trap
el0_fp_trap:
    mrs     x0, cpacr_el1
    tbnz    x0, #20, 1f
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    mrs     x0, tpidr_el1
    adrp    x1, ZX_PERCPU_FP_OFFSET
    ldr     x1, [x1, :lo12:ZX_PERCPU_FP_OFFSET]
    add     x0, x0, x1
    ldp     q0, q1, [x0, #0]
    ldp     q2, q3, [x0, #32]
    ldp     q4, q5, [x0, #64]
    ldp     q6, q7, [x0, #96]
    ldp     q8, q9, [x0, #128]
    ldp     q10, q11, [x0, #160]
    ldp     q12, q13, [x0, #192]
    ldp     q14, q15, [x0, #224]
    ldp     q16, q17, [x0, #256]
    ldp     q18, q19, [x0, #288]
    ldp     q20, q21, [x0, #320]
    ldp     q22, q23, [x0, #352]
    ldp     q24, q25, [x0, #384]
    ldp     q26, q27, [x0, #416]
    ldp     q28, q29, [x0, #448]
    ldp     q30, q31, [x0, #480]
    add     x0, x0, #512
    ldp     x0, x1, [x0]
    msr     fpcr, x0
    msr     fpsr, x1
1:  ldp     x0, x1, [sp, #0]
    add     sp, sp, #272
    eret
"#
);

#[cfg(target_os = "none")]
extern "C" {
    /// Saves callee-saved registers and `sp` into `from`, loads them from `to`, and returns
    /// into `to`'s `lr`.
    pub fn switch_context(from: *mut CpuContext, to: *const CpuContext);
    /// Saves q0..q31, FPCR and FPSR into `state` (not TPIDR_EL0). FP access must be enabled
    /// at EL1 (`sysreg::fp_access_enable`), or it traps.
    pub fn fp_save(state: *mut FpState);
    /// Entry of a new thread's first context: `thread_first_run` (kernel), then `trap_return`
    /// (the exception return path in [`super::exception`]).
    pub fn thread_trampoline();
}

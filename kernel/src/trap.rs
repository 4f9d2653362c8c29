//! Trap entries, called by bsp's exception vectors: syscalls and faults from EL0, interrupts,
//! faults in the kernel and unexpected exceptions; and the fault report they print (ESR class,
//! FAR, ELR, SPSR, SP_EL0 and the registers).

use crate::start::finish_run;
use crate::{irq, kprintln, sched};
use bsp::cpu::exception::{abort_status_name, esr_class_name, TrapFrame, VECTOR_NAMES};
use bsp::cpu::sysreg;
use core::sync::atomic::Ordering;

/// Prints the syndrome, the fault address and the trap frame.
fn report(frame: &TrapFrame, esr: u64, far: u64) {
    kprintln!(
        "  ESR {:#010x} ({}), FAR {:#x}, ELR {:#x}, SPSR {:#x}, SP_EL0 {:#x}",
        esr,
        esr_class_name(esr),
        far,
        frame.elr,
        frame.spsr,
        frame.sp_el0
    );
    for i in (0..31).step_by(4) {
        kprintln!(
            "  x{:<2} {:#018x}  x{:<2} {:#018x}  x{:<2} {:#018x}  x{:<2} {:#018x}",
            i,
            frame.x[i],
            i + 1,
            frame.x.get(i + 1).copied().unwrap_or(0),
            i + 2,
            frame.x.get(i + 2).copied().unwrap_or(0),
            i + 3,
            frame.x.get(i + 3).copied().unwrap_or(0)
        );
    }
}

/// Checks on the way back to EL0: a killed thread exits instead.
fn return_to_user() {
    // Teardown the syscall caused (or that a switch handed this thread) is finished first.
    crate::object::reaper::drain_all();
    // A caller whose reply this syscall delivered gets the core now (when nothing else waits
    // for it); another thread this syscall woke and did not hand the core to joins the queue.
    sched::end_of_syscall();
    // Borrowed, not counted: this thread is running (no lock, no reference-count traffic).
    if sched::current_ref().killed.load(Ordering::Acquire) {
        sched::exit_current();
    }
}

/// A syscall from EL0 (`svc`). The vector saved x0..x18, x30 and the return state only (the
/// frame's x19..x29 are stale: the kernel's code preserves those registers itself).
#[no_mangle]
pub extern "C" fn exc_el0_svc(frame: &mut TrapFrame) {
    sched::preempt::masked_begin();
    crate::syscall::dispatch(frame);
    return_to_user();
    sched::preempt::masked_end();
}

/// Any other synchronous exception from EL0: a fault that kills the process (whole frame saved).
/// A trapped FP/SIMD access (the thread's first FP use since it was switched in) never comes
/// here: bsp's `el0_fp_trap` loads the thread's FP state in a few dozen instructions (lazy FP,
/// docs/design.md).
#[no_mangle]
pub extern "C" fn exc_el0_sync(frame: &mut TrapFrame) {
    sched::preempt::masked_begin();
    let esr = sysreg::fault_syndrome();
    let far = sysreg::fault_address();
    let t = sched::current();
    let pname = t.process.as_ref().map_or("?", |p| p.name());
    kprintln!(
        "kernel: process `{}` thread `{}` killed by {}",
        pname,
        t.name(),
        esr_class_name(esr)
    );
    if sysreg::esr_is_abort(esr) {
        kprintln!("  {}", abort_status_name(esr));
    }
    report(frame, esr, far);
    if let Some(p) = &t.process {
        p.kill(zx_abi::TASK_RETCODE_EXCEPTION_KILL);
    }
    drop(t);
    sched::exit_current();
}

/// An interrupt, from EL0 or from a preemption point's window in EL1.
#[no_mangle]
pub extern "C" fn exc_irq(frame: &mut TrapFrame) {
    sched::preempt::masked_begin();
    let from_user = sysreg::spsr_from_el0(frame.spsr);
    let resched = irq::handle(sched::timer_tick);
    if from_user {
        if resched {
            sched::schedule(true);
        }
        return_to_user();
    } else if resched && sched::current_ref().process.is_some() {
        // Taken in a preemption point's window: the point switches once the window closes.
        sched::preempt::request_resched();
    }
    sched::preempt::masked_end();
}

/// Synchronous exception in the kernel: report, backtrace, end the run.
#[no_mangle]
pub extern "C" fn exc_el1_sync(frame: &mut TrapFrame) {
    let esr = sysreg::fault_syndrome();
    let far = sysreg::fault_address();
    crate::console::print_panic(format_args!(
        "\nkernel: fault in the kernel: {}\n",
        esr_class_name(esr)
    ));
    report(frame, esr, far);
    crate::backtrace::print_trap(frame);
    finish_run(250);
}

/// A vector the kernel never expects (FIQ, SError, AArch32, SP_EL0 at EL1).
#[no_mangle]
pub extern "C" fn exc_unexpected(frame: &mut TrapFrame, kind: u64) {
    let name = VECTOR_NAMES.get(kind as usize).copied().unwrap_or("?");
    crate::console::print_panic(format_args!("\nkernel: unexpected exception: {}\n", name));
    report(frame, sysreg::fault_syndrome(), sysreg::fault_address());
    crate::backtrace::print_trap(frame);
    finish_run(250);
}

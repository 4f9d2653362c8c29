//! Switching: blocking, yielding and exiting decide in one critical section what the current
//! thread becomes and which thread runs next, then switch contexts (the EL0 thread pointer and
//! the address space with them; FP/SIMD state lazily: saved here only if the outgoing thread
//! used FP during its run, loaded by bsp's `el0_fp_trap` on the incoming thread's first FP
//! trap, which finds it through `ZX_PERCPU_FP_OFFSET` in `thread.rs`); the incoming thread
//! releases the outgoing one.

use super::runqueue::{
    current, current_ref, kick_idle, sched_lock, take_next, PERCPU, PREV, SWITCHES, USER_RUNS,
};
use super::thread::{RunState, WakeReason};
use super::{cpu, preempt, slice_ticks};
use alloc::sync::Arc;
use bsp::cpu::exception::CpuContext;
use bsp::cpu::sysreg;
use core::sync::atomic::{AtomicU64, Ordering};
use zx_abi::Signals;

/// Blocks the current thread until woken or until the counter reaches `deadline_ticks`.
pub fn block(deadline_ticks: Option<u64>) -> WakeReason {
    // Teardown this thread caused is finished before it waits (no lock is held here).
    crate::object::reaper::drain_all();
    let t = current_ref();
    if let Some(d) = deadline_ticks {
        crate::timer::arm_before(d);
    }
    if !switch_away(Transition::Block(deadline_ticks)) {
        // A wake, a kill or the deadline came first.
        return if t.timed_out.swap(false, Ordering::AcqRel) {
            WakeReason::TimedOut
        } else {
            WakeReason::Woken
        };
    }
    if t.timed_out.swap(false, Ordering::AcqRel) {
        WakeReason::TimedOut
    } else {
        WakeReason::Woken
    }
}

/// Gives up the core; with `requeue` the current thread goes to the back of the run queue.
pub fn schedule(requeue: bool) {
    switch_away(if requeue {
        Transition::Yield
    } else {
        Transition::Idle
    });
}

/// The reply's direct switch at the end of the replying syscall: the caller kept in this core's
/// handoff slot runs next and the current thread goes to the back of the run queue, unless a
/// thread was queued or a core went idle since the reply's wake (then the caller is queued and
/// an idle core kicked, as by a plain wake, and the current thread keeps the core).
pub(super) fn reply_switch() {
    switch_away(Transition::Reply);
}

/// Why the current thread leaves the core.
#[derive(Clone, Copy)]
pub(super) enum Transition {
    /// Preempted: back of the run queue, unless nothing else is runnable.
    Yield,
    /// The reply's direct switch (see [`reply_switch`]).
    Reply,
    /// The idle thread looks for work.
    Idle,
    /// Wait for a wake (and the optional deadline in ticks).
    Block(Option<u64>),
    /// The thread is dead.
    Exit,
}

/// Decides, in one critical section on `SCHED`, what the current thread becomes and which
/// thread runs next, then switches. Deciding once matters: after the lock is released another
/// core may wake and even pick the current thread (it then waits for `on_cpu`), so nothing may
/// look at the current thread's state again. Returns false if the thread kept the core.
pub(super) fn switch_away(how: Transition) -> bool {
    let c = cpu();
    // Borrowed: the running thread outlives its own switch (`PERCPU.current` holds it, and then
    // `PREV` until the next thread's `finish_switch`). Counted references are made only where
    // the thread is queued.
    let cur = current_ref();
    let next = {
        let mut s = sched_lock();
        match how {
            Transition::Yield | Transition::Idle => {
                let Some(n) = take_next(&mut s, c) else {
                    return false;
                };
                if matches!(how, Transition::Yield) && cur.process.is_some() {
                    cur.set_state(RunState::Runnable);
                    s.queue.push_back(counted(cur));
                    // A queued thread never waits while a core sleeps.
                    kick_idle(&s);
                }
                n
            }
            Transition::Reply => {
                cur.handoff.store(0, Ordering::Relaxed);
                let Some(n) = s.handoff[c].take() else {
                    return false;
                };
                // Checked again: a core may have gone idle, or a thread been queued, since the
                // wake looked (this core's own idle bit is clear: it runs us).
                if !s.queue.is_empty() || s.idle != 0 {
                    s.queue.push_back(n);
                    kick_idle(&s);
                    return false;
                }
                cur.set_state(RunState::Runnable);
                s.queue.push_back(counted(cur));
                n
            }
            Transition::Block(deadline) => {
                if cur.wake_pending.swap(false, Ordering::AcqRel)
                    || cur.killed.load(Ordering::Acquire)
                {
                    return false;
                }
                if let Some(d) = deadline {
                    if d <= bsp::drivers::timer::ticks() {
                        cur.timed_out.store(true, Ordering::Release);
                        return false;
                    }
                    cur.deadline.store(d, Ordering::Release);
                    s.sleepers.push(counted(cur));
                }
                cur.timed_out.store(false, Ordering::Release);
                cur.set_state(RunState::Blocked);
                match take_next(&mut s, c) {
                    Some(n) => n,
                    None => PERCPU[c].lock().idle.clone().expect("idle thread"),
                }
            }
            Transition::Exit => {
                cur.set_state(RunState::Dead);
                match take_next(&mut s, c) {
                    Some(n) => n,
                    None => PERCPU[c].lock().idle.clone().expect("idle thread"),
                }
            }
        }
    };
    if core::ptr::eq(Arc::as_ptr(&next), cur) {
        // Only possible for a yield that found itself next: keep running.
        cur.set_state(RunState::Running);
        return false;
    }
    next.set_state(RunState::Running);
    // `next` may still be switching away on another core: wait for its `finish_switch` there
    // (a few dozen instructions) with `yield` between looks. On hardware that is a short spin;
    // an emulator running the cores round-robin moves to the other core at once instead of
    // spinning out its turn. (`wfe` woken by `sev` was measured worse here: QEMU's `sev` kicks
    // every core, idle ones too, and the cross-core call cost 8,527 instructions instead of
    // 4,500.)
    while next.on_cpu.load(Ordering::Acquire) {
        bsp::cpu::spin_yield();
    }
    next.on_cpu.store(true, Ordering::Release);
    next.ran_on.store(c as u8, Ordering::Relaxed);
    count_here(&SWITCHES[c]);
    // SAFETY: `cur` runs on this core; `next` is ours now (`on_cpu` was clear and we set it).
    let (from, to) = unsafe { (&mut *cur.cpu.get(), &*next.cpu.get()) };
    if cur.process.is_some() {
        from.fp.tpidr_el0 = sysreg::user_tls();
    }
    // Lazy FP: enabled access means the outgoing thread took its FP trap during this run, so the
    // registers hold its state (and only then). Every thread is switched in with FP trapped.
    if sysreg::fp_access_enabled() {
        if cur.process.is_some() && !matches!(how, Transition::Exit) {
            // SAFETY: FP access is enabled; saves this core's FP/SIMD registers into the
            // outgoing thread's state, which this core owns until `finish_switch`.
            unsafe { bsp::cpu::exception::fp_save(&mut from.fp) };
        }
        sysreg::fp_access_disable();
    }
    match &next.process {
        Some(p) => {
            count_here(&USER_RUNS[c]);
            sysreg::set_user_tls(to.fp.tpidr_el0);
            p.activate_address_space();
        }
        None => crate::vm::aspace::activate_empty(),
    }
    let from_ctx: *mut CpuContext = &mut from.ctx;
    let to_ctx: *const CpuContext = &to.ctx;
    {
        let mut p = PERCPU[c].lock();
        bsp::cpu::set_percpu(Arc::as_ptr(&next) as u64);
        // The outgoing thread's reference moves to `PREV` (released by `finish_switch` on the
        // incoming thread), the incoming one's into `current`: no counting.
        let prev = p
            .current
            .replace(next)
            .map_or(core::ptr::null_mut(), |t| Arc::into_raw(t).cast_mut());
        PREV[c].store(prev, Ordering::Relaxed);
        p.slice_end = bsp::drivers::timer::ticks() + slice_ticks();
        // The incoming thread's slice ends on time even if the timer was armed for later.
        crate::timer::arm_before(p.slice_end);
    }
    // SAFETY: both contexts belong to threads kept alive by `PREV` and `PERCPU.current`; the
    // incoming context was saved by `switch_context` or prepared by `Thread::start`.
    unsafe { bsp::cpu::exception::switch_context(from_ctx, to_ctx) };
    finish_switch();
    true
}

/// Adds one to this core's own slot of a per-core counter: only this core writes it, with
/// interrupts masked, so a load and a store do (no read-modify-write); readers on other cores
/// see the old or the new value.
fn count_here(slot: &AtomicU64) {
    slot.store(slot.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// A counted reference to the running thread, for the run queue or the sleepers.
fn counted(t: &super::thread::Thread) -> Arc<super::thread::Thread> {
    t.self_ref
        .upgrade()
        .expect("a running thread is referenced by its core")
}

/// The first thing a new thread runs (from `thread_trampoline`), before it enters EL0.
#[no_mangle]
pub extern "C" fn thread_first_run() {
    finish_switch();
    // A kill that raced with the start: the thread never enters EL0.
    if current_ref().killed.load(Ordering::Acquire) {
        exit_current();
    }
    preempt::masked_end();
}

/// Runs on the incoming thread right after a switch: releases the outgoing one.
pub fn finish_switch() {
    let raw = PREV[cpu()].swap(core::ptr::null_mut(), Ordering::Relaxed);
    // SAFETY: a non-null slot holds the reference `switch_away` made with `Arc::into_raw` on
    // this core, taken out exactly once (the swap leaves null behind).
    let prev = (!raw.is_null()).then(|| unsafe { Arc::from_raw(raw) });
    if let Some(p) = prev {
        p.on_cpu.store(false, Ordering::Release);
        let dead_of = if p.state() == RunState::Dead {
            p.process.clone()
        } else {
            None
        };
        // Free the dead thread (its kernel stack) before its process learns it is gone, so
        // whoever waits for the process sees every resource already returned.
        drop(p);
        if let Some(proc_) = dead_of {
            proc_.thread_switched_out_dead();
        }
    }
}

/// Ends the current thread (never returns). The last thread of a process tears the process down.
pub fn exit_current() -> ! {
    let t = current();
    if let Some(p) = &t.process {
        p.thread_exiting(&t);
    }
    t.header
        .update_signals(Signals::NONE, Signals::TASK_TERMINATED);
    drop(t);
    switch_away(Transition::Exit);
    unreachable!("a dead thread was scheduled");
}

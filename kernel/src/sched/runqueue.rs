//! The run queue shared by every core (one lock: measured to be enough at this scale, see
//! docs/performance.md), each core's current and idle thread, waking and idling, the timer
//! tick (deadlines and the end of a slice), and pokes to other cores.

use super::thread::{RunState, Thread, LIVE_THREADS};
use super::{cpu, preempt, schedule, slice_ticks};
use crate::task::Process;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bsp::cpu::boot::MAX_CPUS;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use spin::Mutex;
use zx_abi::Status;

pub(super) struct Sched {
    pub(super) queue: VecDeque<Arc<Thread>>,
    pub(super) sleepers: Vec<Arc<Thread>>,
    /// Bit `c` set: core `c` sleeps in its idle loop (a wake kicks one of them).
    pub(super) idle: u32,
    /// Per core: the thread a `zx_channel_call` on that core woke, to run there next when the
    /// caller blocks (the direct call switch, see [`wake`]), or the caller a reply made on that
    /// core woke, to run there when the replying syscall ends (the reply's direct switch, see
    /// [`wake_caller`]); otherwise it joins the queue when the syscall returns
    /// ([`end_of_syscall`]) or at a preemption window ([`flush_handoff`]).
    pub(super) handoff: [Option<Arc<Thread>>; MAX_CPUS],
    pub(super) online: usize,
}

pub(super) static SCHED: Mutex<Sched> = Mutex::new(Sched {
    queue: VecDeque::new(),
    sleepers: Vec::new(),
    idle: 0,
    handoff: [const { None }; MAX_CPUS],
    online: 0,
});

/// Times a core found `SCHED` held by another (`ZX_INFO_CPU_STATS.sched_lock_waits`).
pub static SCHED_LOCK_WAITS: AtomicU64 = AtomicU64::new(0);

/// Takes the run-queue lock, counting contention.
pub(super) fn sched_lock() -> spin::MutexGuard<'static, Sched> {
    if let Some(g) = SCHED.try_lock() {
        return g;
    }
    SCHED_LOCK_WAITS.fetch_add(1, Ordering::Relaxed);
    SCHED.lock()
}

/// Makes sure a wake or start of one more thread never allocates.
pub(super) fn reserve_queue_slot() -> Result<(), Status> {
    let n = LIVE_THREADS.load(Ordering::Relaxed) + MAX_CPUS + 1;
    let mut s = sched_lock();
    let q = n.saturating_sub(s.queue.len());
    let sl = n.saturating_sub(s.sleepers.len());
    s.queue.try_reserve(q).map_err(|_| Status::NO_MEMORY)?;
    s.sleepers.try_reserve(sl).map_err(|_| Status::NO_MEMORY)?;
    Ok(())
}

pub(super) struct PerCpu {
    pub(super) current: Option<Arc<Thread>>,
    pub(super) idle: Option<Arc<Thread>>,
    pub(super) slice_end: u64,
}

pub(super) static PERCPU: [Mutex<PerCpu>; MAX_CPUS] = [const {
    Mutex::new(PerCpu {
        current: None,
        idle: None,
        slice_end: 0,
    })
}; MAX_CPUS];

/// Per core: the thread that just switched away, until the incoming thread's `finish_switch`
/// releases it (a counted reference from `Arc::into_raw`; null when none). Only its own core
/// touches a slot, between a switch and the next instruction of the incoming thread, so no
/// lock is needed.
pub(super) static PREV: [AtomicPtr<Thread>; MAX_CPUS] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; MAX_CPUS];
/// Context switches per core (`ZX_INFO_CPU_STATS`): proof that every core did work.
pub static SWITCHES: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
/// User threads that ran on each core.
pub static USER_RUNS: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

/// The thread running on this core.
pub fn current() -> Arc<Thread> {
    PERCPU[cpu()]
        .lock()
        .current
        .clone()
        .expect("a core always runs a thread once scheduling began")
}

/// The thread running on this core, without touching reference counts (the syscall fast path).
///
/// TPIDR_EL1 holds a pointer to it, set by `schedule` with the `PERCPU` slot that keeps it
/// alive. The reference cannot outlive the thread: a thread is freed only after it is dead and
/// switched out, and the caller is the thread itself, running.
pub fn current_ref() -> &'static Thread {
    let p = bsp::cpu::percpu() as *const Thread;
    // SAFETY: see above; TPIDR_EL1 is set before any thread runs on this core (`init_cpu`).
    unsafe { &*p }
}

/// The process of the thread running on this core (syscalls always have one).
pub fn current_process() -> Option<Arc<Process>> {
    current_ref().process.clone()
}

/// The process of the current thread, borrowed for the duration of a syscall.
pub fn current_process_ref() -> Option<&'static Arc<Process>> {
    current_ref().process.as_ref()
}

/// Turns the boot flow of this core into its idle thread and marks the core online.
pub fn init_cpu() {
    let idle = Thread::build(None, None, b"idle");
    idle.set_state(RunState::Running);
    idle.on_cpu.store(true, Ordering::Release);
    let c = cpu();
    {
        let mut p = PERCPU[c].lock();
        bsp::cpu::set_percpu(Arc::as_ptr(&idle) as u64);
        p.current = Some(idle.clone());
        p.idle = Some(idle);
    }
    sched_lock().online += 1;
}

/// Number of cores running the scheduler.
pub fn online_cpus() -> usize {
    sched_lock().online
}

/// The idle loop: run whatever is runnable, else sleep until an interrupt.
pub fn idle_loop() -> ! {
    loop {
        // A process finished while this idle thread switched in may have left teardown here.
        crate::object::reaper::drain_all();
        schedule(false);
        {
            let mut s = sched_lock();
            if !s.queue.is_empty() || s.handoff[cpu()].is_some() {
                continue;
            }
            s.idle |= 1 << cpu();
        }
        preempt::masked_end();
        bsp::cpu::wait_for_interrupt();
        preempt::masked_begin();
        sched_lock().idle &= !(1 << cpu());
    }
}

pub(super) fn kick_idle(s: &Sched) {
    let others = s.idle & !(1 << cpu());
    if others != 0 {
        crate::irq::send_reschedule(others.trailing_zeros() as usize);
    }
}

/// `Thread::handoff` of the running thread: its syscall is about to block and asked for the
/// thread its next wake makes runnable; then `Sched::handoff` of its core holds that thread.
pub(super) const HANDOFF_WANTED: u8 = 1;
pub(super) const HANDOFF_HELD: u8 = 2;
/// `Sched::handoff` of its core holds a caller whose reply the running syscall delivered: the
/// syscall gives the core to it on its way out ([`end_of_syscall`]).
pub(super) const HANDOFF_REPLY: u8 = 3;

/// The running syscall is about to block (`zx_channel_call` after writing its request): the
/// thread its next wake makes runnable should run next on this core, not go through the run
/// queue and an idle core's kick (see [`wake`]).
pub fn want_handoff() {
    current_ref()
        .handoff
        .store(HANDOFF_WANTED, Ordering::Relaxed);
}

/// Makes a blocked thread runnable (or notes the wake so its next block returns at once).
///
/// After [`want_handoff`] the thread is kept for this core (`Sched::handoff`) instead of queued:
/// the caller blocks next, as a `zx_channel_call` does after waking its server, and that thread
/// then runs here at once, with no trip through the run queue and no idle core kicked to race
/// for it (the direct call switch). If the syscall returns instead, the thread joins the queue
/// then (`flush_handoff`).
pub fn wake(t: Arc<Thread>) {
    wake_as(t, false);
}

/// [`wake`] for a thread blocked in `zx_channel_call` whose reply was just delivered (the
/// reply's direct switch). If the caller blocked on this core, this core would have nothing
/// else to run next and no core is idle, the caller is kept for this core and the running
/// syscall gives the core to it when it ends ([`end_of_syscall`]): the replying thread goes to
/// the back of the run queue, behind no one. Otherwise this is a plain wake: a caller that
/// blocked on another core, or any caller while a core idles, is queued and an idle core
/// kicked (the two keep running in parallel); while other threads wait for the core, the
/// caller queues behind them, so a client and its server never keep the core from them.
pub fn wake_caller(t: Arc<Thread>) {
    wake_as(t, true);
}

fn wake_as(t: Arc<Thread>, reply: bool) {
    let mut s = sched_lock();
    if t.state() == RunState::Blocked {
        if t.deadline.swap(u64::MAX, Ordering::AcqRel) != u64::MAX {
            if let Some(i) = s.sleepers.iter().position(|x| Arc::ptr_eq(x, &t)) {
                s.sleepers.swap_remove(i);
            }
        }
        t.set_state(RunState::Runnable);
        let me = current_ref();
        let c = cpu();
        // The caller's reference moves into the queue (or the handoff slot): no counting.
        match me.handoff.load(Ordering::Relaxed) {
            HANDOFF_WANTED => {
                // The slot is empty unless this syscall delivered a reply before it asked for
                // a handoff (no syscall does today); that thread must not be lost.
                if let Some(earlier) = s.handoff[c].replace(t) {
                    s.queue.push_back(earlier);
                    kick_idle(&s);
                }
                me.handoff.store(HANDOFF_HELD, Ordering::Relaxed);
            }
            // Looked at here so that, when it already fails, the caller is queued and an idle
            // core kicked at once (it starts elsewhere while this syscall finishes); the
            // replying syscall looks again when it ends (`switch::reply_switch`).
            0 if reply
                && me.process.is_some()
                && usize::from(t.ran_on.load(Ordering::Relaxed)) == c
                && s.queue.is_empty()
                && s.idle == 0 =>
            {
                s.handoff[c] = Some(t);
                me.handoff.store(HANDOFF_REPLY, Ordering::Relaxed);
            }
            _ => {
                s.queue.push_back(t);
                kick_idle(&s);
            }
        }
    } else {
        t.wake_pending.store(true, Ordering::Release);
        // Released after the lock (a thread's last reference frees its stack).
        drop(s);
        drop(t);
    }
}

/// The thread to run next on core `c`: the one kept for it by [`wake`], else the queue's first.
pub(super) fn take_next(s: &mut Sched, c: usize) -> Option<Arc<Thread>> {
    current_ref().handoff.store(0, Ordering::Relaxed);
    s.handoff[c].take().or_else(|| s.queue.pop_front())
}

/// At preemption windows: a thread kept for this core that the caller did not hand the core to
/// joins the run queue (this work may go on a while).
#[inline]
pub fn flush_handoff() {
    if current_ref().handoff.load(Ordering::Relaxed) != 0 {
        flush_handoff_slow();
    }
}

#[inline(never)]
fn flush_handoff_slow() {
    let mut s = sched_lock();
    if let Some(t) = s.handoff[cpu()].take() {
        s.queue.push_back(t);
        kick_idle(&s);
    }
    current_ref().handoff.store(0, Ordering::Relaxed);
}

/// On the way out of a syscall: a caller whose reply it delivered gets the core now (the
/// running thread goes to the back of the run queue; see [`wake_caller`]); any other thread
/// kept for this core joins the queue.
#[inline]
pub fn end_of_syscall() {
    match current_ref().handoff.load(Ordering::Relaxed) {
        0 => {}
        HANDOFF_REPLY => super::switch::reply_switch(),
        _ => flush_handoff_slow(),
    }
}

/// Forgets wakes that arrived before a new wait began.
pub fn prepare_wait() {
    current_ref().wake_pending.store(false, Ordering::Release);
}

/// Timer interrupt on this core: expire deadlines, end the slice.
pub fn timer_tick() -> bool {
    let now = bsp::drivers::timer::ticks();
    let mut earliest = u64::MAX;
    {
        let mut s = sched_lock();
        let mut i = 0;
        while i < s.sleepers.len() {
            let d = s.sleepers[i].deadline.load(Ordering::Acquire);
            if d <= now {
                let t = s.sleepers.swap_remove(i);
                t.deadline.store(u64::MAX, Ordering::Release);
                t.timed_out.store(true, Ordering::Release);
                if t.state() == RunState::Blocked {
                    t.set_state(RunState::Runnable);
                    s.queue.push_back(t);
                }
            } else {
                earliest = earliest.min(d);
                i += 1;
            }
        }
        if !s.queue.is_empty() {
            kick_idle(&s);
        }
    }
    let slice_end = PERCPU[cpu()].lock().slice_end;
    let slice_over = slice_end <= now;
    // The next tick comes when the current slice ends (a thread switched in between two ticks
    // has its own end), or a full slice from now once it is over.
    let next_slice = if slice_over {
        now + slice_ticks()
    } else {
        slice_end
    };
    crate::timer::arm(earliest.min(next_slice));
    slice_over
}

/// Wakes a thread so it notices it was killed (blocked threads return from their wait; running
/// ones are interrupted by an SGI).
pub fn poke(t: &Arc<Thread>) {
    wake(t.clone());
    for (c, slot) in PERCPU.iter().enumerate() {
        if let Some(p) = slot.try_lock() {
            if p.current.as_ref().is_some_and(|x| Arc::ptr_eq(x, t)) && c != cpu() {
                drop(p);
                crate::irq::send_reschedule(c);
            }
        }
    }
}

// `Sched::idle` has one bit per core.
const _: () = assert!(MAX_CPUS <= 32);

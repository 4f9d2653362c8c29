//! Threads and the scheduler: one run queue shared by every core under one lock (measured to be
//! enough at this scale: see docs/performance.md), a per-core idle thread that sleeps in `wfi`,
//! SGI wake-ups of idle cores, time slices from each core's timer, and deadlines.
//!
//! Rules:
//! - The kernel is not preemptible: IRQs are masked in EL1 except in the idle loop, so no lock an
//!   interrupt takes can be held when the interrupt arrives.
//! - Lock order: object locks -> `SCHED` -> a core's `PERCPU` slot. No lock is held across
//!   `switch_context`: a thread chosen by one core while another core is still saving it waits
//!   for its `on_cpu` flag to clear (set by `finish_switch` on the core that switched away).
//! - Blocking is race-free through `wake_pending`: a wake that arrives before the thread blocks
//!   makes the block return at once.

pub mod preempt;

use crate::mm;
use crate::object::{KernelObject, ObjHeader, Wake};
use crate::task::Process;
use alloc::collections::VecDeque;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use bsp::addr::PhysAddr;
use bsp::cpu::boot::MAX_CPUS;
use bsp::cpu::exception::{CpuContext, FpState, TrapFrame};
use core::any::Any;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use spin::Mutex;
use zx_abi::{ObjType, Signals, Status};

/// Kernel stack per thread: 16 KiB (teardown is iterative, syscalls are shallow).
pub const KSTACK_FRAMES: usize = 4;
const KSTACK_SIZE: u64 = KSTACK_FRAMES as u64 * mm::PAGE_SIZE;
/// Time slice.
pub const SLICE_NS: u64 = 10_000_000;

/// A time slice in counter ticks.
pub fn slice_ticks() -> u64 {
    crate::timer::ns_to_ticks(SLICE_NS)
}

#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RunState {
    New = 0,
    Runnable = 1,
    Running = 2,
    Blocked = 3,
    Dead = 4,
}

/// What ended a block.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WakeReason {
    Woken,
    TimedOut,
}

/// CPU state of a thread, touched only by the core running it or switching it.
struct ThreadCpu {
    ctx: CpuContext,
    fp: FpState,
}

pub struct Thread {
    header: ObjHeader,
    self_ref: Weak<Thread>,
    pub process: Option<Arc<Process>>,
    cpu: UnsafeCell<ThreadCpu>,
    kstack: Option<PhysAddr>,
    state: AtomicU8,
    wake_pending: AtomicBool,
    timed_out: AtomicBool,
    on_cpu: AtomicBool,
    /// Set when the process is being killed: the thread exits at its next return to EL0.
    pub killed: AtomicBool,
    /// Deadline in counter ticks while blocked with one (`u64::MAX`: none).
    deadline: AtomicU64,
    /// Closed endpoints this thread still has to tear down, and whether it is doing so (the
    /// reaper's per-thread state: a teardown may be preempted and resume on another core).
    pub(crate) graveyard: Mutex<Option<Arc<crate::object::channel::Endpoint>>>,
    pub(crate) reaping: AtomicBool,
    /// Something is on `graveyard` (read on every return to EL0 without taking its lock).
    pub(crate) dead_pending: AtomicBool,
    name: [u8; 32],
    name_len: usize,
}

// SAFETY: `cpu` is only accessed by the core that runs the thread or is switching it out, which
// `on_cpu` makes exclusive; everything else is atomics or locks.
unsafe impl Sync for Thread {}
unsafe impl Send for Thread {}

impl Thread {
    /// A new user thread of `process` that will enter EL0 with `frame` when first run.
    pub fn new_user(process: &Arc<Process>, name: &[u8]) -> Result<Arc<Thread>, Status> {
        mm::check_available(KSTACK_SIZE + 4096)?;
        reserve_queue_slot()?;
        let kstack = mm::alloc_frames(KSTACK_FRAMES).ok_or(Status::NO_MEMORY)?;
        Ok(Self::build(Some(process.clone()), Some(kstack), name))
    }

    fn build(process: Option<Arc<Process>>, kstack: Option<PhysAddr>, name: &[u8]) -> Arc<Thread> {
        let mut n = [0u8; 32];
        let len = name.len().min(32);
        n[..len].copy_from_slice(&name[..len]);
        LIVE_THREADS.fetch_add(1, Ordering::Relaxed);
        Arc::new_cyclic(|w| Thread {
            header: ObjHeader::new(Signals::NONE),
            self_ref: w.clone(),
            process,
            cpu: UnsafeCell::new(ThreadCpu {
                ctx: CpuContext::default(),
                fp: FpState::default(),
            }),
            kstack,
            state: AtomicU8::new(RunState::New as u8),
            wake_pending: AtomicBool::new(false),
            timed_out: AtomicBool::new(false),
            on_cpu: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            deadline: AtomicU64::new(u64::MAX),
            graveyard: Mutex::new(None),
            reaping: AtomicBool::new(false),
            dead_pending: AtomicBool::new(false),
            name: n,
            name_len: len,
        })
    }

    pub fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }

    pub fn state(&self) -> RunState {
        match self.state.load(Ordering::Acquire) {
            0 => RunState::New,
            1 => RunState::Runnable,
            2 => RunState::Running,
            3 => RunState::Blocked,
            _ => RunState::Dead,
        }
    }

    fn set_state(&self, s: RunState) {
        self.state.store(s as u8, Ordering::Release);
    }

    fn kstack_top(&self) -> u64 {
        self.kstack
            .map_or(0, |pa| mm::phys_to_virt(pa) + KSTACK_SIZE)
    }

    /// Prepares the first entry to EL0 and makes the thread runnable. `BAD_STATE` if it was
    /// started before.
    pub fn start(&self, frame: TrapFrame) -> Result<(), Status> {
        if self
            .state
            .compare_exchange(
                RunState::New as u8,
                RunState::Runnable as u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            return Err(Status::BAD_STATE);
        }
        let top = self.kstack_top();
        let frame_addr = top - core::mem::size_of::<TrapFrame>() as u64;
        // SAFETY: the kernel stack belongs to this thread, which has never run: nothing else
        // touches it or `cpu`.
        unsafe {
            core::ptr::write(frame_addr as *mut TrapFrame, frame);
            let c = &mut *self.cpu.get();
            c.ctx.sp = frame_addr;
            c.ctx.regs[11] = bsp::cpu::exception::thread_trampoline as *const () as u64;
            // lr
        }
        if let Some(me) = self.self_ref.upgrade() {
            let mut s = sched_lock();
            s.queue.push_back(me);
            kick_idle(&s);
        }
        Ok(())
    }

    /// Claims a thread that was never started so it never will be (New -> Dead). Exactly one of
    /// this and [`start`](Self::start) succeeds for a new thread.
    pub fn claim_unstarted(&self) -> bool {
        self.state
            .compare_exchange(
                RunState::New as u8,
                RunState::Dead as u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
    }

    /// The thread as a waker for object observers.
    pub fn waker(&self) -> Arc<dyn Wake> {
        match self.self_ref.upgrade() {
            Some(t) => t,
            None => Arc::new(NoWake),
        }
    }
}

struct NoWake;
impl Wake for NoWake {
    fn wake(&self) {}
}

impl Wake for Thread {
    fn wake(&self) {
        if let Some(t) = self.self_ref.upgrade() {
            wake(&t);
        }
    }
}

impl KernelObject for Thread {
    fn header(&self) -> &ObjHeader {
        &self.header
    }
    /// A thread that was never started dies with its last handle (it could never run).
    fn on_zero_handles(self: Arc<Self>) {
        if self.state() == RunState::New {
            if let Some(p) = &self.process {
                let _ = p.forget_unstarted(&self);
            }
        }
    }
    fn obj_type(&self) -> ObjType {
        ObjType::THREAD
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn related_koid(&self) -> u64 {
        self.process.as_ref().map_or(0, |p| p.header().koid())
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        if let Some(pa) = self.kstack {
            mm::free_frames(pa, KSTACK_FRAMES);
        }
        LIVE_THREADS.fetch_sub(1, Ordering::Relaxed);
    }
}

static LIVE_THREADS: AtomicUsize = AtomicUsize::new(0);

struct Sched {
    queue: VecDeque<Arc<Thread>>,
    sleepers: Vec<Arc<Thread>>,
    idle: [bool; MAX_CPUS],
    online: usize,
}

static SCHED: Mutex<Sched> = Mutex::new(Sched {
    queue: VecDeque::new(),
    sleepers: Vec::new(),
    idle: [false; MAX_CPUS],
    online: 0,
});

/// Times a core found `SCHED` held by another (`ZX_INFO_CPU_STATS.sched_lock_waits`).
pub static SCHED_LOCK_WAITS: AtomicU64 = AtomicU64::new(0);

/// Takes the run-queue lock, counting contention.
fn sched_lock() -> spin::MutexGuard<'static, Sched> {
    if let Some(g) = SCHED.try_lock() {
        return g;
    }
    SCHED_LOCK_WAITS.fetch_add(1, Ordering::Relaxed);
    SCHED.lock()
}

/// Makes sure a wake or start of one more thread never allocates.
fn reserve_queue_slot() -> Result<(), Status> {
    let n = LIVE_THREADS.load(Ordering::Relaxed) + MAX_CPUS + 1;
    let mut s = sched_lock();
    let q = n.saturating_sub(s.queue.len());
    let sl = n.saturating_sub(s.sleepers.len());
    s.queue.try_reserve(q).map_err(|_| Status::NO_MEMORY)?;
    s.sleepers.try_reserve(sl).map_err(|_| Status::NO_MEMORY)?;
    Ok(())
}

struct PerCpu {
    current: Option<Arc<Thread>>,
    idle: Option<Arc<Thread>>,
    prev: Option<Arc<Thread>>,
    slice_end: u64,
}

static PERCPU: [Mutex<PerCpu>; MAX_CPUS] = [const {
    Mutex::new(PerCpu {
        current: None,
        idle: None,
        prev: None,
        slice_end: 0,
    })
}; MAX_CPUS];
/// Context switches per core (`ZX_INFO_CPU_STATS`): proof that every core did work.
pub static SWITCHES: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
/// User threads that ran on each core.
pub static USER_RUNS: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

fn cpu() -> usize {
    bsp::cpu::cpu_index() % MAX_CPUS
}

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
            if !s.queue.is_empty() {
                continue;
            }
            s.idle[cpu()] = true;
        }
        preempt::masked_end();
        bsp::cpu::wait_for_interrupt();
        preempt::masked_begin();
        sched_lock().idle[cpu()] = false;
    }
}

fn kick_idle(s: &Sched) {
    let me = cpu();
    for (c, idle) in s.idle.iter().enumerate() {
        if *idle && c != me {
            crate::irq::send_reschedule(c);
            return;
        }
    }
}

/// Makes a blocked thread runnable (or notes the wake so its next block returns at once).
pub fn wake(t: &Arc<Thread>) {
    let mut s = sched_lock();
    if t.state() == RunState::Blocked {
        if t.deadline.swap(u64::MAX, Ordering::AcqRel) != u64::MAX {
            if let Some(i) = s.sleepers.iter().position(|x| Arc::ptr_eq(x, t)) {
                s.sleepers.swap_remove(i);
            }
        }
        t.set_state(RunState::Runnable);
        s.queue.push_back(t.clone());
        kick_idle(&s);
    } else {
        t.wake_pending.store(true, Ordering::Release);
    }
}

/// Forgets wakes that arrived before a new wait began.
pub fn prepare_wait() {
    current().wake_pending.store(false, Ordering::Release);
}

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

/// Why the current thread leaves the core.
#[derive(Clone, Copy)]
enum Transition {
    /// Preempted: back of the run queue, unless nothing else is runnable.
    Yield,
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
fn switch_away(how: Transition) -> bool {
    let c = cpu();
    let cur = current();
    let next = {
        let mut s = sched_lock();
        match how {
            Transition::Yield | Transition::Idle => {
                let Some(n) = s.queue.pop_front() else {
                    return false;
                };
                if matches!(how, Transition::Yield) && cur.process.is_some() {
                    cur.set_state(RunState::Runnable);
                    s.queue.push_back(cur.clone());
                }
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
                    s.sleepers.push(cur.clone());
                }
                cur.timed_out.store(false, Ordering::Release);
                cur.set_state(RunState::Blocked);
                match s.queue.pop_front() {
                    Some(n) => n,
                    None => PERCPU[c].lock().idle.clone().expect("idle thread"),
                }
            }
            Transition::Exit => {
                cur.set_state(RunState::Dead);
                match s.queue.pop_front() {
                    Some(n) => n,
                    None => PERCPU[c].lock().idle.clone().expect("idle thread"),
                }
            }
        }
    };
    if Arc::ptr_eq(&next, &cur) {
        // Only possible for a yield that found itself next: keep running.
        cur.set_state(RunState::Running);
        return false;
    }
    next.set_state(RunState::Running);
    while next.on_cpu.load(Ordering::Acquire) {
        core::hint::spin_loop();
    }
    next.on_cpu.store(true, Ordering::Release);
    SWITCHES[c].fetch_add(1, Ordering::Relaxed);
    // SAFETY: `cur` runs on this core; `next` is ours now (`on_cpu` was clear and we set it).
    let (from, to) = unsafe { (&mut *cur.cpu.get(), &*next.cpu.get()) };
    if cur.process.is_some() {
        // SAFETY: saves this core's FP/SIMD registers into the outgoing thread's state.
        unsafe { bsp::cpu::exception::fp_save(&mut from.fp) };
    }
    match &next.process {
        Some(p) => {
            USER_RUNS[c].fetch_add(1, Ordering::Relaxed);
            // SAFETY: loads the incoming thread's FP/SIMD registers.
            unsafe { bsp::cpu::exception::fp_restore(&to.fp) };
            p.activate_address_space();
        }
        None => crate::vm::aspace::activate_empty(),
    }
    {
        let mut p = PERCPU[c].lock();
        p.prev = Some(cur.clone());
        bsp::cpu::set_percpu(Arc::as_ptr(&next) as u64);
        p.current = Some(next.clone());
        p.slice_end = bsp::drivers::timer::ticks() + slice_ticks();
        // The incoming thread's slice ends on time even if the timer was armed for later.
        crate::timer::arm_before(p.slice_end);
    }
    let from_ctx: *mut CpuContext = &mut from.ctx;
    let to_ctx: *const CpuContext = &to.ctx;
    drop(next);
    drop(cur);
    // SAFETY: both contexts belong to threads kept alive by PERCPU (`prev`, `current`); the
    // incoming context was saved by `switch_context` or prepared by `Thread::start`.
    unsafe { bsp::cpu::exception::switch_context(from_ctx, to_ctx) };
    finish_switch();
    true
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
    let prev = PERCPU[cpu()].lock().prev.take();
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

/// Wakes a thread so it notices it was killed (blocked threads return from their wait; running
/// ones are interrupted by an SGI).
pub fn poke(t: &Arc<Thread>) {
    wake(t);
    for (c, slot) in PERCPU.iter().enumerate() {
        if let Some(p) = slot.try_lock() {
            if p.current.as_ref().is_some_and(|x| Arc::ptr_eq(x, t)) && c != cpu() {
                drop(p);
                crate::irq::send_reschedule(c);
            }
        }
    }
}

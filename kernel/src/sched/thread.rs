//! Threads: the kernel object, its run state and saved CPU state, its kernel stack, and what
//! ends its blocks.

use super::runqueue::{kick_idle, reserve_queue_slot, sched_lock};
use super::{wake, wake_caller, KSTACK_FRAMES, KSTACK_SIZE};
use crate::mm;
use crate::object::{KernelObject, ObjHeader, Wake};
use crate::task::Process;
use alloc::sync::{Arc, Weak};
use bsp::addr::PhysAddr;
use bsp::cpu::exception::{CpuContext, FpState, TrapFrame};
use core::any::Any;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use spin::Mutex;
use zx_abi::{ObjType, Signals, Status};

/// Where a thread is in its life.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RunState {
    /// Created, never started.
    New = 0,
    /// On the run queue.
    Runnable = 1,
    /// On a core.
    Running = 2,
    /// Waiting for a wake or a deadline.
    Blocked = 3,
    /// Exited (or claimed before it started).
    Dead = 4,
}

/// What ended a block.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WakeReason {
    /// Something woke the thread (or it was killed).
    Woken,
    /// The deadline passed first.
    TimedOut,
}

/// CPU state of a thread, touched only by the core running it or switching it.
pub(super) struct ThreadCpu {
    pub(super) ctx: CpuContext,
    pub(super) fp: FpState,
}

/// Where bsp's FP trap (`el0_fp_trap`, lazy FP switching) finds the running thread's FP state:
/// its offset from the per-CPU pointer, which is the running `Thread` (`set_percpu` in
/// `switch_away`). `UnsafeCell` is `repr(transparent)`, so `cpu`'s offset is `ThreadCpu`'s.
#[no_mangle]
pub static ZX_PERCPU_FP_OFFSET: usize =
    core::mem::offset_of!(Thread, cpu) + core::mem::offset_of!(ThreadCpu, fp);

/// A thread: a kernel object with its own kernel stack, run by the scheduler.
pub struct Thread {
    pub(super) header: ObjHeader,
    pub(super) self_ref: Weak<Thread>,
    /// Its process (`None` for a core's idle thread).
    pub process: Option<Arc<Process>>,
    pub(super) cpu: UnsafeCell<ThreadCpu>,
    kstack: Option<PhysAddr>,
    state: AtomicU8,
    pub(super) wake_pending: AtomicBool,
    /// While running: the direct switches' state on this thread's core (`runqueue::wake` and
    /// `wake_caller`): 0, `HANDOFF_WANTED`, `HANDOFF_HELD` or `HANDOFF_REPLY`. Only the running
    /// thread and wakes made while it runs (on its core, under the run-queue lock) touch it.
    pub(super) handoff: AtomicU8,
    pub(super) timed_out: AtomicBool,
    pub(super) on_cpu: AtomicBool,
    /// The core it was last switched in on (the reply's direct switch only keeps a caller on
    /// the core it blocked on: `runqueue::wake_caller`).
    pub(super) ran_on: AtomicU8,
    /// Set when the process is being killed: the thread exits at its next return to EL0.
    pub killed: AtomicBool,
    /// Deadline in counter ticks while blocked with one (`u64::MAX`: none).
    pub(super) deadline: AtomicU64,
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
// SAFETY: as for `Sync` above.
unsafe impl Send for Thread {}

impl Thread {
    /// A new user thread of `process` that will enter EL0 with `frame` when first run.
    pub fn new_user(process: &Arc<Process>, name: &[u8]) -> Result<Arc<Thread>, Status> {
        mm::check_available(KSTACK_SIZE + mm::PAGE_SIZE)?;
        reserve_queue_slot()?;
        let kstack = mm::alloc_frames(KSTACK_FRAMES).ok_or(Status::NO_MEMORY)?;
        Ok(Self::build(Some(process.clone()), Some(kstack), name))
    }

    pub(super) fn build(
        process: Option<Arc<Process>>,
        kstack: Option<PhysAddr>,
        name: &[u8],
    ) -> Arc<Thread> {
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
            handoff: AtomicU8::new(0),
            timed_out: AtomicBool::new(false),
            on_cpu: AtomicBool::new(false),
            ran_on: AtomicU8::new(0),
            killed: AtomicBool::new(false),
            deadline: AtomicU64::new(u64::MAX),
            graveyard: Mutex::new(None),
            reaping: AtomicBool::new(false),
            dead_pending: AtomicBool::new(false),
            name: n,
            name_len: len,
        })
    }

    /// The name it was created with.
    pub fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }

    /// Its run state.
    pub fn state(&self) -> RunState {
        match self.state.load(Ordering::Acquire) {
            0 => RunState::New,
            1 => RunState::Runnable,
            2 => RunState::Running,
            3 => RunState::Blocked,
            _ => RunState::Dead,
        }
    }

    pub(super) fn set_state(&self, s: RunState) {
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
            wake(t);
        }
    }
    fn wake_caller(&self) {
        if let Some(t) = self.self_ref.upgrade() {
            wake_caller(t);
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

pub(super) static LIVE_THREADS: AtomicUsize = AtomicUsize::new(0);

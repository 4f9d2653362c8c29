//! Processes: a handle table, an address space, threads, and a return code; `zx_process_spawn`
//! from the boot programs, exit and teardown.

use crate::mm;
use crate::object::handle_table::HandleTable;
use crate::object::{Handle, KernelObject, ObjHeader};
use crate::sched::{self, Thread};
use crate::vm::aspace::AddressSpace;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bsp::cpu::exception::TrapFrame;
use core::any::Any;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use spin::Mutex;
use zx_abi::{InfoProcess, ObjType, Rights, Signals, Status};

/// Where a process is in its life.
pub struct ProcState {
    /// Its first thread was started.
    pub started: bool,
    /// It ended (`return_code` is final).
    pub exited: bool,
    /// `ZX_INFO_PROCESS.return_code`.
    pub return_code: i64,
}

/// A process: a handle table, an address space and threads.
pub struct Process {
    header: ObjHeader,
    name: [u8; 32],
    name_len: usize,
    /// The process's handles.
    pub handles: Mutex<HandleTable>,
    aspace: Mutex<Option<AddressSpace>>,
    /// Cached TTBR0 value (table | ASID << 48), read on every switch to one of our threads.
    ttbr0: core::sync::atomic::AtomicU64,
    threads: Mutex<Vec<Arc<Thread>>>,
    /// Threads created and not yet switched out for the last time.
    alive_threads: AtomicUsize,
    /// Started, exited and the return code.
    pub state: Mutex<ProcState>,
    dying: AtomicBool,
    /// A boot program whose end ends the run (`exit=`).
    pub is_init: bool,
    /// What this process's queued messages hold of kernel memory (object::quota).
    pub ipc_account: Arc<crate::object::quota::Account>,
}

impl Process {
    /// The name it was spawned with.
    pub fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }

    /// The address space still exists (it goes when the last thread is gone).
    #[inline]
    pub fn has_address_space(&self) -> bool {
        self.ttbr0.load(Ordering::Relaxed) != 0
    }

    /// Points TTBR0 at this process's tables (called by the scheduler).
    pub fn activate_address_space(&self) {
        let v = self.ttbr0.load(Ordering::Acquire);
        if v == 0 {
            crate::vm::aspace::activate_empty();
        } else {
            bsp::cpu::set_user_table(v);
        }
    }

    /// `ZX_INFO_PROCESS`.
    pub fn info(&self) -> InfoProcess {
        let s = self.state.lock();
        InfoProcess {
            return_code: s.return_code,
            started: s.started as u8,
            exited: s.exited as u8,
            ..Default::default()
        }
    }

    /// Adds a thread (`zx_thread_create`).
    pub fn add_thread(self: &Arc<Self>, name: &[u8]) -> Result<Arc<Thread>, Status> {
        let t = Thread::new_user(self, name)?;
        let mut ts = self.threads.lock();
        // Checked under `threads`, where the last thread's exit sets it: no thread can be added
        // to a process that is already ending.
        if self.dying.load(Ordering::Acquire) {
            return Err(Status::BAD_STATE);
        }
        ts.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        ts.push(t.clone());
        self.alive_threads.fetch_add(1, Ordering::AcqRel);
        Ok(t)
    }

    /// Starts `t` at `entry` with `sp` and the first two argument registers.
    pub fn start_thread(
        &self,
        t: &Thread,
        entry: u64,
        sp: u64,
        arg0: u64,
        arg1: u64,
    ) -> Result<(), Status> {
        let mut f = TrapFrame::new_user(entry, sp);
        f.x[0] = arg0;
        f.x[1] = arg1;
        {
            // Under `threads`: a start and a "forget unstarted" (kill, last handle closed, last
            // thread exiting) cannot both claim the same new thread.
            let _ts = self.threads.lock();
            if self.dying.load(Ordering::Acquire) {
                return Err(Status::BAD_STATE);
            }
            t.start(f)?;
        }
        self.state.lock().started = true;
        Ok(())
    }

    /// Ends the process with `code`: every thread is told to exit; the last one tears down.
    ///
    /// Needs no memory and is linear in the number of threads: it tells them in batches of
    /// [`KILL_BATCH`] (a thread's `killed` flag says it was told), claims never-started ones
    /// on the way, and offers a preemption point between batches. No thread can be added once
    /// `dying` is set, so the passes end.
    pub fn kill(&self, code: i64) {
        {
            let mut s = self.state.lock();
            if !self.dying.swap(true, Ordering::AcqRel) {
                s.return_code = code;
            }
        }
        // Passes over the list until one finds nobody left to tell (threads leaving the list
        // move others into slots the cursor already passed).
        let mut cursor = 0;
        let mut told_in_pass = false;
        loop {
            let mut batch: [Option<(Arc<Thread>, bool)>; KILL_BATCH] = Default::default();
            let mut n = 0;
            let at_end = {
                let mut ts = self.threads.lock();
                let mut looked = 0;
                while cursor < ts.len() && n < KILL_BATCH && looked < KILL_SCAN {
                    looked += 1;
                    if ts[cursor].killed.swap(true, Ordering::AcqRel) {
                        cursor += 1;
                        continue;
                    }
                    // A thread never started cannot run its own exit: claim it here (under
                    // `threads`, so a concurrent start fails instead).
                    if ts[cursor].claim_unstarted() {
                        batch[n] = Some((ts.swap_remove(cursor), true));
                    } else {
                        batch[n] = Some((ts[cursor].clone(), false));
                        cursor += 1;
                    }
                    n += 1;
                }
                cursor >= ts.len()
            };
            for (t, unstarted) in batch.iter_mut().filter_map(Option::take) {
                if unstarted {
                    t.header()
                        .update_signals(Signals::NONE, Signals::TASK_TERMINATED);
                    self.thread_gone();
                } else {
                    sched::poke(&t);
                }
            }
            told_in_pass |= n > 0;
            if at_end {
                // The end of the list: done unless this pass told someone.
                if !told_in_pass {
                    break;
                }
                cursor = 0;
                told_in_pass = false;
            }
            sched::preempt::maybe_preempt();
        }
    }

    /// Drops a thread that was never started (killed, or its last handle closed): claims it
    /// (New -> Dead) under `threads`, so a concurrent start fails instead. Returns whether it
    /// was unstarted.
    pub fn forget_unstarted(&self, t: &Arc<Thread>) -> bool {
        let mut ts = self.threads.lock();
        let Some(i) = ts.iter().position(|x| Arc::ptr_eq(x, t)) else {
            return false;
        };
        if !t.claim_unstarted() {
            return false;
        }
        ts.swap_remove(i);
        drop(ts);
        t.header()
            .update_signals(Signals::NONE, Signals::TASK_TERMINATED);
        self.thread_gone();
        true
    }

    /// Called by a thread of ours on its way out (still running on its own stack).
    pub fn thread_exiting(&self, t: &Arc<Thread>) {
        let last = {
            let mut ts = self.threads.lock();
            if let Some(i) = ts.iter().position(|x| Arc::ptr_eq(x, t)) {
                ts.swap_remove(i);
            }
            // The last started thread ends the process: claim every never-started one (under
            // the lock, so none can be started meanwhile: each claim succeeds) and mark the
            // process as ending, so none can be added either.
            let all_new = ts.iter().all(|x| x.state() == sched::RunState::New);
            if all_new {
                for x in ts.iter() {
                    x.claim_unstarted();
                }
                self.dying.store(true, Ordering::Release);
            }
            all_new
        };
        if last {
            // Return code 0 unless set by exit/kill. The claimed threads leave the list in
            // batches (no allocation, so this cannot fail half-way).
            loop {
                let mut batch: [Option<Arc<Thread>>; KILL_BATCH] = Default::default();
                {
                    let mut ts = self.threads.lock();
                    for slot in batch.iter_mut() {
                        *slot = ts.pop();
                    }
                }
                if batch[0].is_none() {
                    break;
                }
                for u in batch.iter_mut().filter_map(Option::take) {
                    u.header()
                        .update_signals(Signals::NONE, Signals::TASK_TERMINATED);
                    self.thread_gone();
                }
                sched::preempt::maybe_preempt();
            }
            self.close_all_handles(true);
        }
    }

    /// Closes every handle of the process and finishes the teardown that causes. On the
    /// process's own (exiting) thread this is preemptible: 2^18 handles, or a nest behind one,
    /// take as long as they take without keeping the core from others.
    fn close_all_handles(&self, preemptible: bool) {
        loop {
            let h = self.handles.lock().pop_any();
            match h {
                Some(h) => drop(h),
                None => break,
            }
            if preemptible {
                sched::preempt::maybe_preempt();
            }
        }
        if preemptible {
            crate::object::reaper::drain_all();
            while self.handles.lock().release_page() {
                sched::preempt::maybe_preempt();
            }
        } else {
            crate::object::reaper::drain_all_now();
        }
    }

    /// A dead thread of ours has been switched out for good (called on the next thread).
    pub fn thread_switched_out_dead(&self) {
        self.thread_gone();
    }

    fn thread_gone(&self) {
        if self.alive_threads.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.finish();
        }
    }

    /// No thread of ours runs anywhere: free the address space and report the end.
    fn finish(&self) {
        // Usually nothing is left: the last thread closed everything on its way out.
        self.close_all_handles(false);
        self.ttbr0.store(0, Ordering::Release);
        let aspace = self.aspace.lock().take();
        drop(aspace);
        let code = {
            let mut s = self.state.lock();
            s.exited = true;
            s.return_code
        };
        self.header
            .update_signals(Signals::NONE, Signals::TASK_TERMINATED);
        if self.is_init {
            crate::start::init_exited(code);
        }
    }
}

impl KernelObject for Process {
    fn header(&self) -> &ObjHeader {
        &self.header
    }
    fn obj_type(&self) -> ObjType {
        ObjType::PROCESS
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The root resource handed to boot programs in `x2` (for `ZX_INFO_KERNEL_STATS`).
pub struct RootResource {
    header: ObjHeader,
}

impl KernelObject for RootResource {
    fn header(&self) -> &ObjHeader {
        &self.header
    }
    fn obj_type(&self) -> ObjType {
        ObjType::RESOURCE
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

static ROOT: spin::Once<Arc<RootResource>> = spin::Once::new();

/// The root resource (the handle `init` gets to spawn with).
pub fn root_resource() -> Arc<RootResource> {
    ROOT.call_once(|| {
        Arc::new(RootResource {
            header: ObjHeader::new(Signals::NONE),
        })
    })
    .clone()
}

/// User stack: 256 KiB below `STACK_TOP`, with an unmapped guard page under it.
pub const STACK_SIZE: u64 = 256 * 1024;
/// One past the top of a process's first stack.
pub const STACK_TOP: u64 = 0x0000_7fff_fff0_0000;

/// A process built from a boot program whose first thread has not started yet. Dropping it
/// without [`start`](Self::start) ends the process before any of its code ran, so a spawn that
/// fails late has no effect.
pub struct Prepared {
    process: Arc<Process>,
    thread: Arc<Thread>,
    frame: TrapFrame,
}

impl Prepared {
    /// The process being built.
    pub fn process(&self) -> &Arc<Process> {
        &self.process
    }

    /// Installs `bootstrap` (room was reserved) as the first thread's `x0` and starts it.
    pub fn start(mut self, bootstrap: Option<Handle>) -> Arc<Process> {
        if let Some(b) = bootstrap {
            let v = self.process.handles.lock().add(b).map_err(|e| e.0);
            self.frame.x[0] = v.unwrap_or(0) as u64;
        }
        // Cannot fail: the thread is new and its run-queue slot was reserved when it was made.
        if self.thread.start(self.frame).is_ok() {
            self.process.state.lock().started = true;
        }
        // Started: `drop` finds the thread no longer new and leaves it alone.
        self.process.clone()
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        // A thread that never started is claimed and forgotten; once started, this is a no-op.
        if self.thread.state() == sched::RunState::New {
            self.process.kill(0);
        }
    }
}

/// Threads [`Process::kill`] tells between preemption points.
const KILL_BATCH: usize = 16;
/// Threads [`Process::kill`] looks at under the `threads` lock at most, between preemption
/// points.
const KILL_SCAN: usize = 512;

/// Creates a process from the boot program `name` (ELF bytes `image`) and starts its first
/// thread, with the handle `bootstrap_fn` gives (called once nothing can fail any more) in
/// `x0`. `root` puts the root resource in `x2`.
pub fn spawn(
    name: &str,
    image: &[u8],
    bootstrap_fn: impl FnOnce() -> Option<Handle>,
    root: bool,
    is_init: bool,
) -> Result<Arc<Process>, Status> {
    let p = prepare(name, image, root, is_init)?;
    Ok(p.start(bootstrap_fn()))
}

/// Builds a process from the boot program `name`: its address space, its first thread (not
/// started) and its start-up handles (own process, root resource if `root`, own thread), with
/// room reserved for the bootstrap handle.
pub fn prepare(name: &str, image: &[u8], root: bool, is_init: bool) -> Result<Prepared, Status> {
    let elf = match crate::boot::elf::parse(image) {
        Ok(e) => e,
        Err(e) => {
            crate::kprintln!("spawn {}: {}", name, e);
            return Err(Status::INVALID_ARGS);
        }
    };
    // Everything the image will need, up front: a `.bss` larger than free memory fails here,
    // before a single frame is zeroed.
    let pages: u64 = elf
        .segments()
        .iter()
        .map(|s| {
            let (a, b) = s.page_range();
            b - a
        })
        .sum();
    mm::check_available(STACK_SIZE.saturating_add(64 * 1024).saturating_add(pages))?;
    let mut aspace = AddressSpace::new()?;
    for seg in elf.segments() {
        aspace.load_segment(seg)?
    }
    aspace.map_stack(STACK_TOP - STACK_SIZE, STACK_SIZE)?;
    let koid = crate::object::new_koid();
    let mut nm = [0u8; 32];
    let nl = name.len().min(32);
    nm[..nl].copy_from_slice(&name.as_bytes()[..nl]);
    let ttbr0 = aspace.ttbr0();
    let p = Arc::new(Process {
        header: ObjHeader::with_koid(koid, Signals::NONE),
        name: nm,
        name_len: nl,
        handles: Mutex::new(HandleTable::new(koid)),
        aspace: Mutex::new(Some(aspace)),
        ttbr0: core::sync::atomic::AtomicU64::new(ttbr0),
        threads: Mutex::new(Vec::new()),
        alive_threads: AtomicUsize::new(0),
        state: Mutex::new(ProcState {
            started: false,
            exited: false,
            return_code: 0,
        }),
        dying: AtomicBool::new(false),
        ipc_account: crate::object::quota::Account::new(),
        is_init,
    });
    let t = p.add_thread(b"initial-thread")?;
    // Start-up handles: own process, root resource, own thread (docs/abi.md section 5); the
    // bootstrap handle comes with `start`.
    let mut regs = [0u64; 4];
    {
        let mut tbl = p.handles.lock();
        if let Err(s) = tbl.reserve(4) {
            drop(tbl);
            p.kill(0);
            return Err(s);
        }
        regs[1] = tbl
            .add(Handle::new(p.clone(), Rights::DEFAULT_PROCESS))
            .map_err(|e| e.0)
            .unwrap_or(0) as u64;
        if root {
            regs[2] = tbl
                .add(Handle::new(root_resource(), Rights::DEFAULT_RESOURCE))
                .map_err(|e| e.0)
                .unwrap_or(0) as u64;
        }
        regs[3] = tbl
            .add(Handle::new(t.clone(), Rights::DEFAULT_THREAD))
            .map_err(|e| e.0)
            .unwrap_or(0) as u64;
    }
    let mut frame = TrapFrame::new_user(elf.entry, STACK_TOP);
    frame.x[..4].copy_from_slice(&regs);
    Ok(Prepared {
        process: p,
        thread: t,
        frame,
    })
}

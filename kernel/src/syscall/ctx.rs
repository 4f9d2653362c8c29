//! The explicit context of a syscall: the calling process's handle table, its user memory and
//! the calling thread, handed to the handlers by `dispatch` instead of being looked up from
//! globals inside them. On the target the context is three borrowed references reached from the
//! per-CPU current-thread pointer (no lock, no reference count); on the host, tests build one
//! from a handle table, a fake address space and a fake thread (`testing`), so `cargo test`
//! runs the real handlers.

use crate::object::handle_table::HandleTable;
use crate::object::quota::Account;
use crate::object::{Handle, KernelObject, Wake};
use crate::vm::range::check_range;
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Mutex;
use zx_abi::{ObjType, Pod, Rights, Status};

/// What a handler may do with the caller's memory. Every method first rejects ranges that
/// overflow or leave the user half ([`check_range`]); a failed copy or check is `INVALID_ARGS`
/// and has no partial effect (nothing is copied unless every page allows the access).
pub trait UserMemory {
    /// Copies user `[va, va + out.len())` into `out`.
    fn copy_in(&self, va: u64, out: &mut [u8]) -> Result<(), Status>;
    /// Appends user `[va, va + len)` to `out`, whose capacity the caller reserved. On error
    /// `out` keeps its length. The default zero-fills first; the target copies straight into
    /// the spare capacity.
    fn copy_in_append(&self, va: u64, len: usize, out: &mut Vec<u8>) -> Result<(), Status> {
        let start = out.len();
        out.resize(start + len, 0);
        let r = self.copy_in(va, &mut out[start..]);
        if r.is_err() {
            out.truncate(start);
        }
        r
    }
    /// Copies `data` to user `[va, va + data.len())`.
    fn copy_out(&self, va: u64, data: &[u8]) -> Result<(), Status>;
    /// Checks that EL0 could read (`write == false`) or write `[va, va + len)`.
    fn check(&self, va: u64, len: u64, write: bool) -> Result<(), Status>;

    /// A non-NULL `u32` out-parameter checked writable ahead of the write it belongs with.
    type OutU32;
    /// Checks 4 writable bytes at `va` (not NULL) and keeps what the later write needs.
    fn prepare_u32(&self, va: u64) -> Result<Self::OutU32, Status>;
    /// Writes a prepared out-parameter. Cannot fail: the mappings of a running process do not
    /// change between `prepare_u32` and here.
    fn write_u32(&self, out: &Self::OutU32, v: u32);
}

/// How a [`Caller::block`] ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Woke {
    /// Something woke the thread (or had, since `prepare_wait`).
    Woken,
    /// The deadline passed first.
    TimedOut,
}

/// The calling thread, as far as a handler needs it: waiting, preemption points, the kill flag,
/// and the kernel memory it may still allocate.
pub trait Caller {
    /// What an object wakes when a wait of this thread's is satisfied.
    fn waker(&self) -> Arc<dyn Wake>;
    /// Clears a pending wake-up before the condition is polled.
    fn prepare_wait(&self);
    /// This thread blocks next (a call after writing its request): the thread its next wake
    /// makes runnable may take this core directly when it does. A hint: results are the same.
    fn handoff_next_wake(&self) {}
    /// Blocks until woken (a wake since `prepare_wait` returns at once) or until `deadline`
    /// (monotonic nanoseconds; `TIME_INFINITE`: never).
    fn block(&self, deadline: i64) -> Woke;
    /// The thread is being killed: a wait ends with `CANCELED`.
    fn killed(&self) -> bool;
    /// A preemption point (callers hold no spin lock).
    fn preempt_point(&self);
    /// `NO_MEMORY` unless `bytes` more kernel memory may be allocated.
    fn check_available(&self, bytes: u64) -> Result<(), Status>;
    /// The account the messages this thread writes are charged to (its process's).
    fn ipc_account(&self) -> Option<&Arc<Account>>;
}

/// The context of one syscall.
pub struct Ctx<'a, M, C> {
    /// The calling process's handle table.
    pub handles: &'a Mutex<HandleTable>,
    /// The calling process's address space.
    pub mem: &'a M,
    /// The calling thread.
    pub caller: &'a C,
}

/// [`check_long`](Ctx::check_long)'s step between preemption points.
const LONG_STEP: u64 = 1 << 20;

impl<M: UserMemory, C: Caller> Ctx<'_, M, C> {
    /// Reads one `T` from user memory.
    pub fn read<T: Pod>(&self, va: u64) -> Result<T, Status> {
        zx_abi::with_buf(T::SIZE, |b| {
            self.mem.copy_in(va, b)?;
            Ok(T::from_bytes(b))
        })
    }

    /// Writes one `T` to user memory.
    pub fn write<T: Pod>(&self, va: u64, v: &T) -> Result<(), Status> {
        zx_abi::with_buf(T::SIZE, |b| {
            v.to_bytes(b);
            self.mem.copy_out(va, b)
        })
    }

    /// Writes unless `va` is NULL (optional out-parameters).
    pub fn write_opt<T: Pod>(&self, va: u64, v: &T) -> Result<(), Status> {
        if va == 0 {
            Ok(())
        } else {
            self.write(va, v)
        }
    }

    /// Prepares an optional `u32` out-parameter (`None` for NULL).
    pub fn out_u32(&self, va: u64) -> Result<Option<M::OutU32>, Status> {
        if va == 0 {
            Ok(None)
        } else {
            self.mem.prepare_u32(va).map(Some)
        }
    }

    /// Writes an out-parameter from [`out_u32`](Self::out_u32), if there is one.
    pub fn put_u32(&self, out: &Option<M::OutU32>, v: u32) {
        if let Some(o) = out {
            self.mem.write_u32(o, v);
        }
    }

    /// [`UserMemory::check`] for ranges of any size: in 1 MiB steps with a preemption point
    /// between steps. Call it only where a preemption point may be.
    pub fn check_long(&self, va: u64, len: u64, write: bool) -> Result<(), Status> {
        check_range(va, len)?;
        let mut off = 0;
        while off < len {
            let n = (len - off).min(LONG_STEP);
            self.mem.check(va + off, n, write)?;
            off += n;
            self.caller.preempt_point();
        }
        Ok(())
    }

    /// Looks up `h`: its object, rights and serial (the table lock is not kept).
    pub fn lookup(&self, h: u32) -> Result<(Arc<dyn KernelObject>, Rights, u64), Status> {
        let t = self.handles.lock();
        let hd = t.get(h)?;
        Ok((hd.object().clone(), hd.rights(), hd.serial()))
    }

    /// Looks up `h`, checking its type and `rights` (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED).
    pub fn lookup_typed(
        &self,
        h: u32,
        ty: ObjType,
        rights: Rights,
    ) -> Result<Arc<dyn KernelObject>, Status> {
        let (o, r, _) = self.lookup(h)?;
        if o.obj_type() != ty {
            return Err(Status::WRONG_TYPE);
        }
        if !r.contains(rights) {
            return Err(Status::ACCESS_DENIED);
        }
        Ok(o)
    }

    /// Installs `h` and writes its value to `out`. If `out` cannot be written the handle is
    /// closed and the call fails with `INVALID_ARGS`.
    pub fn install_out(&self, h: Handle, out: u64) -> Result<(), Status> {
        let v = {
            let mut t = self.handles.lock();
            t.add(h).map_err(|(s, h)| {
                drop(t);
                drop(h);
                s
            })?
        };
        if let Err(s) = self.write(out, &v) {
            let h = self.handles.lock().remove(v);
            drop(h);
            return Err(s);
        }
        Ok(())
    }

    /// Installs two new handles and writes both values, or neither.
    pub fn install_pair(&self, a: Handle, b: Handle, out0: u64, out1: u64) -> Result<(), Status> {
        let (va, vb) = {
            let mut t = self.handles.lock();
            t.reserve(2)?;
            let va = t.add(a).map_err(|e| e.0)?;
            let vb = t.add(b).map_err(|e| e.0)?;
            (va, vb)
        };
        let w = self.write(out0, &va).and_then(|_| self.write(out1, &vb));
        if w.is_err() {
            let (x, y) = {
                let mut t = self.handles.lock();
                (t.remove(va), t.remove(vb))
            };
            drop(x);
            drop(y);
        }
        w
    }
}

#[cfg(target_os = "none")]
mod target {
    use super::{Caller, Ctx, Woke};
    use crate::object::Wake;
    use crate::sched::{self, Thread, WakeReason};
    use crate::vm::usercopy::UserAspace;
    use alloc::sync::Arc;
    use core::sync::atomic::Ordering;
    use zx_abi::Status;

    impl Caller for Thread {
        fn waker(&self) -> Arc<dyn Wake> {
            Thread::waker(self)
        }
        fn prepare_wait(&self) {
            sched::prepare_wait();
        }
        fn handoff_next_wake(&self) {
            sched::want_handoff();
        }
        fn block(&self, deadline: i64) -> Woke {
            match sched::block(super::super::deadline_ticks(deadline)) {
                WakeReason::Woken => Woke::Woken,
                WakeReason::TimedOut => Woke::TimedOut,
            }
        }
        fn killed(&self) -> bool {
            self.killed.load(Ordering::Acquire)
        }
        #[inline(always)]
        fn preempt_point(&self) {
            sched::preempt::maybe_preempt();
        }
        #[inline(always)]
        fn check_available(&self, bytes: u64) -> Result<(), Status> {
            crate::mm::check_available(bytes)
        }
        #[inline(always)]
        fn ipc_account(&self) -> Option<&Arc<crate::object::quota::Account>> {
            self.process.as_ref().map(|p| &p.ipc_account)
        }
    }

    /// The context of the syscall running on this core: the current thread, its process's table
    /// and address space, reached from the per-CPU pointer (no lock, no reference count).
    /// `BAD_STATE` on a thread without a process (syscalls always have one).
    #[inline(always)]
    pub fn with_current<R>(
        f: impl FnOnce(&Ctx<'_, UserAspace<'_>, Thread>) -> Result<R, Status>,
    ) -> Result<R, Status> {
        let t = sched::current_ref();
        let p = t.process.as_deref().ok_or(Status::BAD_STATE)?;
        let mem = UserAspace::new(p);
        f(&Ctx {
            handles: &p.handles,
            mem: &mem,
            caller: t,
        })
    }
}

#[cfg(target_os = "none")]
pub use target::with_current;

//! Kernel objects and handles: koids, signals and their observers, the handle type that counts
//! references per object, and the objects themselves (channel, event, eventpair). Pure logic:
//! it builds and is tested on the host.
//!
//! Lock order (outer first): process handle table -> channel state -> object signal state ->
//! scheduler. Handles are never dropped while a channel-state or signal lock is held: dropping
//! the last handle to an endpoint tears its queue down (see [`reaper`]).
//!
//! No `unsafe` here: the object layer is safe Rust, enforced below.

#![forbid(unsafe_code)]

pub mod channel;
pub mod event;
pub mod handle_table;
pub mod quota;
pub mod reaper;
pub mod stats;

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use spin::Mutex;
use zx_abi::{ObjType, Rights, Signals, Status};

/// A kernel object id (`zx_koid_t`): unique while the system runs, never reused; 0 means none.
pub type Koid = u64;

static NEXT_KOID: AtomicU64 = AtomicU64::new(1024);
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// A fresh kernel object id (never reused).
pub fn new_koid() -> Koid {
    NEXT_KOID.fetch_add(1, Ordering::Relaxed)
}

/// Two consecutive fresh koids, `k` and `k + 1`, for the two ends of a pair. One atomic step:
/// two separate `new_koid` calls could interleave with another core's and hand `k + 1` out
/// twice.
pub fn new_koid_pair() -> Koid {
    NEXT_KOID.fetch_add(2, Ordering::Relaxed)
}

/// A preemption point for long walks of the object layer: the scheduler's on the target,
/// nothing on the host. Callers hold no spin lock.
pub(crate) fn preempt_point() {
    #[cfg(target_os = "none")]
    crate::sched::preempt::maybe_preempt();
}

/// Something a signal change can wake: a thread blocked in a wait (the scheduler implements it;
/// host tests use a counter).
pub trait Wake: Send + Sync {
    /// Wakes the waiter so it checks its condition again. Called with the object's signal
    /// lock or the channel state lock held.
    fn wake(&self);
    /// Wakes a `zx_channel_call` whose reply was just handed to it (channel state lock held).
    /// The scheduler may let the replying thread give its core straight to the caller when
    /// its syscall ends (the reply's direct switch); anything else wakes as [`wake`](Self::wake).
    fn wake_caller(&self) {
        self.wake();
    }
}

struct Observer {
    waker: Arc<dyn Wake>,
    mask: Signals,
    /// Serial of the handle the wait was made through: closing it cancels the wait.
    handle_serial: u64,
}

struct SignalState {
    signals: Signals,
    observers: Vec<Observer>,
}

/// What every object has: its koid, how many handles refer to it, and its signals.
pub struct ObjHeader {
    koid: Koid,
    handle_count: AtomicU32,
    sig: Mutex<SignalState>,
    /// How many times a handle to this object left a process's table (closed, moved into a
    /// message, replaced): a wait compares it across its registration to learn cheaply whether
    /// its handle may have gone meanwhile.
    removals: AtomicU64,
}

impl ObjHeader {
    /// A header with a fresh koid, no handles and `initial` signals.
    pub fn new(initial: Signals) -> Self {
        Self::with_koid(new_koid(), initial)
    }

    /// As [`new`](Self::new), with a koid the caller took (e.g. one of a [`new_koid_pair`]).
    pub fn with_koid(koid: Koid, initial: Signals) -> Self {
        stats::LIVE_OBJECTS.fetch_add(1, Ordering::Relaxed);
        ObjHeader {
            koid,
            handle_count: AtomicU32::new(0),
            sig: Mutex::new(SignalState {
                signals: initial,
                observers: Vec::new(),
            }),
            removals: AtomicU64::new(0),
        }
    }

    /// The object's koid.
    pub fn koid(&self) -> Koid {
        self.koid
    }

    /// Handles to this object, in process tables and in queued messages.
    pub fn handle_count(&self) -> u32 {
        self.handle_count.load(Ordering::Relaxed)
    }

    /// The signals asserted now.
    pub fn signals(&self) -> Signals {
        self.sig.lock().signals
    }

    /// Clears then sets signals, waking every observer whose mask the new state meets.
    pub fn update_signals(&self, clear: Signals, set: Signals) {
        let mut s = self.sig.lock();
        let new = Signals((s.signals.0 & !clear.0) | set.0);
        if new == s.signals {
            return;
        }
        s.signals = new;
        for o in &s.observers {
            if o.mask.intersects(new) {
                o.waker.wake();
            }
        }
    }

    /// Registers `waker` for `mask` unless it is already met. Returns the current signals.
    pub fn observe(
        &self,
        waker: &Arc<dyn Wake>,
        mask: Signals,
        handle_serial: u64,
    ) -> Result<Signals, Status> {
        let mut s = self.sig.lock();
        if mask.intersects(s.signals) {
            return Ok(s.signals);
        }
        s.observers.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        s.observers.push(Observer {
            waker: waker.clone(),
            mask,
            handle_serial,
        });
        Ok(s.signals)
    }

    /// Removes the registration made by [`observe`](Self::observe); returns the signals now.
    pub fn unobserve(&self, waker: &Arc<dyn Wake>, handle_serial: u64) -> Signals {
        let mut s = self.sig.lock();
        if let Some(i) = s
            .observers
            .iter()
            .position(|o| o.handle_serial == handle_serial && Arc::ptr_eq(&o.waker, waker))
        {
            s.observers.swap_remove(i);
        }
        s.signals
    }

    /// How many handles to this object left a process's table (closed, moved into a message,
    /// replaced) so far. A wait reads it while its handle is known to be in the table, and
    /// again once it has registered: the same count means its handle is still there. A close
    /// counts before its [`cancel_waits`](Self::cancel_waits) takes the signal lock, so a wait
    /// that registers after that sees the new count, and one registered before is woken.
    pub fn removals(&self) -> u64 {
        self.removals.load(Ordering::Acquire)
    }

    /// A handle to this object left a process's table (`HandleTable::remove`, under the
    /// table's lock).
    pub fn note_removal(&self) {
        self.removals.fetch_add(1, Ordering::AcqRel);
    }

    /// Wakes waits made through the handle with `handle_serial` (it is being closed).
    pub fn cancel_waits(&self, handle_serial: u64) {
        let s = self.sig.lock();
        for o in s
            .observers
            .iter()
            .filter(|o| o.handle_serial == handle_serial)
        {
            o.waker.wake();
        }
    }
}

impl Drop for ObjHeader {
    fn drop(&mut self) {
        stats::LIVE_OBJECTS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A kernel object reachable through handles.
pub trait KernelObject: Any + Send + Sync {
    /// The object's header: koid, handle count and signals.
    fn header(&self) -> &ObjHeader;
    /// Its `ZX_OBJ_TYPE_*`.
    fn obj_type(&self) -> ObjType;
    /// The object as `dyn Any`, for `downcast_ref`.
    fn as_any(&self) -> &dyn Any;
    /// This object as a channel endpoint: one virtual call, cheaper than a `dyn Any`
    /// downcast on the IPC path.
    fn as_endpoint(&self) -> Option<&channel::Endpoint> {
        None
    }
    /// The peer's koid for paired objects, else 0.
    fn related_koid(&self) -> Koid {
        0
    }
    /// Called once when the last handle goes away.
    fn on_zero_handles(self: Arc<Self>) {}
    /// Signals `zx_object_signal` may change on this object.
    fn user_signal_mask(&self) -> Signals {
        Signals::USER_ALL
    }
    /// `zx_object_signal_peer`.
    fn signal_peer(&self, _clear: Signals, _set: Signals) -> Result<(), Status> {
        Err(Status::NOT_SUPPORTED)
    }
}

impl dyn KernelObject {
    /// The object as a `T`, if it is one.
    pub fn downcast_ref<T: KernelObject>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }
    /// The object's koid.
    pub fn koid(&self) -> Koid {
        self.header().koid()
    }
}

/// A reference to an object with rights. Creating one counts a handle on the object; dropping
/// the last one calls [`KernelObject::on_zero_handles`].
pub struct Handle {
    obj: Arc<dyn KernelObject>,
    rights: Rights,
    serial: u64,
}

impl Handle {
    /// A handle to `obj` with `rights`, under a fresh serial.
    pub fn new(obj: Arc<dyn KernelObject>, rights: Rights) -> Handle {
        obj.header().handle_count.fetch_add(1, Ordering::Relaxed);
        stats::LIVE_HANDLES.fetch_add(1, Ordering::Relaxed);
        Handle {
            obj,
            rights,
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The object it refers to.
    pub fn object(&self) -> &Arc<dyn KernelObject> {
        &self.obj
    }

    /// Its rights.
    pub fn rights(&self) -> Rights {
        self.rights
    }

    /// Its identity, never reused: waits made through this handle are registered under it, so
    /// closing the handle can cancel them.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// Whether it has every right in `r`.
    pub fn has(&self, r: Rights) -> bool {
        self.rights.contains(r)
    }

    /// A second handle to the same object with `rights`.
    pub fn duplicate(&self, rights: Rights) -> Handle {
        Handle::new(self.obj.clone(), rights)
    }

    /// This handle with new rights (a new handle identity: waits on the old one are cancelled).
    pub fn with_rights(mut self, rights: Rights) -> Handle {
        self.obj.header().cancel_waits(self.serial);
        self.rights = rights;
        self.serial = NEXT_SERIAL.fetch_add(1, Ordering::Relaxed);
        self
    }

    /// Resolves requested rights against the current ones: `SAME_RIGHTS` keeps them, a subset is
    /// granted, anything else is `INVALID_ARGS`.
    pub fn derive_rights(&self, requested: Rights) -> Result<Rights, Status> {
        if requested == Rights::SAME_RIGHTS {
            Ok(self.rights)
        } else if requested.is_subset_of(self.rights) {
            Ok(requested)
        } else {
            Err(Status::INVALID_ARGS)
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        stats::LIVE_HANDLES.fetch_sub(1, Ordering::Relaxed);
        self.obj.header().cancel_waits(self.serial);
        if self
            .obj
            .header()
            .handle_count
            .fetch_sub(1, Ordering::AcqRel)
            == 1
        {
            self.obj.clone().on_zero_handles();
        }
    }
}

#[cfg(test)]
mod model_tests;

#[cfg(test)]
pub(crate) mod testutil {
    use super::Wake;
    use core::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    pub struct CountingWaker(pub AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl CountingWaker {
        pub fn count(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }
}

//! Iterative teardown. Closing the last handle to an endpoint must destroy the messages queued to
//! it and close the handles they carry, which may close further endpoints, to any depth (a chain
//! of 10,000 channels each queued inside the previous one). Recursion would overflow the kernel
//! stack, so a closed endpoint is pushed on an intrusive stack (no allocation) that belongs to
//! the thread that closed it, and that thread drains it, one message at a time, with no channel
//! lock held while a message (and the handles in it) is dropped.
//!
//! The close itself drains a bounded amount ([`BURY_BUDGET`] messages): it may run anywhere a
//! handle is dropped, even with a lock held. The rest is drained before the thread returns to
//! EL0, blocks or exits ([`drain_all`]), where preemption points let other threads run: a
//! teardown of any size costs its thread time slices, never another thread's latency, and is
//! complete when the syscall that caused it returns.

use super::channel::Endpoint;
use alloc::sync::Arc;

/// Messages a close tears down on the spot; the rest waits for [`drain_all`]. On the host
/// (tests) everything is drained on the spot.
#[cfg(not(test))]
pub const BURY_BUDGET: Option<usize> = Some(16);
/// No budget on the host: a close tears every message down on the spot.
#[cfg(test)]
pub const BURY_BUDGET: Option<usize> = None;

/// Queues a closed endpoint for teardown and, unless this thread is already tearing down,
/// drains up to [`BURY_BUDGET`] messages.
pub fn bury(ep: Arc<Endpoint>) {
    slot::with_graveyard(|head| {
        *ep.next_dead.lock() = head.take();
        *head = Some(ep);
    });
    drain(BURY_BUDGET, false);
}

/// Finishes every teardown this thread started, with preemption points between messages. Call
/// with no spin lock held, on the thread's own syscall or exit path.
pub fn drain_all() {
    if slot::is_empty() {
        return;
    }
    drain(None, true);
}

/// [`drain_all`] without preemption points, for the rare teardown that happens while a thread
/// is being switched in (a process finishing in `finish_switch`).
pub fn drain_all_now() {
    if slot::is_empty() {
        return;
    }
    drain(None, false);
}

fn drain(budget: Option<usize>, preemptible: bool) {
    if !slot::enter() {
        return;
    }
    let mut left = budget;
    loop {
        let next = slot::with_graveyard(|head| {
            let top = head.take();
            if let Some(t) = &top {
                *head = t.next_dead.lock().take();
            }
            top
        });
        let Some(ep) = next else { break };
        loop {
            if left == Some(0) {
                // Out of budget: the endpoint goes back on top, for `drain_all`.
                slot::with_graveyard(|head| {
                    *ep.next_dead.lock() = head.take();
                    *head = Some(ep);
                });
                slot::leave();
                return;
            }
            let Some(msg) = ep.take_dead_message() else {
                break;
            };
            drop(msg); // may bury more endpoints: they go on the stack, not the call stack
            left = left.map(|n| n - 1);
            if preemptible {
                super::preempt_point();
            }
        }
        drop(ep);
        // Endpoints with nothing queued cost little each, but a queue may hold 65,000 of them.
        if preemptible {
            super::preempt_point();
        }
    }
    slot::leave();
}

#[cfg(not(test))]
mod slot {
    use super::Endpoint;
    use alloc::sync::Arc;
    use core::sync::atomic::Ordering;

    /// The current thread's stack of closed endpoints. Only that thread touches it.
    pub fn with_graveyard<R>(f: impl FnOnce(&mut Option<Arc<Endpoint>>) -> R) -> R {
        #[cfg(target_os = "none")]
        {
            let t = crate::sched::current_ref();
            let mut g = t.graveyard.lock();
            let r = f(&mut g);
            t.dead_pending.store(g.is_some(), Ordering::Relaxed);
            r
        }
        #[cfg(not(target_os = "none"))]
        {
            f(&mut None)
        }
    }
    /// Nothing to tear down (a flag: this runs on every return to EL0).
    pub fn is_empty() -> bool {
        #[cfg(target_os = "none")]
        {
            !crate::sched::current_ref()
                .dead_pending
                .load(Ordering::Relaxed)
        }
        #[cfg(not(target_os = "none"))]
        {
            true
        }
    }
    /// Marks this thread as draining; false if it already was.
    pub fn enter() -> bool {
        #[cfg(target_os = "none")]
        {
            !crate::sched::current_ref()
                .reaping
                .swap(true, Ordering::Acquire)
        }
        #[cfg(not(target_os = "none"))]
        {
            let _ = Ordering::Acquire;
            true
        }
    }
    pub fn leave() {
        #[cfg(target_os = "none")]
        crate::sched::current_ref()
            .reaping
            .store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod slot {
    use super::Endpoint;
    use alloc::sync::Arc;
    use std::cell::{Cell, RefCell};
    std::thread_local! {
        static GRAVEYARD: RefCell<Option<Arc<Endpoint>>> = const { RefCell::new(None) };
        static REAPING: Cell<bool> = const { Cell::new(false) };
    }
    pub fn with_graveyard<R>(f: impl FnOnce(&mut Option<Arc<Endpoint>>) -> R) -> R {
        GRAVEYARD.with(|g| f(&mut g.borrow_mut()))
    }
    pub fn is_empty() -> bool {
        GRAVEYARD.with(|g| g.borrow().is_none())
    }
    pub fn enter() -> bool {
        !REAPING.with(|r| r.replace(true))
    }
    pub fn leave() {
        REAPING.with(|r| r.set(false));
    }
}

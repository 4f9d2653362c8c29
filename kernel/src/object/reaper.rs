//! Iterative teardown. Closing the last handle to an endpoint must destroy the messages queued to
//! it and close the handles they carry, which may close further endpoints, to any depth (a chain
//! of 10,000 channels each queued inside the previous one). Recursion would overflow the kernel
//! stack, so a closed endpoint is pushed on an intrusive stack (no allocation) and the outermost
//! close on this CPU drains it, one message at a time, with no channel lock held while a message
//! (and the handles in it) is dropped.

use super::channel::Endpoint;
use alloc::sync::Arc;

/// Queues a closed endpoint for teardown and, unless this CPU is already tearing down, drains
/// the queue.
pub fn bury(ep: Arc<Endpoint>) {
    slot::with_graveyard(|head| {
        *ep.next_dead.lock() = head.take();
        *head = Some(ep);
    });
    if !slot::enter() {
        return;
    }
    loop {
        let next = slot::with_graveyard(|head| {
            let top = head.take();
            if let Some(t) = &top {
                *head = t.next_dead.lock().take();
            }
            top
        });
        let Some(ep) = next else { break };
        while let Some(msg) = ep.take_dead_message() {
            drop(msg); // may bury more endpoints: they go on the stack, not the call stack
        }
        drop(ep);
    }
    slot::leave();
}

#[cfg(not(test))]
mod slot {
    use super::Endpoint;
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicBool, Ordering};
    use spin::Mutex;
    const N: usize = bsp::cpu::boot::MAX_CPUS;
    /// Per CPU: the stack of closed endpoints and whether this CPU is draining it. A CPU drains
    /// only its own stack, so a close returns only after everything it closed is destroyed. The
    /// kernel is not preemptible, so a drain never moves to another CPU.
    static GRAVEYARD: [Mutex<Option<Arc<Endpoint>>>; N] = [const { Mutex::new(None) }; N];
    static REAPING: [AtomicBool; N] = [const { AtomicBool::new(false) }; N];
    fn cpu() -> usize {
        #[cfg(target_os = "none")]
        {
            bsp::cpu::cpu_index() % N
        }
        #[cfg(not(target_os = "none"))]
        {
            0
        }
    }
    pub fn with_graveyard<R>(f: impl FnOnce(&mut Option<Arc<Endpoint>>) -> R) -> R {
        f(&mut GRAVEYARD[cpu()].lock())
    }
    /// Marks this CPU as reaping; false if it already was.
    pub fn enter() -> bool {
        !REAPING[cpu()].swap(true, Ordering::Acquire)
    }
    pub fn leave() {
        REAPING[cpu()].store(false, Ordering::Release);
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
    pub fn enter() -> bool {
        !REAPING.with(|r| r.replace(true))
    }
    pub fn leave() {
        REAPING.with(|r| r.set(false));
    }
}

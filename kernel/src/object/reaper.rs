//! Iterative teardown. Closing the last handle to an endpoint must destroy the messages queued to
//! it and close the handles they carry, which may close further endpoints, to any depth (a chain
//! of 10,000 channels each queued inside the previous one). Recursion would overflow the kernel
//! stack, so a closed endpoint is pushed on an intrusive stack (no allocation) and the outermost
//! close on this CPU drains it, one message at a time, with no channel lock held while a message
//! (and the handles in it) is dropped.

use super::channel::Endpoint;
use alloc::sync::Arc;
use spin::Mutex;

static GRAVEYARD: Mutex<Option<Arc<Endpoint>>> = Mutex::new(None);

#[cfg(not(test))]
mod flag {
    use core::sync::atomic::{AtomicBool, Ordering};
    const N: usize = bsp::cpu::boot::MAX_CPUS;
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
    /// Marks this CPU as reaping; false if it already was.
    pub fn enter() -> bool {
        !REAPING[cpu()].swap(true, Ordering::Acquire)
    }
    pub fn leave() {
        REAPING[cpu()].store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod flag {
    use std::cell::Cell;
    std::thread_local!(static REAPING: Cell<bool> = const { Cell::new(false) });
    pub fn enter() -> bool {
        !REAPING.with(|r| r.replace(true))
    }
    pub fn leave() {
        REAPING.with(|r| r.set(false));
    }
}

/// Queues a closed endpoint for teardown and, unless this CPU is already tearing down, drains
/// the queue.
pub fn bury(ep: Arc<Endpoint>) {
    {
        let mut head = GRAVEYARD.lock();
        *ep.next_dead.lock() = head.take();
        *head = Some(ep);
    }
    if !flag::enter() {
        return;
    }
    loop {
        let next = {
            let mut head = GRAVEYARD.lock();
            let top = head.take();
            if let Some(t) = &top {
                *head = t.next_dead.lock().take();
            }
            top
        };
        let Some(ep) = next else { break };
        while let Some(msg) = ep.take_dead_message() {
            drop(msg); // may bury more endpoints: they go on the stack, not the call stack
        }
        drop(ep);
    }
    flag::leave();
}

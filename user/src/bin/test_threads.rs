//! Threads: create, start, join; a thread spinning forever at EL0 does not stop the others.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU64, Ordering};
use zx::test::*;
use zx::*;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn add(n: usize) {
    for _ in 0..n {
        COUNTER.fetch_add(1, Ordering::Relaxed);
    }
}

fn threads_run_and_join() {
    COUNTER.store(0, Ordering::Relaxed);
    let ts: [_; 8] = core::array::from_fn(|_| start(add, 1000));
    for t in ts {
        join(t);
    }
    check_eq!(COUNTER.load(Ordering::Relaxed), 8000);
}

static STOP: AtomicU64 = AtomicU64::new(0);
fn spin(_: usize) {
    while STOP.load(Ordering::Relaxed) == 0 {
        core::hint::spin_loop();
    }
}

fn spinning_thread_is_preempted() {
    STOP.store(0, Ordering::Relaxed);
    let t = start(spin, 0);
    // We still get to run (and sleep, and wake) while the spinner spins.
    for _ in 0..5 {
        sleep_ns(1_000_000);
    }
    STOP.store(1, Ordering::Relaxed);
    join(t);
}

zx::tests!(threads_run_and_join, spinning_thread_is_preempted,);

//! Preemption points, and the measure of how long each core runs with interrupts masked.
//!
//! The kernel runs with IRQs masked, so the longest stretch between two moments where a core
//! can take an interrupt is the longest time it cannot switch threads. Work that grows with
//! user input (closing millions of handles, tearing down a deep nest, zeroing a large image)
//! calls [`maybe_preempt`] between bounded steps: once the core has been masked for
//! [`CHECK_NS`], it opens a window for pending interrupts and, if the timer or a reschedule SGI
//! asked for it, gives the core to the next runnable thread. The caller pays with its own time
//! slices; nobody else waits.
//!
//! Like Linux's irqsoff tracer, each core records its longest masked stretch: it starts when
//! the core enters the kernel (or closes an interrupt window) and ends when it returns to EL0,
//! opens a window, or sleeps in `wfi`. `ZX_INFO_CPU_STATS` reports it per core.

use bsp::cpu::boot::MAX_CPUS;
use bsp::drivers::timer;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How long a core may run masked before a preemption point opens a window (the documented
/// bound, 1 ms, leaves room for the longest bounded step after the check).
pub const CHECK_NS: u64 = 200_000;

static MASKED_SINCE: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
static LONGEST: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
static RESCHED: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
static CHECK_TICKS: AtomicU64 = AtomicU64::new(u64::MAX);

fn cpu() -> usize {
    bsp::cpu::cpu_index() % MAX_CPUS
}

/// Sets the check interval once the timer frequency is known.
pub fn init() {
    CHECK_TICKS.store(
        crate::timer::ns_to_ticks(CHECK_NS).max(1),
        Ordering::Relaxed,
    );
}

/// The core has just masked interrupts (kernel entry, or the end of a window).
#[inline]
pub fn masked_begin() {
    MASKED_SINCE[cpu()].store(timer::ticks_relaxed(), Ordering::Relaxed);
}

/// The core is about to become interruptible (return to EL0, a window, `wfi`).
#[inline]
pub fn masked_end() {
    let c = cpu();
    let d = timer::ticks_relaxed().saturating_sub(MASKED_SINCE[c].load(Ordering::Relaxed));
    // A plain compare first keeps the common case cheap (a reset only lowers the record).
    if d > LONGEST[c].load(Ordering::Relaxed) {
        LONGEST[c].fetch_max(d, Ordering::Relaxed);
    }
}

/// An interrupt taken inside a window asked for a reschedule.
pub fn request_resched() {
    RESCHED[cpu()].store(true, Ordering::Relaxed);
}

/// Longest masked stretch of core `c` in nanoseconds since the last reset.
pub fn longest_ns(c: usize) -> u64 {
    let t = LONGEST.get(c).map_or(0, |l| l.load(Ordering::Relaxed));
    timer::ticks_to_ns(t, crate::timer::frequency())
}

/// Forgets every core's longest stretch.
pub fn reset() {
    for l in &LONGEST {
        l.store(0, Ordering::Relaxed);
    }
}

/// A preemption point: call between bounded steps of long work, with no spin lock held, on
/// the kernel stack of a user thread (a syscall, or a thread's own exit). Cheap when the core
/// has not been masked for long.
#[inline]
pub fn maybe_preempt() {
    let c = cpu();
    let since = MASKED_SINCE[c].load(Ordering::Relaxed);
    if timer::ticks_relaxed().saturating_sub(since) >= CHECK_TICKS.load(Ordering::Relaxed) {
        preempt_now();
    }
}

/// Opens a window for pending interrupts and switches away if one asked for it.
#[inline(never)]
pub fn preempt_now() {
    if super::current_ref().process.is_none() {
        // The idle thread (a process teardown finishing on an idle core) is never preempted.
        return;
    }
    // A thread kept for this core by a wake joins the queue: this work may go on a while.
    super::flush_handoff();
    masked_end();
    bsp::cpu::take_pending_interrupts();
    masked_begin();
    if RESCHED[cpu()].swap(false, Ordering::Relaxed) {
        super::schedule(true);
    }
}

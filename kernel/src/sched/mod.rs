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
mod runqueue;
mod switch;
mod thread;

pub use runqueue::{
    current, current_process, current_process_ref, current_ref, end_of_syscall, flush_handoff,
    idle_loop, init_cpu, online_cpus, poke, prepare_wait, timer_tick, wake, wake_caller,
    want_handoff, SCHED_LOCK_WAITS, SWITCHES, USER_RUNS,
};
pub use switch::{block, exit_current, finish_switch, schedule, thread_first_run};
pub use thread::{RunState, Thread, WakeReason};

use bsp::cpu::boot::MAX_CPUS;
use core::sync::atomic::{AtomicU64, Ordering};

/// Kernel stack per thread: 16 KiB (teardown is iterative, syscalls are shallow).
pub const KSTACK_FRAMES: usize = 4;
const KSTACK_SIZE: u64 = KSTACK_FRAMES as u64 * crate::mm::PAGE_SIZE;
/// Time slice.
pub const SLICE_NS: u64 = 10_000_000;

/// [`slice_ticks`], once the counter frequency is known (0 before).
static SLICE_TICKS: AtomicU64 = AtomicU64::new(0);

/// A time slice in counter ticks. Worked out once: every switch needs it, and the conversion
/// divides a 128-bit product.
pub fn slice_ticks() -> u64 {
    let t = SLICE_TICKS.load(Ordering::Relaxed);
    if t != 0 {
        return t;
    }
    let t = crate::timer::ns_to_ticks(SLICE_NS);
    if crate::timer::frequency() != 0 {
        SLICE_TICKS.store(t.max(1), Ordering::Relaxed);
    }
    t.max(1)
}

fn cpu() -> usize {
    bsp::cpu::cpu_index() % MAX_CPUS
}

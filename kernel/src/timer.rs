//! The monotonic clock and each core's timer deadline: the counter's frequency, conversions
//! between nanoseconds and counter ticks, `zx_clock_get_monotonic`, and arming this core's timer
//! for the earliest thing it waits for (the end of a time slice or a sleeper's deadline). The
//! scheduler decides the deadlines; this module only keeps and programs them.

use bsp::cpu::boot::MAX_CPUS;
use bsp::drivers::timer;
use core::sync::atomic::{AtomicU64, Ordering};

static FREQ: AtomicU64 = AtomicU64::new(62_500_000);
static ARMED: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(u64::MAX) }; MAX_CPUS];

/// Boot core: reads the counter's frequency.
pub fn init() {
    FREQ.store(timer::frequency(), Ordering::Relaxed);
}

fn cpu() -> usize {
    bsp::cpu::cpu_index() % MAX_CPUS
}

/// Counter frequency in Hz.
pub fn frequency() -> u64 {
    FREQ.load(Ordering::Relaxed)
}

/// Nanoseconds to counter ticks, saturating.
pub fn ns_to_ticks(ns: u64) -> u64 {
    timer::ns_to_ticks(ns, frequency())
}

/// Monotonic time in nanoseconds (`zx_clock_get_monotonic`).
pub fn monotonic_ns() -> i64 {
    timer::ticks_to_ns(timer::ticks(), frequency()).min(i64::MAX as u64) as i64
}

/// Programs this core's timer for `deadline` ticks.
pub fn arm(deadline: u64) {
    ARMED[cpu()].store(deadline, Ordering::Relaxed);
    timer::set_deadline(deadline);
}

/// Brings this core's timer forward to `deadline` if it is armed later.
pub fn arm_before(deadline: u64) {
    if deadline < ARMED[cpu()].load(Ordering::Relaxed) {
        arm(deadline);
    }
}

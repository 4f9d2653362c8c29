//! Interrupts: the GIC shared by all cores, the per-core timer interrupt (handed to the
//! scheduler's tick), the UART receive interrupt, and the reschedule SGI.

use bsp::cpu::boot::MAX_CPUS;
use bsp::drivers::gic::{Gic, GicConfig, SPURIOUS};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use spin::Once;

static GIC: Once<Gic> = Once::new();
static TIMER_INTID: AtomicU32 = AtomicU32::new(bsp::board::TIMER_IRQ);
static UART_INTID: AtomicU32 = AtomicU32::new(u32::MAX);
static MPIDR: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(u64::MAX) }; MAX_CPUS];
/// Timer interrupts taken per core (boot self-test: the tick advances).
pub static TICKS: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

/// SGI used to wake an idle core or make a core re-check its current thread.
const SGI_RESCHEDULE: u32 = 0;

/// Boot core: distributor set-up.
///
/// # Safety
/// `config` must name mapped GIC frames.
pub unsafe fn init(config: GicConfig, timer_intid: u32, uart_intid: Option<u32>) {
    // SAFETY: forwarded contract.
    let mut g = unsafe { Gic::new(config) };
    g.init_distributor();
    GIC.call_once(|| g);
    TIMER_INTID.store(timer_intid, Ordering::Relaxed);
    if let Some(u) = uart_intid {
        UART_INTID.store(u, Ordering::Relaxed);
    }
}

/// The GIC's architecture version (0 without one).
pub fn gic_version() -> u32 {
    GIC.get().map_or(0, |g| g.version())
}

fn cpu() -> usize {
    bsp::cpu::cpu_index() % MAX_CPUS
}

/// Every core: its CPU interface / redistributor and the interrupts it takes. False if there is
/// no GIC.
pub fn init_cpu() -> bool {
    let c = cpu();
    MPIDR[c].store(bsp::cpu::mpidr(), Ordering::Relaxed);
    let Some(g) = GIC.get() else { return false };
    g.init_cpu(c, bsp::cpu::mpidr());
    g.enable(c, SGI_RESCHEDULE);
    g.enable(c, TIMER_INTID.load(Ordering::Relaxed));
    if c == 0 {
        let u = UART_INTID.load(Ordering::Relaxed);
        if u != u32::MAX {
            g.enable(c, u);
        }
    }
    true
}

/// Pokes core `c` (reschedule SGI).
pub fn send_reschedule(c: usize) {
    let Some(g) = GIC.get() else { return };
    let m = MPIDR.get(c).map_or(u64::MAX, |m| m.load(Ordering::Relaxed));
    if m != u64::MAX {
        g.send_sgi(c, m, SGI_RESCHEDULE);
    }
}

/// Handles every pending interrupt; a timer interrupt calls `on_timer` (the scheduler's tick),
/// which says whether the current thread's slice is over. Returns whether the current thread
/// should give up the core.
pub fn handle(on_timer: fn() -> bool) -> bool {
    let Some(g) = GIC.get() else { return false };
    let mut resched = false;
    loop {
        let id = g.ack();
        if id == SPURIOUS || id >= 1020 {
            break;
        }
        if id == TIMER_INTID.load(Ordering::Relaxed) {
            TICKS[cpu()].fetch_add(1, Ordering::Relaxed);
            resched |= on_timer();
        } else if id == UART_INTID.load(Ordering::Relaxed) {
            crate::console::handle_rx_irq();
        } else if id == SGI_RESCHEDULE {
            resched = true;
        }
        g.eoi(id);
    }
    resched
}

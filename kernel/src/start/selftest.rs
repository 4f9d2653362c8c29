//! Boot self-tests: the frame allocator and the heap round trip, memcpy and memset, the timer ticks, and the UART
//! receive path (where the UART model loops back). Reported on the console, fatal on failure.

use super::run_end::finish_run;
use crate::{irq, kprintln, mm};
use core::sync::atomic::Ordering;

/// Runs the self-tests on the boot core; ends the run with 253 if one fails.
pub fn run() {
    let mut ok = true;
    // Frame allocator round trip.
    let before = mm::free_bytes();
    let f = mm::alloc_frames(8);
    if let Some(pa) = f {
        mm::free_frames(pa, 8);
    }
    ok &= f.is_some() && mm::free_bytes() == before;
    // Heap round trip.
    let used = mm::heap::used_bytes();
    {
        let mut v: alloc::vec::Vec<u64> = alloc::vec::Vec::new();
        ok &= v.try_reserve(100_000).is_ok();
        v.resize(100_000, 7);
        ok &= v.iter().sum::<u64>() == 700_000;
    }
    ok &= mm::heap::used_bytes() == used;
    // The kernel's own memcpy and memset, every size and alignment that matters.
    let mem = bsp::mem::self_test();
    kprintln!(
        "  selftest memcpy+memset {}",
        if mem { "ok" } else { "FAILED" }
    );
    ok &= mem;
    // The timer ticks: wait for two interrupts on this core (IRQs unmasked in the wait).
    let t0 = irq::TICKS[0].load(Ordering::Relaxed);
    let limit = bsp::drivers::timer::ticks() + crate::timer::frequency();
    while irq::TICKS[0].load(Ordering::Relaxed) < t0 + 2 && bsp::drivers::timer::ticks() < limit {
        bsp::cpu::wait_for_interrupt();
    }
    let ticked = irq::TICKS[0].load(Ordering::Relaxed) >= t0 + 2;
    ok &= ticked;
    // UART receive path: loopback through the receive interrupt into the input ring.
    let limit = bsp::drivers::timer::ticks() + crate::timer::frequency() / 10;
    // The probe is carriage returns: invisible on a terminal if the model also transmits them.
    let uart = crate::console::loopback_test(b"\r\r\r", || {
        bsp::cpu::wait_for_interrupt();
        bsp::drivers::timer::ticks() < limit
    });
    kprintln!(
        "  selftest uart loopback {}",
        if uart {
            "ok"
        } else {
            "not available (no loopback in this UART model)"
        }
    );
    kprintln!(
        "  selftest frames+heap {} timer {}",
        if ok || !ticked { "ok" } else { "FAILED" },
        if ticked { "ok" } else { "FAILED" }
    );
    if !ok {
        kprintln!("kernel: boot self-test failed");
        finish_run(253);
    }
}

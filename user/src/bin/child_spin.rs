//! Child of test_process: spins at EL0 without any system call, reading the clock from
//! `CNTVCT_EL0`, until 200 ms have passed; then exits with 0 (1 if the counter went backwards).
#![no_std]
#![no_main]

use zx::test::{cntfrq, cntvct};
use zx::*;

zx::entry!(main);

/// How long to spin.
const SPIN_MS: u64 = 200;

fn main(_a: StartArgs) -> i64 {
    let start = cntvct();
    let end = start + cntfrq() * SPIN_MS / 1000;
    let mut last = start;
    loop {
        let t = cntvct();
        if t < last {
            return 1;
        }
        last = t;
        if t >= end {
            return 0;
        }
        core::hint::spin_loop();
    }
}

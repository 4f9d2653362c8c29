//! Child of test_fp: the answering side of an FP ping-pong on the event pair end it gets as its
//! bootstrap handle (`x0`). For each of 100 holds it loads its own pattern into q0..q31, FPCR
//! and FPSR, answers two rounds without touching FP, and checks the registers. Exits with 0 if
//! all came back intact, 1000 + the number of bad holds if not, 2 if a syscall failed.
#![no_std]
#![no_main]

#[path = "fp_shared/mod.rs"]
mod fp_shared;

use fp_shared::*;
use zx::*;

zx::entry!(main);

fn main(args: StartArgs) -> i64 {
    let h = args.bootstrap;
    let mut bad = 0;
    for i in 0..100 {
        let (regs, calls) = hold_rounds(
            h,
            false,
            &Fp::pattern(40_000 + i),
            deadline_after(30_000_000_000),
        );
        if !regs {
            bad += 1;
        }
        if !calls {
            return 2;
        }
    }
    if bad == 0 {
        0
    } else {
        1000 + bad
    }
}

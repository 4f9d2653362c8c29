//! Child for the bounds check: an image whose `.bss` (300 MiB) is larger than the memory of the
//! boards the suite runs on, so `zx_process_spawn` must fail with `NO_MEMORY`, quickly, without
//! zeroing every free frame first. Should it ever start, it exits with 1.
#![no_std]
#![no_main]

use zx::*;

zx::entry!(main);

static mut BIG: [u8; 300 << 20] = [0; 300 << 20];

fn main(_args: StartArgs) -> i64 {
    // SAFETY: only this thread touches BIG; the read keeps it from being optimised away.
    let b = unsafe { core::ptr::read_volatile(core::ptr::addr_of!(BIG[4096])) };
    1 + i64::from(b)
}

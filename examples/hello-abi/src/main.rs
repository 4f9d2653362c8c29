//! Says hello through zx_debug_write (40), creates a channel (10), writes and reads a message
//! (13, 11), and exits with zx_process_exit (30) with code 42 if the message came back intact.
#![no_std]
#![no_main]

use core::arch::asm;

fn svc(nr: u64, a: [u64; 8]) -> u64 {
    let r: u64;
    // SAFETY: docs/abi.md section 1: number in x16, arguments in x0..x7, result in x0; only x0, x16
    // and x17 are clobbered.
    unsafe {
        asm!("svc #0", in("x16") nr, inlateout("x0") a[0] => r, in("x1") a[1], in("x2") a[2],
             in("x3") a[3], in("x4") a[4], in("x5") a[5], in("x6") a[6], in("x7") a[7],
             lateout("x17") _, options(nostack));
    }
    r
}

#[no_mangle]
#[link_section = ".text._start"]
pub extern "C" fn _start() -> ! {
    let hello = b"hello from a program built against abi.md alone\n";
    svc(40, [hello.as_ptr() as u64, hello.len() as u64, 0, 0, 0, 0, 0, 0]);
    let (mut a, mut b) = (0u32, 0u32);
    let mut ok = svc(10, [0, &mut a as *mut u32 as u64, &mut b as *mut u32 as u64, 0, 0, 0, 0, 0]) == 0;
    let msg = *b"ping";
    ok &= svc(13, [a as u64, 0, msg.as_ptr() as u64, 4, 0, 0, 0, 0]) == 0;
    let mut got = [0u8; 4];
    let (mut nb, mut nh) = (0u32, 0u32);
    ok &= svc(11, [b as u64, 0, got.as_mut_ptr() as u64, 0, 4, 0, &mut nb as *mut u32 as u64, &mut nh as *mut u32 as u64]) == 0;
    ok &= got == msg && nb == 4 && nh == 0;
    svc(30, [if ok { 42 } else { 1 }, 0, 0, 0, 0, 0, 0, 0]);
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    svc(30, [2, 0, 0, 0, 0, 0, 0, 0]);
    loop {}
}

//! Child of test_process: thread life cycles. The first byte of the bootstrap message picks:
//! - `c`: create and start a thread in its own process with raw `zx_thread_create` /
//!   `zx_thread_start`; the thread writes `thread` + its x0 and x1 (u64 LE each) on the
//!   bootstrap channel and exits; main joins it and exits 0 (or 60 + step on failure).
//! - `T`: the only thread calls `zx_thread_exit`.
//! - `u`: creates a thread (never started, handle kept), then the only running thread calls
//!   `zx_thread_exit`.
//! - `t`: main starts a thread that sleeps 20 ms, writes `late` and calls `zx_thread_exit`;
//!   main calls `zx_thread_exit` at once.
//! - `p`: one thread writes `tick` every millisecond forever, another calls
//!   `zx_process_exit(9)` after 20 ms, and main spins forever at EL0.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};
use zx::*;

zx::entry!(main);

static CH: AtomicU32 = AtomicU32::new(0);

#[repr(C, align(16))]
struct Stack([u8; 16384]);
static mut STACK: Stack = Stack([0; 16384]);

extern "C" fn raw_entry(arg1: u64, arg2: u64) -> ! {
    let mut b = [0u8; 22];
    b[..6].copy_from_slice(b"thread");
    b[6..14].copy_from_slice(&arg1.to_le_bytes());
    b[14..22].copy_from_slice(&arg2.to_le_bytes());
    let ch = CH.load(Ordering::Relaxed);
    raw::channel_write(ch, 0, b.as_ptr(), b.len() as u32, core::ptr::null(), 0);
    raw::thread_exit()
}

fn create_and_start(a: &StartArgs) -> i64 {
    let mut h = 0u32;
    let name = b"child-worker";
    if raw::thread_create(a.process, name.as_ptr(), name.len(), 0, &mut h) != 0 {
        return 61;
    }
    // Only the address of the stack is taken; the new thread is its only user.
    let top = (&raw mut STACK) as usize + 16384;
    let entry = raw_entry as *const () as usize;
    if raw::thread_start(h, entry, top, 0x1234_5678_9abc, 0xfeed) != 0 {
        return 62;
    }
    let mut obs = 0;
    let s = raw::object_wait_one(
        h,
        Signals::TASK_TERMINATED.bits(),
        deadline_after(10_000_000_000),
        &mut obs,
    );
    if s != 0 {
        return 63;
    }
    raw::handle_close(h);
    0
}

fn late(_: usize) {
    sleep_ns(20_000_000);
    let ch = CH.load(Ordering::Relaxed);
    raw::channel_write(ch, 0, b"late".as_ptr(), 4, core::ptr::null(), 0);
}

fn ticker(_: usize) {
    let ch = CH.load(Ordering::Relaxed);
    loop {
        raw::channel_write(ch, 0, b"tick".as_ptr(), 4, core::ptr::null(), 0);
        sleep_ns(1_000_000);
    }
}

fn exiter(_: usize) {
    sleep_ns(20_000_000);
    raw::process_exit(9);
}

fn main(a: StartArgs) -> i64 {
    CH.store(a.bootstrap, Ordering::Relaxed);
    let ch = Channel(Handle::from_raw(a.bootstrap));
    let m = match ch.read_wait(deadline_after(10_000_000_000)) {
        Ok(m) => m,
        Err(_) => return 90,
    };
    // The threads use the channel by value; it stays open until the process ends.
    let _ = ch.0.into_raw();
    match m.bytes[0] {
        b'c' => create_and_start(&a),
        b'T' => raw::thread_exit(),
        b'u' => {
            let mut h = 0u32;
            if raw::thread_create(a.process, b"idle".as_ptr(), 4, 0, &mut h) != 0 {
                return 66;
            }
            raw::thread_exit()
        }
        b't' => {
            match thread::spawn(late, 0) {
                // Keep the thread handle open: only the thread's own exit should end it.
                Ok(t) => core::mem::forget(t),
                Err(_) => return 64,
            }
            raw::thread_exit()
        }
        b'p' => {
            for f in [ticker as fn(usize), exiter] {
                match thread::spawn(f, 0) {
                    Ok(t) => core::mem::forget(t),
                    Err(_) => return 65,
                }
            }
            #[allow(clippy::empty_loop)]
            loop {
                core::hint::spin_loop();
            }
        }
        _ => 92,
    }
}

//! IPC benchmarks: instructions per operation (under `make bench`, QEMU runs with
//! `-icount shift=0` and `-cpu max`, so one CNTVCT tick is one guest instruction). Prints a
//! table; the figures are kept in docs/performance.md.
#![no_std]
#![no_main]

use core::arch::asm;
use zx::*;

zx::entry!(main);

fn ticks() -> u64 {
    let t: u64;
    // SAFETY: CNTVCT_EL0 is readable at EL0 (docs/abi.md section 5).
    unsafe { asm!("isb", "mrs {0}, cntvct_el0", out(reg) t, options(nostack)) };
    t
}

fn freq() -> u64 {
    let f: u64;
    // SAFETY: CNTFRQ_EL0 is readable at EL0.
    unsafe { asm!("mrs {0}, cntfrq_el0", out(reg) f, options(nostack)) };
    f
}

/// Runs `f` `iters` times after a warm-up and returns ticks per iteration.
fn measure(iters: u64, mut f: impl FnMut()) -> u64 {
    for _ in 0..iters / 10 + 1 {
        f();
    }
    let t0 = ticks();
    for _ in 0..iters {
        f();
    }
    (ticks() - t0) / iters
}

fn report(name: &str, per_op: u64) {
    println!("| {:<56} | {:>10} |", name, per_op);
}

static mut BUF: [u8; 65536] = [0; 65536];
// Buffers for the unaligned 64 KiB row, used from 1 and 7 bytes past a page boundary (the
// alignment makes those offsets exact): both ends mid-word and every page crossing mid-page.
#[repr(C, align(4096))]
struct PageAligned([u8; 65536 + 4096]);
static mut SRC_U: PageAligned = PageAligned([0; 65536 + 4096]);
static mut DST_U: PageAligned = PageAligned([0; 65536 + 4096]);

fn echo_thread(h: usize) {
    let ch = Channel(Handle::from_raw(h as u32));
    let mut buf = [0u8; 64];
    let mut hs = [0u32; 1];
    loop {
        if ch.wait_message(TIME_INFINITE).is_err() {
            break;
        }
        match ch.read_into(&mut buf, &mut hs) {
            Ok((n, nh)) => {
                if ch.write(&buf[..n as usize], &hs[..nh as usize]).is_err() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
}

fn round_trip(ch: &Channel, msg: &[u8]) {
    let mut buf = [0u8; 64];
    let mut hs = [0u32; 1];
    let _ = ch.write(msg, &[]);
    let _ = ch.0.wait_one(Signals::CHANNEL_READABLE, TIME_INFINITE);
    let _ = ch.read_into(&mut buf, &mut hs);
}

fn main(_args: StartArgs) -> i64 {
    let f = freq();
    println!(
        "bench: counter at {} Hz (under -icount shift=0 with -cpu max, 1 tick = 1 instruction)",
        f
    );
    println!("| {:<56} | {:>10} |", "operation", "ticks/op");
    println!("|{:-<58}|{:->12}|", "", "");
    let n = 2000;

    report(
        "null syscall (zx_handle_close(ZX_HANDLE_INVALID))",
        measure(n, || {
            raw::handle_close(HANDLE_INVALID);
        }),
    );
    report(
        "zx_clock_get_monotonic",
        measure(n, || {
            raw::clock_get_monotonic();
        }),
    );

    let (a, b) = Channel::create().unwrap_or_else(|_| raw::process_exit(1));
    let msg = [7u8; 64];
    let mut buf = [0u8; 64];
    let mut hs = [0u32; 4];
    report(
        "channel write+read 64 B, same thread",
        measure(n, || {
            let _ = a.write(&msg, &[]);
            let _ = b.read_into(&mut buf, &mut hs);
        }),
    );
    let e = Event::create().unwrap_or_else(|_| raw::process_exit(1));
    let mut ev = e.0.into_raw();
    report(
        "channel write+read 64 B + 1 handle, same thread",
        measure(n, || {
            let _ = a.write(&msg, &[ev]);
            if let Ok((_, 1)) = b.read_into(&mut buf, &mut hs) {
                ev = hs[0];
            }
        }),
    );
    raw::handle_close(ev);
    let iov = [
        ChannelIovec {
            buffer: msg.as_ptr() as u64,
            capacity: 32,
            reserved: 0,
        },
        ChannelIovec {
            buffer: msg.as_ptr() as u64 + 32,
            capacity: 32,
            reserved: 0,
        },
    ];
    report(
        "channel write (2 iovecs, 64 B)+read, same thread",
        measure(n, || {
            raw::channel_write(
                a.raw(),
                CHANNEL_WRITE_USE_IOVEC,
                iov.as_ptr() as *const u8,
                2,
                core::ptr::null(),
                0,
            );
            let _ = b.read_into(&mut buf, &mut hs);
        }),
    );
    // SAFETY: single-threaded use of the static buffer.
    let big = unsafe { core::slice::from_raw_parts_mut((&raw mut BUF).cast::<u8>(), 65536) };
    report(
        "channel write+read 64 KiB, same thread",
        measure(200, || {
            raw::channel_write(a.raw(), 0, big.as_ptr(), 65536, core::ptr::null(), 0);
            let (mut ab, mut ah) = (0, 0);
            raw::channel_read(
                b.raw(),
                0,
                big.as_mut_ptr(),
                hs.as_mut_ptr(),
                65536,
                4,
                &mut ab,
                &mut ah,
            );
        }),
    );
    // SAFETY: single-threaded use of the static buffers; both slices stay inside them.
    let (src, dst) = unsafe {
        (
            core::slice::from_raw_parts((&raw const SRC_U).cast::<u8>().add(1), 65536),
            core::slice::from_raw_parts_mut((&raw mut DST_U).cast::<u8>().add(7), 65536),
        )
    };
    report(
        "channel write+read 64 KiB, unaligned buffers (+1, +7)",
        measure(200, || {
            raw::channel_write(a.raw(), 0, src.as_ptr(), 65536, core::ptr::null(), 0);
            let (mut ab, mut ah) = (0, 0);
            raw::channel_read(
                b.raw(),
                0,
                dst.as_mut_ptr(),
                hs.as_mut_ptr(),
                65536,
                4,
                &mut ab,
                &mut ah,
            );
        }),
    );

    // Ping-pong with a thread of this process.
    let (c, d) = Channel::create().unwrap_or_else(|_| raw::process_exit(1));
    let t = thread::spawn(echo_thread, d.0.into_raw() as usize).ok();
    report(
        "ping-pong 64 B round trip, two threads",
        measure(n, || round_trip(&c, &msg)),
    );
    drop(c);
    if let Some(t) = t {
        let _ = t.join(TIME_INFINITE);
    }

    // Ping-pong with another process.
    let (c, d) = Channel::create().unwrap_or_else(|_| raw::process_exit(1));
    let p = Process::spawn("bench_echo", Some(d.0));
    report(
        "ping-pong 64 B round trip, two processes",
        measure(n, || round_trip(&c, &msg)),
    );
    let mut req = [0u8; 64];
    let mut rep = [0u8; 64];
    let args = call_args(
        slice_arg_mut(&mut req),
        (0, 0),
        slice_arg_mut(&mut rep),
        (0, 0),
    );
    report(
        "zx_channel_call 64 B round trip, two processes",
        measure(n, || {
            let (mut ab, mut ah) = (0, 0);
            raw::channel_call(c.raw(), 0, TIME_INFINITE, &args, &mut ab, &mut ah);
        }),
    );
    // The same call carrying one handle each way: bench_echo returns the event it receives.
    let e = Event::create().unwrap_or_else(|_| raw::process_exit(1));
    let mut ev = [e.0.into_raw()];
    let mut got = [0u32; 1];
    let hargs = ChannelCallArgs {
        wr_handles: ev.as_mut_ptr() as u64,
        rd_handles: got.as_mut_ptr() as u64,
        wr_num_handles: 1,
        rd_num_handles: 1,
        ..args
    };
    report(
        "zx_channel_call 64 B + 1 handle each way, two processes",
        measure(n, || {
            let (mut ab, mut ah) = (0, 0);
            let s = raw::channel_call(c.raw(), 0, TIME_INFINITE, &hargs, &mut ab, &mut ah);
            if s != 0 || ah != 1 {
                println!("bench: call with a handle failed: {} ({} handles)", s, ah);
                raw::process_exit(1);
            }
            // The reply's handle is the event again, under a new handle value.
            ev[0] = got[0];
        }),
    );
    raw::handle_close(ev[0]);
    drop(c);
    if let Ok(p) = p {
        let _ = p.wait(TIME_INFINITE);
    }
    0
}

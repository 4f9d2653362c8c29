//! SMP IPC benchmarks, booted as the first program by `make bench` on `-smp 2` and `-smp 4`
//! (QEMU `virt -cpu max` under `-icount shift=0`). Under icount QEMU runs the vCPUs round-robin
//! on one host thread and virtual time advances with the instructions of every core, so a
//! figure here is the instructions *all* cores executed per round trip (a core idle in `wfi`
//! executes none).
//!
//! Rows:
//! - a cross-core `zx_channel_call`: the kernel has no CPU affinity, and a client that blocks in
//!   a call hands its core to the server it just woke, so client and server are kept apart by
//!   construction: the server polls (it never blocks, so it keeps its core; `yield` between
//!   polls lets QEMU run the other vCPU) and the client's core idles during each call. The
//!   failed polls per round trip are printed (about 1: their cost is in the figure).
//! - 64 B `zx_channel_call` round trips between a client thread here and one `bench_echo`
//!   process (one pair), placed by the scheduler; on 4 or more cores, four pairs at once (four
//!   client threads, each with its own `bench_echo` process), per round trip: what sharing the
//!   machine costs each pair; then the same two with write/wait/read ping-pong.
//!
//! Each row first prints how many switches to a user thread each core made during the timed
//! loop (`ZX_INFO_CPU_STATS`): about 2 per round trip on one core means client and server
//! shared it; 1 per round trip on one core is the cross-core call (the client waking).
#![no_std]
#![no_main]

use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use zx::*;

zx::entry!(main);

const ITERS: u64 = 2000;
const MAX_PAIRS: usize = 4;

fn ticks() -> u64 {
    let t: u64;
    // SAFETY: CNTVCT_EL0 is readable at EL0 (docs/abi.md section 5).
    unsafe { asm!("isb", "mrs {0}, cntvct_el0", out(reg) t, options(nostack)) };
    t
}

fn report(name: &str, per_op: u64) {
    println!("| {:<56} | {:>10} |", name, per_op);
}

fn call_args(req: &mut [u8; 64], rep: &mut [u8; 64]) -> ChannelCallArgs {
    zx::call_args(slice_arg_mut(req), (0, 0), slice_arg_mut(rep), (0, 0))
}

fn call(ch: u32, args: &ChannelCallArgs) {
    let (mut ab, mut ah) = (0, 0);
    let s = raw::channel_call(ch, 0, TIME_INFINITE, args, &mut ab, &mut ah);
    if s != 0 {
        println!("bench: zx_channel_call failed: {}", s);
        raw::process_exit(1);
    }
}

/// Per client thread: its channel to its echo server, and the start event and ready channel.
#[derive(Clone, Copy)]
struct Client {
    ch: u32,
    start: u32,
    ready: u32,
}
static mut CLIENTS: [Client; MAX_PAIRS] = [const {
    Client {
        ch: 0,
        start: 0,
        ready: 0,
    }
}; MAX_PAIRS];
static DONE_TICKS: [AtomicU64; MAX_PAIRS] = [const { AtomicU64::new(0) }; MAX_PAIRS];

/// One ping-pong round trip: write 64 B, wait until readable, read the echo.
fn ping_pong(ch: u32, msg: &[u8; 64], buf: &mut [u8; 64]) {
    let (mut ab, mut ah) = (0, 0);
    let mut hs = [0u32; 1];
    raw::channel_write(ch, 0, msg.as_ptr(), 64, core::ptr::null(), 0);
    raw::object_wait_one(
        ch,
        Signals::CHANNEL_READABLE.bits(),
        TIME_INFINITE,
        core::ptr::null_mut(),
    );
    let s = raw::channel_read(
        ch,
        0,
        buf.as_mut_ptr(),
        hs.as_mut_ptr(),
        64,
        1,
        &mut ab,
        &mut ah,
    );
    if s != 0 {
        println!("bench: channel read failed: {}", s);
        raw::process_exit(1);
    }
}

/// What the client threads do: `zx_channel_call` (true) or write/wait/read ping-pong (false).
static USE_CALL: AtomicBool = AtomicBool::new(true);

/// A client thread: warms up, says it is ready, waits for the start event, runs ITERS round
/// trips.
fn client(i: usize) {
    // SAFETY: CLIENTS[i] was written before this thread started and is only read now.
    let c = unsafe { (&raw const CLIENTS[i]).read() };
    let (mut req, mut rep) = ([7u8; 64], [0u8; 64]);
    let args = call_args(&mut req, &mut rep);
    let msg = [7u8; 64];
    let mut buf = [0u8; 64];
    let use_call = USE_CALL.load(Ordering::Relaxed);
    let mut round_trip = || {
        if use_call {
            call(c.ch, &args)
        } else {
            ping_pong(c.ch, &msg, &mut buf)
        }
    };
    for _ in 0..ITERS / 10 + 1 {
        round_trip();
    }
    let ready = Channel(Handle::from_raw(c.ready));
    let _ = ready.write(&[i as u8], &[]);
    let _ = ready.0.into_raw();
    let _ = raw::object_wait_one(
        c.start,
        Signals::USER_0.bits(),
        TIME_INFINITE,
        core::ptr::null_mut(),
    );
    for _ in 0..ITERS {
        round_trip();
    }
    DONE_TICKS[i].store(ticks(), Ordering::Release);
}

fn cpu_switches(root: u32) -> [u64; InfoCpuStats::MAX_CPUS] {
    match get_info::<InfoCpuStats>(root, INFO_CPU_STATS) {
        Ok(s) => s.per_cpu_switches,
        Err(_) => [0; InfoCpuStats::MAX_CPUS],
    }
}

/// `pairs` client threads, each calling its own echo process ITERS times at once; returns
/// instructions per round trip (all cores' instructions over all pairs' round trips).
fn run_pairs(root: u32, cpus: usize, pairs: usize, use_call: bool) -> u64 {
    USE_CALL.store(use_call, Ordering::Relaxed);
    let start = Event::create().unwrap_or_else(|_| raw::process_exit(1));
    let (ready_rx, ready_tx) = Channel::create().unwrap_or_else(|_| raw::process_exit(1));
    let mut procs = [const { None }; MAX_PAIRS];
    let mut threads = [const { None }; MAX_PAIRS];
    let mut chans = [0u32; MAX_PAIRS];
    for i in 0..pairs {
        let (c, d) = Channel::create().unwrap_or_else(|_| raw::process_exit(1));
        procs[i] =
            Some(Process::spawn("bench_echo", Some(d.0)).unwrap_or_else(|_| raw::process_exit(1)));
        chans[i] = c.0.into_raw();
        // SAFETY: no client thread runs yet.
        unsafe {
            CLIENTS[i] = Client {
                ch: chans[i],
                start: start.0.raw(),
                ready: ready_tx.raw(),
            }
        };
    }
    for (i, t) in threads.iter_mut().enumerate().take(pairs) {
        *t = Some(thread::spawn(client, i).unwrap_or_else(|_| raw::process_exit(1)));
    }
    let mut b = [0u8; 4];
    let mut h = [0u32; 1];
    for _ in 0..pairs {
        let _ = ready_rx
            .0
            .wait_one(Signals::CHANNEL_READABLE, TIME_INFINITE);
        let _ = ready_rx.read_into(&mut b, &mut h);
    }
    let before = cpu_switches(root);
    let t0 = ticks();
    let _ = start.0.signal(Signals::NONE, Signals::USER_0);
    for t in threads.iter_mut().take(pairs) {
        if let Some(t) = t.take() {
            let _ = t.join(TIME_INFINITE);
        }
    }
    let t1 = (0..pairs)
        .map(|i| DONE_TICKS[i].load(Ordering::Acquire))
        .max()
        .unwrap_or(t0);
    let after = cpu_switches(root);
    print!(
        "bench: {} {} pair(s) on {} cores: user-thread switches per core during the loop:",
        pairs,
        if use_call { "call" } else { "ping-pong" },
        cpus
    );
    for c in 0..cpus.min(InfoCpuStats::MAX_CPUS) {
        print!(" {}", after[c] - before[c]);
    }
    println!();
    for (i, p) in procs.iter_mut().enumerate().take(pairs) {
        raw::handle_close(chans[i]);
        if let Some(p) = p.take() {
            let _ = p.wait(TIME_INFINITE);
        }
    }
    (t1 - t0) / (ITERS * pairs as u64)
}

/// Failed polls (`ZX_ERR_SHOULD_WAIT`) of the polling server.
static FAILED_POLLS: AtomicU64 = AtomicU64::new(0);

/// The polling echo server: never blocks, so it keeps the core it runs on. Between polls it
/// executes `yield`, a hint (a no-op to the architecture) on which QEMU's round-robin moves to
/// the next vCPU at once, as a real second core would run in parallel.
fn poll_echo(h: usize) {
    let ch = Channel(Handle::from_raw(h as u32));
    let mut buf = [0u8; 64];
    let mut hs = [0u32; 1];
    loop {
        match ch.read_into(&mut buf, &mut hs) {
            Ok((n, _)) => {
                if ch.write(&buf[..n as usize], &[]).is_err() {
                    return;
                }
            }
            Err(Status::SHOULD_WAIT) => {
                FAILED_POLLS.fetch_add(1, Ordering::Relaxed);
                // SAFETY: a hint instruction; no memory or register effects.
                unsafe { asm!("yield", options(nomem, nostack)) };
            }
            Err(_) => return,
        }
    }
}

/// A cross-core `zx_channel_call`: this thread calls a polling server thread, which never
/// blocks and so keeps its own core; this thread's core idles during each call and the reply
/// wakes it there. Returns instructions per round trip (both cores').
fn cross_core_call(root: u32, cpus: usize) -> u64 {
    let (c, d) = Channel::create().unwrap_or_else(|_| raw::process_exit(1));
    let server =
        thread::spawn(poll_echo, d.0.into_raw() as usize).unwrap_or_else(|_| raw::process_exit(1));
    let (mut req, mut rep) = ([7u8; 64], [0u8; 64]);
    let args = call_args(&mut req, &mut rep);
    for _ in 0..ITERS / 10 + 1 {
        call(c.raw(), &args);
    }
    let before = cpu_switches(root);
    let polls = FAILED_POLLS.load(Ordering::Relaxed);
    let t0 = ticks();
    for _ in 0..ITERS {
        call(c.raw(), &args);
    }
    let t1 = ticks();
    let polls = FAILED_POLLS.load(Ordering::Relaxed) - polls;
    let after = cpu_switches(root);
    print!(
        "bench: call to a polling server on {} cores: user-thread switches per core during the loop:",
        cpus
    );
    for c in 0..cpus.min(InfoCpuStats::MAX_CPUS) {
        print!(" {}", after[c] - before[c]);
    }
    println!(
        "; failed polls per round trip: {}.{:02}",
        polls / ITERS,
        polls * 100 / ITERS % 100
    );
    drop(c);
    let _ = server.join(TIME_INFINITE);
    (t1 - t0) / ITERS
}

fn main(args: StartArgs) -> i64 {
    let root = take_root_resource(&args);
    let cpus = match get_info::<InfoCpuStats>(root.raw(), INFO_CPU_STATS) {
        Ok(s) => s.cpu_count as usize,
        Err(e) => {
            println!("bench: ZX_INFO_CPU_STATS: {:?}", e);
            return 1;
        }
    };
    let cross = cross_core_call(root.raw(), cpus);
    match cpus {
        2 => report(
            "zx_channel_call 64 B cross-core (polling server), -smp 2",
            cross,
        ),
        4 => report(
            "zx_channel_call 64 B cross-core (polling server), -smp 4",
            cross,
        ),
        _ => report("zx_channel_call 64 B cross-core (polling server)", cross),
    }
    let one = run_pairs(root.raw(), cpus, 1, true);
    match cpus {
        2 => report("zx_channel_call 64 B round trip, 1 pair, -smp 2", one),
        4 => report("zx_channel_call 64 B round trip, 1 pair, -smp 4", one),
        _ => report("zx_channel_call 64 B round trip, 1 pair, this -smp", one),
    }
    if cpus >= MAX_PAIRS {
        let four = run_pairs(root.raw(), cpus, MAX_PAIRS, true);
        report("zx_channel_call 64 B round trip, 4 pairs, -smp 4", four);
        ratio("call", four, one);
        let one = run_pairs(root.raw(), cpus, 1, false);
        report("ping-pong 64 B round trip, 1 pair, -smp 4", one);
        let four = run_pairs(root.raw(), cpus, MAX_PAIRS, false);
        report("ping-pong 64 B round trip, 4 pairs, -smp 4", four);
        ratio("ping-pong", four, one);
    }
    0
}

fn ratio(what: &str, four: u64, one: u64) {
    println!(
        "bench: {}: 4 pairs cost {}.{:02}x one pair per round trip",
        what,
        four / one,
        four * 100 / one % 100
    );
}

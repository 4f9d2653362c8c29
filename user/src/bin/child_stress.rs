//! Helper of test_smp_stress: one process of the stress. Four threads work until a deadline:
//!
//! - thread 0 pings thread 1 over a channel of this process (write, wait, read the echo);
//! - thread 1 echoes every message back until it reads the stop message;
//! - thread 2 ping-pongs with a thread of the partner process over the cross channel the test
//!   handed over: as pinger with `zx_channel_call`, as ponger by echoing (txid included);
//! - thread 3 churns: creates events, channels and eventpairs, moves an event through a channel
//!   and checks it is the same object, waits with short deadlines (which must time out), signals
//!   and observes, and starts short-lived threads that do a little work and exit, joining them.
//!
//! Threads 0-2 also create and close an event and poll it with a past deadline each iteration.
//! Blocking waits use `ZX_TIME_INFINITE`: a lost wake-up hangs a thread, the main thread's join
//! times out and the report says so. At the end the main thread sends the report on the
//! bootstrap channel and exits.
//!
//! Configuration (first message on the bootstrap channel): `index: u32, role: u32` (cross
//! channel: 0 = pinger, 1 = ponger), `duration_ns: u64`, `mask: u32` (bit i starts thread i;
//! bit 4 lets the churn thread start short-lived threads; the test uses 0x1f, other values
//! help isolate a failure), one handle (the cross channel end).
//! Report: `STRESS_REPORT_MAGIC, index, failures, hung_mask, first_failure, 0` (u32 each), then
//! u64 counters: iterations of threads 0..3, local pings, local pongs, cross round trips (or
//! echoes), objects created, timed-out waits, threads spawned, spawned threads that ran.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use zx::test::STRESS_REPORT_MAGIC;
use zx::*;

zx::entry!(main);

const STOP: u64 = u64::MAX;
/// Short-lived threads started per burst of the churn thread.
const BURST: usize = 3;

static DEADLINE: AtomicI64 = AtomicI64::new(0);
static LOCAL_A: AtomicU32 = AtomicU32::new(0);
static LOCAL_B: AtomicU32 = AtomicU32::new(0);
static CROSS: AtomicU32 = AtomicU32::new(0);
static ROLE: AtomicU32 = AtomicU32::new(0);
static MASK: AtomicU32 = AtomicU32::new(0x1f);

static ITER: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
static PINGS: AtomicU64 = AtomicU64::new(0);
static PONGS: AtomicU64 = AtomicU64::new(0);
static CROSS_N: AtomicU64 = AtomicU64::new(0);
static OBJECTS: AtomicU64 = AtomicU64::new(0);
static TIMEOUTS: AtomicU64 = AtomicU64::new(0);
static SPAWNED: AtomicU64 = AtomicU64::new(0);
static RAN: AtomicU64 = AtomicU64::new(0);
static FAILURES: AtomicU32 = AtomicU32::new(0);
static FIRST_FAILURE: AtomicU32 = AtomicU32::new(0);

/// Records a failure; `code` = thread * 100 + place (the first one is reported).
fn failed(code: u32, s: i32) {
    if FAILURES.fetch_add(1, Ordering::AcqRel) == 0 {
        FIRST_FAILURE.store(code, Ordering::Release);
        println!("child_stress: failure {} ({})", code, Status(s));
    }
}

fn expired() -> bool {
    now() >= DEADLINE.load(Ordering::Relaxed)
}

fn read_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// Creates and closes an event, polling it with a past deadline (TIMED_OUT).
fn small_churn(who: u32) {
    let mut e = 0u32;
    let s = raw::event_create(0, &mut e);
    if s != 0 {
        return failed(who * 100 + 1, s);
    }
    OBJECTS.fetch_add(1, Ordering::Relaxed);
    let s = raw::object_wait_one(e, Signals::EVENT_SIGNALED.bits(), 0, core::ptr::null_mut());
    if s == Status::TIMED_OUT.raw() {
        TIMEOUTS.fetch_add(1, Ordering::Relaxed);
    } else {
        failed(who * 100 + 2, s);
    }
    let s = raw::handle_close(e);
    if s != 0 {
        failed(who * 100 + 3, s);
    }
}

/// Reads one message of 8 or 12 bytes, waiting (forever) when there is none.
/// Returns the byte count, or None when the peer is gone.
fn read_wait(h: u32, buf: &mut [u8; 16], who: u32) -> Option<u32> {
    loop {
        let (mut nb, mut nh) = (0u32, 0u32);
        let s = raw::channel_read(
            h,
            0,
            buf.as_mut_ptr(),
            core::ptr::null_mut(),
            16,
            0,
            &mut nb,
            &mut nh,
        );
        if s == 0 {
            return Some(nb);
        }
        if s != Status::SHOULD_WAIT.raw() {
            failed(who * 100 + 10, s);
            return None;
        }
        let s = raw::object_wait_one(
            h,
            (Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED).bits(),
            TIME_INFINITE,
            core::ptr::null_mut(),
        );
        if s != 0 {
            failed(who * 100 + 11, s);
            return None;
        }
    }
}

fn write(h: u32, bytes: &[u8], who: u32) -> bool {
    let s = raw::channel_write(
        h,
        0,
        bytes.as_ptr(),
        bytes.len() as u32,
        core::ptr::null(),
        0,
    );
    if s != 0 {
        failed(who * 100 + 12, s);
    }
    s == 0
}

fn local_ping(_: usize) {
    let h = LOCAL_A.load(Ordering::Relaxed);
    let mut buf = [0u8; 16];
    let mut seq = 0u64;
    while !expired() {
        if !write(h, &seq.to_le_bytes(), 0) {
            break;
        }
        match read_wait(h, &mut buf, 0) {
            Some(8) if read_u64(&buf) == seq => {}
            Some(_) => {
                failed(20, 0);
                break;
            }
            None => break,
        }
        PINGS.fetch_add(1, Ordering::Relaxed);
        seq += 1;
        small_churn(0);
        ITER[0].fetch_add(1, Ordering::Relaxed);
    }
    // Always tell the ponger to stop (also after a failure), so that it does not hang.
    write(h, &STOP.to_le_bytes(), 0);
}

fn local_pong(_: usize) {
    let h = LOCAL_B.load(Ordering::Relaxed);
    let mut buf = [0u8; 16];
    loop {
        match read_wait(h, &mut buf, 1) {
            Some(8) => {}
            Some(_) => return failed(120, 0),
            None => return,
        }
        if read_u64(&buf) == STOP {
            return;
        }
        if !write(h, &buf[..8], 1) {
            return;
        }
        PONGS.fetch_add(1, Ordering::Relaxed);
        small_churn(1);
        ITER[1].fetch_add(1, Ordering::Relaxed);
    }
}

fn cross(_: usize) {
    let h = CROSS.load(Ordering::Relaxed);
    let mut buf = [0u8; 16];
    if ROLE.load(Ordering::Relaxed) == 0 {
        let mut seq = 0u64;
        let mut reply = [0u8; 16];
        while !expired() {
            // txid (written by the kernel) + sequence number.
            let mut req = [0u8; 12];
            req[4..].copy_from_slice(&seq.to_le_bytes());
            let args = call_args(slice_arg(&req), (0, 0), slice_arg_mut(&mut reply), (0, 0));
            let (mut nb, mut nh) = (0u32, 0u32);
            let s = raw::channel_call(h, 0, TIME_INFINITE, &args, &mut nb, &mut nh);
            if s != 0 {
                failed(221, s);
                break;
            }
            if nb != 12 || read_u64(&reply[4..]) != seq {
                failed(222, 0);
                break;
            }
            CROSS_N.fetch_add(1, Ordering::Relaxed);
            seq += 1;
            small_churn(2);
            ITER[2].fetch_add(1, Ordering::Relaxed);
        }
        let mut stop = [0u8; 12];
        stop[4..].copy_from_slice(&STOP.to_le_bytes());
        write(h, &stop, 2);
    } else {
        loop {
            match read_wait(h, &mut buf, 2) {
                Some(12) => {}
                Some(_) => return failed(223, 0),
                None => return,
            }
            if read_u64(&buf[4..]) == STOP {
                return;
            }
            // The echo carries the caller's txid in bytes 0..3: it completes the call.
            if !write(h, &buf[..12], 2) {
                return;
            }
            CROSS_N.fetch_add(1, Ordering::Relaxed);
            small_churn(2);
            ITER[2].fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn short_lived(n: usize) {
    let mut e = 0u32;
    if raw::event_create(0, &mut e) == 0 {
        OBJECTS.fetch_add(1, Ordering::Relaxed);
        raw::handle_close(e);
    }
    raw::nanosleep(deadline_after(20_000 + 10_000 * n as i64));
    RAN.fetch_add(1, Ordering::Relaxed);
}

fn churn_once(i: u64) {
    let Ok(ev) = Event::create() else {
        return failed(301, 0);
    };
    let Ok((a, b)) = Channel::create() else {
        return failed(302, 0);
    };
    let (mut p, mut q) = (0u32, 0u32);
    let s = raw::eventpair_create(0, &mut p, &mut q);
    if s != 0 {
        return failed(303, s);
    }
    OBJECTS.fetch_add(3, Ordering::Relaxed);
    let (p, q) = (Handle::from_raw(p), Handle::from_raw(q));
    let koid = ev.0.koid().unwrap_or(0);
    // The event crosses the channel and comes back as the same object.
    if a.write(b"ev", &[ev.0.into_raw()]).is_err() {
        return failed(304, 0);
    }
    match b.read() {
        Ok(m) if m.num_handles == 1 => {
            let back = Handle::from_raw(m.handles[0]);
            if back.koid().ok() != Some(koid) {
                failed(305, 0);
            }
            // A short deadline on an unsignaled event times out...
            let s = raw::object_wait_one(
                back.raw(),
                Signals::EVENT_SIGNALED.bits(),
                deadline_after(10_000),
                core::ptr::null_mut(),
            );
            if s == Status::TIMED_OUT.raw() {
                TIMEOUTS.fetch_add(1, Ordering::Relaxed);
            } else {
                failed(306, s);
            }
            // ... and a signaled one is observed at once.
            let _ = back.signal(Signals::NONE, Signals::EVENT_SIGNALED);
            if back.wait_one(Signals::EVENT_SIGNALED, 0).is_err() {
                failed(307, 0);
            }
        }
        _ => failed(308, 0),
    }
    drop(a);
    if b.0.wait_one(Signals::CHANNEL_PEER_CLOSED, 0).is_err() {
        failed(309, 0);
    }
    drop(p);
    if q.wait_one(Signals::EVENTPAIR_PEER_CLOSED, 0).is_err() {
        failed(310, 0);
    }
    if i.is_multiple_of(4) && MASK.load(Ordering::Relaxed) & 0x10 != 0 {
        let mut ts = [const { None }; BURST];
        for (k, t) in ts.iter_mut().enumerate() {
            match thread::spawn(short_lived, k) {
                Ok(th) => {
                    SPAWNED.fetch_add(1, Ordering::Relaxed);
                    *t = Some(th);
                }
                Err(s) => failed(311, s.raw()),
            }
        }
        for th in ts.into_iter().flatten() {
            if let Err(s) = th.join(deadline_after(10_000_000_000)) {
                failed(312, s.raw());
            }
        }
    }
}

fn churn(_: usize) {
    let mut i = 0u64;
    while !expired() {
        churn_once(i);
        i += 1;
        ITER[3].fetch_add(1, Ordering::Relaxed);
    }
}

fn main(args: StartArgs) -> i64 {
    let boot = Channel(Handle::from_raw(args.bootstrap));
    let cfg = boot.read();
    let Ok(cfg) = cfg else {
        println!("child_stress: no configuration");
        return 1;
    };
    if cfg.num_bytes != 20 || cfg.num_handles != 1 {
        println!("child_stress: bad configuration");
        return 2;
    }
    let index = u32::from_le_bytes([cfg.bytes[0], cfg.bytes[1], cfg.bytes[2], cfg.bytes[3]]);
    let role = u32::from_le_bytes([cfg.bytes[4], cfg.bytes[5], cfg.bytes[6], cfg.bytes[7]]);
    let duration = read_u64(&cfg.bytes[8..]) as i64;
    let mask = u32::from_le_bytes([cfg.bytes[16], cfg.bytes[17], cfg.bytes[18], cfg.bytes[19]]);
    MASK.store(mask, Ordering::Relaxed);
    let cross_ch = Channel(Handle::from_raw(cfg.handles[0]));
    let Ok((a, b)) = Channel::create() else {
        return 3;
    };
    LOCAL_A.store(a.raw(), Ordering::Relaxed);
    LOCAL_B.store(b.raw(), Ordering::Relaxed);
    CROSS.store(cross_ch.raw(), Ordering::Relaxed);
    ROLE.store(role, Ordering::Relaxed);
    DEADLINE.store(deadline_after(duration), Ordering::Relaxed);

    let fns: [fn(usize); 4] = [local_ping, local_pong, cross, churn];
    let mut threads = [const { None }; 4];
    for (i, f) in fns.iter().enumerate() {
        if mask & (1 << i) == 0 {
            continue;
        }
        match thread::spawn(*f, i) {
            Ok(t) => threads[i] = Some(t),
            Err(s) => failed(900 + i as u32, s.raw()),
        }
    }
    // Generous: a thread still blocked this long after the deadline missed a wake-up.
    let join_deadline = DEADLINE.load(Ordering::Relaxed) + 20_000_000_000;
    let mut hung = 0u32;
    for (i, t) in threads.into_iter().enumerate() {
        if let Some(t) = t {
            if t.join(join_deadline).is_err() {
                hung |= 1 << i;
            }
        }
    }

    let mut rep = [0u8; 24 + 11 * 8];
    let head = [
        STRESS_REPORT_MAGIC,
        index,
        FAILURES.load(Ordering::Acquire),
        hung,
        FIRST_FAILURE.load(Ordering::Acquire),
        0,
    ];
    for (i, v) in head.iter().enumerate() {
        rep[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    let vals = [
        ITER[0].load(Ordering::Relaxed),
        ITER[1].load(Ordering::Relaxed),
        ITER[2].load(Ordering::Relaxed),
        ITER[3].load(Ordering::Relaxed),
        PINGS.load(Ordering::Relaxed),
        PONGS.load(Ordering::Relaxed),
        CROSS_N.load(Ordering::Relaxed),
        OBJECTS.load(Ordering::Relaxed),
        TIMEOUTS.load(Ordering::Relaxed),
        SPAWNED.load(Ordering::Relaxed),
        RAN.load(Ordering::Relaxed),
    ];
    for (i, v) in vals.iter().enumerate() {
        rep[24 + i * 8..32 + i * 8].copy_from_slice(&v.to_le_bytes());
    }
    let sent = boot.write(&rep, &[]).is_ok();
    if hung != 0 {
        // Hung threads are still blocked: end the process (and them) now.
        raw::process_exit(4);
    }
    drop(a);
    drop(b);
    drop(cross_ch);
    if sent && FAILURES.load(Ordering::Acquire) == 0 {
        0
    } else {
        5
    }
}

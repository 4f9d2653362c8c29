//! The edges of the IPC fast paths (docs/performance.md): messages live in blocks from a per-core
//! pool with small payloads inline, and a call hands its core straight to the server it woke.
//! Each case drives one edge where the fast path and the general one meet, and checks that what
//! comes out is exactly what the channel pages promise:
//! - more messages in flight than the pools hold, of sizes on both sides of the inline limit,
//!   written on one thread and freed on another (on `-smp 4`, on other cores);
//! - a reply racing the caller's deadline: returned by the call, or queued as an ordinary message
//!   once the call has given up, never lost and never both;
//! - the server's process killed while the call waits: `PEER_CLOSED`, the request destroyed;
//! - the server's endpoint closed while the call is being handed over: a reply or
//!   `PEER_CLOSED`, never a hang;
//! - large copies through the SIMD registers while the caller's FP state is live in them: every
//!   register comes back as it was, and every byte arrives.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "fp_shared/mod.rs"]
mod fp_shared;

use alloc::vec;

use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use zx::test::*;
use zx::*;

const SECOND: i64 = 1_000_000_000;

fn dl() -> i64 {
    deadline_after(30 * SECOND)
}

/// Payload sizes around the inline limit of a message block (184 bytes) and past it.
const SIZES: [usize; 10] = [0, 1, 4, 63, 64, 183, 184, 185, 200, 256];

/// More than the per-core pools keep (32 blocks a core), so blocks come from and go back to the
/// heap as well as the pool.
const IN_FLIGHT: usize = 3 * 32 + 7;

fn fill(buf: &mut [u8], i: usize, round: usize) {
    for (k, b) in buf.iter_mut().enumerate() {
        *b = (i * 31 + round * 7 + k) as u8;
    }
}

/// Whether `got` is what [`fill`] wrote for message `i` of `round`, from its byte `from` on.
fn intact(got: &[u8], i: usize, round: usize, from: usize) -> bool {
    got.iter()
        .enumerate()
        .all(|(k, &b)| b == (i * 31 + round * 7 + k + from) as u8)
}

fn many_messages_in_flight_outlast_the_per_core_pool() {
    let (a, b) = must!(Channel::create());
    let ev = must!(Event::create());
    let mut buf = [0u8; 256];
    for round in 0..3 {
        for i in 0..IN_FLIGHT {
            let n = SIZES[i % SIZES.len()];
            fill(&mut buf[..n], i, round);
            // Every third message carries a handle.
            let h = (i % 3 == 0).then(|| dup(ev.0.raw(), Rights::SAME_RIGHTS));
            check_eq!(a.write(&buf[..n], h.as_slice()), Ok(()));
        }
        check_eq!(handle_count(ev.0.raw()), 1 + IN_FLIGHT.div_ceil(3) as u32);
        for i in 0..IN_FLIGHT {
            let n = SIZES[i % SIZES.len()];
            let m = must!(b.read());
            check_eq!(m.num_bytes as usize, n, "message {} of round {}", i, round);
            check!(
                intact(&m.bytes[..n], i, round, 0),
                "message {} of round {} changed",
                i,
                round
            );
            check_eq!(m.num_handles, u32::from(i % 3 == 0));
            close_all(&m.handles[..m.num_handles as usize]);
        }
        check_eq!(b.read().err(), Some(Status::SHOULD_WAIT));
        check_eq!(handle_count(ev.0.raw()), 1);
    }
}

static WRITER_END: AtomicU32 = AtomicU32::new(0);
const STREAM: usize = 2000;

/// Writes `STREAM` messages as fast as the reader takes them (the queue limit is far away).
fn stream_writer(_: usize) {
    let ch = WRITER_END.load(Ordering::Acquire);
    let mut buf = [0u8; 256];
    for i in 0..STREAM {
        let n = SIZES[i % SIZES.len()];
        fill(&mut buf[..n], i, 0);
        let s = raw::channel_write(ch, 0, buf.as_ptr(), n as u32, core::ptr::null(), 0);
        if s != 0 {
            return;
        }
    }
}

fn messages_freed_by_another_thread_are_reused_intact() {
    let (a, b) = must!(Channel::create());
    WRITER_END.store(a.raw(), Ordering::Release);
    let t = must!(thread::spawn(stream_writer, 0));
    for i in 0..STREAM {
        let m = must!(b.read_wait(dl()));
        let n = SIZES[i % SIZES.len()];
        check_eq!(m.num_bytes as usize, n, "message {}", i);
        check!(intact(&m.bytes[..n], i, 0, 0), "message {} changed", i);
    }
    check_eq!(t.join(dl()), Ok(()));
    check_eq!(b.read().err(), Some(Status::SHOULD_WAIT));
}

static SERVER_END: AtomicU32 = AtomicU32::new(0);
static REPLIED: AtomicU32 = AtomicU32::new(0);

/// Answers each request `[txid, i, spin]` after spinning `spin` loops with `[txid, i]`, then
/// signals `REPLIED` (an event) so the caller knows the reply exists; stops at peer close.
fn racing_server(_: usize) {
    let ch = Channel(Handle::from_raw(SERVER_END.load(Ordering::Acquire)));
    let ev = REPLIED.load(Ordering::Acquire);
    while let Ok(m) = ch.read_wait(dl()) {
        if m.num_bytes < 12 {
            break;
        }
        let spin = u32::from_le_bytes([m.bytes[8], m.bytes[9], m.bytes[10], m.bytes[11]]);
        for _ in 0..spin {
            core::hint::spin_loop();
        }
        let _ = ch.write(&m.bytes[..8], &[]);
        raw::object_signal(ev, 0, Signals::USER_0.bits());
    }
}

fn a_reply_racing_the_deadline_is_returned_or_queued_never_lost() {
    let (c, s) = must!(Channel::create());
    let ev = must!(Event::create());
    SERVER_END.store(s.0.into_raw(), Ordering::Release);
    REPLIED.store(ev.0.raw(), Ordering::Release);
    let t = must!(thread::spawn(racing_server, 0));
    let (mut returned, mut queued) = (0, 0);
    for i in 0..200u32 {
        let mut req = [0u8; 12];
        req[4..8].copy_from_slice(&i.to_le_bytes());
        req[8..12].copy_from_slice(&((i % 20) * 200).to_le_bytes());
        let mut reply = [0u8; 64];
        let args = call_args(
            (req.as_ptr() as u64, 12),
            (0, 0),
            (reply.as_mut_ptr() as u64, 64),
            (0, 0),
        );
        let (mut nb, mut nh) = (0u32, 0u32);
        // Deadlines from "already passed" to a few hundred microseconds.
        let deadline = deadline_after(i64::from(i % 10) * 50_000);
        let st = Status(raw::channel_call(
            c.raw(),
            0,
            deadline,
            &args,
            &mut nb,
            &mut nh,
        ));
        // Whatever the call said, the server replies once; wait for that.
        check_eq!(ev.0.wait_one(Signals::USER_0, dl()).map(|_| ()), Ok(()));
        check_eq!(ev.0.signal(Signals::USER_0, Signals::NONE), Ok(()));
        match st {
            Status::OK => {
                returned += 1;
                check_eq!((nb, nh), (8, 0));
                check_eq!(reply[4..8], i.to_le_bytes(), "call {} got another reply", i);
                // The reply went to the call: nothing is queued.
                check_eq!(c.read().err(), Some(Status::SHOULD_WAIT), "call {}", i);
            }
            Status::TIMED_OUT => {
                queued += 1;
                // The call gave up first: the late reply is an ordinary message now.
                let m = c.read();
                check!(m.is_ok(), "call {}: the late reply was lost", i);
                if let Ok(m) = m {
                    check_eq!(m.num_bytes, 8);
                    check_eq!(m.bytes[4..8], i.to_le_bytes(), "call {}", i);
                }
                check_eq!(c.read().err(), Some(Status::SHOULD_WAIT), "call {}", i);
            }
            other => check!(false, "call {}: {}", i, other),
        }
    }
    println!(
        "  (200 calls: {} replies returned, {} queued after the deadline)",
        returned, queued
    );
    drop(c);
    check_eq!(t.join(dl()), Ok(()));
}

static CALL_END: AtomicU32 = AtomicU32::new(0);
static CALL_STATUS: AtomicI32 = AtomicI32::new(1);

/// Calls on `CALL_END` with no deadline, the request carrying handle `arg`.
fn blocked_caller(arg: usize) {
    let ch = CALL_END.load(Ordering::Acquire);
    let h = arg as u32;
    let req = [0u8; 16];
    let mut reply = [0u8; 64];
    let args = call_args(
        (req.as_ptr() as u64, 16),
        ((&raw const h) as u64, 1),
        (reply.as_mut_ptr() as u64, 64),
        (0, 0),
    );
    let (mut nb, mut nh) = (0u32, 0u32);
    let s = raw::channel_call(ch, 0, i64::MAX, &args, &mut nb, &mut nh);
    CALL_STATUS.store(s, Ordering::Release);
}

fn a_server_killed_mid_call_ends_the_call_with_peer_closed() {
    for _ in 0..3 {
        let (c, s) = must!(Channel::create());
        let ev = must!(Event::create());
        CALL_END.store(c.raw(), Ordering::Release);
        CALL_STATUS.store(1, Ordering::Release);
        let t = must!(thread::spawn(
            blocked_caller,
            dup(ev.0.raw(), Rights::SAME_RIGHTS) as usize
        ));
        // The request is queued on the server's end: the call is in flight.
        check!(s.0.wait_one(Signals::CHANNEL_READABLE, dl()).is_ok());
        check_eq!(CALL_STATUS.load(Ordering::Acquire), 1);
        // The server end goes to a process that faults at once, keeping it open until the
        // kernel kills it.
        let (ours, theirs) = must!(Channel::create());
        check_eq!(ours.write(&[fault::NULL_READ], &[s.0.into_raw()]), Ok(()));
        let p = must!(Process::spawn("child_fault", Some(theirs.0)));
        check_eq!(p.wait(dl()), Ok(TASK_RETCODE_EXCEPTION_KILL));
        check_eq!(t.join(dl()), Ok(()));
        check_eq!(
            Status(CALL_STATUS.load(Ordering::Acquire)),
            Status::PEER_CLOSED
        );
        // The request died with the server's end, and the handle it carried with it.
        check_eq!(handle_count(ev.0.raw()), 1);
        drop(c);
    }
}

static CLOSE_SPIN: AtomicU32 = AtomicU32::new(0);
static WAITING: AtomicU32 = AtomicU32::new(0);

/// Serves one request on `SERVER_END` unless its end is closed first (by `closer`); signals the
/// event `WAITING` just before it waits.
fn one_shot_server(_: usize) {
    let h = SERVER_END.load(Ordering::Acquire);
    raw::object_signal(WAITING.load(Ordering::Acquire), 0, Signals::USER_0.bits());
    let mut obs = 0;
    let s = raw::object_wait_one(
        h,
        (Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED).bits(),
        dl(),
        &mut obs,
    );
    if s != 0 {
        return;
    }
    let mut b = [0u8; 64];
    let (mut nb, mut nh) = (0u32, 0u32);
    let r = raw::channel_read(
        h,
        0,
        b.as_mut_ptr(),
        core::ptr::null_mut(),
        64,
        0,
        &mut nb,
        &mut nh,
    );
    if r == 0 {
        b[4] = 0xAA;
        raw::channel_write(h, 0, b.as_ptr(), nb, core::ptr::null(), 0);
    }
}

/// Closes the server's end after a short, varying spin.
fn closer(_: usize) {
    for _ in 0..CLOSE_SPIN.load(Ordering::Acquire) {
        core::hint::spin_loop();
    }
    raw::handle_close(SERVER_END.load(Ordering::Acquire));
}

/// Three orders, on one core as on several: the end closed before the server waits; the server
/// blocked in its wait when the call arrives, the closer queued behind the call's wake; the same
/// with the close delayed by a varying spin (on several cores, racing the handoff itself).
fn the_server_end_closing_during_a_call_gives_a_reply_or_peer_closed() {
    let waiting = must!(Event::create());
    WAITING.store(waiting.0.raw(), Ordering::Release);
    let (mut replied, mut closed) = (0, 0);
    for i in 0..120u32 {
        let (c, s) = must!(Channel::create());
        SERVER_END.store(s.0.into_raw(), Ordering::Release);
        CLOSE_SPIN.store(
            if i % 3 == 2 { (i / 3 % 10) * 100 } else { 0 },
            Ordering::Release,
        );
        check_eq!(waiting.0.signal(Signals::USER_0, Signals::NONE), Ok(()));
        let (server, close) = if i % 3 == 0 {
            let close = must!(thread::spawn(closer, 0));
            (must!(thread::spawn(one_shot_server, 0)), close)
        } else {
            let server = must!(thread::spawn(one_shot_server, 0));
            check!(waiting.0.wait_one(Signals::USER_0, dl()).is_ok());
            (server, must!(thread::spawn(closer, 0)))
        };
        let req = [0u8; 8];
        let mut reply = [0u8; 64];
        let args = call_args(
            (req.as_ptr() as u64, 8),
            (0, 0),
            (reply.as_mut_ptr() as u64, 64),
            (0, 0),
        );
        let (mut nb, mut nh) = (0u32, 0u32);
        let st = Status(raw::channel_call(c.raw(), 0, dl(), &args, &mut nb, &mut nh));
        match st {
            Status::OK => {
                replied += 1;
                check_eq!((nb, reply[4]), (8, 0xAA), "iteration {}", i);
            }
            Status::PEER_CLOSED => closed += 1,
            other => check!(false, "iteration {}: {}", i, other),
        }
        check_eq!(server.join(dl()), Ok(()));
        check_eq!(close.join(dl()), Ok(()));
        drop(c);
    }
    println!("  (120 calls: {} replied, {} peer closed)", replied, closed);
}

static ECHO_END: AtomicU32 = AtomicU32::new(0);
const BULK: usize = 64 * 1024;

/// Echoes messages of up to 64 KiB on `ECHO_END` until the peer closes.
fn bulk_echo(_: usize) {
    let h = ECHO_END.load(Ordering::Acquire);
    let mut buf = vec![0u8; BULK];
    let mut obs = 0;
    let either = Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED;
    while raw::object_wait_one(h, either.bits(), dl(), &mut obs) == 0 {
        let (mut nb, mut nh) = (0u32, 0u32);
        let r = raw::channel_read(
            h,
            0,
            buf.as_mut_ptr(),
            core::ptr::null_mut(),
            BULK as u32,
            0,
            &mut nb,
            &mut nh,
        );
        if r != 0 || raw::channel_write(h, 0, buf.as_ptr(), nb, core::ptr::null(), 0) != 0 {
            break;
        }
    }
    raw::handle_close(h);
}

/// A 64 KiB call (copied in, out, in again and out again by the kernel, a page at a time
/// through q0..q15) made while this thread's FP registers hold a pattern: the pattern survives,
/// and the reply is the request, at buffer offsets that are not multiples of 16.
fn bulk_copies_keep_the_callers_fp_registers_and_every_byte() {
    let (c, s) = must!(Channel::create());
    ECHO_END.store(s.0.into_raw(), Ordering::Release);
    let t = must!(thread::spawn(bulk_echo, 0));
    let (mut src, mut dst) = (vec![0u8; BULK + 16], vec![0u8; BULK + 16]);
    for (round, (so, d)) in [(0usize, 0usize), (1, 7), (5, 3)].into_iter().enumerate() {
        fill(&mut src[so..so + BULK], 3, round);
        dst.iter_mut().for_each(|b| *b = 0xEE);
        let args = call_args(
            (src[so..].as_ptr() as u64, BULK as u32),
            (0, 0),
            (dst[d..].as_mut_ptr() as u64, BULK as u32),
            (0, 0),
        );
        let (mut nb, mut nh) = (0u32, 0u32);
        let set = fp_shared::Fp::pattern(0x5eed + round as u64);
        let mut calls = [fp_shared::call(
            nr::CHANNEL_CALL,
            [
                c.raw() as u64,
                0,
                dl() as u64,
                (&raw const args) as u64,
                (&raw mut nb) as u64,
                (&raw mut nh) as u64,
            ],
        )];
        let got = fp_shared::hold(&set, &mut calls);
        check_eq!(calls[0].ret, 0, "round {}", round);
        check!(
            got.same(&set),
            "round {}: {} q registers changed",
            round,
            got.q_diff(&set)
        );
        check_eq!(nb as usize, BULK);
        // The kernel put the txid in the first four bytes; the rest is the request.
        check!(
            intact(&dst[d + 4..d + BULK], 3, round, 4),
            "round {}: reply differs",
            round
        );
        check!(
            dst[d + BULK..].iter().all(|&b| b == 0xEE),
            "round {}: wrote past the end",
            round
        );
        check!(
            dst[..d].iter().all(|&b| b == 0xEE),
            "round {}: wrote before the start",
            round
        );
    }
    drop(c);
    check_eq!(t.join(dl()), Ok(()));
}

zx::tests!(
    many_messages_in_flight_outlast_the_per_core_pool,
    messages_freed_by_another_thread_are_reused_intact,
    a_reply_racing_the_deadline_is_returned_or_queued_never_lost,
    a_server_killed_mid_call_ends_the_call_with_peer_closed,
    the_server_end_closing_during_a_call_gives_a_reply_or_peer_closed,
    bulk_copies_keep_the_callers_fp_registers_and_every_byte,
);

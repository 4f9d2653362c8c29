//! Teardown under load: closing an endpoint destroys the messages queued to it and closes the
//! handles they carry, to any depth (docs/abi.md section 4: "nesting depth is not limited by the
//! kernel stack"). Nests of 10,000 channels, each queued inside the previous one, are built from
//! EL0 and destroyed by closing the head, by closing them with events and eventpairs aboard, and
//! by the exit (or fault) of a process that holds them (`child_nest`). Every case checks that the
//! nest was really there (witness handles at its deepest level, `live_messages`), that it is gone
//! afterwards (witnesses see their peer closed), and that the kernel stats are back at baseline.
#![no_std]
#![no_main]

use zx::test::*;
use zx::*;

/// Channels nested inside the head.
const DEPTH: usize = 10_000;

/// Signals currently asserted on `h` (a wait with a past deadline reports them).
fn signals_now(h: u32) -> (Status, Signals) {
    let mut obs = 0u32;
    // USER_7 is never asserted here, so the wait times out and reports every asserted signal.
    let s = raw::object_wait_one(h, Signals::USER_7.bits(), 0, &mut obs);
    (Status(s), Signals(obs))
}

/// What a built nest leaves with its builder.
struct Nest {
    /// Endpoint a0: its queue holds level 1's message, which carries a1, and so on.
    head: Channel,
    /// The peer of the deepest endpoint (kept open: it sees PEER_CLOSED once the nest is gone).
    tail: Channel,
}

/// Extra handles each level's message carries beyond the next endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cargo {
    /// Only the next endpoint.
    None,
    /// A fresh event and both ends of a fresh eventpair.
    EventAndEventpair,
    /// 63 fresh events and 1 KiB of bytes: every message is full of handles.
    Full,
}

/// Witnesses sent in the message at `level` (the event is a duplicate of `event`, the eventpair
/// end is the peer of `pair_kept`).
struct Witness {
    level: usize,
    event: Handle,
    pair_kept: Handle,
}

fn make_witness(level: usize) -> ZxResult<(Witness, [u32; 2])> {
    let ev = Event::create()?;
    let dup = ev.0.duplicate(Rights::SAME_RIGHTS)?;
    let (p, q) = new_eventpair()?;
    let pair_kept = Handle::from_raw(p);
    Ok((
        Witness {
            level,
            event: ev.0,
            pair_kept,
        },
        [dup.into_raw(), q],
    ))
}

/// A new eventpair's two ends.
fn new_eventpair() -> ZxResult<(u32, u32)> {
    let (mut p, mut q) = (0u32, 0u32);
    Status(raw::eventpair_create(0, &mut p, &mut q)).ok()?;
    Ok((p, q))
}

/// Builds a nest of `depth` channels inside a head endpoint: level i's message (8 bytes: i)
/// is queued to endpoint a(i-1) and carries a(i) plus the cargo; every writer end b(i-1) is
/// closed after its write except the deepest one, returned as `tail`.
fn build_nest(depth: usize, cargo: Cargo, witnesses: &mut [Witness]) -> ZxResult<Nest> {
    let (head, mut writer) = Channel::create()?;
    let mut bytes = [0u8; 1024];
    for level in 1..=depth {
        let (a, b) = Channel::create()?;
        let mut hs = [0u32; 64];
        let mut n = 0;
        hs[n] = a.0.into_raw();
        n += 1;
        match cargo {
            Cargo::None => {}
            Cargo::EventAndEventpair => {
                let e = Event::create()?;
                hs[n] = e.0.into_raw();
                n += 1;
                // Don't leak what this level already made.
                let (p, q) = new_eventpair().inspect_err(|_| close_many(&hs[..n]))?;
                (hs[n], hs[n + 1]) = (p, q);
                n += 2;
            }
            Cargo::Full => {
                while n < 64 {
                    hs[n] = Event::create()
                        .inspect_err(|_| close_many(&hs[..n]))?
                        .0
                        .into_raw();
                    n += 1;
                }
            }
        }
        let mut nb = 8;
        bytes[..8].copy_from_slice(&(level as u64).to_le_bytes());
        if cargo == Cargo::Full {
            nb = bytes.len();
        } else {
            for w in witnesses.iter_mut() {
                if w.level == level {
                    let (ww, sent) = make_witness(level).inspect_err(|_| close_many(&hs[..n]))?;
                    *w = ww;
                    (hs[n], hs[n + 1]) = (sent[0], sent[1]);
                    n += 2;
                }
            }
        }
        writer.write(&bytes[..nb], &hs[..n])?;
        // The writer end of level-1 is no longer needed: its queue-side peer keeps the message.
        writer = b;
    }
    Ok(Nest { head, tail: writer })
}

/// Closes every handle of `hs` (on a failed build).
fn close_many(hs: &[u32]) {
    raw::handle_close_many(hs.as_ptr(), hs.len());
}

fn placeholder_witness(level: usize) -> Witness {
    Witness {
        level,
        event: Handle::invalid(),
        pair_kept: Handle::invalid(),
    }
}

/// Checks a witness while its message is still queued: the event has 2 handles (ours and the
/// one in the message), the eventpair end's peer is alive.
fn check_witness_alive(w: &Witness) {
    check_eq!(handle_count(w.event.raw()), 2);
    let (s, sig) = signals_now(w.pair_kept.raw());
    check_eq!(s, Status::TIMED_OUT);
    let closed = sig.contains(Signals::EVENTPAIR_PEER_CLOSED);
    check!(!closed, "level {} eventpair peer already closed", w.level);
}

/// Checks a witness after the nest is gone: the event's handle in the message was closed, the
/// eventpair end in the message was closed (its peer sees PEER_CLOSED).
fn check_witness_released(w: &Witness) {
    check_eq!(handle_count(w.event.raw()), 1);
    let r = w
        .pair_kept
        .wait_one(Signals::EVENTPAIR_PEER_CLOSED, deadline_after(SEC));
    check!(
        r.is_ok(),
        "level {}: eventpair peer not closed: {:?}",
        w.level,
        r
    );
}

/// Checks the nest is alive: its deepest endpoint is still open (the tail has no PEER_CLOSED).
fn check_tail_alive(n: &Nest) {
    let (s, sig) = signals_now(n.tail.raw());
    check_eq!(s, Status::TIMED_OUT);
    check!(
        !sig.contains(Signals::CHANNEL_PEER_CLOSED),
        "deepest endpoint already closed"
    );
}

/// Checks the deepest endpoint was closed: the tail sees PEER_CLOSED and loses WRITABLE.
fn check_tail_released(tail: &Channel) {
    let r = tail
        .0
        .wait_one(Signals::CHANNEL_PEER_CLOSED, deadline_after(SEC));
    check!(r.is_ok(), "deepest endpoint not closed: {:?}", r);
    let (_, sig) = signals_now(tail.raw());
    check!(
        !sig.contains(Signals::CHANNEL_WRITABLE),
        "tail still writable"
    );
    check_eq!(tail.write(b"x", &[]), Err(Status::PEER_CLOSED));
}

/// The kernel still works: a fresh channel round trip with a handle aboard.
fn check_kernel_alive() {
    let (a, b) = must!(Channel::create());
    let e = must!(Event::create());
    check!(a.write(b"alive", &[e.0.into_raw()]).is_ok());
    if let Some(m) = expect_read(&b, b"alive") {
        check_eq!(m.num_handles, 1);
        raw::handle_close(m.handles[0]);
    }
}

fn nest_of_10000_channels_can_be_walked_by_reading_each_level() {
    let base = counts();
    let Nest { head, tail } = must!(build_nest(DEPTH, Cargo::None, &mut []));
    check_eq!(counts().messages, base.messages + DEPTH as u64);
    let mut cur = head;
    let mut walked = 0usize;
    for level in 1..=DEPTH {
        let m = cur.read();
        check!(m.is_ok(), "level {}: read {:?}", level, m.as_ref().err());
        let Ok(m) = m else { break };
        let (nb, nh) = (m.num_bytes, m.num_handles);
        let ok_shape = nb == 8 && nh == 1 && m.bytes[..8] == (level as u64).to_le_bytes();
        check!(ok_shape, "level {}: {} bytes, {} handles", level, nb, nh);
        if nh == 0 {
            break;
        }
        close_many(&m.handles[1..nh as usize]);
        let next = Channel(Handle::from_raw(m.handles[0]));
        // Each level's writer was closed after its write: the message stayed readable.
        let (_, sig) = signals_now(cur.raw());
        check!(sig.contains(Signals::CHANNEL_PEER_CLOSED));
        check!(!sig.contains(Signals::CHANNEL_READABLE));
        cur = next; // closes the endpoint just emptied
        walked += 1;
    }
    check_eq!(walked, DEPTH);
    // The deepest endpoint: nothing queued, its peer (the tail) still open.
    check_status!(read_nothing(cur.raw()), Status::SHOULD_WAIT);
    drop(tail);
    check_status!(read_nothing(cur.raw()), Status::PEER_CLOSED);
    drop(cur);
    check_eq!(counts().messages, base.messages);
    check_back_to_baseline(base);
}

fn closing_head_of_10000_nested_channels_destroys_every_level() {
    let base = counts();
    let nest = must!(build_nest(DEPTH, Cargo::None, &mut []));
    let mid = counts();
    check_eq!(mid.messages, base.messages + DEPTH as u64);
    // Held: head and tail; in messages: one endpoint per level.
    check_eq!(mid.handles, base.handles + 2 + DEPTH as u64);
    check!(mid.ipc_bytes >= base.ipc_bytes + 8 * DEPTH as u64);
    check_tail_alive(&nest);
    let Nest { head, tail } = nest;
    let head_raw = head.raw();
    check_status!(raw::handle_close(head.0.into_raw()), Status::OK);
    check!(!valid(head_raw));
    check_tail_released(&tail);
    check_eq!(counts().messages, base.messages);
    drop(tail);
    check_kernel_alive();
    check_back_to_baseline(base);
}

fn closing_head_destroys_nested_events_and_eventpairs() {
    let base = counts();
    let mut ws = [1, DEPTH / 2, DEPTH].map(placeholder_witness);
    let nest = must!(build_nest(DEPTH, Cargo::EventAndEventpair, &mut ws));
    let mid = counts();
    check_eq!(mid.messages, base.messages + DEPTH as u64);
    // Held: head, tail, 2 per witness; in messages: 4 per level, 2 more per witness.
    check_eq!(
        mid.handles,
        base.handles + 2 + 2 * 3 + 4 * DEPTH as u64 + 2 * 3
    );
    for w in &ws {
        check_witness_alive(w);
    }
    check_tail_alive(&nest);
    let Nest { head, tail } = nest;
    drop(head);
    check_tail_released(&tail);
    for w in &ws {
        check_witness_released(w);
    }
    check_eq!(counts().messages, base.messages);
    drop(tail);
    check_kernel_alive();
    drop(ws);
    check_back_to_baseline(base);
}

fn closing_head_destroys_a_nest_of_full_messages() {
    // 1,000 levels of 64 handles and 1 KiB each: 64,000 handles and 1 MB queued.
    const LEVELS: usize = 1000;
    let base = counts();
    let Nest { head, tail } = must!(build_nest(LEVELS, Cargo::Full, &mut []));
    let mid = counts();
    check_eq!(mid.messages, base.messages + LEVELS as u64);
    check_eq!(mid.handles, base.handles + 2 + 64 * LEVELS as u64);
    check!(mid.ipc_bytes >= base.ipc_bytes + 1024 * LEVELS as u64);
    drop(head);
    check_tail_released(&tail);
    drop(tail);
    check_kernel_alive();
    check_back_to_baseline(base);
}

fn nest_queued_in_a_channel_whose_both_ends_close_is_destroyed() {
    // The head itself travels in a message; the carrier's reader end is closed last, after its
    // writer: the nest lives until then.
    let base = counts();
    let Nest { head, tail } = must!(build_nest(DEPTH, Cargo::None, &mut []));
    let (cw, cr) = must!(Channel::create());
    check!(cw.write(b"head", &[head.0.into_raw()]).is_ok());
    drop(cw);
    let (_, sig) = signals_now(tail.raw());
    let gone = sig.contains(Signals::CHANNEL_PEER_CLOSED);
    check!(!gone, "nest destroyed while its carrier's reader is open");
    check_eq!(counts().messages, base.messages + DEPTH as u64 + 1);
    drop(cr);
    check_tail_released(&tail);
    drop(tail);
    check_back_to_baseline(base);
}

/// Modes of `child_nest` (must match child_nest.rs).
const MODE_EXIT: u32 = 0;
const MODE_FAULT: u32 = 1;
const MODE_EXIT_WITH_BLOCKED_THREAD: u32 = 2;

/// Runs `child_nest` in `mode`: it builds a nest of `DEPTH` channels carrying events and
/// eventpairs, sends back witnesses (the nest's tail and an eventpair end whose peer is in the
/// deepest message), and ends without closing anything. Returns the child's return code.
fn run_child(mode: u32, want_code: i64) {
    let base = counts();
    let mut cfg = [0u8; 8];
    cfg[..4].copy_from_slice(&mode.to_le_bytes());
    cfg[4..].copy_from_slice(&(DEPTH as u32).to_le_bytes());
    let (p, ours) = must!(spawn_with("child_nest", &cfg, &[]));
    check_eq!(p.wait(deadline_after(30 * SEC)), Ok(want_code));
    // The witnesses stay readable after the child's end closed.
    if let Some(m) = expect_read(&ours, b"nest") {
        check_eq!(m.num_handles, 2);
        if m.num_handles == 2 {
            let tail = Channel(Handle::from_raw(m.handles[0]));
            let pair = Handle::from_raw(m.handles[1]);
            check_tail_released(&tail);
            let r = pair.wait_one(Signals::EVENTPAIR_PEER_CLOSED, deadline_after(SEC));
            check!(r.is_ok(), "deepest eventpair end not closed: {:?}", r);
        } else {
            close_many(&m.handles[..m.num_handles as usize]);
        }
    }
    drop(ours);
    drop(p);
    check_back_to_baseline(base);
}

fn process_exit_closes_10000_nested_channels_it_holds() {
    run_child(MODE_EXIT, 0);
}

fn process_killed_by_fault_closes_10000_nested_channels_it_holds() {
    // The child's fault is reported on the console by the kernel; that report is expected.
    run_child(MODE_FAULT, TASK_RETCODE_EXCEPTION_KILL);
}

fn process_exit_with_a_blocked_thread_closes_nested_channels() {
    run_child(MODE_EXIT_WITH_BLOCKED_THREAD, 0);
}

fn repeating_nest_teardown_in_a_fresh_process_leaves_heap_where_it_was() {
    // docs/abi.md section 5: the same work again in a fresh child process leaves heap_used_bytes
    // where the previous run left it (within 1 KiB).
    run_child(MODE_EXIT, 0);
    let h1 = kstats().heap_used_bytes;
    run_child(MODE_EXIT, 0);
    let h2 = kstats().heap_used_bytes;
    check!(
        h2 <= h1 + 1024,
        "heap_used_bytes grew from {} to {} over one more run",
        h1,
        h2
    );
}

zx::tests!(
    nest_of_10000_channels_can_be_walked_by_reading_each_level,
    closing_head_of_10000_nested_channels_destroys_every_level,
    closing_head_destroys_nested_events_and_eventpairs,
    closing_head_destroys_a_nest_of_full_messages,
    nest_queued_in_a_channel_whose_both_ends_close_is_destroyed,
    process_exit_closes_10000_nested_channels_it_holds,
    process_killed_by_fault_closes_10000_nested_channels_it_holds,
    process_exit_with_a_blocked_thread_closes_nested_channels,
    repeating_nest_teardown_in_a_fresh_process_leaves_heap_where_it_was,
);

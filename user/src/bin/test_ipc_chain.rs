//! IPC under load: 100,000 messages, each carrying one handle and a sequence number, travel
//! through a chain of 4 processes (`child_chain`) and back to the test. Every node forwards the
//! bytes and the handle; the test checks that the messages come back complete and in order,
//! that every handle that comes back is the object that was sent (koid, type and rights), that
//! channel ends that crossed the chain are still connected to their peers, and that the kernel
//! stats are back at their baseline once the chain has exited.
//!
//! Flow control: at most `WINDOW` messages are in flight, so no endpoint ever holds more than
//! `WINDOW` < `CHANNEL_MAX_PENDING` (3500) unread messages and no write can get SHOULD_WAIT,
//! whatever the interleaving (1 core or many).
#![no_std]
#![no_main]

use zx::test::*;
use zx::*;

const MESSAGES: u64 = 100_000;
const NODES: u32 = 4;
const WINDOW: usize = 1000;
/// A wait with no progress for this long fails the case (the chain stalled).
const STALL_NS: i64 = 20 * SEC;

/// One slot of the window: the handle it sends (even slots: an event; odd slots: a channel end
/// whose peer the test keeps), its koid, type and rights.
struct Slot {
    handle: u32,
    koid: u64,
    obj_type: u32,
    rights: u32,
    peer: Option<Channel>,
}

fn make_slot(i: usize) -> ZxResult<Slot> {
    let (h, peer) = if i.is_multiple_of(2) {
        (Event::create()?.0, None)
    } else {
        let (a, b) = Channel::create()?;
        (a.0, Some(b))
    };
    let info: InfoHandleBasic = get_info(h.raw(), INFO_HANDLE_BASIC)?;
    Ok(Slot {
        handle: h.into_raw(),
        koid: info.koid,
        obj_type: info.obj_type,
        rights: info.rights,
        peer,
    })
}

/// Sends message `seq` carrying the handle of slot `seq % WINDOW` (moved into the message).
fn send(down: &Channel, slots: &mut [Slot], seq: u64) -> bool {
    let slot = &mut slots[(seq % WINDOW as u64) as usize];
    let h = slot.handle;
    slot.handle = HANDLE_INVALID;
    let s = raw::channel_write(down.raw(), 0, seq.to_le_bytes().as_ptr(), 8, &h, 1);
    check!(s == 0, "sending message {}: {}", seq, Status(s));
    s == 0
}

/// What the receive loop saw.
#[derive(Default)]
struct Tally {
    received: u64,
    out_of_order: u64,
    bad_shape: u64,
    wrong_object: u64,
    first_problem: Option<u64>,
}

fn note(t: &mut Tally, seq: u64) {
    if t.first_problem.is_none() {
        t.first_problem = Some(seq);
    }
}

fn hundred_thousand_messages_with_handles_cross_a_four_process_chain_in_order() {
    chain(MESSAGES);
}

/// Its own baseline and a short chain (two windows of messages), so that it runs alone too.
fn kernel_stats_return_to_baseline_after_the_chain_exits() {
    let base = counts();
    chain(2 * WINDOW as u64);
    // The chain's processes end one after another: `check_back_to_baseline` gives them 5 s.
    check_back_to_baseline(base);
}

/// Sends `messages` messages through a chain of `NODES` processes and checks each on return.
fn chain(messages: u64) {
    // The window's handles, created before the chain so that every message reuses one.
    let mut slots: [Slot; WINDOW] = core::array::from_fn(|_| Slot {
        handle: HANDLE_INVALID,
        koid: 0,
        obj_type: 0,
        rights: 0,
        peer: None,
    });
    for (i, s) in slots.iter_mut().enumerate() {
        *s = must!(make_slot(i));
    }
    let (ret_ours, ret_theirs) = must!(Channel::create());
    // `down` feeds the first node; the number of nodes and the return channel go first.
    let nodes = NODES.to_le_bytes();
    let (chain, down) = must!(spawn_with(
        "child_chain",
        &nodes,
        &[ret_theirs.0.into_raw()]
    ));

    let mut t = Tally::default();
    let mut sent: u64 = 0;
    let mut bytes = [0u8; 16];
    let mut hs = [0u32; 4];
    let t0 = now();
    'run: while t.received < messages {
        while sent < messages && sent - t.received < WINDOW as u64 {
            if !send(&down, &mut slots, sent) {
                break 'run;
            }
            sent += 1;
        }
        // Drain whatever has come back; wait only when nothing has.
        let mut got_any = false;
        loop {
            let (s, nb, nh) = read_raw(ret_ours.raw(), &mut bytes, &mut hs);
            if s == Status::SHOULD_WAIT.raw() {
                break;
            }
            if s != 0 {
                let n = t.received;
                check!(
                    false,
                    "reading the return channel after {} messages: {}",
                    n,
                    Status(s)
                );
                break 'run;
            }
            got_any = true;
            let expect = t.received;
            t.received += 1;
            let seq = u64_at(&bytes, 0);
            if nb != 8 || nh != 1 {
                t.bad_shape += 1;
                note(&mut t, expect);
                raw::handle_close_many(hs.as_ptr(), nh as usize);
                continue;
            }
            if seq != expect {
                t.out_of_order += 1;
                note(&mut t, expect);
            }
            let slot = &mut slots[(expect % WINDOW as u64) as usize];
            let i = basic(hs[0]);
            if (i.koid, i.obj_type, i.rights) != (slot.koid, slot.obj_type, slot.rights) {
                t.wrong_object += 1;
                note(&mut t, expect);
            }
            // The handle goes back into its slot for message expect + WINDOW.
            slot.handle = hs[0];
            if sent < messages && sent - t.received >= (WINDOW / 2) as u64 {
                continue;
            }
            if sent < messages {
                break; // refill the window
            }
        }
        if !got_any {
            let r = ret_ours.wait_message(deadline_after(STALL_NS));
            if r.is_err() {
                let n = t.received;
                check!(
                    false,
                    "chain stalled: sent {}, received {}: {:?}",
                    sent,
                    n,
                    r
                );
                break 'run;
            }
        }
    }
    let elapsed_ms = (now() - t0) / MS;

    check_eq!(t.received, messages);
    check_eq!(sent, messages);
    check_eq!(t.out_of_order, 0);
    check_eq!(t.bad_shape, 0);
    check_eq!(t.wrong_object, 0);
    check_eq!(t.first_problem, None, "first bad message:");
    check!(
        elapsed_ms < 60_000,
        "{} messages took {} ms",
        messages,
        elapsed_ms
    );

    // Channel ends that crossed the chain 100 times still talk to the peer the test kept.
    for (i, s) in slots.iter().enumerate() {
        if let (Some(peer), true) = (&s.peer, s.handle != HANDLE_INVALID) {
            let msg = (i as u64).to_le_bytes();
            let w = raw::channel_write(s.handle, 0, msg.as_ptr(), 8, core::ptr::null(), 0);
            check!(
                w == 0,
                "slot {}: write through carried end: {}",
                i,
                Status(w)
            );
            let ok = peer.read().is_ok_and(|m| payload(&m) == msg);
            check!(ok, "slot {}: peer did not receive the message", i);
        }
    }
    for s in &mut slots {
        if s.handle != HANDLE_INVALID {
            raw::handle_close(s.handle);
            s.handle = HANDLE_INVALID;
        }
        s.peer = None;
    }

    // Tear the chain down: every node sees PEER_CLOSED upstream after the last message, closes
    // downstream and exits; the last one closes the return channel.
    drop(down);
    let r = ret_ours
        .0
        .wait_one(Signals::CHANNEL_PEER_CLOSED, deadline_after(STALL_NS));
    check!(r.is_ok(), "return channel not closed by the chain: {:?}", r);
    check_status!(read_nothing(ret_ours.raw()), Status::PEER_CLOSED);
    let code = chain.wait(deadline_after(STALL_NS));
    check_eq!(code, Ok(0));
}

zx::tests!(
    hundred_thousand_messages_with_handles_cross_a_four_process_chain_in_order,
    kernel_stats_return_to_baseline_after_the_chain_exits,
);

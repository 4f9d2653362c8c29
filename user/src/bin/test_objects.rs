//! Events, eventpairs, signals and waiting: `zx_event_create`, `zx_eventpair_create`,
//! `zx_object_signal`, `zx_object_signal_peer`, peer-closed signals, `zx_object_wait_one`,
//! `zx_object_wait_many`, `zx_nanosleep` and `zx_clock_get_monotonic` (across threads).
#![no_std]
#![no_main]

use core::ptr::null_mut;
use core::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, Ordering};
use zx::test::*;
use zx::*;

/// Bound for "returns at once" (generous: QEMU TCG on a loaded host).
const PROMPT_NS: i64 = 50 * MS;
/// Deadline for waits that must end early (a kernel that misses the wake-up fails, not hangs).
const LONG_NS: i64 = 5_000 * MS;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// The handle's current signals: a wait for nothing with deadline 0 times out and reports
/// what it observed.
fn sigs(h: u32) -> u32 {
    let mut obs = 0xdead_beef;
    let s = raw::object_wait_one(h, 0, 0, &mut obs);
    check_status!(s, Status::TIMED_OUT, "wait_one({:#x}, 0, 0)", h);
    obs
}

const SIGNALED: u32 = Signals::EVENT_SIGNALED.bits();
const U0: u32 = Signals::USER_0.bits();
const U1: u32 = Signals::USER_1.bits();
const U2: u32 = Signals::USER_2.bits();
const U5: u32 = Signals::USER_5.bits();
const U7: u32 = Signals::USER_7.bits();
const READABLE: u32 = Signals::CHANNEL_READABLE.bits();
const WRITABLE: u32 = Signals::CHANNEL_WRITABLE.bits();
const CH_PEER_CLOSED: u32 = Signals::CHANNEL_PEER_CLOSED.bits();
const EP_PEER_CLOSED: u32 = Signals::EVENTPAIR_PEER_CLOSED.bits();
const HANDLE_CLOSED: u32 = Signals::SIGNAL_HANDLE_CLOSED.bits();

// Threads: arguments and results through statics.
static ARG_A: AtomicU32 = AtomicU32::new(0);
static ARG_B: AtomicU32 = AtomicU32::new(0);
static T_STATUS: AtomicI32 = AtomicI32::new(1);
static T_STATUS2: AtomicI32 = AtomicI32::new(1);

/// `zx_object_wait_many` on all of `items`.
fn wait_many(items: &mut [WaitItem], deadline: i64) -> Status {
    Status(raw::object_wait_many(
        items.as_mut_ptr(),
        items.len(),
        deadline,
    ))
}

fn signal_after_3ms(h: usize) {
    sleep_ns(3 * MS);
    T_STATUS.store(raw::object_signal(h as u32, 0, SIGNALED), Ordering::SeqCst);
}

fn close_after_5ms(h: usize) {
    sleep_ns(5 * MS);
    T_STATUS.store(raw::handle_close(h as u32), Ordering::SeqCst);
}

/// Closes ARG_A, then signals ARG_B.
fn close_a_then_signal_b(_: usize) {
    sleep_ns(3 * MS);
    let s = raw::handle_close(ARG_A.load(Ordering::SeqCst));
    T_STATUS.store(s, Ordering::SeqCst);
    sleep_ns(3 * MS);
    let s = raw::object_signal(ARG_B.load(Ordering::SeqCst), 0, SIGNALED);
    T_STATUS2.store(s, Ordering::SeqCst);
}

// ------------------------------------------------------------------------------------------
// zx_event_create / zx_eventpair_create
// ------------------------------------------------------------------------------------------

fn event_create_with_options_is_invalid_args() {
    let before = type_count(ObjType::EVENT);
    for opt in [1u32, 2, 0x8000_0000, 0xffff_ffff] {
        let mut out = 0x5555_5555u32;
        check_status!(raw::event_create(opt, &mut out), Status::INVALID_ARGS);
        check_eq!(out, 0x5555_5555);
    }
    check_eq!(type_count(ObjType::EVENT), before);
}

fn event_create_to_an_unwritable_out_is_invalid_args_and_creates_nothing() {
    let before = type_count(ObjType::EVENT);
    let objs = live_objects();
    for (what, addr) in hostile(4) {
        let s = raw::event_create(0, addr as *mut u32);
        check_status!(s, Status::INVALID_ARGS, "event_create into {}", what);
    }
    check_eq!(type_count(ObjType::EVENT), before);
    check_eq!(settled_objects(objs), objs);
    check!(ro_intact(), "the kernel wrote to read-only memory");
}

fn event_has_default_rights_and_no_signals() {
    let e = event();
    check_eq!(e & HANDLE_FIXED_BITS_MASK, HANDLE_FIXED_BITS_MASK);
    let b = basic(e);
    check_eq!(b.rights, Rights::DEFAULT_EVENT.bits());
    check_eq!(b.rights, 0xD003);
    check_eq!(b.obj_type, ObjType::EVENT.raw());
    check_eq!(b.related_koid, 0);
    check_eq!(sigs(e), 0);
    close(e);
}

fn eventpair_create_gives_two_linked_ends_with_default_rights() {
    let (a, b) = eventpair();
    check!(a != b);
    let (ba, bb) = (basic(a), basic(b));
    check_eq!(ba.rights, 0xF003);
    check_eq!(bb.rights, Rights::DEFAULT_EVENTPAIR.bits());
    let ty = ObjType::EVENTPAIR.raw();
    check_eq!((ba.obj_type, bb.obj_type), (ty, ty));
    check!(ba.koid != bb.koid);
    check_eq!((ba.related_koid, bb.related_koid), (bb.koid, ba.koid));
    check_eq!((sigs(a), sigs(b)), (0, 0));
    close_all(&[a, b]);
}

fn eventpair_create_with_options_is_not_supported() {
    // Zircon: "ZX_ERR_NOT_SUPPORTED options has an unsupported flag set (i.e. is not 0)".
    let before = type_count(ObjType::EVENTPAIR);
    for opt in [1u32, 0x8000_0000] {
        let (mut a, mut b) = (0x5555_5555u32, 0x5555_5555u32);
        check_status!(
            raw::eventpair_create(opt, &mut a, &mut b),
            Status::NOT_SUPPORTED
        );
        check_eq!((a, b), (0x5555_5555, 0x5555_5555));
    }
    check_eq!(type_count(ObjType::EVENTPAIR), before);
}

fn eventpair_create_to_an_unwritable_out_is_invalid_args_and_creates_nothing() {
    let before = type_count(ObjType::EVENTPAIR);
    let objs = live_objects();
    for (what, addr) in hostile(4) {
        let mut good = 0u32;
        let s = raw::eventpair_create(0, &mut good, addr as *mut u32);
        check_status!(s, Status::INVALID_ARGS, "eventpair_create(out1 = {})", what);
        let s = raw::eventpair_create(0, addr as *mut u32, &mut good);
        check_status!(s, Status::INVALID_ARGS, "eventpair_create(out0 = {})", what);
    }
    check_eq!(type_count(ObjType::EVENTPAIR), before);
    check_eq!(settled_objects(objs), objs);
    check!(ro_intact(), "the kernel wrote to read-only memory");
}

// ------------------------------------------------------------------------------------------
// zx_object_signal
// ------------------------------------------------------------------------------------------

fn signal_needs_the_signal_right() {
    let e = event();
    let w = dup(e, Rights::WAIT | Rights::INSPECT);
    check_status!(raw::object_signal(w, 0, SIGNALED), Status::ACCESS_DENIED);
    check_status!(raw::object_signal(w, 0, U0), Status::ACCESS_DENIED);
    check_eq!(sigs(e), 0);
    check_status!(raw::object_signal(e, 0, U0), Status::OK);
    check_status!(raw::object_signal(w, U0, 0), Status::ACCESS_DENIED);
    check_eq!(sigs(e), U0);
    // Same on a channel end that lost SIGNAL.
    let (a, b) = channel();
    let r = replace(
        a,
        Rights::READ | Rights::WRITE | Rights::WAIT | Rights::INSPECT,
    );
    check_status!(raw::object_signal(r, 0, U0), Status::ACCESS_DENIED);
    check_eq!(sigs(r), WRITABLE);
    close_all(&[e, w, r, b]);
}

fn signal_sets_and_clears_event_signaled_and_user_signals_on_events() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED | U0 | U7), Status::OK);
    check_eq!(sigs(e), SIGNALED | U0 | U7);
    check_status!(raw::object_signal(e, U0, 0), Status::OK);
    check_eq!(sigs(e), SIGNALED | U7);
    // Clear and set together.
    check_status!(raw::object_signal(e, SIGNALED | U7, U2), Status::OK);
    check_eq!(sigs(e), U2);
    // Every user signal at once, then clear them all.
    let all = Signals::USER_ALL.bits();
    check_status!(raw::object_signal(e, 0, all), Status::OK);
    check_eq!(sigs(e), all);
    check_status!(raw::object_signal(e, all | SIGNALED, 0), Status::OK);
    check_eq!(sigs(e), 0);
    // Other handles to the same event see the same signals.
    let d = dup(e, Rights::SAME_RIGHTS);
    check_status!(raw::object_signal(d, 0, SIGNALED), Status::OK);
    check_eq!(sigs(e), SIGNALED);
    close_all(&[d, e]);
}

fn signal_rejects_non_user_bits_on_events() {
    let e = event();
    check_status!(raw::object_signal(e, 0, U1), Status::OK);
    for bad in [1u32 << 0, 1 << 1, 1 << 2, 1 << 4, 1 << 22, HANDLE_CLOSED] {
        check_status!(raw::object_signal(e, 0, bad), Status::INVALID_ARGS);
        check_status!(raw::object_signal(e, bad, 0), Status::INVALID_ARGS);
        // A bad bit makes the whole call fail: the good bits are not applied either.
        check_status!(raw::object_signal(e, U1, bad | U0), Status::INVALID_ARGS);
    }
    check_eq!(sigs(e), U1);
    close(e);
}

fn signal_on_channels_accepts_only_user_signals() {
    let (a, b) = channel();
    check_eq!(sigs(a), WRITABLE);
    check_status!(raw::object_signal(a, 0, U0), Status::OK);
    check_eq!(sigs(a), WRITABLE | U0);
    // object_signal is about this end only.
    check_eq!(sigs(b), WRITABLE);
    for (clear, set) in [
        (0, READABLE),
        (WRITABLE, 0),
        (0, CH_PEER_CLOSED),
        (0, SIGNALED),
    ] {
        let s = raw::object_signal(a, clear, set);
        check_status!(
            s,
            Status::INVALID_ARGS,
            "signal(clear {:#x}, set {:#x})",
            clear,
            set
        );
    }
    check_eq!(sigs(a), WRITABLE | U0);
    // Not readable after the refused READABLE: there is nothing to read.
    let mut buf = [0u8; 8];
    check_status!(read_raw(a, &mut buf, &mut []).0, Status::SHOULD_WAIT);
    check_status!(raw::object_signal(a, U0, 0), Status::OK);
    check_eq!(sigs(a), WRITABLE);
    close_all(&[a, b]);
}

fn signal_on_a_bad_handle_is_bad_handle() {
    check_status!(
        raw::object_signal(HANDLE_INVALID, 0, U0),
        Status::BAD_HANDLE
    );
    let e = stale();
    check_status!(raw::object_signal(e, 0, U0), Status::BAD_HANDLE);
    check_status!(raw::object_signal_peer(e, 0, U0), Status::BAD_HANDLE);
}

// ------------------------------------------------------------------------------------------
// zx_object_signal_peer
// ------------------------------------------------------------------------------------------

fn signal_peer_on_an_eventpair_sets_the_peer_signals() {
    let (a, b) = eventpair();
    check_status!(raw::object_signal_peer(a, 0, U1 | U5), Status::OK);
    check_eq!(sigs(b), U1 | U5);
    check_eq!(sigs(a), 0);
    check_status!(raw::object_signal_peer(a, U5, 0), Status::OK);
    check_eq!(sigs(b), U1);
    // And the other way round.
    check_status!(raw::object_signal_peer(b, 0, U0), Status::OK);
    check_eq!(sigs(a), U0);
    check_eq!(sigs(b), U1);
    close_all(&[a, b]);
}

fn signal_peer_on_a_channel_sets_the_peer_signals() {
    let (a, b) = channel();
    check_status!(raw::object_signal_peer(a, 0, U1), Status::OK);
    check_eq!(sigs(b), WRITABLE | U1);
    check_eq!(sigs(a), WRITABLE);
    check_status!(raw::object_signal_peer(a, U1, U2), Status::OK);
    check_eq!(sigs(b), WRITABLE | U2);
    close_all(&[a, b]);
}

fn signal_peer_rejects_non_user_bits() {
    let (a, b) = channel();
    let (p, q) = eventpair();
    // (handle, clear, set)
    let refused = [
        (a, 0, READABLE),
        (a, 0, CH_PEER_CLOSED),
        (a, WRITABLE, 0),
        (p, 0, EP_PEER_CLOSED),
        (p, 0, HANDLE_CLOSED),
    ];
    for (h, clear, set) in refused {
        let s = raw::object_signal_peer(h, clear, set);
        check_status!(
            s,
            Status::INVALID_ARGS,
            "signal_peer({:#x}, {:#x}, {:#x})",
            h,
            clear,
            set
        );
    }
    check_eq!(sigs(b), WRITABLE);
    check_eq!(sigs(q), 0);
    close_all(&[a, b, p, q]);
}

fn signal_peer_needs_the_signal_peer_right() {
    let (a, b) = eventpair();
    let r = dup(
        a,
        Rights::DUPLICATE | Rights::SIGNAL | Rights::WAIT | Rights::INSPECT,
    );
    check_status!(raw::object_signal_peer(r, 0, U0), Status::ACCESS_DENIED);
    check_eq!(sigs(b), 0);
    // SIGNAL_PEER alone is enough.
    let sp = dup(a, Rights::SIGNAL_PEER);
    check_status!(raw::object_signal_peer(sp, 0, U0), Status::OK);
    check_eq!(sigs(b), U0);
    let (c, d) = channel();
    let rc = replace(
        c,
        Rights::READ | Rights::WRITE | Rights::SIGNAL | Rights::WAIT,
    );
    check_status!(raw::object_signal_peer(rc, 0, U0), Status::ACCESS_DENIED);
    check_eq!(sigs(d), WRITABLE);
    close_all(&[a, b, r, sp, rc, d]);
}

fn signal_peer_after_the_peer_closed_is_peer_closed() {
    let (a, b) = eventpair();
    close(b);
    check_status!(raw::object_signal_peer(a, 0, U0), Status::PEER_CLOSED);
    check_eq!(sigs(a), EP_PEER_CLOSED);
    let (c, d) = channel();
    close(d);
    check_status!(raw::object_signal_peer(c, 0, U0), Status::PEER_CLOSED);
    check_eq!(sigs(c), CH_PEER_CLOSED);
    close_all(&[a, c]);
}

fn signal_peer_on_an_event_is_refused() {
    // An event has no peer: Zircon lists NOT_SUPPORTED ("used on an object lacking a peer")
    // and ACCESS_DENIED ("handle does not have ZX_RIGHT_SIGNAL_PEER", which an event handle
    // never has: default rights 0xD003). Zircon checks the right first; either status
    // refuses the call, and nothing may change.
    let e = event();
    let s = Status(raw::object_signal_peer(e, 0, U0));
    let refused = s == Status::NOT_SUPPORTED || s == Status::ACCESS_DENIED;
    check!(refused, "signal_peer on an event returned {}", s);
    check_eq!(sigs(e), 0);
    close(e);
}

// ------------------------------------------------------------------------------------------
// Peer-closed signals
// ------------------------------------------------------------------------------------------

fn eventpair_peer_closed_is_asserted_when_the_other_end_closes() {
    let (a, b) = eventpair();
    check_status!(raw::object_signal(a, 0, U2), Status::OK);
    check_eq!(sigs(a), U2);
    // We wait while another thread closes the peer.
    let t = start(close_after_5ms, b as usize);
    let got = wait_raw(a, EP_PEER_CLOSED, deadline_after(LONG_NS));
    check_eq!(got, (Status::OK, EP_PEER_CLOSED | U2));
    join(t);
    check_eq!(T_STATUS.load(Ordering::SeqCst), Status::OK.raw());
    check_eq!(sigs(a), EP_PEER_CLOSED | U2);
    close(a);
}

fn channel_peer_closed_is_asserted_and_writable_cleared() {
    let (a, b) = channel();
    check_eq!(sigs(a), WRITABLE);
    let st = raw::channel_write(b, 0, b"left".as_ptr(), 4, core::ptr::null(), 0);
    check_status!(st, Status::OK);
    check_eq!(sigs(a), WRITABLE | READABLE);
    close(b);
    check_eq!(sigs(a), READABLE | CH_PEER_CLOSED);
    // The queued message is still there to read.
    let mut buf = [0u8; 8];
    let (st, ab, _) = read_raw(a, &mut buf, &mut []);
    check_status!(st, Status::OK);
    check_eq!(&buf[..ab as usize], b"left");
    check_eq!(sigs(a), CH_PEER_CLOSED);
    let st = raw::channel_write(a, 0, b"x".as_ptr(), 1, core::ptr::null(), 0);
    check_status!(st, Status::PEER_CLOSED);
    // WRITABLE never comes back: a wait for it times out.
    check_eq!(
        wait_raw(a, WRITABLE, 0),
        (Status::TIMED_OUT, CH_PEER_CLOSED)
    );
    close(a);
}

// ------------------------------------------------------------------------------------------
// zx_object_wait_one
// ------------------------------------------------------------------------------------------

fn wait_one_on_already_satisfied_signals_returns_at_once_with_observed() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED | U1), Status::OK);
    for deadline in [TIME_INFINITE, 0, -1, deadline_after(LONG_NS)] {
        let t0 = now();
        check_eq!(
            wait_raw(e, SIGNALED | U0, deadline),
            (Status::OK, SIGNALED | U1)
        );
        check!(now() - t0 < PROMPT_NS, "took {} ns", now() - t0);
    }
    // NULL observed is allowed.
    check_status!(raw::object_wait_one(e, SIGNALED, 0, null_mut()), Status::OK);
    close(e);
}

fn wait_one_with_deadline_zero_times_out_and_writes_observed() {
    let e = event();
    check_status!(raw::object_signal(e, 0, U2), Status::OK);
    check_eq!(wait_raw(e, SIGNALED, 0), (Status::TIMED_OUT, U2));
    let (a, b) = channel();
    check_eq!(wait_raw(a, READABLE, 0), (Status::TIMED_OUT, WRITABLE));
    close_all(&[e, a, b]);
}

fn wait_one_with_a_past_deadline_times_out_at_once() {
    let e = event();
    let t0 = now();
    for deadline in [1, -1, i64::MIN, t0 - MS, t0] {
        let mut obs = 0xdead_beef;
        let s = raw::object_wait_one(e, SIGNALED, deadline, &mut obs);
        check_status!(s, Status::TIMED_OUT, "deadline {}", deadline);
        check_eq!(obs, 0);
    }
    check!(now() - t0 < PROMPT_NS, "took {} ns", now() - t0);
    close(e);
}

fn wait_one_with_a_future_deadline_times_out_after_it() {
    let e = event();
    check_status!(raw::object_signal(e, 0, U7), Status::OK);
    let t0 = now();
    let deadline = t0 + 5 * MS;
    check_eq!(wait_raw(e, SIGNALED, deadline), (Status::TIMED_OUT, U7));
    let t1 = now();
    check!(
        t1 >= deadline,
        "returned {} ns before the deadline",
        deadline - t1
    );
    check!(t1 - t0 < 2_000 * MS, "took {} ns", t1 - t0);
    close(e);
}

fn wait_one_infinite_is_woken_by_another_threads_signal() {
    let e = event();
    T_STATUS.store(1, Ordering::SeqCst);
    let t = start(signal_after_3ms, e as usize);
    let t0 = now();
    if t.is_some() {
        check_eq!(wait_raw(e, SIGNALED, TIME_INFINITE), (Status::OK, SIGNALED));
        check!(now() - t0 >= 2 * MS, "woke before the signal");
    }
    join(t);
    check_eq!(T_STATUS.load(Ordering::SeqCst), Status::OK.raw());
    close(e);
}

fn wait_one_needs_the_wait_right() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED), Status::OK);
    let d = dup(e, Rights::SAME_RIGHTS);
    let nw = replace(
        d,
        Rights::DUPLICATE | Rights::TRANSFER | Rights::SIGNAL | Rights::INSPECT,
    );
    let mut obs = 0xdead_beef;
    // Refused even though the signal is already there.
    for deadline in [0, TIME_INFINITE] {
        let s = raw::object_wait_one(nw, SIGNALED, deadline, &mut obs);
        check_status!(s, Status::ACCESS_DENIED, "deadline {}", deadline);
    }
    check_eq!(obs, 0xdead_beef);
    close_all(&[nw, e]);
}

fn wait_one_with_an_unwritable_observed_is_invalid_args() {
    let e = event();
    check_status!(raw::object_signal(e, 0, U0), Status::OK);
    // NULL is allowed for `observed`, so it is not in this list.
    for (what, addr) in hostile(4).iter().skip(1) {
        // Satisfied at once...
        let s = raw::object_wait_one(e, U0, 0, *addr as *mut u32);
        check_status!(s, Status::INVALID_ARGS, "satisfied wait into {}", what);
        // ...and timing out.
        let s = raw::object_wait_one(e, SIGNALED, 0, *addr as *mut u32);
        check_status!(s, Status::INVALID_ARGS, "timed-out wait into {}", what);
    }
    check!(ro_intact(), "the kernel wrote to read-only memory");
    check_eq!(sigs(e), U0);
    close(e);
}

fn wait_one_is_canceled_when_another_thread_closes_the_handle() {
    let e = event();
    let keep = dup(e, Rights::SAME_RIGHTS);
    T_STATUS.store(1, Ordering::SeqCst);
    let t = start(close_after_5ms, e as usize);
    let mut obs = 0;
    let t0 = now();
    let s = raw::object_wait_one(e, SIGNALED, deadline_after(LONG_NS), &mut obs);
    check_status!(s, Status::CANCELED, "wait after {} ms", (now() - t0) / MS);
    check!(
        obs & HANDLE_CLOSED != 0,
        "observed {:#x} lacks HANDLE_CLOSED",
        obs
    );
    join(t);
    check_eq!(T_STATUS.load(Ordering::SeqCst), Status::OK.raw());
    check_status!(valid_status(e), Status::BAD_HANDLE);
    // The object lives on through the other handle, unsignaled.
    check_eq!(sigs(keep), 0);
    close(keep);
}

fn closing_another_handle_to_the_object_does_not_cancel_a_wait() {
    let e = event();
    let d = dup(e, Rights::SAME_RIGHTS);
    ARG_A.store(d, Ordering::SeqCst);
    ARG_B.store(e, Ordering::SeqCst);
    T_STATUS.store(1, Ordering::SeqCst);
    T_STATUS2.store(1, Ordering::SeqCst);
    let t = start(close_a_then_signal_b, 0);
    check_eq!(
        wait_raw(e, SIGNALED, deadline_after(LONG_NS)),
        (Status::OK, SIGNALED)
    );
    join(t);
    check_eq!(T_STATUS.load(Ordering::SeqCst), Status::OK.raw());
    check_eq!(T_STATUS2.load(Ordering::SeqCst), Status::OK.raw());
    check_status!(valid_status(d), Status::BAD_HANDLE);
    close(e);
}

fn wait_one_on_a_bad_handle_is_bad_handle() {
    check_eq!(wait_raw(HANDLE_INVALID, SIGNALED, 0).0, Status::BAD_HANDLE);
    check_eq!(
        wait_raw(stale(), SIGNALED, TIME_INFINITE).0,
        Status::BAD_HANDLE
    );
}

// ------------------------------------------------------------------------------------------
// zx_object_wait_many
// ------------------------------------------------------------------------------------------

fn item(h: u32, waitfor: u32) -> WaitItem {
    WaitItem {
        handle: h,
        waitfor,
        pending: 0xdead_beef,
    }
}

fn wait_many_returns_when_any_item_is_satisfied_and_writes_every_pending() {
    let (e1, e2) = (event(), event());
    let (a, b) = channel();
    let (p, q) = eventpair();
    check_status!(raw::object_signal(e1, 0, U0), Status::OK);
    check_status!(raw::object_signal(p, 0, U5), Status::OK);
    let mut items = [
        item(e1, SIGNALED),
        item(e2, SIGNALED),
        item(p, EP_PEER_CLOSED),
        item(a, READABLE | WRITABLE),
    ];
    let t0 = now();
    check_eq!(wait_many(&mut items, TIME_INFINITE), Status::OK);
    check!(now() - t0 < PROMPT_NS, "took {} ns", now() - t0);
    check_eq!(items.map(|i| i.pending), [U0, 0, U5, WRITABLE]);
    // handle and waitfor are left as they were.
    check_eq!((items[0].handle, items[0].waitfor), (e1, SIGNALED));
    check_eq!(
        (items[3].handle, items[3].waitfor),
        (a, READABLE | WRITABLE)
    );
    close_all(&[e1, e2, a, b, p, q]);
}

fn wait_many_is_woken_by_another_threads_signal() {
    let (e1, e2) = (event(), event());
    let mut items = [item(e1, SIGNALED), item(e2, SIGNALED)];
    T_STATUS.store(1, Ordering::SeqCst);
    let t = start(signal_after_3ms, e2 as usize);
    if t.is_some() {
        check_eq!(wait_many(&mut items, TIME_INFINITE), Status::OK);
        check_eq!(items.map(|i| i.pending), [0, SIGNALED]);
    }
    join(t);
    check_eq!(T_STATUS.load(Ordering::SeqCst), Status::OK.raw());
    close_all(&[e1, e2]);
}

fn wait_many_times_out_and_writes_pending() {
    let (e1, e2) = (event(), event());
    check_status!(raw::object_signal(e1, 0, U1), Status::OK);
    let mut items = [item(e1, SIGNALED), item(e2, SIGNALED | U0)];
    check_eq!(wait_many(&mut items, 0), Status::TIMED_OUT);
    check_eq!(items.map(|i| i.pending), [U1, 0]);
    let mut items = [item(e1, SIGNALED), item(e2, SIGNALED | U0)];
    let t0 = now();
    let deadline = t0 + 5 * MS;
    check_eq!(wait_many(&mut items, deadline), Status::TIMED_OUT);
    let t1 = now();
    check!(t1 >= deadline, "returned {} ns early", deadline - t1);
    check!(t1 - t0 < 2_000 * MS, "took {} ns", t1 - t0);
    check_eq!(items.map(|i| i.pending), [U1, 0]);
    // A past deadline: at once.
    let t0 = now();
    check_eq!(wait_many(&mut items, i64::MIN), Status::TIMED_OUT);
    check!(now() - t0 < PROMPT_NS, "took {} ns", now() - t0);
    close_all(&[e1, e2]);
}

fn wait_many_with_more_than_64_items_is_out_of_range() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED), Status::OK);
    let mut items = [item(e, SIGNALED); 65];
    for n in [65, 1000, usize::MAX] {
        let s = raw::object_wait_many(items.as_mut_ptr(), n, 0);
        check_status!(s, Status::OUT_OF_RANGE, "{} items", n);
    }
    // 64 is the limit and allowed (the same handle may appear more than once).
    check_eq!(wait_many(&mut items[..64], 0), Status::OK);
    let all = items[..64].iter().all(|i| i.pending == SIGNALED);
    check!(all, "pending not written for all 64 items");
    close(e);
}

fn wait_many_with_a_bad_handle_is_bad_handle() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED), Status::OK);
    for bad in [stale(), HANDLE_INVALID, 0xdead_beef] {
        let mut items = [item(e, SIGNALED), item(bad, SIGNALED)];
        check_eq!(wait_many(&mut items, TIME_INFINITE), Status::BAD_HANDLE);
        let mut items = [item(bad, SIGNALED), item(e, SIGNALED)];
        check_eq!(wait_many(&mut items, 0), Status::BAD_HANDLE);
    }
    check_eq!(sigs(e), SIGNALED);
    close(e);
}

fn wait_many_needs_the_wait_right() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED), Status::OK);
    let nw = dup(e, Rights::SIGNAL | Rights::INSPECT);
    let mut items = [item(e, SIGNALED), item(nw, SIGNALED)];
    check_eq!(wait_many(&mut items, 0), Status::ACCESS_DENIED);
    close_all(&[nw, e]);
}

fn wait_many_with_an_unreadable_items_array_is_invalid_args() {
    let e = event();
    check_status!(raw::object_signal(e, 0, SIGNALED), Status::OK);
    let sources = hostile_entries(core::mem::size_of::<WaitItem>());
    for (what, addr, n) in sources {
        let s = raw::object_wait_many(addr as *mut WaitItem, n, 0);
        check_status!(s, Status::INVALID_ARGS, "wait_many({}, {})", what, n);
    }
    // A good, satisfied item in the last 12 bytes of the stack, then unmapped memory.
    if on_initial_stack() {
        let last = (stack_top() - 12) as *mut WaitItem;
        // SAFETY: the last 12 bytes of our own stack lie above every frame (the initial sp is
        // the stack top) and are mapped read-write.
        unsafe { core::ptr::write_volatile(last, item(e, SIGNALED)) };
        check_status!(raw::object_wait_many(last, 1, 0), Status::OK);
        check_status!(raw::object_wait_many(last, 2, 0), Status::INVALID_ARGS);
        // SAFETY: as above.
        unsafe { core::ptr::write_volatile(last, WaitItem::default()) };
    }
    check_eq!(sigs(e), SIGNALED);
    close(e);
}

fn wait_many_is_canceled_when_a_handle_is_closed_during_the_wait() {
    let (e1, e2) = (event(), event());
    let keep = dup(e2, Rights::SAME_RIGHTS);
    let mut items = [item(e1, SIGNALED), item(e2, SIGNALED)];
    T_STATUS.store(1, Ordering::SeqCst);
    let t = start(close_after_5ms, e2 as usize);
    let s = raw::object_wait_many(items.as_mut_ptr(), 2, deadline_after(LONG_NS));
    check_status!(s, Status::CANCELED);
    let pending = items[1].pending;
    check!(
        pending & HANDLE_CLOSED != 0,
        "pending {:#x} lacks HANDLE_CLOSED",
        pending
    );
    check_eq!(items[0].pending, 0);
    join(t);
    check_eq!(T_STATUS.load(Ordering::SeqCst), Status::OK.raw());
    check_status!(valid_status(e2), Status::BAD_HANDLE);
    close_all(&[keep, e1]);
}

fn wait_many_with_no_items_sleeps_until_the_deadline() {
    // Zircon: with count 0 it sleeps until the deadline, then returns TIMED_OUT.
    let t0 = now();
    let deadline = t0 + 3 * MS;
    check_status!(
        raw::object_wait_many(null_mut(), 0, deadline),
        Status::TIMED_OUT
    );
    check!(now() >= deadline, "returned early");
    let t0 = now();
    check_status!(raw::object_wait_many(null_mut(), 0, 0), Status::TIMED_OUT);
    check!(now() - t0 < PROMPT_NS, "took {} ns", now() - t0);
}

// ------------------------------------------------------------------------------------------
// zx_nanosleep, zx_clock_get_monotonic
// ------------------------------------------------------------------------------------------

fn nanosleep_returns_after_the_deadline() {
    for ms in [1, 3, 7] {
        let t0 = now();
        let deadline = t0 + ms * MS;
        check_status!(raw::nanosleep(deadline), Status::OK);
        let t1 = now();
        check!(t1 >= deadline, "woke {} ns early", deadline - t1);
        check!(t1 - t0 < 2_000 * MS, "took {} ns", t1 - t0);
    }
}

fn nanosleep_with_a_past_deadline_returns_at_once() {
    let t0 = now();
    for deadline in [0, 1, -1, i64::MIN, t0 - MS, t0] {
        check_status!(raw::nanosleep(deadline), Status::OK);
    }
    check!(now() - t0 < PROMPT_NS, "took {} ns", now() - t0);
}

static LAST_SEEN: AtomicI64 = AtomicI64::new(0);
static BACKWARDS: AtomicU32 = AtomicU32::new(0);

fn clock_worker(n: usize) {
    let mut mine = 0i64;
    for i in 0..n {
        let seen = LAST_SEEN.load(Ordering::SeqCst);
        let t = now();
        if t < seen || t < mine {
            BACKWARDS.fetch_add(1, Ordering::SeqCst);
        }
        mine = t;
        LAST_SEEN.fetch_max(t, Ordering::SeqCst);
        if i % 256 == 0 {
            sleep_ns(10_000);
        }
    }
}

fn clock_is_monotonic_across_threads() {
    let t0 = now();
    check!(t0 > 0, "clock reads {}", t0);
    LAST_SEEN.store(t0, Ordering::SeqCst);
    BACKWARDS.store(0, Ordering::SeqCst);
    let ts: [_; 4] = core::array::from_fn(|_| start(clock_worker, 3000));
    clock_worker(3000);
    for t in ts {
        join(t);
    }
    check_eq!(BACKWARDS.load(Ordering::SeqCst), 0);
    let t1 = now();
    check!(t1 >= LAST_SEEN.load(Ordering::SeqCst));
    check!(t1 > t0);
}

zx::tests!(
    event_create_with_options_is_invalid_args,
    event_create_to_an_unwritable_out_is_invalid_args_and_creates_nothing,
    event_has_default_rights_and_no_signals,
    eventpair_create_gives_two_linked_ends_with_default_rights,
    eventpair_create_with_options_is_not_supported,
    eventpair_create_to_an_unwritable_out_is_invalid_args_and_creates_nothing,
    signal_needs_the_signal_right,
    signal_sets_and_clears_event_signaled_and_user_signals_on_events,
    signal_rejects_non_user_bits_on_events,
    signal_on_channels_accepts_only_user_signals,
    signal_on_a_bad_handle_is_bad_handle,
    signal_peer_on_an_eventpair_sets_the_peer_signals,
    signal_peer_on_a_channel_sets_the_peer_signals,
    signal_peer_rejects_non_user_bits,
    signal_peer_needs_the_signal_peer_right,
    signal_peer_after_the_peer_closed_is_peer_closed,
    signal_peer_on_an_event_is_refused,
    eventpair_peer_closed_is_asserted_when_the_other_end_closes,
    channel_peer_closed_is_asserted_and_writable_cleared,
    wait_one_on_already_satisfied_signals_returns_at_once_with_observed,
    wait_one_with_deadline_zero_times_out_and_writes_observed,
    wait_one_with_a_past_deadline_times_out_at_once,
    wait_one_with_a_future_deadline_times_out_after_it,
    wait_one_infinite_is_woken_by_another_threads_signal,
    wait_one_needs_the_wait_right,
    wait_one_with_an_unwritable_observed_is_invalid_args,
    wait_one_is_canceled_when_another_thread_closes_the_handle,
    closing_another_handle_to_the_object_does_not_cancel_a_wait,
    wait_one_on_a_bad_handle_is_bad_handle,
    wait_many_returns_when_any_item_is_satisfied_and_writes_every_pending,
    wait_many_is_woken_by_another_threads_signal,
    wait_many_times_out_and_writes_pending,
    wait_many_with_more_than_64_items_is_out_of_range,
    wait_many_with_a_bad_handle_is_bad_handle,
    wait_many_needs_the_wait_right,
    wait_many_with_an_unreadable_items_array_is_invalid_args,
    wait_many_is_canceled_when_a_handle_is_closed_during_the_wait,
    wait_many_with_no_items_sleeps_until_the_deadline,
    nanosleep_returns_after_the_deadline,
    nanosleep_with_a_past_deadline_returns_at_once,
    clock_is_monotonic_across_threads,
);

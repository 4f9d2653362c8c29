//! Smoke test: the start-up registers, the console, the clock, and a channel round trip; then
//! the typed API of the `zx` crate (ownership of sent handles, growable reads, `write_etc`,
//! `read_etc`, `call`, `call_etc`, deadlines, flag names). Written against the typed API.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec::Vec;
use zx::channel::{Channel, HandleDisposition, HandleOp};
use zx::test::*;
use zx::*;

const LONG: Duration = Duration::from_seconds(10);

fn startup_handles_have_low_bits_and_types() {
    let a = start_args();
    check_eq!(a.bootstrap & 3, 3);
    check_eq!(a.process & 3, 3);
    check_eq!(a.thread & 3, 3);
    check_eq!(a.root_resource, 0);
    let info = |h| HandleRef::from_raw(h).basic_info().unwrap_or_default();
    let p = info(a.process);
    check_eq!(p.obj_type, ObjType::PROCESS.raw());
    check_eq!(p.rights, Rights::DEFAULT_PROCESS.bits());
    let t = info(a.thread);
    check_eq!(t.obj_type, ObjType::THREAD.raw());
    check_eq!(t.related_koid, p.koid);
    let b = info(a.bootstrap);
    check_eq!(b.obj_type, ObjType::CHANNEL.raw());
    check_eq!(b.rights, Rights::DEFAULT_CHANNEL.bits());
}

fn clock_is_monotonic_and_sleep_waits() {
    let t0 = MonotonicInstant::get();
    MonotonicInstant::after(Duration::from_millis(2)).sleep();
    let slept = MonotonicInstant::get() - t0;
    check!(
        slept >= Duration::from_nanos(2_000_000),
        "slept {} ns",
        slept.into_nanos()
    );
}

fn channel_round_trip() {
    let (a, b) = Channel::create().unwrap();
    check!(a.write(b"hello", &mut []).is_ok());
    let mut buf = MessageBuf::new();
    check_eq!(b.read(&mut buf), Ok(()));
    check_eq!(buf.bytes(), b"hello");
}

fn unknown_syscall_is_bad_syscall() {
    check_eq!(zx::sys::raw0(9) as i32, Status::BAD_SYSCALL.raw());
    check_eq!(zx::sys::raw0(1000) as i32, Status::BAD_SYSCALL.raw());
}

/// Handles to the object `h` names, in every table and queued message.
fn handle_count(h: &impl AsHandleRef) -> u32 {
    get_info::<InfoHandleCount>(h.raw_handle(), INFO_HANDLE_COUNT).map_or(0, |c| c.handle_count)
}

fn write_takes_the_handles_and_read_grows_its_buffer() {
    let (a, b) = Channel::create().unwrap();
    let event = Event::create().unwrap();
    let keep = event.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
    let big: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    let mut handles = Vec::from([Handle::from(event)]);
    check!(a.write(&big, &mut handles).is_ok());
    check!(handles[0].is_invalid(), "the sent handle is left invalid");
    check_eq!(handle_count(&keep), 2);
    let mut buf = MessageBuf::new();
    check_eq!(b.read(&mut buf), Ok(()));
    check_eq!(buf.bytes(), &big[..]);
    check_eq!(buf.n_handles(), 1);
    let got = buf.take_handle(0);
    check_eq!(got.as_ref().map(|h| h.get_koid()), Some(keep.get_koid()));
    check_eq!(got.map(|h| h.object_type()), Some(Ok(ObjType::EVENT)));
    check_eq!(b.read(&mut buf), Err(Status::SHOULD_WAIT));
    // A failed write consumes the handles too: the peer is gone, the handle is closed.
    drop(b);
    let dup = keep.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
    let mut handles = [dup.into_handle()];
    check_eq!(a.write(b"x", &mut handles), Err(Status::PEER_CLOSED));
    check!(handles[0].is_invalid());
    check_eq!(handle_count(&keep), 1);
}

fn write_etc_moves_or_duplicates_and_read_etc_reports_types() {
    let (a, b) = Channel::create().unwrap();
    let moved = Event::create().unwrap();
    let kept = Event::create().unwrap();
    let moved_koid = moved.get_koid();
    let (tw, same) = (Rights::TRANSFER | Rights::WAIT, Rights::SAME_RIGHTS);
    let mut d = [
        HandleDisposition::new(HandleOp::Move(moved.into_handle()), ObjType::EVENT, tw),
        HandleDisposition::new(
            HandleOp::Duplicate(kept.as_handle_ref()),
            ObjType::NONE,
            same,
        ),
    ];
    check_eq!(a.write_etc(b"etc", &mut d), Ok(()));
    check!(matches!(&d[0].handle_op, HandleOp::Move(h) if h.is_invalid()));
    check_eq!(d[1].result, Status::OK);
    check_eq!(handle_count(&kept), 2); // the duplicated source stays
    let mut buf = MessageBufEtc::new();
    check_eq!(b.read_etc(&mut buf), Ok(()));
    check_eq!(buf.bytes(), b"etc");
    let infos = buf.take_handle_infos();
    check_eq!(infos.len(), 2);
    if infos.len() == 2 {
        check_eq!(infos[0].object_type, ObjType::EVENT);
        check_eq!(infos[0].rights, Rights::TRANSFER | Rights::WAIT);
        check_eq!(infos[0].handle.get_koid(), moved_koid);
        check_eq!(infos[1].rights, Rights::DEFAULT_EVENT);
        check_eq!(infos[1].handle.get_koid(), kept.get_koid());
    }
    // A wrong type fails that entry; the moved handle is consumed anyway.
    let e = Event::create().unwrap();
    let witness = e.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
    let mut d = [HandleDisposition::new(
        HandleOp::Move(e.into_handle()),
        ObjType::CHANNEL,
        same,
    )];
    check_eq!(a.write_etc(b"bad", &mut d), Err(Status::WRONG_TYPE));
    check_eq!(d[0].result, Status::WRONG_TYPE);
    check_eq!(handle_count(&witness), 1);
}

/// Answers one call on the channel whose raw handle is `raw`: same txid, "pong" + one event.
fn server(raw: usize) {
    let ch = Channel::from_handle(Handle::from_raw(raw as u32));
    let deadline = MonotonicInstant::after(LONG);
    if ch.wait_handle(Signals::CHANNEL_READABLE, deadline).is_ok() {
        let mut buf = MessageBuf::new();
        if ch.read(&mut buf).is_ok() && buf.n_bytes() >= 4 {
            let mut reply = Vec::from(&buf.bytes()[..4]);
            reply.extend_from_slice(b"pong");
            let mut hs = [Event::create().unwrap().into_handle()];
            let _ = ch.write(&reply, &mut hs);
        }
    }
}

fn call_and_call_etc_get_their_reply_or_time_out() {
    let (a, b) = Channel::create().unwrap();
    let t = thread::spawn(server, b.into_raw() as usize).unwrap();
    let mut buf = MessageBuf::new();
    let e = Event::create().unwrap();
    let mut hs = [e.into_handle()];
    let (ping, long) = (b"\0\0\0\0ping", || MonotonicInstant::after(LONG));
    check_eq!(a.call(long(), ping, &mut hs, &mut buf), Ok(()));
    check!(hs[0].is_invalid());
    check_eq!(&buf.bytes()[4..], b"pong");
    check_eq!(buf.n_handles(), 1);
    check!(t.join(long().into_nanos()).is_ok());

    let (a, b) = Channel::create().unwrap();
    let t = thread::spawn(server, b.into_raw() as usize).unwrap();
    let mut etc = MessageBufEtc::new();
    check_eq!(a.call_etc(long(), ping, &mut [], &mut etc), Ok(()));
    check_eq!(&etc.bytes()[4..], b"pong");
    check_eq!(etc.handle_infos().len(), 1);
    if let Some(i) = etc.handle_infos().first() {
        check_eq!(i.object_type, ObjType::EVENT);
    }
    check!(t.join(long().into_nanos()).is_ok());

    // Nobody answers: the deadline ends the call, and the sent handle is gone.
    let (a, _b) = Channel::create().unwrap();
    let e = Event::create().unwrap();
    let witness = e.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
    let mut hs = [e.into_handle()];
    let deadline = MonotonicInstant::after(Duration::from_millis(5));
    check_eq!(
        a.call(deadline, ping, &mut hs, &mut buf),
        Err(Status::TIMED_OUT)
    );
    check!(MonotonicInstant::get() >= deadline);
    check!(hs[0].is_invalid());
    check_eq!(handle_count(&witness), 2); // the request is still queued, with its handle
}

fn typed_handles_close_on_drop_and_flags_print_names() {
    let (p, q) = EventPair::create().unwrap();
    check_eq!(p.signal_peer(Signals::NONE, Signals::USER_1), Ok(()));
    let (u1, closed) = (Signals::USER_1, Signals::EVENTPAIR_PEER_CLOSED);
    check_eq!(q.wait_handle(u1, MonotonicInstant::INFINITE_PAST), Ok(u1));
    drop(p);
    check_eq!(
        q.wait_handle(closed, MonotonicInstant::after(LONG)),
        Ok(u1 | closed)
    );
    let rights = format!("{:?}", Rights::READ | Rights::WRITE);
    check_eq!(rights, "Rights(READ | WRITE)");
    let signals = format!("{:?}", Signals::CHANNEL_READABLE | Signals::USER_0);
    check_eq!(signals, "Signals(CHANNEL_READABLE | USER_0)");
    let (ms, us) = (Duration::from_millis(1500), Duration::from_micros(7));
    check_eq!(ms.into_seconds() + us.into_nanos(), 1 + 7000);
    let infinite = MonotonicInstant::INFINITE;
    check_eq!(infinite + Duration::from_seconds(1), infinite);
}

zx::tests!(
    startup_handles_have_low_bits_and_types,
    clock_is_monotonic_and_sleep_waits,
    channel_round_trip,
    unknown_syscall_is_bad_syscall,
    write_takes_the_handles_and_read_grows_its_buffer,
    write_etc_moves_or_duplicates_and_read_etc_reports_types,
    call_and_call_etc_get_their_reply_or_time_out,
    typed_handles_close_on_drop_and_flags_print_names,
);

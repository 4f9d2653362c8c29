//! The real channel handlers on the host, against a fake address space: what a good call does,
//! what bad pointers (holes, read-only pages, pages crossed halfway, the kernel half, odd
//! alignment) do, and the fate of the handles of a call that fails.

use super::{call, create, read, write, CallArgs, ReadArgs, WriteArgs};
use crate::object::event::Event;
use crate::object::{Handle, KernelObject, Wake};
use crate::syscall::ctx::Caller;
use crate::syscall::testing::FakeProcess;
use std::sync::Arc;
use std::thread;
use zx_abi::*;

/// Read-write pages: `RW .. RW + 4 pages`.
const RW: u64 = 0x10000;
const RW_END: u64 = RW + 4 * 4096;
/// One read-only page.
const RO: u64 = 0x20000;
/// Nothing mapped here.
const HOLE: u64 = 0x30000;
/// The kernel half.
const KERNEL: u64 = 0xffff_0000_0000_1000;

// Where the tests keep things in the read-write pages.
const OUT0: u64 = RW;
const OUT1: u64 = RW + 4;
const HANDLES: u64 = RW + 0x100;
const ACTUAL_B: u64 = RW + 0x200;
const ACTUAL_H: u64 = RW + 0x204;
const ARGS: u64 = RW + 0x300;
const BYTES: u64 = RW + 0x1000;
const RBYTES: u64 = RW + 0x2000;
const RHANDLES: u64 = RW + 0x3000;

fn process(seed: u64) -> FakeProcess {
    let p = FakeProcess::new(seed);
    p.mem.map(RW, RW_END - RW, true);
    p.mem.map(RO, 4096, false);
    p
}

/// A channel made by the real `zx_channel_create`: both values.
fn channel(p: &FakeProcess) -> (u32, u32) {
    assert_eq!(create(&p.cx(), 0, OUT0, OUT1), Ok(()));
    (p.mem.peek_u32(OUT0), p.mem.peek_u32(OUT1))
}

fn event(p: &FakeProcess) -> (u32, Arc<dyn KernelObject>) {
    let e: Arc<dyn KernelObject> = Event::new();
    let v = p
        .handles
        .lock()
        .add(Handle::new(e.clone(), Rights::DEFAULT_EVENT))
        .unwrap_or_else(|_| panic!("add"));
    (v, e)
}

fn put_handles(p: &FakeProcess, at: u64, values: &[u32]) {
    let b: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    p.mem.poke(at, &b);
}

fn wr(h: u32, bytes: u64, num_bytes: u32, handles: u64, num_handles: u32) -> WriteArgs {
    WriteArgs {
        handle: h,
        options: 0,
        bytes,
        num_bytes,
        handles,
        num_handles,
    }
}

fn rd(h: u32, bytes: u64, num_bytes: u32, handles: u64, num_handles: u32) -> ReadArgs {
    ReadArgs {
        handle: h,
        options: 0,
        bytes,
        handles,
        num_bytes,
        num_handles,
        actual_bytes: ACTUAL_B,
        actual_handles: ACTUAL_H,
    }
}

fn valid(p: &FakeProcess, v: u32) -> bool {
    p.handles.lock().get(v).is_ok()
}

fn queued(p: &FakeProcess, v: u32) -> usize {
    let t = p.handles.lock();
    let o = t.get(v).unwrap().object().clone();
    drop(t);
    o.downcast_ref::<crate::object::channel::Endpoint>()
        .unwrap()
        .queued()
}

/// Writes `msg` with `handles` through the real write.
fn send(p: &FakeProcess, h: u32, msg: &[u8], handles: &[u32]) -> Result<(), Status> {
    p.mem.poke(BYTES, msg);
    put_handles(p, HANDLES, handles);
    write(
        &p.cx(),
        &wr(h, BYTES, msg.len() as u32, HANDLES, handles.len() as u32),
        false,
    )
}

#[test]
fn create_writes_two_distinct_values_and_a_bad_out_pointer_leaves_no_handle() {
    let p = process(1);
    let (a, b) = channel(&p);
    assert!(valid(&p, a) && valid(&p, b) && a != b);
    for bad in [RO, HOLE, KERNEL, RW_END - 2] {
        assert_eq!(create(&p.cx(), 0, OUT0, bad), Err(Status::INVALID_ARGS));
        assert_eq!(create(&p.cx(), 0, bad, OUT1), Err(Status::INVALID_ARGS));
    }
    assert_eq!(create(&p.cx(), 1, OUT0, OUT1), Err(Status::INVALID_ARGS));
    assert_eq!(p.handles.lock().len(), 2);
    p.thread
        .available
        .store(0, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(create(&p.cx(), 0, OUT0, OUT1), Err(Status::NO_MEMORY));
    assert_eq!(p.handles.lock().len(), 2);
}

#[test]
fn write_then_read_moves_bytes_and_a_handle_at_any_alignment() {
    let p = process(2);
    let (a, b) = channel(&p);
    let (ev, e) = event(&p);
    // Bytes that cross a page boundary, from an odd address.
    let msg: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
    let at = RW + 0x2000 - 7;
    p.mem.poke(at, &msg);
    put_handles(&p, HANDLES + 1, &[ev]);
    let w = write(&p.cx(), &wr(a, at, 300, HANDLES + 1, 1), false);
    assert_eq!(w, Ok(()));
    assert!(!valid(&p, ev), "a written handle leaves the writer's table");
    assert_eq!(e.header().handle_count(), 1);
    // Read into odd addresses too, the bytes across a page boundary.
    let (rbytes, rhandles) = (RW + 0x3000 - 5, RW + 0x3803);
    let mut r = rd(b, rbytes, 300, rhandles, 1);
    r.actual_bytes = RW + 0x201;
    r.actual_handles = RW + 0x209;
    assert_eq!(read(&p.cx(), &r, false), Ok(()));
    assert_eq!(p.mem.peek(rbytes, 300), msg);
    assert_eq!(p.mem.peek_u32(RW + 0x201), 300);
    assert_eq!(p.mem.peek_u32(RW + 0x209), 1);
    let nv = p.mem.peek_u32(rhandles);
    let t = p.handles.lock();
    let h = t.get(nv).expect("the read installed the handle");
    assert_eq!(h.object().koid(), e.koid());
    assert_eq!(h.rights(), Rights::DEFAULT_EVENT);
}

#[test]
fn a_write_whose_bytes_cannot_be_read_fails_and_still_closes_its_handles() {
    let p = process(3);
    let (a, b) = channel(&p);
    // A hole, the kernel half, a range running off the last mapped page, an overflowing one.
    for bytes in [HOLE, KERNEL, RW_END - 8, u64::MAX - 4] {
        let (ev, e) = event(&p);
        put_handles(&p, HANDLES, &[ev]);
        let r = write(&p.cx(), &wr(a, bytes, 16, HANDLES, 1), false);
        assert_eq!(r, Err(Status::INVALID_ARGS), "bytes at {bytes:#x}");
        assert!(!valid(&p, ev), "the handle is consumed");
        assert_eq!(e.header().handle_count(), 0, "and closed");
        assert_eq!(queued(&p, b), 0, "nothing was sent");
    }
    // Read-only bytes are fine to send from.
    p.mem.poke(RO, b"read-only");
    assert_eq!(write(&p.cx(), &wr(a, RO, 9, 0, 0), false), Ok(()));
    assert_eq!(queued(&p, b), 1);
}

#[test]
fn a_write_whose_handle_array_cannot_be_read_touches_no_handle() {
    let p = process(4);
    let (a, b) = channel(&p);
    let (ev, _) = event(&p);
    for arr in [HOLE, KERNEL, RW_END - 2] {
        // Only the first 2 bytes of the array at RW_END - 2 exist.
        put_handles(&p, HANDLES, &[ev]);
        assert_eq!(
            write(&p.cx(), &wr(a, BYTES, 4, arr, 1), false),
            Err(Status::INVALID_ARGS)
        );
        assert!(valid(&p, ev), "an unreadable array consumes nothing");
        assert_eq!(queued(&p, b), 0);
    }
    // A long array (more than one step) with a hole at its end: still nothing touched.
    let long = RW_END - 4 * 20;
    put_handles(&p, long, &[ev; 20]);
    assert_eq!(
        write(&p.cx(), &wr(a, BYTES, 4, long, 21), false),
        Err(Status::INVALID_ARGS)
    );
    assert!(valid(&p, ev));
}

#[test]
fn every_failed_check_consumes_the_handles_and_the_first_error_wins() {
    let p = process(5);
    let (a, b) = channel(&p);
    let (ev, e) = event(&p);
    // A bad channel handle: BAD_HANDLE, the event still consumed.
    assert_eq!(send(&p, 0x1234_5677, b"x", &[ev]), Err(Status::BAD_HANDLE));
    assert!(!valid(&p, ev));
    assert_eq!(e.header().handle_count(), 0);
    // An event is not a channel: WRONG_TYPE, consumed.
    let (ev1, _) = event(&p);
    let (ev2, e2) = event(&p);
    assert_eq!(send(&p, ev1, b"x", &[ev2]), Err(Status::WRONG_TYPE));
    assert!(!valid(&p, ev2) && valid(&p, ev1));
    assert_eq!(e2.header().handle_count(), 0);
    // Sending the channel's own endpoint: NOT_SUPPORTED, it is consumed too.
    let (c, d) = channel(&p);
    assert_eq!(send(&p, c, b"x", &[d]), Err(Status::NOT_SUPPORTED));
    assert!(!valid(&p, d));
    // A repeated value: BAD_HANDLE; both entries name one handle, which is consumed.
    let (ev3, e3) = event(&p);
    assert_eq!(send(&p, a, b"x", &[ev3, ev3]), Err(Status::BAD_HANDLE));
    assert!(!valid(&p, ev3));
    assert_eq!(e3.header().handle_count(), 0);
    // Too many bytes: OUT_OF_RANGE before the bytes are even looked at; consumed.
    let (ev4, _) = event(&p);
    put_handles(&p, HANDLES, &[ev4]);
    let big = CHANNEL_MAX_MSG_BYTES + 1;
    assert_eq!(
        write(&p.cx(), &wr(a, HOLE, big, HANDLES, 1), false),
        Err(Status::OUT_OF_RANGE)
    );
    assert!(!valid(&p, ev4));
    // No kernel memory: NO_MEMORY, consumed.
    let (ev5, _) = event(&p);
    p.thread
        .available
        .store(0, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(send(&p, a, b"x", &[ev5]), Err(Status::NO_MEMORY));
    assert!(!valid(&p, ev5));
    assert_eq!(queued(&p, b), 0);
}

#[test]
fn write_etc_needs_a_writable_array_and_writes_each_failed_entrys_result() {
    let p = process(6);
    let (a, b) = channel(&p);
    let (ev, _) = event(&p);
    let disp = |handle: u32, rights: Rights| HandleDisposition {
        operation: HANDLE_OP_MOVE,
        handle,
        obj_type: 0,
        rights: rights.bits(),
        result: 0,
    };
    let mut raw = [0u8; 2 * HandleDisposition::SIZE];
    disp(ev, Rights::SAME_RIGHTS).to_bytes(&mut raw);
    disp(0x0bad_0003, Rights::SAME_RIGHTS).to_bytes(&mut raw[HandleDisposition::SIZE..]);
    // The array lies in read-only memory: INVALID_ARGS, nothing touched.
    p.mem.poke(RO, &raw);
    let w = |arr| {
        write(
            &p.cx(),
            &WriteArgs {
                handle: a,
                options: 0,
                bytes: BYTES,
                num_bytes: 4,
                handles: arr,
                num_handles: 2,
            },
            true,
        )
    };
    assert_eq!(w(RO), Err(Status::INVALID_ARGS));
    assert!(valid(&p, ev));
    // Writable: the second entry is BAD_HANDLE (written back into its `result`), the first
    // is consumed, its `result` untouched.
    p.mem.poke(HANDLES, &raw);
    assert_eq!(w(HANDLES), Err(Status::BAD_HANDLE));
    assert!(!valid(&p, ev));
    let back = p.mem.peek(HANDLES, raw.len());
    assert_eq!(HandleDisposition::from_bytes(&back).result, 0);
    assert_eq!(
        HandleDisposition::from_bytes(&back[HandleDisposition::SIZE..]).result,
        Status::BAD_HANDLE.raw()
    );
    assert_eq!(queued(&p, b), 0);
}

#[test]
fn a_read_that_cannot_copy_out_writes_nothing_and_leaves_the_message_queued() {
    let p = process(7);
    let (a, b) = channel(&p);
    let (ev, e) = event(&p);
    assert_eq!(send(&p, a, b"hello", &[ev]), Ok(()));
    let before = p.handles.lock().len();
    let sentinel = [0xeeu8; 8];
    let cases: [(&str, ReadArgs); 6] = [
        ("bytes read-only", rd(b, RO, 8, RHANDLES, 1)),
        ("bytes in the kernel half", rd(b, KERNEL, 8, RHANDLES, 1)),
        ("handles in a hole", rd(b, RBYTES, 8, HOLE, 1)),
        (
            "handles running off the map",
            rd(b, RBYTES, 8, RW_END - 2, 1),
        ),
        (
            "actual_bytes read-only",
            ReadArgs {
                actual_bytes: RO,
                ..rd(b, RBYTES, 8, RHANDLES, 1)
            },
        ),
        (
            "actual_handles straddling into a hole",
            ReadArgs {
                actual_handles: RW_END - 2,
                ..rd(b, RBYTES, 8, RHANDLES, 1)
            },
        ),
    ];
    for (what, r) in cases {
        p.mem.poke(RBYTES, &sentinel);
        p.mem.poke(ACTUAL_B, &sentinel);
        assert_eq!(
            read(&p.cx(), &r, false),
            Err(Status::INVALID_ARGS),
            "{what}"
        );
        assert_eq!(p.mem.peek(RBYTES, 8), sentinel, "{what}: bytes written");
        assert_eq!(p.mem.peek(ACTUAL_B, 8), sentinel, "{what}: counts written");
        assert_eq!(p.handles.lock().len(), before, "{what}: a handle installed");
        assert_eq!(queued(&p, b), 1, "{what}: the message is kept");
        assert_eq!(e.header().handle_count(), 1);
    }
    assert_eq!(read(&p.cx(), &rd(b, RBYTES, 8, RHANDLES, 1), false), Ok(()));
    assert_eq!(p.mem.peek(RBYTES, 5), b"hello");
    assert!(valid(&p, p.mem.peek_u32(RHANDLES)));
}

#[test]
fn a_read_too_small_reports_the_sizes_and_discards_only_when_asked() {
    let p = process(8);
    let (a, b) = channel(&p);
    let (ev, e) = event(&p);
    assert_eq!(send(&p, a, &[7; 40], &[ev]), Ok(()));
    assert_eq!(
        read(&p.cx(), &rd(b, RBYTES, 39, RHANDLES, 1), false),
        Err(Status::BUFFER_TOO_SMALL)
    );
    assert_eq!(p.mem.peek_u32(ACTUAL_B), 40);
    assert_eq!(p.mem.peek_u32(ACTUAL_H), 1);
    assert_eq!(queued(&p, b), 1);
    // Sizes to an unwritable place: INVALID_ARGS, still queued.
    let r = ReadArgs {
        actual_bytes: RO,
        ..rd(b, RBYTES, 40, RHANDLES, 0)
    };
    assert_eq!(read(&p.cx(), &r, false), Err(Status::INVALID_ARGS));
    assert_eq!(queued(&p, b), 1);
    // MAY_DISCARD: the message and the handle it carries are gone.
    let r = ReadArgs {
        options: CHANNEL_READ_MAY_DISCARD,
        ..rd(b, RBYTES, 40, RHANDLES, 0)
    };
    assert_eq!(read(&p.cx(), &r, false), Err(Status::BUFFER_TOO_SMALL));
    assert_eq!(queued(&p, b), 0);
    assert_eq!(e.header().handle_count(), 0);
    assert_eq!(
        read(&p.cx(), &rd(b, RBYTES, 40, RHANDLES, 1), false),
        Err(Status::SHOULD_WAIT)
    );
    assert_eq!(
        read(
            &p.cx(),
            &ReadArgs {
                options: 2,
                ..rd(b, 0, 0, 0, 0)
            },
            false
        ),
        Err(Status::NOT_SUPPORTED)
    );
}

#[test]
fn read_etc_reports_each_handles_type_and_rights() {
    let p = process(9);
    let (a, b) = channel(&p);
    let (ev, _) = event(&p);
    assert_eq!(send(&p, a, b"", &[ev]), Ok(()));
    assert_eq!(read(&p.cx(), &rd(b, 0, 0, RHANDLES, 1), true), Ok(()));
    let info = HandleInfo::from_bytes(&p.mem.peek(RHANDLES, HandleInfo::SIZE));
    assert_eq!(info.obj_type, ObjType::EVENT.raw());
    assert_eq!(info.rights, Rights::DEFAULT_EVENT.bits());
    assert!(valid(&p, info.handle));
}

fn call_args(p: &FakeProcess, req: &[u8], handles: &[u32], rd_bytes: u64) -> CallArgs {
    p.mem.poke(BYTES, req);
    put_handles(p, HANDLES, handles);
    let mut raw = [0u8; ChannelCallArgs::SIZE];
    ChannelCallArgs {
        wr_bytes: BYTES,
        wr_handles: HANDLES,
        rd_bytes,
        rd_handles: RHANDLES,
        wr_num_bytes: req.len() as u32,
        wr_num_handles: handles.len() as u32,
        rd_num_bytes: 64,
        rd_num_handles: 1,
    }
    .to_bytes(&mut raw);
    p.mem.poke(ARGS, &raw);
    CallArgs {
        handle: 0,
        options: 0,
        deadline: TIME_INFINITE,
        args: ARGS,
        actual_bytes: ACTUAL_B,
        actual_handles: ACTUAL_H,
    }
}

/// A server process on its own thread: waits for one request on `end` (through the endpoint's
/// READABLE signal), reads it with the real read and answers with its txid, `reply` and an
/// event handle. Returns the event's object.
fn serve(
    server: Arc<FakeProcess>,
    end: u32,
    reply: &'static [u8],
) -> thread::JoinHandle<Arc<dyn KernelObject>> {
    thread::spawn(move || {
        let s = &*server;
        let obj = s.handles.lock().get(end).unwrap().object().clone();
        let waker: Arc<dyn Wake> = s.thread.waker();
        loop {
            s.thread.prepare_wait();
            let seen = obj
                .header()
                .observe(&waker, Signals::CHANNEL_READABLE, 1)
                .unwrap();
            if seen.intersects(Signals::CHANNEL_READABLE) {
                break;
            }
            s.thread.block(TIME_INFINITE);
            obj.header().unobserve(&waker, 1);
        }
        obj.header().unobserve(&waker, 1);
        assert_eq!(
            read(&s.cx(), &rd(end, RBYTES, 64, RHANDLES, 4), false),
            Ok(())
        );
        let txid = s.mem.peek(RBYTES, 4);
        let mut msg = txid.clone();
        msg.extend_from_slice(reply);
        let (ev, e) = event(s);
        assert_eq!(send(s, end, &msg, &[ev]), Ok(()));
        e
    })
}

fn endpoint_pair(client: &FakeProcess, server: &FakeProcess) -> (u32, u32) {
    let (a, b) = channel(client);
    let h = client.handles.lock().remove(b).unwrap();
    let sb = server.handles.lock().add(h).unwrap_or_else(|_| panic!());
    (a, sb)
}

#[test]
fn call_sends_the_request_waits_and_reads_the_reply_with_its_handle() {
    let client = process(10);
    let server = Arc::new(process(11));
    let (a, sb) = endpoint_pair(&client, &server);
    let (ev, e) = event(&client);
    let srv = serve(server.clone(), sb, b"pong");
    let args = CallArgs {
        handle: a,
        ..call_args(&client, b"\0\0\0\0ping", &[ev], RBYTES)
    };
    assert_eq!(call(&client.cx(), &args, false), Ok(()));
    srv.join().unwrap();
    assert!(!valid(&client, ev), "the request carried the event away");
    assert_eq!(e.header().handle_count(), 1, "to the server's table");
    assert_eq!(client.mem.peek_u32(ACTUAL_B), 8);
    assert_eq!(client.mem.peek_u32(ACTUAL_H), 1);
    assert_eq!(&client.mem.peek(RBYTES + 4, 4), b"pong");
    let txid = client.mem.peek_u32(RBYTES);
    assert!(txid >= CALL_TXID_MIN);
    assert!(valid(&client, client.mem.peek_u32(RHANDLES)));
}

#[test]
fn a_reply_that_cannot_be_delivered_is_consumed_and_its_handles_closed() {
    let client = process(12);
    let server = Arc::new(process(13));
    let (a, sb) = endpoint_pair(&client, &server);
    let srv = serve(server.clone(), sb, b"pong");
    let args = CallArgs {
        handle: a,
        ..call_args(&client, b"\0\0\0\0ping", &[], RO)
    };
    let before = client.handles.lock().len();
    assert_eq!(call(&client.cx(), &args, false), Err(Status::INVALID_ARGS));
    let e = srv.join().unwrap();
    assert_eq!(
        client.handles.lock().len(),
        before,
        "no reply handle installed"
    );
    assert_eq!(queued(&client, a), 0, "the reply is not left queued");
    assert_eq!(
        e.header().handle_count(),
        0,
        "the reply's handle was closed"
    );
}

#[test]
fn call_with_unreadable_arguments_consumes_nothing() {
    let p = process(14);
    let (a, b) = channel(&p);
    let (ev, _) = event(&p);
    for args in [HOLE, KERNEL, RW_END - 8] {
        let c = CallArgs {
            handle: a,
            args,
            ..call_args(&p, b"\0\0\0\0", &[ev], RBYTES)
        };
        assert_eq!(call(&p.cx(), &c, false), Err(Status::INVALID_ARGS));
        assert!(valid(&p, ev));
        assert_eq!(queued(&p, b), 0);
    }
}

#[test]
fn call_past_its_deadline_times_out_after_sending_and_a_killed_caller_is_canceled() {
    let p = process(15);
    let (a, b) = channel(&p);
    let (ev, _) = event(&p);
    let c = CallArgs {
        handle: a,
        deadline: 0,
        ..call_args(&p, b"\0\0\0\0req", &[ev], RBYTES)
    };
    assert_eq!(call(&p.cx(), &c, false), Err(Status::TIMED_OUT));
    assert!(!valid(&p, ev), "the request was sent with the handle");
    assert_eq!(queued(&p, b), 1);
    p.thread
        .killed
        .store(true, std::sync::atomic::Ordering::Release);
    let c = CallArgs {
        handle: a,
        ..call_args(&p, b"\0\0\0\0req", &[], RBYTES)
    };
    assert_eq!(call(&p.cx(), &c, false), Err(Status::CANCELED));
    assert_eq!(queued(&p, b), 2);
    // A request shorter than a txid: INVALID_ARGS once assembled, its handles consumed.
    let (ev2, _) = event(&p);
    let c = CallArgs {
        handle: a,
        ..call_args(&p, b"abc", &[ev2], RBYTES)
    };
    assert_eq!(call(&p.cx(), &c, false), Err(Status::INVALID_ARGS));
    assert!(!valid(&p, ev2));
    assert_eq!(queued(&p, b), 2);
}

#[test]
fn a_long_handle_array_is_consumed_in_steps_with_preemption_points() {
    let p = process(16);
    let (a, b) = channel(&p);
    let values: Vec<u32> = (0..100).map(|_| event(&p).0).collect();
    put_handles(&p, HANDLES, &values);
    let before = p
        .thread
        .preemptions
        .load(std::sync::atomic::Ordering::Relaxed);
    // 100 entries: more than the 64 a message may carry, OUT_OF_RANGE, every one consumed.
    assert_eq!(
        write(&p.cx(), &wr(a, BYTES, 0, HANDLES, 100), false),
        Err(Status::OUT_OF_RANGE)
    );
    assert!(values.iter().all(|&v| !valid(&p, v)));
    assert!(
        p.thread
            .preemptions
            .load(std::sync::atomic::Ordering::Relaxed)
            > before
    );
    assert_eq!(queued(&p, b), 0);
    assert_eq!(p.handles.lock().len(), 2);
}

fn iovec(buffer: u64, capacity: u32, reserved: u32) -> [u8; ChannelIovec::SIZE] {
    let mut b = [0u8; ChannelIovec::SIZE];
    ChannelIovec {
        buffer,
        capacity,
        reserved,
    }
    .to_bytes(&mut b);
    b
}

#[test]
fn an_iovec_write_assembles_every_buffer_or_sends_nothing() {
    let p = process(17);
    let (a, b) = channel(&p);
    p.mem.poke(RO, b"read-only ");
    p.mem.poke(RW_END - 5, b"tail!");
    let write_iov = |entries: &[[u8; ChannelIovec::SIZE]], handles: &[u32]| {
        let raw: Vec<u8> = entries.concat();
        p.mem.poke(BYTES, &raw);
        put_handles(&p, HANDLES, handles);
        let args = WriteArgs {
            options: CHANNEL_WRITE_USE_IOVEC,
            ..wr(
                a,
                BYTES,
                entries.len() as u32,
                HANDLES,
                handles.len() as u32,
            )
        };
        write(&p.cx(), &args, false)
    };
    // A buffer in a hole, one running off the map, a NULL buffer with a capacity, a reserved
    // field set: INVALID_ARGS, nothing sent, the handle consumed.
    for bad in [
        iovec(HOLE, 4, 0),
        iovec(RW_END - 5, 6, 0),
        iovec(0, 1, 0),
        iovec(RO, 1, 1),
    ] {
        let (ev, e) = event(&p);
        assert_eq!(
            write_iov(&[iovec(RO, 10, 0), bad], &[ev]),
            Err(Status::INVALID_ARGS)
        );
        assert!(!valid(&p, ev));
        assert_eq!(e.header().handle_count(), 0);
        assert_eq!(queued(&p, b), 0);
    }
    // The iovec array itself unreadable: INVALID_ARGS.
    let args = WriteArgs {
        options: CHANNEL_WRITE_USE_IOVEC,
        ..wr(a, HOLE, 1, 0, 0)
    };
    assert_eq!(write(&p.cx(), &args, false), Err(Status::INVALID_ARGS));
    // Good: the buffers in order, an empty entry skipped; `_etc` refuses the option.
    assert_eq!(
        write_iov(
            &[iovec(RO, 10, 0), iovec(0, 0, 0), iovec(RW_END - 5, 5, 0)],
            &[]
        ),
        Ok(())
    );
    assert_eq!(read(&p.cx(), &rd(b, RBYTES, 64, 0, 0), false), Ok(()));
    assert_eq!(p.mem.peek_u32(ACTUAL_B), 15);
    assert_eq!(p.mem.peek(RBYTES, 15), b"read-only tail!");
    let args = WriteArgs {
        options: CHANNEL_WRITE_USE_IOVEC,
        ..wr(a, BYTES, 0, 0, 0)
    };
    assert_eq!(write(&p.cx(), &args, true), Err(Status::INVALID_ARGS));
}

#[test]
fn a_duplicate_disposition_keeps_its_source_and_sends_a_copy_with_the_asked_rights() {
    let p = process(18);
    let (a, b) = channel(&p);
    let (ev, e) = event(&p);
    // Without DUPLICATE the entry is ACCESS_DENIED, and a DUPLICATE source stays.
    let no_dup = Rights(Rights::DEFAULT_EVENT.bits() & !Rights::DUPLICATE.bits());
    let ev = {
        let mut t = p.handles.lock();
        let h = t.remove(ev).unwrap();
        t.add(h.with_rights(no_dup))
            .unwrap_or_else(|_| panic!("add"))
    };
    let mut raw = [0u8; HandleDisposition::SIZE];
    let d = |rights: Rights| HandleDisposition {
        operation: HANDLE_OP_DUPLICATE,
        handle: ev,
        obj_type: ObjType::EVENT.raw(),
        rights: rights.bits(),
        result: 0,
    };
    d(Rights::SAME_RIGHTS).to_bytes(&mut raw);
    p.mem.poke(HANDLES, &raw);
    let args = WriteArgs {
        handle: a,
        options: 0,
        bytes: BYTES,
        num_bytes: 0,
        handles: HANDLES,
        num_handles: 1,
    };
    assert_eq!(write(&p.cx(), &args, true), Err(Status::ACCESS_DENIED));
    assert!(valid(&p, ev));
    // With DUPLICATE it goes, with the rights asked for.
    let nv = {
        let mut t = p.handles.lock();
        let h = t.remove(ev).unwrap();
        t.add(h.with_rights(Rights::DEFAULT_EVENT))
            .unwrap_or_else(|_| panic!("add"))
    };
    let mut raw = [0u8; HandleDisposition::SIZE];
    HandleDisposition {
        handle: nv,
        ..d(Rights::WAIT)
    }
    .to_bytes(&mut raw);
    p.mem.poke(HANDLES, &raw);
    assert_eq!(write(&p.cx(), &args, true), Ok(()));
    assert!(valid(&p, nv), "a DUPLICATE source stays");
    assert_eq!(e.header().handle_count(), 2);
    assert_eq!(read(&p.cx(), &rd(b, 0, 0, RHANDLES, 1), true), Ok(()));
    let info = HandleInfo::from_bytes(&p.mem.peek(RHANDLES, HandleInfo::SIZE));
    assert_eq!(info.rights, Rights::WAIT.bits());
}

#[test]
fn a_write_past_the_writers_quota_is_no_memory_consumes_its_handles_and_sends_nothing() {
    let mut p = process(41);
    let (a, b) = channel(&p);
    // What one 100-byte message costs.
    assert_eq!(send(&p, a, &[1; 100], &[]), Ok(()));
    let cost = p.thread.account.used();
    assert!(cost >= 100, "{cost}");
    let r = rd(b, RBYTES, 100, RHANDLES, 0);
    assert_eq!(read(&p.cx(), &r, false), Ok(()));
    assert_eq!(p.thread.account.used(), 0, "reading gave the charge back");

    // Room for one such message, not two.
    p.thread.account = crate::object::quota::Account::with_limit(cost + cost / 2);
    assert_eq!(send(&p, a, &[2; 100], &[]), Ok(()));
    let (e, obj) = event(&p);
    assert_eq!(send(&p, a, &[3; 100], &[e]), Err(Status::NO_MEMORY));
    assert!(!valid(&p, e), "the refused write consumed its handle");
    assert_eq!(obj.header().handle_count(), 0);
    assert_eq!(queued(&p, b), 1, "nothing was sent");
    assert_eq!(p.thread.account.used(), cost);
    assert_eq!(read(&p.cx(), &r, false), Ok(()));
    assert_eq!(p.mem.peek(RBYTES, 1), vec![2]);
    assert_eq!(send(&p, a, &[4; 100], &[]), Ok(()), "reading made room");
}

/// The fast write (no handles, bytes inline) and the general path give the same result and
/// leave the same state for the same write: each case is written plainly (the fast path when it
/// applies) and as one iovec (always the general path), each in a fresh process, and the
/// results, the queues, the quota charge and the bytes read back are compared.
#[test]
fn the_fast_write_and_the_general_path_agree_on_every_outcome() {
    use crate::object::channel::INLINE_BYTES;
    #[derive(Clone, Copy, Debug)]
    enum Setup {
        Plain,
        PeerClosed,
        Full,
        NoWriteRight,
        Quota,
    }
    // (setup, handle: 0 the channel / 1 an event / 2 a bad value, address, length)
    let cases: &[(Setup, u8, u64, u32)] = &[
        (Setup::Plain, 0, BYTES, 0),
        (Setup::Plain, 0, BYTES, 1),
        (Setup::Plain, 0, BYTES + 3, 64),
        (Setup::Plain, 0, RW_END - 100, INLINE_BYTES as u32),
        (Setup::Plain, 0, RO, INLINE_BYTES as u32),
        (Setup::Plain, 0, RW_END - 10, 11),
        (Setup::Plain, 0, HOLE, 8),
        (Setup::Plain, 0, KERNEL, 8),
        (Setup::Plain, 0, u64::MAX - 3, 8),
        (Setup::Plain, 1, BYTES, 8),
        (Setup::Plain, 2, BYTES, 8),
        (Setup::Plain, 2, HOLE, 8),
        (Setup::PeerClosed, 0, BYTES, 8),
        (Setup::PeerClosed, 0, HOLE, 8),
        (Setup::Full, 0, BYTES, 8),
        (Setup::NoWriteRight, 0, BYTES, 8),
        (Setup::NoWriteRight, 0, HOLE, 8),
        (Setup::Quota, 0, BYTES, 8),
        (Setup::Quota, 2, BYTES, 8),
    ];
    for (i, &(setup, which, addr, len)) in cases.iter().enumerate() {
        let run = |as_iovec: bool| {
            let mut p = process(100 + i as u64);
            let (mut a, b) = channel(&p);
            let pattern: Vec<u8> = (0..4096u32).map(|k| (k * 7 + i as u32) as u8).collect();
            p.mem.poke(RW + 0x1000, &pattern);
            p.mem.poke(RW_END - 200, &pattern[..200]);
            match setup {
                Setup::Plain => {}
                Setup::PeerClosed => drop(p.handles.lock().remove(b).unwrap()),
                Setup::Full => {
                    for _ in 0..CHANNEL_MAX_PENDING {
                        assert_eq!(send(&p, a, &[1], &[]), Ok(()));
                    }
                }
                Setup::NoWriteRight => {
                    let mut t = p.handles.lock();
                    let h = t.remove(a).unwrap();
                    let r = Rights(Rights::DEFAULT_CHANNEL.bits() & !Rights::WRITE.bits());
                    a = t.add(h.with_rights(r)).unwrap_or_else(|_| panic!("add"));
                }
                Setup::Quota => {
                    p.thread.account = crate::object::quota::Account::with_limit(64);
                }
            }
            let h = match which {
                0 => a,
                1 => event(&p).0,
                _ => 0x7777_7773,
            };
            let args = if as_iovec {
                p.mem.poke(ARGS, &iovec(addr, len, 0));
                WriteArgs {
                    options: CHANNEL_WRITE_USE_IOVEC,
                    ..wr(h, ARGS, 1, 0, 0)
                }
            } else {
                wr(h, addr, len, 0, 0)
            };
            let r = write(&p.cx(), &args, false);
            let used = p.thread.account.used();
            let state = if matches!(setup, Setup::PeerClosed) {
                (0, Vec::new())
            } else {
                let n = queued(&p, b);
                // The last message queued, if this write queued one.
                let mut last = Vec::new();
                for _ in 0..n {
                    assert_eq!(read(&p.cx(), &rd(b, RBYTES, 4096, 0, 0), false), Ok(()));
                    last = p.mem.peek(RBYTES, p.mem.peek_u32(ACTUAL_B) as usize);
                }
                (n, last)
            };
            (r, used, state)
        };
        let fast = run(false);
        let general = run(true);
        assert_eq!(fast, general, "case {i}: {:?}", cases[i]);
    }
}

/// The fast request of a call (no handles, 4 to `INLINE_BYTES` bytes) and the general path agree
/// on every outcome decided before the wait: each case is called plainly and with the request
/// as one iovec (always the general path), in fresh processes, and the results, the queues
/// and the quota charge compared.
#[test]
fn the_fast_call_request_and_the_general_path_agree_on_every_early_outcome() {
    use crate::object::channel::INLINE_BYTES;
    // (which handle: 0 the channel / 1 an event / 2 a bad value / 3 no READ right,
    //  request address, request length, close the peer first, tiny quota)
    let cases: &[(u8, u64, u32, bool, bool)] = &[
        (0, BYTES, 8, true, false),
        (0, BYTES, INLINE_BYTES as u32, true, false),
        (0, BYTES, 3, false, false),
        (0, HOLE, 8, false, false),
        (0, KERNEL, 8, true, false),
        (0, RW_END - 6, 8, false, false),
        (1, BYTES, 8, false, false),
        (2, BYTES, 8, false, false),
        (2, HOLE, 8, false, false),
        (3, BYTES, 8, false, false),
        (0, BYTES, 8, false, true),
    ];
    for (i, &(which, addr, len, close_peer, quota)) in cases.iter().enumerate() {
        let run = |as_iovec: bool| {
            let mut p = process(200 + i as u64);
            let (a, b) = channel(&p);
            p.mem.poke(BYTES, &[0x5a; 256]);
            if close_peer {
                drop(p.handles.lock().remove(b).unwrap());
            }
            if quota {
                p.thread.account = crate::object::quota::Account::with_limit(64);
            }
            let h = match which {
                0 => a,
                1 => event(&p).0,
                2 => 0x7777_7773,
                _ => {
                    let mut t = p.handles.lock();
                    let hd = t.remove(a).unwrap();
                    let r = Rights(Rights::DEFAULT_CHANNEL.bits() & !Rights::READ.bits());
                    t.add(hd.with_rights(r)).unwrap_or_else(|_| panic!("add"))
                }
            };
            let mut args = CallArgs {
                handle: h,
                ..call_args(&p, &[], &[], RBYTES)
            };
            let mut raw = [0u8; ChannelCallArgs::SIZE];
            ChannelCallArgs {
                wr_bytes: if as_iovec { RW + 0x400 } else { addr },
                wr_handles: 0,
                rd_bytes: RBYTES,
                rd_handles: RHANDLES,
                wr_num_bytes: if as_iovec { 1 } else { len },
                wr_num_handles: 0,
                rd_num_bytes: 64,
                rd_num_handles: 1,
            }
            .to_bytes(&mut raw);
            p.mem.poke(ARGS, &raw);
            if as_iovec {
                p.mem.poke(RW + 0x400, &iovec(addr, len, 0));
                args.options = CHANNEL_WRITE_USE_IOVEC;
            }
            let r = call(&p.cx(), &args, false);
            let n = if close_peer { 0 } else { queued(&p, b) };
            (r, n, p.thread.account.used())
        };
        let fast = run(false);
        let general = run(true);
        assert_eq!(fast, general, "case {i}: {:?}", cases[i]);
        assert!(fast.0.is_err(), "case {i} decided before the wait");
    }
}

//! zx_channel_call and zx_channel_call_etc (docs/abi.md section 4), against server threads: the
//! reply is matched by txid (kernel txids >= 0x80000000, other messages stay queued), deadlines,
//! peer closure, too-small reply buffers, argument checks and the fate of the request handles,
//! rights, many concurrent callers on one channel, dispositions and handle infos; and
//! zx_object_wait_one on a channel woken from another thread by a write or by peer closure.
#![no_std]
#![no_main]

use core::ptr::null;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use zx::test::*;
use zx::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn readable(h: u32) -> bool {
    signals(h) & Signals::CHANNEL_READABLE.bits() != 0
}

/// What a call returned: its status, actual_bytes and actual_handles (0xFFFF_FFFF where not
/// written), the reply's bytes and its handles: values for `call`, infos for `call_etc` (junk
/// where not written).
struct Reply<H> {
    s: Status,
    ab: u32,
    ah: u32,
    bytes: [u8; 256],
    handles: H,
}

impl<H> Reply<H> {
    fn new(handles: H) -> Self {
        let (s, ab, ah, bytes) = (Status::OK, u32::MAX, u32::MAX, [0; 256]);
        Reply {
            s,
            ab,
            ah,
            bytes,
            handles,
        }
    }
}

/// `zx_channel_call`; `actual_*` are pre-set to 0xFFFF_FFFF so an unwritten value shows.
fn call(
    ch: u32,
    deadline: i64,
    wr: &[u8],
    wr_h: &[u32],
    rd_nb: u32,
    rd_nh: u32,
) -> Reply<[u32; 8]> {
    let mut r = Reply::new([0; 8]);
    let rd = (r.bytes.as_mut_ptr() as u64, rd_nb.min(256));
    let rd_h = (r.handles.as_mut_ptr() as u64, rd_nh.min(8));
    let args = call_args(slice_arg(wr), slice_arg(wr_h), rd, rd_h);
    (r.s, r.ab, r.ah) = call_with(ch, deadline, &args);
    r
}

/// `zx_channel_call` with the arguments `args` as they are: (status, actual_bytes,
/// actual_handles), the actuals pre-set to 0xFFFF_FFFF.
fn call_with(ch: u32, deadline: i64, args: &ChannelCallArgs) -> (Status, u32, u32) {
    let (mut ab, mut ah) = (u32::MAX, u32::MAX);
    let s = raw::channel_call(ch, 0, deadline, args, &mut ab, &mut ah);
    (Status(s), ab, ah)
}

/// [`call`] with a deadline 5 s away.
fn call5(ch: u32, wr: &[u8], wr_h: &[u32], rd_nb: u32, rd_nh: u32) -> Reply<[u32; 8]> {
    call(ch, deadline_after(5 * SEC), wr, wr_h, rd_nb, rd_nh)
}

const JUNK_INFO: HandleInfo = HandleInfo {
    handle: 0xaaaa_aaaa,
    obj_type: 0xaaaa_aaaa,
    rights: 0xaaaa_aaaa,
    unused: 0xaaaa_aaaa,
};

/// `zx_channel_call_etc`, as [`call`].
fn call_etc(
    ch: u32,
    deadline: i64,
    wr: &[u8],
    disp: &mut [HandleDisposition],
    rd_nb: u32,
    rd_nh: u32,
) -> Reply<[HandleInfo; 4]> {
    let mut r = Reply::new([JUNK_INFO; 4]);
    let rd = (r.bytes.as_mut_ptr() as u64, rd_nb.min(256));
    let rd_h = (r.handles.as_mut_ptr() as u64, rd_nh.min(4));
    let mut args = call_args(slice_arg(wr), slice_arg_mut(disp), rd, rd_h);
    let s = raw::channel_call_etc(ch, 0, deadline, &mut args, &mut r.ab, &mut r.ah);
    r.s = Status(s);
    r
}

// ---------------------------------------------------------------------------------------------
// Server threads
// ---------------------------------------------------------------------------------------------

/// Replies with the request as it came (bytes, txid and handles).
const ECHO: usize = 0;
/// Writes two messages with other txids (txid ^ 1, and 0), then echoes.
const EXTRA: usize = 1;
/// Reads the request, closes its handles and the endpoint, never replies.
const CLOSE_AFTER_READ: usize = 2;
/// Sleeps 20 ms and closes the endpoint without reading.
const CLOSE_WITHOUT_READ: usize = 3;
/// Replies with 64 bytes (the txid, then a pattern) and the request's handles.
const BIG: usize = 4;
/// Echoes and records the txid of each request in SEEN_TXID.
const RECORD: usize = 5;

static SEEN_TXID: [AtomicU32; 8] = [const { AtomicU32::new(0) }; 8];
static SERVED: AtomicU32 = AtomicU32::new(0);

/// Server thread: `arg` = endpoint (owned, closed at the end) | mode << 32 | requests << 40.
fn server(arg: usize) {
    let ch = Channel(Handle::from_raw(arg as u32));
    let mode = (arg >> 32) & 0xff;
    let n = arg >> 40;
    if mode == CLOSE_WITHOUT_READ {
        sleep_ns(20 * MS);
        return;
    }
    for i in 0..n {
        // Ends early when the caller's end closes (PEER_CLOSED with nothing queued).
        let r = match ch.read_wait(deadline_after(10 * SEC)) {
            Ok(r) => r,
            Err(Status::PEER_CLOSED) => return,
            Err(e) => {
                check!(false, "server: {} waiting for request {}", e, i);
                return;
            }
        };
        SERVED.fetch_add(1, Ordering::Relaxed);
        let nb = r.num_bytes as usize;
        let nh = r.num_handles as usize;
        if nb < 4 {
            check!(false, "server got a request of {} bytes", nb);
            continue;
        }
        let txid = txid_of(&r.bytes);
        match mode {
            CLOSE_AFTER_READ => {
                for &h in &r.handles[..nh] {
                    raw::handle_close(h);
                }
                return;
            }
            EXTRA => {
                let mut other: [u8; 9] = txmsg(b"other");
                other[..4].copy_from_slice(&(txid ^ 1).to_le_bytes());
                check!(ch.write(&other, &[]).is_ok());
                check!(ch.write(&txmsg::<8>(b"zero"), &[]).is_ok());
                check!(ch.write(&r.bytes[..nb], &r.handles[..nh]).is_ok());
            }
            BIG => {
                let mut big = [0u8; 64];
                for (j, b) in big.iter_mut().enumerate() {
                    *b = j as u8;
                }
                big[..4].copy_from_slice(&txid.to_le_bytes());
                check!(ch.write(&big, &r.handles[..nh]).is_ok());
            }
            _ => {
                if let (RECORD, Some(slot)) = (mode, SEEN_TXID.get(i)) {
                    slot.store(txid, Ordering::Relaxed);
                }
                check!(ch.write(&r.bytes[..nb], &r.handles[..nh]).is_ok());
            }
        }
    }
}

fn start_server(end: Channel, mode: usize, requests: usize) -> Option<thread::Thread> {
    SERVED.store(0, Ordering::Relaxed);
    start(
        server,
        end.0.into_raw() as usize | mode << 32 | requests << 40,
    )
}

/// The reply was refused as too large: BUFFER_TOO_SMALL, no actual_* written, nothing queued.
#[track_caller]
fn expect_too_small(s: Status, actuals: (u32, u32), c: &Channel) {
    expect_status(s.raw(), Status::BUFFER_TOO_SMALL, "call");
    let what = format_args!("actual_* written: {:?}", actuals);
    expect(actuals == (u32::MAX, u32::MAX), what);
    expect(
        !readable(c.raw()),
        format_args!("the too-large reply stayed queued"),
    );
}

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

fn kernel_stats_are_available() {
    // The leak checks below compare kernel counts; they prove nothing without them.
    let l = live().unwrap_or_default();
    check!(
        l.handles > 0 && l.objects > 0,
        "no ZX_INFO_KERNEL_STATS (root resource missing?)"
    );
}

fn reply_is_delivered_with_actual_sizes() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let (x0, x1) = channel_pair();
    let (ek, xk) = (koid(e.raw()), koid(x1.raw()));
    let srv = start_server(s, ECHO, 1);
    let req: [u8; 14] = txmsg(b"hello call");
    let r = call5(c.raw(), &req, &[dup_raw(&e), x1.0.into_raw()], 14, 2);
    check_eq!(r.s, Status::OK);
    check_eq!((r.ab, r.ah), (14, 2));
    check_eq!(&r.bytes[4..14], b"hello call");
    let txid = txid_of(&r.bytes);
    check!(txid >= CALL_TXID_MIN, "reply txid {:#x}", txid);
    check!(valid(r.handles[0]) && valid(r.handles[1]));
    check_eq!(koid(r.handles[0]), ek);
    check_eq!(koid(r.handles[1]), xk);
    check_eq!(basic(r.handles[0]).rights, Rights::DEFAULT_EVENT.bits());
    check_eq!(basic(r.handles[1]).rights, Rights::DEFAULT_CHANNEL.bits());
    check_eq!(count(&e), 2);
    // The reply was consumed: nothing left for an ordinary read.
    check!(!readable(c.raw()));
    join(srv);
    raw::handle_close(r.handles[0]);
    raw::handle_close(r.handles[1]);
    check_eq!(count(&e), 1);
    check!(signals(x0.raw()) & PEER_CLOSED != 0);
}

fn kernel_txids_are_at_least_0x80000000() {
    let (c, s) = channel_pair();
    for t in SEEN_TXID.iter() {
        t.store(0, Ordering::Relaxed);
    }
    let srv = start_server(s, RECORD, 5);
    for (i, slot) in SEEN_TXID.iter().enumerate().take(5) {
        // The caller's txid bytes are replaced by the kernel's.
        let mut req = [0u8; 8];
        req[..4].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        req[4] = i as u8;
        let r = call5(c.raw(), &req, &[], 8, 0);
        check_eq!(r.s, Status::OK);
        check_eq!((r.ab, r.ah), (8, 0));
        check_eq!(r.bytes[4], i as u8);
        let seen = slot.load(Ordering::Relaxed);
        check!(seen >= CALL_TXID_MIN, "request {} had txid {:#x}", i, seen);
        check_eq!(txid_of(&r.bytes), seen);
    }
    join(srv);
}

fn unknown_txid_replies_are_queued_as_ordinary_messages() {
    let (c, s) = channel_pair();
    // Already queued before the call: a message with txid 0 is never a reply.
    let pre: [u8; 7] = txmsg(b"pre");
    check!(s.write(&pre, &[]).is_ok());
    let srv = start_server(s, EXTRA, 1);
    let r = call5(c.raw(), &txmsg::<9>(b"reply"), &[], 64, 4);
    check_eq!(r.s, Status::OK);
    check_eq!((r.ab, r.ah), (9, 0));
    check_eq!(&r.bytes[4..9], b"reply");
    let txid = txid_of(&r.bytes);
    join(srv);
    // The other messages stay readable, in order: 9 bytes with the txid ^ 1, 8 with txid 0.
    expect_read(&c, &pre);
    let mut other: [u8; 9] = txmsg(b"other");
    other[..4].copy_from_slice(&(txid ^ 1).to_le_bytes());
    expect_read(&c, &other);
    expect_read(&c, &txmsg::<8>(b"zero"));
    check!(!readable(c.raw()));
}

fn deadline_without_reply_is_timed_out_and_late_reply_is_not_lost() {
    {
        let (c, s) = channel_pair();
        let e = event_handle();
        let ek = koid(e.raw());
        let req: [u8; 8] = txmsg(b"late");
        let t0 = now();
        let r = call(
            c.raw(),
            deadline_after(20 * MS),
            &req,
            &[dup_raw(&e)],
            64,
            4,
        );
        let waited = now() - t0;
        check_eq!(r.s, Status::TIMED_OUT);
        check!(waited >= 20 * MS, "returned after {} ns", waited);
        // The request was sent (its handle with it).
        check_eq!(count(&e), 2);
        let m = s.read();
        check!(m.is_ok(), "the request is not in the server's queue");
        let Ok(m) = m else { return };
        check_eq!(m.num_bytes, 8);
        check_eq!(&m.bytes[4..8], b"late");
        let txid = txid_of(&m.bytes);
        check!(txid >= CALL_TXID_MIN, "txid {:#x}", txid);
        check_eq!(m.num_handles, 1);
        check_eq!(koid(m.handles[0]), ek);
        // A deadline already in the past: no wait, TIMED_OUT, request sent all the same.
        let t0 = now();
        let r2 = call(c.raw(), 0, &req, &[], 64, 4);
        check_eq!(r2.s, Status::TIMED_OUT);
        check!(now() - t0 < SEC, "a past deadline waited");
        check!(
            s.read().is_ok(),
            "the second request is not in the server's queue"
        );
        // The late reply to the dead call, carrying the handle back.
        check!(s.write(&m.bytes[..8], &[m.handles[0]]).is_ok());
        // A new call on the same channel gets its own reply, not the late one.
        let srv = start_server(s, ECHO, 1);
        let r3 = call5(c.raw(), &txmsg::<9>(b"fresh"), &[], 64, 4);
        check_eq!(r3.s, Status::OK);
        check_eq!((r3.ab, r3.ah), (9, 0));
        check_eq!(&r3.bytes[4..9], b"fresh");
        join(srv);
        // The late reply either queued as an ordinary message or was dropped cleanly.
        if readable(c.raw()) {
            let l = c.read();
            check!(l.is_ok());
            if let Ok(l) = l {
                check_eq!(l.num_bytes, 8);
                check_eq!(txid_of(&l.bytes), txid);
                check_eq!(l.num_handles, 1);
                check_eq!(koid(l.handles[0]), ek);
                raw::handle_close(l.handles[0]);
            }
        }
        check!(!readable(c.raw()));
        check_eq!(count(&e), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Peer closure
// ---------------------------------------------------------------------------------------------

fn peer_closing_after_reading_request_is_peer_closed() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let srv = start_server(s, CLOSE_AFTER_READ, 1);
    let r = call5(c.raw(), &[0u8; 8], &[dup_raw(&e)], 64, 4);
    check_eq!(r.s, Status::PEER_CLOSED);
    join(srv);
    check_eq!(count(&e), 1);
    check!(signals(c.raw()) & PEER_CLOSED != 0);
}

fn peer_closing_without_reading_is_peer_closed_and_request_destroyed() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let srv = start_server(s, CLOSE_WITHOUT_READ, 0);
    let r = call5(c.raw(), &[0u8; 8], &[dup_raw(&e)], 64, 4);
    check_eq!(r.s, Status::PEER_CLOSED);
    join(srv);
    // The request died with the server's endpoint, and its handle with it.
    check_eq!(count(&e), 1);
}

fn call_with_peer_already_closed_is_peer_closed_and_consumes_handles() {
    let (c, s) = channel_pair();
    drop(s);
    let e = event_handle();
    let d = dup_raw(&e);
    let r = call(c.raw(), deadline_after(SEC), &[0u8; 4], &[d], 64, 4);
    check_eq!(r.s, Status::PEER_CLOSED);
    check!(!valid(d), "the request handle survived");
    check_eq!(count(&e), 1);
}

// ---------------------------------------------------------------------------------------------
// Reply too large
// ---------------------------------------------------------------------------------------------

fn reply_larger_than_rd_num_bytes_is_buffer_too_small_and_discarded() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let srv = start_server(s, BIG, 2);
    let handles_before = process_handles();
    let r = call5(c.raw(), &[0u8; 4], &[dup_raw(&e)], 16, 4);
    // The reply is discarded: not queued, and the handle it carried is closed.
    expect_too_small(r.s, (r.ab, r.ah), &c);
    check_eq!(count(&e), 1);
    check_eq!(process_handles(), handles_before);
    // Exactly big enough: delivered.
    let r = call5(c.raw(), &[0u8; 4], &[], 64, 0);
    check_eq!(r.s, Status::OK);
    check_eq!((r.ab, r.ah), (64, 0));
    check_eq!(r.bytes[63], 63);
    join(srv);
}

fn reply_with_more_than_rd_num_handles_is_buffer_too_small_and_discarded() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let srv = start_server(s, ECHO, 2);
    let r = call5(c.raw(), &[0u8; 8], &[dup_raw(&e), dup_raw(&e)], 64, 1);
    expect_too_small(r.s, (r.ab, r.ah), &c);
    check_eq!(count(&e), 1);
    // call_etc: same rule.
    let mut d = [mv(dup_raw(&e)), dp(e.raw())];
    let r = call_etc(c.raw(), deadline_after(5 * SEC), &[0u8; 8], &mut d, 64, 1);
    expect_too_small(r.s, (r.ab, r.ah), &c);
    check_eq!(r.handles[0], JUNK_INFO);
    check!(valid(e.raw()));
    join(srv);
    check_eq!(count(&e), 1);
}

// ---------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------

fn fewer_than_4_bytes_is_invalid_args_and_consumes_handles() {
    let (c, s) = channel_pair();
    let e = event_handle();
    for n in [0usize, 1, 3] {
        let d = dup_raw(&e);
        let r = call(c.raw(), deadline_after(SEC), &[7u8; 3][..n], &[d], 64, 4);
        check!(r.s == Status::INVALID_ARGS, "wr_num_bytes {}: {}", n, r.s);
        check!(!valid(d), "wr_num_bytes {}: the request handle survived", n);
        check_eq!(count(&e), 1);
        check!(!readable(s.raw()), "wr_num_bytes {}: a message was sent", n);
    }
    // call_etc: MOVE entries are consumed, DUPLICATE sources stay.
    let e2 = event_handle();
    let moved = dup_raw(&e);
    let mut d = [
        mv_as(moved, ObjType::EVENT),
        dp_as(e2.raw(), ObjType::EVENT),
    ];
    let r = call_etc(c.raw(), deadline_after(SEC), &[1u8, 2], &mut d, 64, 4);
    check_eq!(r.s, Status::INVALID_ARGS);
    check!(!valid(moved), "the MOVE source survived");
    check!(valid(e2.raw()), "the DUPLICATE source was consumed");
    check_eq!((count(&e), count(&e2)), (1, 1));
    check!(!readable(s.raw()));
}

/// A `u32` the kernel cannot write: a `static` without interior mutability lands in a
/// read-only segment.
static READ_ONLY_U32: u32 = 0x5a5a_5a5a;

/// Where one read-half output of a call points.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Out {
    /// A buffer of ours, pre-filled so that an unwritten value shows.
    Good,
    Null,
    /// Unmapped (0x1000).
    Unmapped,
    /// Mapped read-only (`READ_ONLY_U32`).
    ReadOnly,
    /// A kernel address.
    Kernel,
}

/// One case of `read_half_output_failures_send_the_request_and_consume_the_reply`: what, etc,
/// actual_bytes, actual_handles, rd_bytes, rd_handles, rd_num_bytes, the status wanted.
type OutputCase = (&'static str, bool, Out, Out, Out, Out, u32, Status);

fn out_addr(o: Out, good: u64) -> u64 {
    match o {
        Out::Good => good,
        Out::Null => 0,
        Out::Unmapped => 0x1000,
        Out::ReadOnly => &READ_ONLY_U32 as *const u32 as u64,
        Out::Kernel => 0xffff_ff80_0008_0000,
    }
}

/// docs/abi.md section 4, after Zircon (its `ChannelTest.CallNullptrNumBytesIsInvalidArgs` and
/// `CallNullptrNumHandlesInvalidArgs`): a NULL `actual_bytes` or `actual_handles` does not stop
/// the call. The request is sent (the server reads it, with a kernel txid), the reply comes
/// back, and only then is the call `INVALID_ARGS`: the reply is consumed (not left queued) and
/// the handle it carries is closed (not installed in our table). An `actual_*`, `rd_bytes` or
/// `rd_handles` that is non-NULL but cannot be written (unmapped, read-only, kernel) behaves
/// the same way, for `zx_channel_call` and `zx_channel_call_etc`; no output is written then,
/// and the request handle went with the request. A reply too large is still
/// `BUFFER_TOO_SMALL` first (Zircon checks the sizes before any pointer).
fn read_half_output_failures_send_the_request_and_consume_the_reply() {
    {
        let e = event_handle();
        let ek = koid(e.raw());
        #[rustfmt::skip]
        let cases: [OutputCase; 15] = [
            // what, etc, actual_bytes, actual_handles, rd_bytes, rd_handles, rd_num_bytes, want
            ("NULL actual_bytes", false, Out::Null, Out::Good, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("NULL actual_handles", false, Out::Good, Out::Null, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("both NULL", false, Out::Null, Out::Null, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("call_etc, NULL actual_bytes", true, Out::Null, Out::Good, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("call_etc, NULL actual_handles", true, Out::Good, Out::Null, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("call_etc, both NULL", true, Out::Null, Out::Null, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("unmapped actual_bytes", false, Out::Unmapped, Out::Good, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("read-only actual_bytes", false, Out::ReadOnly, Out::Good, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("kernel actual_handles", false, Out::Good, Out::Kernel, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("read-only actual_handles", true, Out::Good, Out::ReadOnly, Out::Good, Out::Good, 64, Status::INVALID_ARGS),
            ("unmapped rd_bytes", false, Out::Good, Out::Good, Out::Unmapped, Out::Good, 64, Status::INVALID_ARGS),
            ("read-only rd_handles", false, Out::Good, Out::Good, Out::Good, Out::ReadOnly, 64, Status::INVALID_ARGS),
            ("call_etc, kernel rd_handles", true, Out::Good, Out::Good, Out::Good, Out::Kernel, 64, Status::INVALID_ARGS),
            // The size check comes first, as in Zircon.
            ("too small and NULL actual_bytes", false, Out::Null, Out::Good, Out::Good, Out::Good, 4, Status::BUFFER_TOO_SMALL),
            // Control: every output good.
            ("all good", true, Out::Good, Out::Good, Out::Good, Out::Good, 64, Status::OK),
        ];
        for (what, etc, ab_o, ah_o, rb_o, rh_o, rd_nb, want) in cases {
            let handles_before = process_handles();
            let (c, s) = channel_pair();
            SEEN_TXID[0].store(0, Ordering::Relaxed);
            let srv = start_server(s, RECORD, 1);
            let d = dup_raw(&e);
            let req: [u8; 8] = txmsg(b"req!");
            let hs = [d];
            let mut disps = [mv_as(d, ObjType::EVENT)];
            let mut rd = [0xeeu8; 64];
            let mut rh = [0xeeee_eeeeu32; 4];
            let mut ri = [JUNK_INFO; 4];
            let (mut ab, mut ah) = (u32::MAX, u32::MAX);
            let rh_good = if etc {
                slice_arg_mut(&mut ri)
            } else {
                slice_arg_mut(&mut rh)
            };
            let wr_h = if etc {
                slice_arg_mut(&mut disps)
            } else {
                slice_arg(&hs)
            };
            let rd_bytes = (out_addr(rb_o, rd.as_mut_ptr() as u64), rd_nb);
            let rd_h = (out_addr(rh_o, rh_good.0), 4);
            let mut args = call_args(slice_arg(&req), wr_h, rd_bytes, rd_h);
            let ab_p = out_addr(ab_o, &mut ab as *mut u32 as u64) as *mut u32;
            let ah_p = out_addr(ah_o, &mut ah as *mut u32 as u64) as *mut u32;
            let dl = deadline_after(5 * SEC);
            let st = Status(if etc {
                raw::channel_call_etc(c.raw(), 0, dl, &mut args, ab_p, ah_p)
            } else {
                raw::channel_call(c.raw(), 0, dl, &args, ab_p, ah_p)
            });
            check!(st == want, "{}: {} (want {})", what, st, want);
            // The request reached the server, with a kernel txid, and its handle went with it.
            join(srv);
            let served = SERVED.load(Ordering::Relaxed);
            check!(served == 1, "{}: the server read {} requests", what, served);
            let txid = SEEN_TXID[0].load(Ordering::Relaxed);
            check!(txid >= CALL_TXID_MIN, "{}: request txid {:#x}", what, txid);
            check!(!valid(d), "{}: the request handle is still ours", what);
            if want == Status::OK {
                check_eq!((ab, ah), (8, 1));
                check_eq!(&rd[4..8], b"req!");
                check_eq!(txid_of(&rd), txid);
                check_eq!(koid(ri[0].handle), ek);
                raw::handle_close(ri[0].handle);
            } else {
                // Nothing was written: the outputs that were good still hold what we put there.
                check_eq!(
                    (ab, ah),
                    (u32::MAX, u32::MAX),
                    "{}: actual_* written:",
                    what
                );
                check!(rd == [0xee; 64], "{}: rd_bytes written", what);
                check!(
                    rh == [0xeeee_eeee; 4] && ri == [JUNK_INFO; 4],
                    "{}: rd_handles written",
                    what
                );
                // SAFETY: a plain read of a static.
                let ro = unsafe { core::ptr::read_volatile(&READ_ONLY_U32) };
                check_eq!(ro, 0x5a5a_5a5a);
                // The reply was consumed, not left queued.
                check!(!readable(c.raw()), "{}: the reply stayed queued", what);
            }
            if etc {
                check_eq!(disps[0].result, 0);
            }
            // The reply's handle was closed: the event has only our handle again, and our
            // table holds what it held before the case.
            check!(count(&e) == 1, "{}: event handle count {}", what, count(&e));
            drop(c);
            let handles = process_handles();
            check_eq!(handles, handles_before, "{}: process handles:", what);
        }
    }
}

/// docs/abi.md section 4 (Zircon's `ChannelWriteEtcTest.
/// ImproperlyInitalizedResultsArgReportedBackAsOriginallyInitalized`, here for call_etc): a
/// disposition's `result` on input is not checked. Garbage there lets the call go through, and
/// stays as written.
fn call_etc_ignores_garbage_in_result_on_input() {
    let (c, s) = channel_pair();
    let (e1, e2) = (event_handle(), event_handle());
    let (k1, k2) = (koid(e1.raw()), koid(e2.raw()));
    let srv = start_server(s, ECHO, 1);
    let moved = dup_raw(&e1);
    let mut d = [mv_as(moved, ObjType::EVENT), dp(e2.raw())];
    d[0].result = Status::WRONG_TYPE.raw();
    d[1].result = i32::MIN;
    let req: [u8; 9] = txmsg(b"junk!");
    let r = call_etc(c.raw(), deadline_after(5 * SEC), &req, &mut d, 64, 4);
    check_eq!(r.s, Status::OK);
    check_eq!((r.ab, r.ah), (9, 2));
    check_eq!(&r.bytes[4..9], b"junk!");
    check_eq!(
        (d[0].result, d[1].result),
        (Status::WRONG_TYPE.raw(), i32::MIN)
    );
    check!(!valid(moved), "the MOVE source is still ours");
    check!(valid(e2.raw()), "the DUPLICATE source was consumed");
    check_eq!(koid(r.handles[0].handle), k1);
    check_eq!(koid(r.handles[1].handle), k2);
    join(srv);
    raw::handle_close(r.handles[0].handle);
    raw::handle_close(r.handles[1].handle);
    check_eq!((count(&e1), count(&e2)), (1, 1));
}

fn unreadable_args_struct_is_invalid_args_and_consumes_nothing() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let d = dup_raw(&e);
    let req = [0u8; 8];
    let wr_handles = [d];
    let mut disps = [mv(d)];
    let straddle = (stack_top() as u64) - 16;
    let bads = [
        ("NULL", 0u64),
        ("0x1000", 0x1000),
        ("kernel 0xffff_0000_0000_0000", KERNEL_A as u64),
        ("kernel 0xffff_ff80_0008_0000", KERNEL_B as u64),
        ("crossing 1<<47", USER_TOP as u64 - 24),
        ("wrapping past u64::MAX", u64::MAX - 23),
        ("straddling the stack top", straddle),
        ("stack guard page", stack_bottom() as u64 - 4096),
    ];
    for etc in [false, true] {
        for (what, addr) in bads {
            let saved = save_stack_top::<6>();
            if addr == straddle {
                // The readable half holds real wr_bytes / wr_handles pointers.
                let p = straddle as *mut u64;
                let hp = if etc {
                    disps.as_mut_ptr() as u64
                } else {
                    wr_handles.as_ptr() as u64
                };
                // SAFETY: the top 16 bytes of our own stack, restored right after the call.
                unsafe {
                    core::ptr::write_volatile(p, req.as_ptr() as u64);
                    core::ptr::write_volatile(p.add(1), hp);
                }
            }
            let (mut ab, mut ah) = (0u32, 0u32);
            let (dl, args) = (deadline_after(SEC), addr as *mut ChannelCallArgs);
            let st = if etc {
                raw::channel_call_etc(c.raw(), 0, dl, args, &mut ab, &mut ah)
            } else {
                raw::channel_call(c.raw(), 0, dl, args, &mut ab, &mut ah)
            };
            restore_stack_top(saved);
            let name = if etc { "call_etc" } else { "call" };
            let what = format_args!("{} with args {} ({:#x})", name, what, addr);
            check_eq!(Status(st), Status::INVALID_ARGS, "{}:", what);
            check!(
                valid(d) && count(&e) == 2,
                "{}: the handle was consumed",
                what
            );
            check!(!readable(s.raw()), "{}: a message was sent", what);
            check!(valid(c.raw()));
        }
    }
    raw::handle_close(d);
    check_eq!(count(&e), 1);
}

fn request_handles_are_consumed_on_failures_as_for_write() {
    let (c, s) = channel_pair();
    let e = event_handle();
    let req = [0u8; 8];
    let deadline = || deadline_after(200 * MS);
    // One failing call: the request handle d must be gone afterwards and nothing sent.
    let expect_consumed = |what: &str, want: Status, st: Status, d: u32| {
        check!(st == want, "{}: {} (want {})", what, st, want);
        check!(!valid(d), "{}: the request handle survived", what);
        check!(count(&e) == 1, "{}: event count {}", what, count(&e));
        check!(!readable(s.raw()), "{}: a message was sent", what);
    };
    let stale = {
        let (x, _y) = channel_pair();
        x.raw()
    };
    let d = dup_raw(&e);
    let r = call(stale, deadline(), &req, &[d], 64, 4);
    expect_consumed("stale channel handle", Status::BAD_HANDLE, r.s, d);

    let ev2 = event_handle();
    let d = dup_raw(&e);
    let r = call(ev2.raw(), deadline(), &req, &[d], 64, 4);
    expect_consumed("event as channel", Status::WRONG_TYPE, r.s, d);

    let (c2, s2) = channel_pair();
    drop(s2);
    let d = dup_raw(&e);
    let r = call(c2.raw(), deadline(), &req, &[d], 64, 4);
    expect_consumed("closed peer", Status::PEER_CLOSED, r.s, d);

    // Unreadable request bytes (the handles array itself is fine).
    let d = dup_raw(&e);
    let hs = [d];
    let mut rd = [0u8; 64];
    let mut rh = [0u32; 4];
    let (rd, rh) = (slice_arg_mut(&mut rd), slice_arg_mut(&mut rh));
    let mut args = call_args((0x1000, 8), slice_arg(&hs), rd, rh);
    let (st, ..) = call_with(c.raw(), deadline(), &args);
    expect_consumed("unreadable wr_bytes", Status::INVALID_ARGS, st, d);

    // Too many bytes.
    let d = dup_raw(&e);
    let hs = [d];
    args.wr_bytes = req.as_ptr() as u64;
    args.wr_handles = hs.as_ptr() as u64;
    args.wr_num_bytes = CHANNEL_MAX_MSG_BYTES + 1;
    let (st, ..) = call_with(c.raw(), deadline(), &args);
    expect_consumed("too many bytes", Status::OUT_OF_RANGE, st, d);

    // A request handle without TRANSFER: ACCESS_DENIED, every request handle consumed.
    let nt = e
        .duplicate(Rights::WAIT | Rights::DUPLICATE)
        .expect("duplicate")
        .into_raw();
    let d = dup_raw(&e);
    let r = call(c.raw(), deadline(), &req, &[d, nt], 64, 4);
    check!(!valid(nt), "the handle without TRANSFER survived");
    expect_consumed("handle without TRANSFER", Status::ACCESS_DENIED, r.s, d);

    // An unreadable handles array: INVALID_ARGS, and no handle is touched.
    let d = dup_raw(&e);
    args.wr_num_bytes = 8;
    args.wr_handles = 0x1000;
    check_eq!(
        call_with(c.raw(), deadline(), &args).0,
        Status::INVALID_ARGS
    );
    check!(valid(d));
    check!(!readable(s.raw()));
    raw::handle_close(d);
    check_eq!(count(&e), 1);
}

fn channel_without_read_or_write_right_is_access_denied() {
    let base_e = event_handle();
    for (what, rights) in [
        ("no READ", Rights::WRITE | Rights::TRANSFER | Rights::WAIT),
        ("no WRITE", Rights::READ | Rights::TRANSFER | Rights::WAIT),
    ] {
        let (c, s) = channel_pair();
        let c = c.0.replace(rights).expect("handle_replace");
        let d = dup_raw(&base_e);
        let r = call(c.raw(), deadline_after(200 * MS), &[0u8; 8], &[d], 64, 4);
        check!(r.s == Status::ACCESS_DENIED, "call, {}: {}", what, r.s);
        check!(!valid(d), "call, {}: the request handle survived", what);
        check!(!readable(s.raw()), "call, {}: a message was sent", what);
        let moved = dup_raw(&base_e);
        let mut ds = [mv_as(moved, ObjType::EVENT)];
        let r = call_etc(c.raw(), deadline_after(200 * MS), &[0u8; 8], &mut ds, 64, 4);
        check!(r.s == Status::ACCESS_DENIED, "call_etc, {}: {}", what, r.s);
        check!(
            !valid(moved),
            "call_etc, {}: the MOVE source survived",
            what
        );
        check!(!readable(s.raw()), "call_etc, {}: a message was sent", what);
        check_eq!(count(&base_e), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

const CALLERS: usize = 8;
const CALLS_EACH: usize = 50;

static CONC_CH: AtomicU32 = AtomicU32::new(0);
static CONC_OK: AtomicU32 = AtomicU32::new(0);
static CONC_BAD: AtomicU32 = AtomicU32::new(0);
static CONC_FIRST_BAD: AtomicI32 = AtomicI32::new(0);
static CONC_DUP_TXIDS: AtomicU32 = AtomicU32::new(0);
static CONC_MAX_BATCH: AtomicU32 = AtomicU32::new(0);

fn caller(idx: usize) {
    let ch = CONC_CH.load(Ordering::Relaxed);
    for seq in 0..CALLS_EACH {
        let mut req = [0u8; 16];
        req[4..8].copy_from_slice(&(idx as u32).to_le_bytes());
        req[8..12].copy_from_slice(&(seq as u32).to_le_bytes());
        req[12..16].copy_from_slice(b"conc");
        let r = call(ch, deadline_after(20 * SEC), &req, &[], 16, 0);
        let good = r.s == Status::OK
            && r.ab == 16
            && r.ah == 0
            && r.bytes[4..16] == req[4..16]
            && txid_of(&r.bytes) >= CALL_TXID_MIN;
        if good {
            CONC_OK.fetch_add(1, Ordering::Relaxed);
        } else {
            if CONC_BAD.fetch_add(1, Ordering::Relaxed) == 0 {
                CONC_FIRST_BAD.store(r.s.raw(), Ordering::Relaxed);
                println!(
                    "    caller {} call {}: {} ab {} ah {} got caller {} call {}",
                    idx,
                    seq,
                    r.s,
                    r.ab,
                    r.ah,
                    u32::from_le_bytes([r.bytes[4], r.bytes[5], r.bytes[6], r.bytes[7]]),
                    u32::from_le_bytes([r.bytes[8], r.bytes[9], r.bytes[10], r.bytes[11]])
                );
            }
            if r.s != Status::OK {
                return;
            }
        }
    }
}

/// Serves CALLERS * CALLS_EACH requests in batches: everything queued is read before any of
/// it is answered, so all requests of a batch are outstanding calls at once and their txids
/// must differ.
fn batch_server(arg: usize) {
    let ch = Channel(Handle::from_raw(arg as u32));
    let total = (CALLERS * CALLS_EACH) as u32;
    let mut served = 0u32;
    while served < total {
        let Ok(obs) = ch.wait_message(deadline_after(20 * SEC)) else {
            return;
        };
        sleep_ns(MS / 2); // let more callers queue their requests
        let mut batch = [[0u8; 16]; 32];
        let mut n = 0;
        while n < batch.len() {
            match ch.read_into(&mut batch[n], &mut []) {
                Ok((16, 0)) => n += 1,
                Ok(_) => {
                    CONC_BAD.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => break,
            }
        }
        if n == 0 && obs.contains(Signals::CHANNEL_PEER_CLOSED) {
            return; // every caller has gone
        }
        CONC_MAX_BATCH.fetch_max(n as u32, Ordering::Relaxed);
        for i in 0..n {
            for j in 0..i {
                if txid_of(&batch[i]) == txid_of(&batch[j]) {
                    CONC_DUP_TXIDS.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        for m in batch.iter().take(n) {
            if ch.write(m, &[]).is_err() {
                CONC_BAD.fetch_add(1, Ordering::Relaxed);
            }
        }
        served += n as u32;
    }
}

fn many_concurrent_calls_each_get_their_own_reply() {
    let (c, s) = channel_pair();
    CONC_CH.store(c.raw(), Ordering::Relaxed);
    for a in [&CONC_OK, &CONC_BAD, &CONC_DUP_TXIDS, &CONC_MAX_BATCH] {
        a.store(0, Ordering::Relaxed);
    }
    let srv = start(batch_server, s.0.into_raw() as usize);
    let callers: [_; CALLERS] = core::array::from_fn(|i| start(caller, i));
    for t in callers {
        join(t);
    }
    drop(c);
    join(srv);
    check_eq!(
        CONC_OK.load(Ordering::Relaxed),
        (CALLERS * CALLS_EACH) as u32
    );
    check_eq!(CONC_BAD.load(Ordering::Relaxed), 0);
    check_eq!(CONC_DUP_TXIDS.load(Ordering::Relaxed), 0);
    check!(
        CONC_MAX_BATCH.load(Ordering::Relaxed) > 1,
        "never more than one call outstanding (max batch {})",
        CONC_MAX_BATCH.load(Ordering::Relaxed)
    );
}

/// Counted by `spinner` while it runs, until `STOP_SPIN` is set.
static SPUN: AtomicU32 = AtomicU32::new(0);
static STOP_SPIN: AtomicU32 = AtomicU32::new(0);

fn spinner(_: usize) {
    while STOP_SPIN.load(Ordering::Relaxed) == 0 {
        SPUN.fetch_add(1, Ordering::Relaxed);
    }
}

/// A call hands the core to the server it wakes, and a reply may hand it straight back to the
/// caller (the direct switches, docs/design.md). Neither may keep a thread that is ready to run
/// off the core: the calls stop as soon as a spinning thread has run, which on one core needs
/// the pair to let it in; a kernel that kept passing the core between the two would make every
/// call first, and the check below would fail.
fn a_call_loop_lets_a_ready_thread_run() {
    const CALLS: usize = 20_000;
    let (c, s) = channel_pair();
    let srv = start_server(s, ECHO, CALLS + 1);
    let req: [u8; 8] = txmsg(b"turn");
    // The server is up and waiting before the spinner is ready.
    check_eq!(call5(c.raw(), &req, &[], 8, 0).s, Status::OK);
    SPUN.store(0, Ordering::Relaxed);
    STOP_SPIN.store(0, Ordering::Relaxed);
    let spin = start(spinner, 0);
    let mut done = 0;
    while done < CALLS && SPUN.load(Ordering::Relaxed) == 0 {
        let r = call5(c.raw(), &req, &[], 8, 0);
        if r.s != Status::OK {
            check!(false, "call {}: {}", done, r.s);
            break;
        }
        done += 1;
    }
    STOP_SPIN.store(1, Ordering::Relaxed);
    join(spin);
    check!(
        SPUN.load(Ordering::Relaxed) > 0,
        "the ready thread never ran during {} calls",
        done
    );
    drop(c);
    join(srv);
}

// ---------------------------------------------------------------------------------------------
// call_etc
// ---------------------------------------------------------------------------------------------

fn call_etc_moves_and_duplicates_and_reports_reply_handle_info() {
    let (c, s) = channel_pair();
    let (e1, e2) = (event_handle(), event_handle());
    let (k1, k2) = (koid(e1.raw()), koid(e2.raw()));
    let srv = start_server(s, ECHO, 1);
    let moved = dup_raw(&e1);
    let tw = Rights::TRANSFER | Rights::WAIT;
    let mut d = [
        disp(HANDLE_OP_MOVE, moved, ObjType::EVENT, tw),
        dp(e2.raw()),
    ];
    let req: [u8; 7] = txmsg(b"etc");
    let r = call_etc(c.raw(), deadline_after(5 * SEC), &req, &mut d, 64, 4);
    check_eq!(r.s, Status::OK);
    check_eq!((r.ab, r.ah), (7, 2));
    check_eq!(&r.bytes[4..7], b"etc");
    check!(txid_of(&r.bytes) >= CALL_TXID_MIN);
    check!(
        !valid(moved),
        "the MOVE source is still in the caller's table"
    );
    check!(valid(e2.raw()), "the DUPLICATE source was consumed");
    let want = [(k1, tw.bits()), (k2, Rights::DEFAULT_EVENT.bits())];
    for (i, (k, rights)) in want.iter().enumerate() {
        let inf = r.handles[i];
        check!(valid(inf.handle), "info[{}].handle {:#x}", i, inf.handle);
        check_eq!(inf.obj_type, ObjType::EVENT.raw());
        check_eq!(inf.rights, *rights);
        check_eq!(inf.unused, 0);
        check_eq!(koid(inf.handle), *k);
        check_eq!(basic(inf.handle).rights, *rights);
    }
    check_eq!(r.handles[2], JUNK_INFO);
    check_eq!((count(&e1), count(&e2)), (2, 2));
    check_eq!((d[0].result, d[1].result), (0, 0));
    join(srv);
    raw::handle_close(r.handles[0].handle);
    raw::handle_close(r.handles[1].handle);
    check_eq!((count(&e1), count(&e2)), (1, 1));
}

fn call_etc_failed_disposition_consumes_moves_keeps_duplicate_sources() {
    let (c, s) = channel_pair();
    let (e1, e2) = (event_handle(), event_handle());
    let moved = dup_raw(&e1);
    let mut d = [
        mv_as(moved, ObjType::CHANNEL),
        dp_as(e2.raw(), ObjType::EVENT),
    ];
    let r = call_etc(c.raw(), deadline_after(200 * MS), &[0u8; 8], &mut d, 64, 4);
    check_eq!(r.s, Status::WRONG_TYPE);
    check_eq!((d[0].result, d[1].result), (Status::WRONG_TYPE.raw(), 0));
    check!(!valid(moved), "the MOVE source survived");
    check!(valid(e2.raw()), "the DUPLICATE source was consumed");
    check_eq!((count(&e1), count(&e2)), (1, 1));
    check!(!readable(s.raw()), "a message was sent");
}

// ---------------------------------------------------------------------------------------------
// zx_object_wait_one woken from another thread
// ---------------------------------------------------------------------------------------------

fn write_after_10ms(h: usize) {
    sleep_ns(10 * MS);
    check_status!(
        raw::channel_write(h as u32, 0, b"wake".as_ptr(), 4, null(), 0),
        Status::OK
    );
}

fn close_after_10ms(h: usize) {
    sleep_ns(10 * MS);
    check_status!(raw::handle_close(h as u32), Status::OK);
}

/// Waits on `b` for `signals` (up to `ns`) while `wake.0(wake.1)` runs on another thread:
/// (status, observed, ns waited).
fn woken(b: &Channel, signals: u32, ns: i64, wake: (fn(usize), usize)) -> (Status, u32, i64) {
    let t0 = now();
    let t = start(wake.0, wake.1);
    let (st, obs) = wait_raw(b.raw(), signals, deadline_after(ns));
    let waited = now() - t0;
    join(t);
    (st, obs, waited)
}

fn wait_one_is_woken_by_a_write_from_another_thread() {
    let (a, b) = channel_pair();
    let (st, obs, waited) = woken(&b, READABLE, 5 * SEC, (write_after_10ms, a.raw() as usize));
    check_eq!(st, Status::OK);
    check!(obs & READABLE != 0, "observed {:#x}", obs);
    check!(
        waited >= 10 * MS,
        "woke after {} ns, before the write",
        waited
    );
    expect_read(&b, b"wake");
}

fn wait_one_is_woken_by_peer_close_from_another_thread() {
    let (a, b) = channel_pair();
    let close_a = (close_after_10ms as fn(usize), a.0.into_raw() as usize);
    let (st, obs, waited) = woken(&b, PEER_CLOSED, 5 * SEC, close_a);
    check_eq!(st, Status::OK);
    check!(obs & PEER_CLOSED != 0, "observed {:#x}", obs);
    check!(obs & WRITABLE == 0, "WRITABLE still set: {:#x}", obs);
    check!(
        waited >= 10 * MS,
        "woke after {} ns, before the close",
        waited
    );
}

fn wait_for_readable_only_is_not_satisfied_by_peer_close() {
    let (a, b) = channel_pair();
    let close_a = (close_after_10ms as fn(usize), a.0.into_raw() as usize);
    let (st, obs, _) = woken(&b, READABLE, 60 * MS, close_a);
    check_eq!(st, Status::TIMED_OUT);
    check!(obs & PEER_CLOSED != 0, "observed {:#x}", obs);
}

const WAITERS: usize = 4;
static WAIT_CH: AtomicU32 = AtomicU32::new(0);
static WAIT_FOR: AtomicU32 = AtomicU32::new(0);
static WAIT_DONE: AtomicU32 = AtomicU32::new(0);
static WAIT_STATUS: [AtomicI32; WAITERS] = [const { AtomicI32::new(1) }; WAITERS];
static WAIT_OBS: [AtomicU32; WAITERS] = [const { AtomicU32::new(0) }; WAITERS];

fn waiter(i: usize) {
    let ch = WAIT_CH.load(Ordering::Relaxed);
    let (st, obs) = wait_raw(
        ch,
        WAIT_FOR.load(Ordering::Relaxed),
        deadline_after(5 * SEC),
    );
    WAIT_STATUS[i].store(st.raw(), Ordering::Relaxed);
    WAIT_OBS[i].store(obs, Ordering::Relaxed);
    WAIT_DONE.fetch_add(1, Ordering::Release);
}

/// Starts WAITERS threads blocked in wait_one(`ch`, `signals`), runs `wake` once they are
/// blocked, joins them and checks each woke with OK and `signals` observed.
fn several_waiters(ch: u32, signals: Signals, wake: &mut dyn FnMut()) {
    WAIT_CH.store(ch, Ordering::Relaxed);
    WAIT_FOR.store(signals.bits(), Ordering::Relaxed);
    WAIT_DONE.store(0, Ordering::Relaxed);
    for i in 0..WAITERS {
        WAIT_STATUS[i].store(1, Ordering::Relaxed);
        WAIT_OBS[i].store(0, Ordering::Relaxed);
    }
    let ts: [_; WAITERS] = core::array::from_fn(|i| start(waiter, i));
    sleep_ns(20 * MS);
    check_eq!(WAIT_DONE.load(Ordering::Acquire), 0);
    wake();
    for t in ts {
        join(t);
    }
    for i in 0..WAITERS {
        let (st, obs) = (
            WAIT_STATUS[i].load(Ordering::Relaxed),
            WAIT_OBS[i].load(Ordering::Relaxed),
        );
        check!(st == 0, "waiter {}: {}", i, Status(st));
        check!(
            obs & signals.bits() != 0,
            "waiter {} observed {:#x}",
            i,
            obs
        );
    }
}

fn threads_blocked_in_wait_one_are_all_woken_by_a_write() {
    let (a, b) = channel_pair();
    several_waiters(b.raw(), Signals::CHANNEL_READABLE, &mut || {
        check!(a.write(b"all", &[]).is_ok());
    });
    check!(b.read().is_ok());
}

fn threads_blocked_in_wait_one_are_all_woken_by_peer_close() {
    let (a, b) = channel_pair();
    let mut a = Some(a);
    several_waiters(
        b.raw(),
        Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED,
        &mut || drop(a.take()),
    );
    check!(signals(b.raw()) & PEER_CLOSED != 0);
}

zx::tests!(
    kernel_stats_are_available,
    reply_is_delivered_with_actual_sizes,
    kernel_txids_are_at_least_0x80000000,
    unknown_txid_replies_are_queued_as_ordinary_messages,
    deadline_without_reply_is_timed_out_and_late_reply_is_not_lost,
    peer_closing_after_reading_request_is_peer_closed,
    peer_closing_without_reading_is_peer_closed_and_request_destroyed,
    call_with_peer_already_closed_is_peer_closed_and_consumes_handles,
    reply_larger_than_rd_num_bytes_is_buffer_too_small_and_discarded,
    reply_with_more_than_rd_num_handles_is_buffer_too_small_and_discarded,
    fewer_than_4_bytes_is_invalid_args_and_consumes_handles,
    read_half_output_failures_send_the_request_and_consume_the_reply,
    unreadable_args_struct_is_invalid_args_and_consumes_nothing,
    request_handles_are_consumed_on_failures_as_for_write,
    channel_without_read_or_write_right_is_access_denied,
    many_concurrent_calls_each_get_their_own_reply,
    a_call_loop_lets_a_ready_thread_run,
    call_etc_moves_and_duplicates_and_reports_reply_handle_info,
    call_etc_failed_disposition_consumes_moves_keeps_duplicate_sources,
    call_etc_ignores_garbage_in_result_on_input,
    wait_one_is_woken_by_a_write_from_another_thread,
    wait_one_is_woken_by_peer_close_from_another_thread,
    wait_for_readable_only_is_not_satisfied_by_peer_close,
    threads_blocked_in_wait_one_are_all_woken_by_a_write,
    threads_blocked_in_wait_one_are_all_woken_by_peer_close,
);

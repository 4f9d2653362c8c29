//! zx_channel_write_etc: every sentence of docs/manual/zx_channel_write_etc.md and the
//! disposition rules of docs/abi.md section 4 (operations, rights, object types, per-entry `result`,
//! check order, fate of MOVE and DUPLICATE sources, self/peer transfer, sizes), with hostile
//! disposition arrays and byte pointers from docs/abi.md section 1.
#![no_std]
#![no_main]

use core::ptr::{null, null_mut};
use zx::test::*;
use zx::*;

const MOVE: u32 = HANDLE_OP_MOVE;
const DUP: u32 = HANDLE_OP_DUPLICATE;
const SAME: u32 = Rights::SAME_RIGHTS.bits();

const OK: i32 = Status::OK.raw();
const BAD_HANDLE: i32 = Status::BAD_HANDLE.raw();
const WRONG_TYPE: i32 = Status::WRONG_TYPE.raw();
const INVALID_ARGS: i32 = Status::INVALID_ARGS.raw();
const ACCESS_DENIED: i32 = Status::ACCESS_DENIED.raw();
const NOT_SUPPORTED: i32 = Status::NOT_SUPPORTED.raw();
const OUT_OF_RANGE: i32 = Status::OUT_OF_RANGE.raw();

/// Rights of a fresh event, and some reductions of them.
const EV: u32 = Rights::DEFAULT_EVENT.bits();
const R_TRANSFER: u32 = Rights::TRANSFER.bits();
const R_DUP: u32 = Rights::DUPLICATE.bits();
const R_WAIT: u32 = Rights::WAIT.bits();
const R_SIGNAL: u32 = Rights::SIGNAL.bits();
const R_READ: u32 = Rights::READ.bits();
const R_WRITE: u32 = Rights::WRITE.bits();
const R_INSPECT: u32 = Rights::INSPECT.bits();

// ---------------------------------------------------------------------------------------------
// Memory used by the cases
// ---------------------------------------------------------------------------------------------

/// A disposition array in a read-only segment (a `static` without interior mutability). Its
/// handle values are constants, so they name no handle of ours.
static RO_DISPOSITIONS: [HandleDisposition; 2] = [
    HandleDisposition {
        operation: MOVE,
        handle: HANDLE_INVALID,
        obj_type: 0,
        rights: SAME,
        result: 0,
    },
    HandleDisposition {
        operation: DUP,
        handle: 0xffff_ffff,
        obj_type: 0,
        rights: SAME,
        result: 0,
    },
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `zx_channel_write_etc(ch, 0, bytes, dispositions)`; empty slices are passed as NULL.
fn wetc(ch: u32, bytes: &[u8], hs: &mut [HandleDisposition]) -> i32 {
    wetc_opt(ch, 0, bytes, hs)
}

fn wetc_opt(ch: u32, options: u32, bytes: &[u8], hs: &mut [HandleDisposition]) -> i32 {
    let (b, n) = (ptr_or_null(bytes), bytes.len() as u32);
    raw::channel_write_etc(ch, options, b, n, mut_or_null(hs), hs.len() as u32)
}

/// `zx_channel_write_etc(ch, 0, bytes, n, the array at p, nh)`.
fn wetc_at(ch: u32, bytes: *const u8, n: u32, p: u64, nh: u32) -> i32 {
    raw::channel_write_etc(ch, 0, bytes, n, p as *mut HandleDisposition, nh)
}

/// Reads one message that must carry exactly one handle; returns its info (handle closed by
/// the caller), or a zeroed info after recording a failure.
#[track_caller]
fn read_one_handle(ch: u32) -> HandleInfo {
    let m = read_msg(ch);
    expect(
        m.handles == 1,
        format_args!("{} handles (want 1)", m.handles),
    );
    if m.handles == 0 {
        return HandleInfo::default();
    }
    for i in &m.infos[1..m.handles as usize] {
        close(i.handle);
    }
    m.infos[0]
}

/// Writing `bytes` with the one disposition `d` on `a` fails with `want`, returned and in the
/// entry's `result`.
#[track_caller]
fn refused(a: u32, bytes: &[u8], d: HandleDisposition, want: i32) {
    let mut hs = [d];
    let got = wetc(a, bytes, &mut hs);
    let what = format_args!("returned {}, result {}", Status(got), Status(hs[0].result));
    expect((got, hs[0].result) == (want, want), what);
}

/// Writing `[d]` with no bytes on `a` succeeds (result ZX_OK); the one handle `b` reads.
#[track_caller]
fn sent(a: u32, b: u32, d: HandleDisposition) -> HandleInfo {
    let mut hs = [d];
    let got = wetc(a, b"", &mut hs);
    let what = format_args!("returned {}, result {}", Status(got), Status(hs[0].result));
    expect((got, hs[0].result) == (OK, OK), what);
    read_one_handle(b)
}

/// After a failed write of `[mv(e1), dp(e2)]`: the MOVE source `e1` is gone, the DUPLICATE
/// source `e2` is ours and its object's only handle (it is closed here).
#[track_caller]
fn check_fates(what: impl core::fmt::Display, e1: u32, e2: u32) {
    expect(!valid(e1), format_args!("{}: MOVE source kept", what));
    expect(valid(e2), format_args!("{}: DUPLICATE source gone", what));
    let n = handle_count(e2);
    expect(
        n == 1,
        format_args!("{}: DUPLICATE source count {}", what, n),
    );
    close(e2);
}

/// Two new events and the dispositions `[mv(e1), dp(e2)]`.
fn move_and_dup() -> (u32, u32, [HandleDisposition; 2]) {
    let (e1, e2) = (event(), event());
    (e1, e2, [mv(e1), dp(e2)])
}

// ---------------------------------------------------------------------------------------------
// Cases: transfers that succeed
// ---------------------------------------------------------------------------------------------

/// "it attempts to write a message of num_bytes bytes and num_handles handles"; MOVE with
/// SAME_RIGHTS: "The handle will be transfered with rights rights which can be
/// ZX_RIGHT_SAME_RIGHTS"; "On success all source handles with ZX_HANDLE_OP_MOVE are no longer
/// accessible to the caller's process -- they are attached to the message and will become
/// available to the reader".
fn move_with_same_rights_transfers_the_handle() {
    let (a, b) = channel();
    let e = event();
    let k = koid(e);
    let mut hs = [disp(MOVE, e, ObjType::EVENT, SAME)];
    check_status!(wetc(a, b"abc", &mut hs), Status::OK);
    check_eq!(hs[0].result, OK);
    check!(!valid(e), "the moved handle is still in the writer's table");
    let m = read_msg(b);
    check_eq!(m.bytes, 3);
    check_eq!(&rbuf()[..3], b"abc");
    check_eq!(m.handles, 1);
    let i = m.infos[0];
    check_eq!(i.handle & HANDLE_FIXED_BITS_MASK, HANDLE_FIXED_BITS_MASK);
    check_eq!(i.obj_type, ObjType::EVENT.raw());
    check_eq!(i.rights, EV);
    check_eq!(i.unused, 0);
    check_eq!(koid(i.handle), k);
    check_eq!(rights_of(i.handle), EV);
    check_eq!(handle_count(i.handle), 1);
    m.close();
    close_all(&[a, b]);
}

/// Several dispositions of several kinds in one message arrive in array order with their
/// types, rights and objects.
fn handles_of_every_kind_arrive_in_array_order() {
    let (a, b) = channel();
    let e = event();
    let (p0, p1) = eventpair();
    let (x, y) = channel();
    let process = self_process();
    let thread = self_thread();
    let want = [
        (koid(e), ObjType::EVENT, EV),
        (koid(p0), ObjType::EVENTPAIR, R_TRANSFER | R_WAIT),
        (koid(x), ObjType::CHANNEL, Rights::DEFAULT_CHANNEL.bits()),
        (
            koid(process),
            ObjType::PROCESS,
            Rights::DEFAULT_PROCESS.bits(),
        ),
        (koid(thread), ObjType::THREAD, Rights::DEFAULT_THREAD.bits()),
    ];
    let mut hs = [
        disp(MOVE, e, ObjType::EVENT, SAME),
        disp(DUP, p0, ObjType::EVENTPAIR, R_TRANSFER | R_WAIT),
        disp(MOVE, x, ObjType::CHANNEL, SAME),
        disp(DUP, process, ObjType::PROCESS, SAME),
        disp(DUP, thread, ObjType::THREAD, SAME),
    ];
    check_status!(wetc(a, b"kinds", &mut hs), Status::OK);
    for (i, d) in hs.iter().enumerate() {
        check!(d.result == OK, "entry {} result {}", i, d.result);
    }
    check!(!valid(e));
    check!(valid(p0));
    check_eq!(rights_of(p0), Rights::DEFAULT_EVENTPAIR.bits());
    check!(!valid(x));
    expect_valid(&[process, thread], true);
    let m = read_msg(b);
    check_eq!(m.bytes, 5);
    check_eq!(m.handles, 5);
    for (i, &(k, ty, r)) in want.iter().enumerate() {
        let info = m.infos[i];
        let got = (info.obj_type, info.rights, koid(info.handle));
        check_eq!(got, (ty.raw(), r, k), "entry {}: type, rights, koid:", i);
    }
    m.close();
    // The channel end that travelled was the real one: closing it closed the pair.
    check_eq!(signals(y) & PEER_CLOSED, PEER_CLOSED);
    close_all(&[a, b, p0, p1, y]);
}

/// MOVE with a reduced set of rights: "This is equivalent to issuing zx_handle_replace()"; the
/// reader sees the reduced rights in its zx_handle_info_t and in ZX_INFO_HANDLE_BASIC.
fn move_with_reduced_rights_gives_the_reader_those_rights() {
    let (a, b) = channel();
    for want in [R_TRANSFER | R_WAIT | R_SIGNAL, R_WAIT, Rights::NONE.bits()] {
        let e = event();
        let k = koid(e);
        let i = sent(a, b, disp(MOVE, e, ObjType::EVENT, want));
        check!(!valid(e));
        check_eq!(i.obj_type, ObjType::EVENT.raw());
        check_eq!(i.rights, want);
        check_eq!(rights_of(i.handle), want);
        check_eq!(koid(i.handle), k);
        check_status!(raw::handle_close(i.handle), Status::OK);
    }
    close_all(&[a, b]);
}

/// "this operation can also remove the ZX_RIGHT_TRANSFER on the transfered handle"; NOTES: "the
/// reader of the message will receive a handle that cannot be written to any other channel, but
/// still can be using according to its rights and can be closed if not needed."
fn move_may_remove_transfer_and_the_reader_cannot_send_it_on() {
    let (a, b) = channel();
    let (c, d) = channel();
    let e = event();
    let want = EV & !R_TRANSFER;
    let h = sent(a, b, disp(MOVE, e, ObjType::EVENT, want)).handle;
    check!(!valid(e));
    check_eq!(rights_of(h), want);
    // Usable according to its rights: it can be signalled and waited on.
    let u0 = Signals::USER_0.bits();
    check_status!(raw::object_signal(h, 0, u0), Status::OK);
    let (st, obs) = wait_raw(h, u0, 0);
    check_eq!(st, Status::OK);
    check_eq!(obs & u0, u0);
    // Not writable to another channel: DUPLICATE keeps it, MOVE and plain write consume it.
    refused(c, b"", dp(h), ACCESS_DENIED);
    check!(valid(h));
    refused(c, b"", mv(h), ACCESS_DENIED);
    check!(!valid(h));
    check_eq!(signals(d), WRITABLE);
    // And it can be closed.
    let h = sent(a, b, disp(MOVE, event(), ObjType::NONE, R_WAIT)).handle;
    let hv = [h];
    let got = raw::channel_write(c, 0, null(), 0, hv.as_ptr(), 1);
    check_status!(got, Status::ACCESS_DENIED);
    check!(!valid(h));
    let h = sent(a, b, disp(MOVE, event(), ObjType::NONE, R_WAIT)).handle;
    check_status!(raw::handle_close(h), Status::OK);
    check_eq!(signals(d), WRITABLE);
    close_all(&[a, b, c, d]);
}

/// DUPLICATE: "The handle will be duplicated with rights rights which can be
/// ZX_RIGHT_SAME_RIGHTS"; "On success or failure, all source handles with
/// ZX_HANDLE_OP_DUPLICATE will still be accessible to the caller's process."
fn duplicate_keeps_the_source_and_sends_a_new_handle() {
    let (a, b) = channel();
    let e = event();
    check_eq!(handle_count(e), 1);
    let mut hs = [disp(DUP, e, ObjType::EVENT, SAME)];
    check_status!(wetc(a, b"d", &mut hs), Status::OK);
    check_eq!(hs[0].result, OK);
    check!(valid(e));
    check_eq!(rights_of(e), EV);
    check_eq!(handle_count(e), 2);
    let i = read_one_handle(b);
    check!(i.handle != e, "the reader got the source value {:#x}", e);
    check_eq!(i.obj_type, ObjType::EVENT.raw());
    check_eq!(i.rights, EV);
    check_eq!(koid(i.handle), koid(e));
    check_status!(raw::handle_close(i.handle), Status::OK);
    check_eq!(handle_count(e), 1);
    check!(valid(e));
    close_all(&[a, b, e]);
}

/// DUPLICATE with a reduced set of rights, also without TRANSFER ("This is equivalent to
/// issuing zx_handle_duplicate() except that this operation can also remove the
/// ZX_RIGHT_TRANSFER on the duplicated handle"): the copy has the reduced rights, the source
/// keeps its own.
fn duplicate_with_reduced_rights_may_remove_transfer_on_the_copy() {
    let (a, b) = channel();
    let (c, d) = channel();
    let e = event();
    for want in [R_TRANSFER | R_WAIT, R_WAIT | R_SIGNAL, Rights::NONE.bits()] {
        let i = sent(a, b, disp(DUP, e, ObjType::EVENT, want));
        check_eq!(rights_of(e), EV);
        check_eq!(i.rights, want);
        check_eq!(rights_of(i.handle), want);
        check_eq!(koid(i.handle), koid(e));
        if want & R_TRANSFER == 0 {
            let hv = [i.handle];
            let got = raw::channel_write(c, 0, null(), 0, hv.as_ptr(), 1);
            check_status!(got, Status::ACCESS_DENIED);
            check!(!valid(i.handle));
        } else {
            close(i.handle);
        }
    }
    check_eq!(handle_count(e), 1);
    check_eq!(signals(d), WRITABLE);
    close_all(&[a, b, c, d, e]);
}

/// DUPLICATE needs ZX_RIGHT_DUPLICATE on the source (docs/abi.md section 4: `ACCESS_DENIED`):
/// channel endpoints do not have it; an event reduced to TRANSFER|WAIT does not either, though
/// it can still be moved.
fn duplicate_needs_the_duplicate_right() {
    let (a, b) = channel();
    let (x, y) = channel();
    refused(a, b"", disp(DUP, x, ObjType::CHANNEL, SAME), ACCESS_DENIED);
    check!(valid(x));
    check_eq!(handle_count(x), 1);
    check_eq!(signals(b), WRITABLE);
    // (INSPECT is kept so that ZX_INFO_HANDLE_COUNT can be read through the handle.)
    let e = event_with(R_TRANSFER | R_WAIT | R_INSPECT);
    refused(a, b"", dp(e), ACCESS_DENIED);
    check!(valid(e));
    check_eq!(handle_count(e), 1);
    check_eq!(signals(b), WRITABLE);
    // MOVE needs no DUPLICATE right.
    let i = sent(a, b, mv(e));
    check_eq!(i.rights, R_TRANSFER | R_WAIT | R_INSPECT);
    close(i.handle);
    close_all(&[a, b, x, y]);
}

/// "rights ... can be ZX_RIGHT_SAME_RIGHTS or a reduced set of rights": more rights than the
/// source has is `INVALID_ARGS` (docs/abi.md section 4), the MOVE source consumed, the DUPLICATE
/// source kept with its rights; asking for exactly the source's rights is fine.
fn expanded_rights_are_invalid_args() {
    let (a, b) = channel();
    let have = R_TRANSFER | R_DUP | R_WAIT | R_INSPECT;
    let e = event_with(have);
    refused(
        a,
        b"",
        disp(MOVE, e, ObjType::EVENT, have | R_SIGNAL),
        INVALID_ARGS,
    );
    check!(!valid(e));
    check_eq!(signals(b), WRITABLE);
    let e = event_with(have);
    refused(
        a,
        b"",
        disp(DUP, e, ObjType::EVENT, have | R_READ),
        INVALID_ARGS,
    );
    check!(valid(e));
    check_eq!(rights_of(e), have);
    check_eq!(handle_count(e), 1);
    check_eq!(signals(b), WRITABLE);
    // Rights the handle does not have at all, on a full-rights event.
    let f = event();
    refused(
        a,
        b"",
        disp(DUP, f, ObjType::EVENT, EV | R_WRITE),
        INVALID_ARGS,
    );
    check!(valid(f));
    check_eq!(signals(b), WRITABLE);
    // Exactly the rights it has: a subset.
    let i = sent(a, b, disp(MOVE, e, ObjType::EVENT, have));
    check_eq!(i.rights, have);
    close(i.handle);
    close_all(&[a, b, f]);
}

/// "The type is used to perform validation of the object type that the caller expects handle
/// to be. It can be ZX_OBJ_TYPE_NONE to perform no validation check or one of zx_obj_type_t
/// defined types. If any validation check fails the entire operation fails." Every object kind
/// against every type value: a mismatch is `WRONG_TYPE` (page's ERRORS), NONE and the right
/// type pass.
fn object_type_is_checked_for_every_type_and_none_skips_it() {
    let (a, b) = channel();
    let kinds = [
        ObjType::CHANNEL,
        ObjType::EVENT,
        ObjType::EVENTPAIR,
        ObjType::PROCESS,
        ObjType::THREAD,
    ];
    let types: [u32; 13] = [
        ObjType::NONE.raw(),
        ObjType::PROCESS.raw(),
        ObjType::THREAD.raw(),
        ObjType::VMO.raw(),
        ObjType::CHANNEL.raw(),
        ObjType::EVENT.raw(),
        ObjType::PORT.raw(),
        ObjType::SOCKET.raw(),
        ObjType::RESOURCE.raw(),
        ObjType::EVENTPAIR.raw(),
        ObjType::JOB.raw(),
        99,
        u32::MAX,
    ];
    let e = event();
    let (p0, p1) = eventpair();
    for kind in kinds {
        for &ty in &types {
            // Channels cannot be duplicated: a fresh endpoint is moved each time.
            let (src, op, other) = match kind {
                ObjType::CHANNEL => {
                    let (x, y) = channel();
                    (x, MOVE, y)
                }
                ObjType::EVENT => (e, DUP, 0),
                ObjType::EVENTPAIR => (p0, DUP, 0),
                ObjType::PROCESS => (self_process(), DUP, 0),
                _ => (self_thread(), DUP, 0),
            };
            let right = ty == ObjType::NONE.raw() || ty == kind.raw();
            let want = if right { OK } else { WRONG_TYPE };
            let mut hs = [disp(op, src, ObjType(ty), SAME)];
            let got = wetc(a, b"t", &mut hs);
            let what = format_args!("{} handle with type {}", kind.name(), ty);
            let got = (Status(got), Status(hs[0].result));
            check_eq!(
                got,
                (Status(want), Status(want)),
                "{}: status, result:",
                what
            );
            if op == DUP {
                check!(valid(src), "{}: source gone", what);
            } else {
                check!(!valid(src), "{}: source kept", what);
            }
            if want == OK {
                let i = read_one_handle(b);
                check_eq!(i.obj_type, kind.raw(), "{}: type the reader saw:", what);
                close(i.handle);
            } else {
                check!(signals(b) == WRITABLE, "{}: a message arrived", what);
            }
            close(other);
        }
    }
    check_eq!(handle_count(e), 1);
    check_eq!(handle_count(p0), 1);
    close_all(&[a, b, e, p0, p1]);
}

/// "If an operation fails, the error code for that source handle is written to result. All
/// operations in the handles array are attempted, even if one or more operations fail."; "All
/// operations in all handles must succeed for the channel write to succeed."; "On any failure,
/// these handles are discarded rather than transferred."; docs/abi.md: the first error is returned,
/// `result` of a successful entry is left as written (ZX_OK).
fn all_entries_are_processed_and_each_failure_gets_its_own_result() {
    let (a, b) = channel();
    let s0 = kstats();
    let e1 = event();
    let e2 = event();
    let e3 = event();
    let e4 = event_with(EV & !R_TRANSFER);
    let e5 = event_with(R_TRANSFER | R_WAIT);
    let e6 = event();
    let e6_keep = dup(e6, SAME);
    let mut hs = [
        mv(stale()),                               // BAD_HANDLE
        disp(MOVE, e1, ObjType::EVENT, SAME),      // fine
        disp(DUP, e2, ObjType::CHANNEL, SAME),     // WRONG_TYPE
        disp(DUP, e3, ObjType::EVENT, R_WAIT),     // fine
        disp(MOVE, e4, ObjType::EVENT, SAME),      // ACCESS_DENIED (no TRANSFER)
        disp(MOVE, e5, ObjType::EVENT, R_SIGNAL),  // INVALID_ARGS (expanded)
        disp(MOVE, e6, ObjType::NONE, R_TRANSFER), // fine
    ];
    check_status!(wetc(a, b"many", &mut hs), Status::BAD_HANDLE);
    let want = [
        BAD_HANDLE,
        OK,
        WRONG_TYPE,
        OK,
        ACCESS_DENIED,
        INVALID_ARGS,
        OK,
    ];
    check_eq!(results(&hs).map(Status), want.map(Status));
    // MOVE sources are gone, DUPLICATE sources stay, nothing was sent.
    check!(!valid(e1));
    expect_valid(&[e2, e3], true);
    check_eq!(handle_count(e3), 1);
    check_eq!(rights_of(e3), EV);
    expect_valid(&[e4, e5, e6], false);
    check_eq!(handle_count(e6_keep), 1);
    check_eq!(signals(b), WRITABLE);
    close_all(&[e2, e3, e6_keep]);
    // Handles, objects, messages and ipc bytes as before.
    check_eq!(live_in(&kstats()), live_in(&s0));
    close_all(&[a, b]);
}

/// docs/abi.md section 4: "the first error is returned" (in array order, whatever the errors are).
fn first_error_in_array_order_is_returned() {
    let (a, b) = channel();
    let e = event();
    let mut hs = [disp(DUP, e, ObjType::CHANNEL, SAME), mv(stale())];
    check_status!(wetc(a, b"", &mut hs), Status::WRONG_TYPE);
    check_eq!((hs[0].result, hs[1].result), (WRONG_TYPE, BAD_HANDLE));
    check!(valid(e));
    let g = event();
    let f = event_with(R_WAIT);
    let x = event();
    let mut hs = [
        mv(g),
        mv(f),
        disp(7, x, ObjType::NONE, SAME),
        disp(DUP, e, ObjType::EVENTPAIR, SAME),
    ];
    check_status!(wetc(a, b"", &mut hs), Status::ACCESS_DENIED);
    check_eq!(results(&hs), [OK, ACCESS_DENIED, INVALID_ARGS, WRONG_TYPE]);
    expect_valid(&[g, f, x], false);
    check!(valid(e));
    check_eq!(handle_count(e), 1);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b, e]);
}

/// "result must have exactly the value ZX_OK" asks the caller; the page lists no error for
/// anything else, and docs/abi.md section 4 (after Zircon's `ChannelWriteEtcTest.
/// ImproperlyInitalizedResultsArgReportedBackAsOriginallyInitalized`) says the input value is
/// never checked: garbage in `result` of good entries lets the write succeed, every handle
/// arrives (MOVE gone from the writer, DUPLICATE kept), and the garbage is left as written.
/// When another entry fails, that entry's `result` gets its error over the garbage; the good
/// entries' garbage is still left alone.
fn result_on_input_is_not_checked_and_left_as_written() {
    let (a, b) = channel();
    let garbage = [WRONG_TYPE, 1, -1, i32::MIN, INVALID_ARGS, i32::MAX];
    // Zircon's case: one MOVE whose result holds WRONG_TYPE.
    let e = event();
    let k = koid(e);
    let mut hs = [mv(e)];
    hs[0].result = WRONG_TYPE;
    check_status!(wetc(a, b"junk", &mut hs), Status::OK);
    check_eq!(hs[0].result, WRONG_TYPE);
    check!(!valid(e), "the MOVE source is still ours");
    let info = read_one_handle(b);
    check_eq!(koid(info.handle), k);
    check_eq!(&rbuf()[..4], b"junk");
    close(info.handle);
    // Every kind of garbage, on MOVE and DUPLICATE entries together.
    let evs: [u32; 6] = core::array::from_fn(|_| event());
    let keys = evs.map(koid);
    let mut hs: [_; 6] = core::array::from_fn(|i| {
        let d = if i % 2 == 0 { mv(evs[i]) } else { dp(evs[i]) };
        HandleDisposition {
            result: garbage[i],
            ..d
        }
    });
    check_status!(wetc(a, b"all", &mut hs), Status::OK);
    check_eq!(results(&hs), garbage);
    let m = read_msg(b);
    check_eq!(m.handles, 6);
    for (i, info) in m.infos[..m.handles as usize].iter().enumerate() {
        check!(koid(info.handle) == keys[i], "handle {} koid", i);
    }
    m.close();
    for (i, &h) in evs.iter().enumerate() {
        if i % 2 == 0 {
            check!(!valid(h), "MOVE source {} is still ours", i);
        } else {
            check!(valid(h), "DUPLICATE source {} is gone", i);
            check_eq!(handle_count(h), 1);
            close(h);
        }
    }
    // Alongside a failing entry: its result gets the error, the others keep their garbage.
    let e1 = event();
    let e2 = event();
    let mut hs = [mv(e1), mv(stale()), dp(e2)];
    hs[0].result = 7;
    hs[1].result = 7;
    hs[2].result = -7;
    check_status!(wetc(a, b"bad", &mut hs), Status::BAD_HANDLE);
    check_eq!(results(&hs), [7, BAD_HANDLE, -7]);
    check!(!valid(e1));
    check!(valid(e2));
    check_eq!(handle_count(e2), 1);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b, e2]);
}

/// docs/abi.md section 4: an unknown `operation` is `INVALID_ARGS` for that entry, and that handle
/// is consumed.
fn unknown_operation_is_invalid_args_and_consumes_the_handle() {
    let (a, b) = channel();
    for op in [2u32, 3, 0x100, 0x8000_0000, u32::MAX] {
        let e = event();
        let keep = dup(e, SAME);
        refused(a, b"", disp(op, e, ObjType::EVENT, SAME), INVALID_ARGS);
        check!(!valid(e), "operation {:#x} left the handle", op);
        check_eq!(handle_count(keep), 1);
        check_eq!(signals(b), WRITABLE);
        close(keep);
    }
    // Alongside a good MOVE: both gone, only the bad entry's result set.
    let e1 = event();
    let e2 = event();
    let mut hs = [mv(e1), disp(2, e2, ObjType::NONE, SAME)];
    check_status!(wetc(a, b"", &mut hs), Status::INVALID_ARGS);
    check_eq!((hs[0].result, hs[1].result), (OK, INVALID_ARGS));
    expect_valid(&[e1, e2], false);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// ERRORS: "options is nonzero" -> `INVALID_ARGS` (docs/abi.md: no option at all, not even
/// ZX_CHANNEL_WRITE_USE_IOVEC); the handles are consumed as on any other error (MOVE gone,
/// DUPLICATE kept); the entries themselves did not fail, so their `result` stays ZX_OK.
fn nonzero_options_are_invalid_args_moves_consumed_duplicates_kept() {
    let (a, b) = channel();
    for options in [1u32, CHANNEL_WRITE_USE_IOVEC, 4, 0x8000_0000, u32::MAX] {
        let (e1, e2, mut hs) = move_and_dup();
        let got = wetc_opt(a, options, b"o", &mut hs);
        check!(
            got == INVALID_ARGS,
            "options {:#x}: {}",
            options,
            Status(got)
        );
        check_fates(format_args!("options {:#x}", options), e1, e2);
        check_eq!(results(&hs), [OK, OK]);
        check_eq!(signals(b), WRITABLE);
    }
    close_all(&[a, b]);
}

/// "It is invalid to include handle (the handle of the channel being written to) in the
/// handles array"; ERRORS: NOT_SUPPORTED. A MOVE of it consumes it (the write's own channel
/// handle is closed); a DUPLICATE of it keeps it, and NOT_SUPPORTED comes before the missing
/// DUPLICATE right (docs/abi.md section 4).
fn own_channel_handle_in_the_array_is_not_supported() {
    let (a, b) = channel();
    refused(a, b"self", mv(a), NOT_SUPPORTED);
    check!(!valid(a), "the moved channel handle is still open");
    check_eq!(signals(b), PEER_CLOSED);
    close(b);

    let (a, b) = channel();
    refused(a, b"self", dp(a), NOT_SUPPORTED);
    check!(valid(a));
    check_eq!(signals(b), WRITABLE);

    // Among other entries, with a type it does not have: still NOT_SUPPORTED.
    let e = event();
    let mut hs = [mv(e), disp(MOVE, a, ObjType::EVENT, SAME)];
    check_status!(wetc(a, b"self", &mut hs), Status::NOT_SUPPORTED);
    check_eq!((hs[0].result, hs[1].result), (OK, NOT_SUPPORTED));
    expect_valid(&[e, a], false);
    check_eq!(signals(b), PEER_CLOSED);
    close(b);
}

/// docs/abi.md section 4: the peer endpoint of the channel being written is refused with
/// NOT_SUPPORTED too (MOVE consumes it, DUPLICATE keeps it).
fn peer_handle_in_the_array_is_not_supported() {
    let (a, b) = channel();
    refused(a, b"peer", dp(b), NOT_SUPPORTED);
    check!(valid(b));
    check_eq!(signals(b), WRITABLE);
    refused(
        a,
        b"peer",
        disp(MOVE, b, ObjType::CHANNEL, SAME),
        NOT_SUPPORTED,
    );
    check!(!valid(b));
    check_eq!(signals(a), PEER_CLOSED);
    close(a);
}

/// docs/abi.md section 4, per-entry order: exists (BAD_HANDLE), TRANSFER (ACCESS_DENIED), not the
/// channel or its peer (NOT_SUPPORTED), type (WRONG_TYPE), rights subset (INVALID_ARGS),
/// DUPLICATE right for OP_DUPLICATE (ACCESS_DENIED).
fn per_entry_checks_run_in_abi_order() {
    let (a, b) = channel();
    // Missing handle before anything else.
    refused(
        a,
        b"",
        disp(DUP, stale(), ObjType::CHANNEL, EV | R_READ),
        BAD_HANDLE,
    );
    // TRANSFER before type and rights.
    let e = event_with(R_WAIT | R_DUP);
    refused(
        a,
        b"",
        disp(DUP, e, ObjType::CHANNEL, EV | R_READ),
        ACCESS_DENIED,
    );
    check!(valid(e));
    close(e);
    // TRANSFER before the self check.
    let a2 = replace(a, R_READ | R_WRITE | R_WAIT);
    refused(a2, b"", dp(a2), ACCESS_DENIED);
    check!(valid(a2));
    // Self/peer before type, rights and the DUPLICATE right.
    refused(
        a2,
        b"",
        disp(DUP, b, ObjType::EVENT, EV | R_READ),
        NOT_SUPPORTED,
    );
    check!(valid(b));
    // Type before rights.
    let e = event();
    refused(
        a2,
        b"",
        disp(DUP, e, ObjType::CHANNEL, EV | R_READ),
        WRONG_TYPE,
    );
    check!(valid(e));
    close(e);
    // Rights before the DUPLICATE right.
    let e = event_with(R_TRANSFER | R_WAIT);
    let more = R_TRANSFER | R_WAIT | R_READ;
    refused(a2, b"", disp(DUP, e, ObjType::EVENT, more), INVALID_ARGS);
    check!(valid(e));
    // And last the DUPLICATE right.
    refused(
        a2,
        b"",
        disp(DUP, e, ObjType::EVENT, R_TRANSFER),
        ACCESS_DENIED,
    );
    check!(valid(e));
    close(e);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a2, b]);
}

/// ERRORS: "there are duplicates among the handles in the handles array" -> BAD_HANDLE, nothing
/// sent; MOVE sources gone, DUPLICATE sources kept. The repeated entry gets BAD_HANDLE.
fn repeated_handles_are_bad_handle() {
    let (a, b) = channel();
    // MOVE twice.
    let e = event();
    let mut hs = [mv(e), mv(e)];
    check_status!(wetc(a, b"", &mut hs), Status::BAD_HANDLE);
    check_eq!(hs[1].result, BAD_HANDLE);
    check!(!valid(e));
    check_eq!(signals(b), WRITABLE);
    // MOVE, another, MOVE again.
    let e = event();
    let f = event();
    let mut hs = [mv(e), mv(f), mv(e)];
    check_status!(wetc(a, b"", &mut hs), Status::BAD_HANDLE);
    check_eq!((hs[1].result, hs[2].result), (OK, BAD_HANDLE));
    expect_valid(&[e, f], false);
    check_eq!(signals(b), WRITABLE);
    // DUPLICATE twice: refused too, and the source stays.
    let e = event();
    let mut hs = [dp(e), dp(e)];
    check_status!(wetc(a, b"", &mut hs), Status::BAD_HANDLE);
    check_eq!(hs[1].result, BAD_HANDLE);
    check!(valid(e));
    check_eq!(handle_count(e), 1);
    check_eq!(signals(b), WRITABLE);
    close(e);
    // MOVE then DUPLICATE of the same handle: the MOVE consumes it.
    let e = event();
    let keep = dup(e, SAME);
    let mut hs = [mv(e), dp(e)];
    check_status!(wetc(a, b"", &mut hs), Status::BAD_HANDLE);
    check_eq!(hs[1].result, BAD_HANDLE);
    check!(!valid(e));
    check_eq!(handle_count(keep), 1);
    check_eq!(signals(b), WRITABLE);
    close_all(&[keep, a, b]);
}

/// ERRORS: "handles is an invalid pointer" -> INVALID_ARGS; docs/abi.md: "If the handles array
/// itself can't be read, no handle is touched." Fully unmapped arrays, an array whose first
/// entry is readable (with a real MOVE in it) and the next is not, and an array whose first
/// entry starts in the guard page with real handles after it.
fn unreadable_disposition_array_is_invalid_args_and_touches_nothing() {
    let (a, b) = channel();
    let s0 = kstats();
    let e = event();
    let f = event();
    // Writes "x" with `n` dispositions at `p`.
    let write = |p: u64, n: u32| wetc_at(a, b"x".as_ptr(), 1, p, n);
    for (p, n, what) in hostile_arrays() {
        let got = write(p, n);
        check!(got == INVALID_ARGS, "{}: {}", what, Status(got));
    }
    // Entry 0 at the last 20 bytes of the stack (a real MOVE), entry 1 above the stack top.
    let top20 = (stack_top() as u64) - 20;
    let got = with_stored(top20, mv(e), |p| write(p, 2));
    check_status!(got, Status::INVALID_ARGS);
    check!(valid(e), "the MOVE in the readable part was consumed");
    check_eq!(handle_count(e), 1);
    check_status!(
        with_stored(top20, dp(f), |p| write(p, 2)),
        Status::INVALID_ARGS
    );
    check!(valid(f));
    check_eq!(handle_count(f), 1);
    check_eq!(signals(b), WRITABLE);
    // Control: the same entry alone is readable and well-formed.
    check_status!(with_stored(top20, dp(f), |p| write(p, 1)), Status::OK);
    let i = read_one_handle(b);
    check_eq!(koid(i.handle), koid(f));
    close(i.handle);
    // 16 readable entries (real MOVEs and a DUPLICATE) in the last 320 bytes of the stack and a
    // 17th above it: nothing is touched even where the readable part is longer than any small
    // batch the kernel might read first.
    let arr: [_; 16] = core::array::from_fn(|i| if i < 15 { mv(dup(e, SAME)) } else { dp(f) });
    let got = with_stored((stack_top() as u64) - 320, arr, |p| write(p, 17));
    check_status!(got, Status::INVALID_ARGS);
    for (i, d) in arr[..15].iter().enumerate() {
        check!(
            valid(d.handle),
            "MOVE entry {} of the readable part was consumed",
            i
        );
        close(d.handle);
    }
    check_eq!(handle_count(e), 1);
    check_eq!(handle_count(f), 1);
    check_eq!(signals(b), WRITABLE);
    // Entry 0 starts 8 bytes into the guard page; entries 1 (MOVE e) and 2 (DUPLICATE f) are
    // in the bottom of the stack.
    let base = (stack_bottom() as u64) - 8;
    let tail = [0u32, SAME, 0]; // entry 0's type, rights, result
    let got = with_stored(stack_bottom() as u64, tail, |_| {
        with_stored(base + 20, mv(e), |_| {
            with_stored(base + 40, dp(f), |_| write(base, 3))
        })
    });
    check_status!(got, Status::INVALID_ARGS);
    check!(valid(e), "a MOVE after the unreadable entry was consumed");
    check!(valid(f));
    check_eq!(handle_count(e), 1);
    check_eq!(handle_count(f), 1);
    check_eq!(signals(b), WRITABLE);
    // Control: entries 1 and 2 alone are readable and well-formed.
    let got = with_stored(base + 20, dp(e), |_| {
        with_stored(base + 40, dp(f), |_| write(base + 20, 2))
    });
    check_status!(got, Status::OK);
    let m = read_msg(b);
    check_eq!(m.handles, 2);
    check_eq!(koid(m.infos[0].handle), koid(e));
    check_eq!(koid(m.infos[1].handle), koid(f));
    m.close();
    close_all(&[e, f]);
    let s1 = kstats();
    check_eq!(s1.live_handles, s0.live_handles);
    check_eq!(s1.live_messages, s0.live_messages);
    close_all(&[a, b]);
}

/// docs/abi.md section 1: "Any pointer the kernel must read or write that is not fully mapped with
/// the needed EL0 permission gives ZX_ERR_INVALID_ARGS": the disposition array is in/out (the
/// kernel writes `result`), so an array in a read-only segment is INVALID_ARGS and stays
/// unchanged, and nothing is sent.
fn disposition_array_in_read_only_memory_is_invalid_args() {
    let (a, b) = channel();
    let ro = RO_DISPOSITIONS.as_ptr() as u64;
    // Premise: the kernel cannot write there (INFO_HANDLE_COUNT writes 4 bytes).
    let e = event();
    let got = info_into(e, INFO_HANDLE_COUNT, ro as *mut u8, 4);
    check_status!(got, Status::INVALID_ARGS);
    close(e);
    for n in [1u32, 2] {
        let got = wetc_at(a, b"ro".as_ptr(), 2, ro, n);
        check!(
            got == INVALID_ARGS,
            "{} read-only entries: {}",
            n,
            Status(got)
        );
    }
    // SAFETY: reading our own static.
    let now = unsafe { core::ptr::read_volatile(&raw const RO_DISPOSITIONS) };
    check_eq!((now[0].result, now[1].result), (0, 0));
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// ERRORS: PEER_CLOSED "The other side of the channel is closed."; MOVE sources are consumed
/// ("On any failure, these handles are discarded"), DUPLICATE sources kept.
fn peer_closed_consumes_moves_and_keeps_duplicates() {
    let (a, b) = channel();
    close(b);
    let (e1, e2, mut hs) = move_and_dup();
    check_status!(wetc(a, b"gone", &mut hs), Status::PEER_CLOSED);
    check_fates("peer closed", e1, e2);
    check_eq!(results(&hs), [OK, OK]);
    close(a);
}

/// "The maximum number of handles which may be sent in a message is
/// ZX_CHANNEL_MAX_MSG_HANDLES, which is 64."; ERRORS: OUT_OF_RANGE "num_handles ... larger";
/// docs/abi.md: the MOVE sources are consumed on that error too, DUPLICATE sources kept.
fn sixty_four_handles_are_fine_and_sixty_five_are_out_of_range() {
    let (a, b) = channel();
    let e = event();
    let k = koid(e);
    let mut hs: [_; MAX_HANDLES + 1] = core::array::from_fn(|_| mv(dup(e, SAME)));
    check_eq!(handle_count(e), 66);
    check_status!(wetc(a, b"64", &mut hs[..MAX_HANDLES]), Status::OK);
    check!(!valid(hs[0].handle));
    check!(!valid(hs[63].handle));
    check!(valid(hs[64].handle));
    let m = read_msg(b);
    check_eq!(m.handles, 64);
    for (i, info) in m.infos.iter().enumerate() {
        check_eq!(koid(info.handle), k, "handle {} has koid:", i);
    }
    m.close();
    close(hs[64].handle);
    check_eq!(handle_count(e), 1);

    // 65 MOVEs: OUT_OF_RANGE, all consumed; 65 DUPLICATEs: OUT_OF_RANGE, all kept.
    for (op, name) in [(MOVE, "MOVE"), (DUP, "DUPLICATE")] {
        let mut hs = [0; MAX_HANDLES + 1].map(|_| disp(op, dup(e, SAME), ObjType::NONE, SAME));
        check_status!(wetc(a, b"65", &mut hs), Status::OUT_OF_RANGE);
        for (i, d) in hs.iter().enumerate() {
            let kept = valid(d.handle);
            check!(kept == (op == DUP), "{} source {} kept: {}", name, i, kept);
            if kept {
                close(d.handle);
            }
        }
        check_eq!(handle_count(e), 1);
        check_eq!(signals(b), WRITABLE);
    }
    close_all(&[a, b, e]);
}

/// "The maximum number of bytes which may be sent in a message is ZX_CHANNEL_MAX_MSG_BYTES,
/// which is 65536."; ERRORS: OUT_OF_RANGE "num_bytes ... larger".
fn max_bytes_65536_are_fine_and_65537_are_out_of_range() {
    let (a, b) = channel();
    let e = event();
    let mut hs = [mv(e)];
    check_status!(wetc(a, &SRC[..MAX_BYTES], &mut hs), Status::OK);
    let m = read_msg(b);
    check_eq!(m.bytes as usize, MAX_BYTES);
    check_eq!(m.handles, 1);
    let same = rbuf()[..MAX_BYTES] == SRC[..MAX_BYTES];
    check!(same, "the 65536 bytes read differ from those written");
    m.close();
    let (e1, e2, mut hs) = move_and_dup();
    let got = wetc(a, &SRC[..MAX_BYTES + 1], &mut hs);
    check_status!(got, Status::OUT_OF_RANGE);
    check_fates("65537 bytes", e1, e2);
    check_eq!(signals(b), WRITABLE);
    let e1 = event();
    let mut hs = [mv(e1)];
    let got = raw::channel_write_etc(a, 0, null(), u32::MAX, hs.as_mut_ptr(), 1);
    check_status!(got, Status::OUT_OF_RANGE);
    check!(!valid(e1));
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// RIGHTS: "handle must be of type ZX_OBJ_TYPE_CHANNEL and have ZX_RIGHT_WRITE"; ERRORS:
/// BAD_HANDLE (not a valid handle), WRONG_TYPE (not a channel), ACCESS_DENIED (no WRITE). The
/// dispositions are consumed as on any error (MOVE gone, DUPLICATE kept), results untouched.
fn channel_handle_errors_consume_moves_and_keep_duplicates() {
    let (a, b) = channel();
    let ev = event();
    let (p0, p1) = eventpair();
    let (c, d) = channel();
    let c_ro = replace(c, R_READ | R_TRANSFER | R_WAIT);
    let targets = [
        (HANDLE_INVALID, BAD_HANDLE, "ZX_HANDLE_INVALID"),
        (stale(), BAD_HANDLE, "a closed handle"),
        (0xffff_fff3, BAD_HANDLE, "a value never handed out"),
        (ev, WRONG_TYPE, "an event"),
        (p0, WRONG_TYPE, "an eventpair"),
        (c_ro, ACCESS_DENIED, "a channel without WRITE"),
    ];
    for (target, want, what) in targets {
        let (e1, e2, mut hs) = move_and_dup();
        let got = wetc(target, b"x", &mut hs);
        let (got, want) = (Status(got), Status(want));
        check!(got == want, "{}: {} (want {})", what, got, want);
        check_fates(what, e1, e2);
        check_eq!(results(&hs), [OK, OK]);
    }
    check_eq!(signals(d), WRITABLE);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b, ev, p0, p1, c_ro, d]);
}

/// ERRORS: "bytes is an invalid pointer" -> INVALID_ARGS; the dispositions are consumed as on
/// any error (docs/abi.md section 4).
fn unreadable_bytes_are_invalid_args_moves_consumed_duplicates_kept() {
    let (a, b) = channel();
    let s0 = kstats();
    for (p, n, what) in hostile_sources() {
        let (e1, e2, mut hs) = move_and_dup();
        let got = raw::channel_write_etc(a, 0, p as *const u8, n, hs.as_mut_ptr(), 2);
        check!(got == INVALID_ARGS, "{}: {}", what, Status(got));
        check_fates(what, e1, e2);
        check!(signals(b) == WRITABLE, "{}: a message arrived", what);
    }
    check_eq!(kstats().live_handles, s0.live_handles);
    expect_no_new_messages(&s0);
    close_all(&[a, b]);
}

/// "The pointers ... may be NULL if their respective sizes are zero" (zx_channel_write, which
/// this call is "Like"); docs/abi.md section 1: NULL with a zero count is always valid.
fn null_pointers_with_zero_counts_are_fine() {
    let (a, b) = channel();
    let got = raw::channel_write_etc(a, 0, null(), 0, null_mut(), 0);
    check_status!(got, Status::OK);
    let m = read_msg(b);
    check_eq!((m.bytes, m.handles), (0, 0));
    let mut hs = [mv(event())];
    let got = raw::channel_write_etc(a, 0, null(), 0, hs.as_mut_ptr(), 1);
    check_status!(got, Status::OK);
    let i = read_one_handle(b);
    check_eq!(i.obj_type, ObjType::EVENT.raw());
    close(i.handle);
    let got = raw::channel_write_etc(a, 0, b"z".as_ptr(), 1, null_mut(), 0);
    check_status!(got, Status::OK);
    let m = read_msg(b);
    check_eq!((m.bytes, m.handles), (1, 0));
    close_all(&[a, b]);
}

/// docs/abi.md section 4: checks run in the order options; channel handle (BAD_HANDLE, WRONG_TYPE,
/// ACCESS_DENIED); sizes (OUT_OF_RANGE); bytes (INVALID_ARGS); then the transferred handles.
/// The MOVE entry is consumed on each of these errors.
fn write_checks_run_in_abi_order() {
    let (a, b) = channel();
    let ev = event();
    let (c, d) = channel();
    let c_ro = replace(c, R_READ | R_TRANSFER | R_WAIT);
    let x = b"xxxx".as_ptr();
    // The channel handle, options, bytes and their number, the error.
    let steps: [(u32, u32, *const u8, u32, i32, &str); 6] = [
        (0, 1, x, 4, INVALID_ARGS, "options before the handle"),
        (0, 0, x, 65537, BAD_HANDLE, "handle validity before sizes"),
        (ev, 0, x, 65537, WRONG_TYPE, "handle type before the sizes"),
        (c_ro, 0, x, 65537, ACCESS_DENIED, "WRITE before the sizes"),
        (a, 0, null(), 65537, OUT_OF_RANGE, "sizes before the bytes"),
        (a, 0, null(), 4, INVALID_ARGS, "bytes before the handles"),
    ];
    for (ch, options, bytes, n, want, what) in steps {
        let e = event();
        let mut hs = [disp(MOVE, e, ObjType::CHANNEL, R_READ)];
        let got = raw::channel_write_etc(ch, options, bytes, n, hs.as_mut_ptr(), 1);
        let (got, want) = (Status(got), Status(want));
        check!(got == want, "{}: {} (want {})", what, got, want);
        check!(!valid(e), "{}: MOVE source kept", what);
    }
    // Sizes before the handles: 65 entries that all name no handle.
    let mut hs = [mv(HANDLE_INVALID); MAX_HANDLES + 1];
    let got = raw::channel_write_etc(a, 0, x, 4, hs.as_mut_ptr(), 65);
    check_status!(got, Status::OUT_OF_RANGE);
    // Bytes before the handles: a DUPLICATE with a wrong type, unreadable bytes.
    let e = event();
    let mut hs = [disp(DUP, e, ObjType::CHANNEL, SAME)];
    let got = raw::channel_write_etc(a, 0, 0x1000 as *const u8, 4, hs.as_mut_ptr(), 1);
    check_status!(got, Status::INVALID_ARGS);
    check!(valid(e));
    check_eq!(signals(b), WRITABLE);
    check_eq!(signals(d), WRITABLE);
    close_all(&[a, b, ev, c_ro, d, e]);
}

zx::tests!(
    move_with_same_rights_transfers_the_handle,
    handles_of_every_kind_arrive_in_array_order,
    move_with_reduced_rights_gives_the_reader_those_rights,
    move_may_remove_transfer_and_the_reader_cannot_send_it_on,
    duplicate_keeps_the_source_and_sends_a_new_handle,
    duplicate_with_reduced_rights_may_remove_transfer_on_the_copy,
    duplicate_needs_the_duplicate_right,
    expanded_rights_are_invalid_args,
    object_type_is_checked_for_every_type_and_none_skips_it,
    all_entries_are_processed_and_each_failure_gets_its_own_result,
    first_error_in_array_order_is_returned,
    result_on_input_is_not_checked_and_left_as_written,
    unknown_operation_is_invalid_args_and_consumes_the_handle,
    nonzero_options_are_invalid_args_moves_consumed_duplicates_kept,
    own_channel_handle_in_the_array_is_not_supported,
    peer_handle_in_the_array_is_not_supported,
    per_entry_checks_run_in_abi_order,
    repeated_handles_are_bad_handle,
    unreadable_disposition_array_is_invalid_args_and_touches_nothing,
    disposition_array_in_read_only_memory_is_invalid_args,
    peer_closed_consumes_moves_and_keeps_duplicates,
    sixty_four_handles_are_fine_and_sixty_five_are_out_of_range,
    max_bytes_65536_are_fine_and_65537_are_out_of_range,
    channel_handle_errors_consume_moves_and_keep_duplicates,
    unreadable_bytes_are_invalid_args_moves_consumed_duplicates_kept,
    null_pointers_with_zero_counts_are_fine,
    write_checks_run_in_abi_order,
);

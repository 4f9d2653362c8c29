//! zx_channel_read and zx_channel_read_etc (docs/abi.md section 4): FIFO order; BUFFER_TOO_SMALL
//! with the sizes reported and the message kept; ZX_CHANNEL_READ_MAY_DISCARD; unknown options;
//! the handle checks and their order; empty and peer-closed queues; hostile output buffers that
//! leave the message queued whole; the zx_handle_info_t records of read_etc.
#![no_std]
#![no_main]

use core::ptr::null_mut;
use zx::test::*;
use zx::*;

/// A page in the read-only segment (`.rodata`): the kernel must not write into it.
#[repr(C, align(4096))]
struct RoPage([u8; 4096]);
static RO_PAGE: RoPage = RoPage([0x5a; 4096]);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn readable(ch: &Channel) -> bool {
    signals(ch.raw()) & Signals::CHANNEL_READABLE.bits() != 0
}

fn pat(seed: u8) -> [u8; 64] {
    let mut b = [0u8; 64];
    for (i, x) in b.iter_mut().enumerate() {
        *x = seed.wrapping_add((i as u8).wrapping_mul(7));
    }
    b
}

/// `zx_channel_read` into the given buffers: (status, actual_bytes, actual_handles); the
/// actuals are pre-set to 0xFFFF_FFFF so an unwritten value shows.
fn read(ch: u32, options: u32, bytes: &mut [u8], handles: &mut [u32]) -> (Status, u32, u32) {
    let (mut ab, mut ah) = (u32::MAX, u32::MAX);
    let (b, h) = (mut_or_null(bytes), mut_or_null(handles));
    let (nb, nh) = (bytes.len() as u32, handles.len() as u32);
    let s = raw::channel_read(ch, options, b, h, nb, nh, &mut ab, &mut ah);
    (Status(s), ab, ah)
}

/// `zx_channel_read_etc` into the given buffers, as `read`.
fn read_etc(ch: u32, opt: u32, bytes: &mut [u8], infos: &mut [HandleInfo]) -> (Status, u32, u32) {
    let (mut ab, mut ah) = (u32::MAX, u32::MAX);
    let (b, h) = (mut_or_null(bytes), mut_or_null(infos));
    let (nb, nh) = (bytes.len() as u32, infos.len() as u32);
    let s = raw::channel_read_etc(ch, opt, b, h, nb, nh, &mut ab, &mut ah);
    (Status(s), ab, ah)
}

/// `zx_channel_read`, then `zx_channel_read_etc`, each with room for `nb` bytes and `nh`
/// handles, for a check that must hold for both: (call, status) of each.
fn read_both(ch: u32, opt: u32, nb: usize, nh: usize) -> [(&'static str, Status); 2] {
    let (s, _, _) = read(ch, opt, &mut [0u8; 64][..nb], &mut [0u32; 4][..nh]);
    let mut infos = [HandleInfo::default(); 4];
    let (s_etc, _, _) = read_etc(ch, opt, &mut [0u8; 64][..nb], &mut infos[..nh]);
    [("read", s), ("read_etc", s_etc)]
}

/// Reads one message that must be exactly `bytes` with handles to the objects `koids`; closes
/// the received handles.
fn expect_message(ch: &Channel, bytes: &[u8], koids: &[u64]) {
    let mut b = [0u8; 256];
    let mut h = [0u32; 64];
    let (s, ab, ah) = read(ch.raw(), 0, &mut b, &mut h);
    check!(s == Status::OK, "read returned {}", s);
    if s != Status::OK {
        return;
    }
    check_eq!(&b[..ab as usize], bytes, "message bytes:");
    check_eq!(ah as usize, koids.len());
    for (i, &k) in koids.iter().enumerate().take(ah as usize) {
        check!(
            valid(h[i]),
            "received handle {} ({:#x}) is not valid",
            i,
            h[i]
        );
        check_eq!(koid(h[i]), k);
    }
    for &v in h.iter().take(ah as usize) {
        raw::handle_close(v);
    }
}

// ---------------------------------------------------------------------------------------------
// Order, sizes, discard
// ---------------------------------------------------------------------------------------------

fn kernel_stats_are_available() {
    // The leak checks below compare kernel counts; they prove nothing without them.
    let h = live().unwrap_or_default().handles;
    check!(h > 0, "no ZX_INFO_KERNEL_STATS (root resource missing?)");
    check!(process_handles() != u32::MAX && process_handles() > 0);
}

fn reads_messages_in_fifo_order_and_readable_clears() {
    let (a, b) = channel_pair();
    let e = event_handle();
    check!(a.write(b"one", &[]).is_ok());
    check!(a.write(b"second", &[dup_raw(&e)]).is_ok());
    check!(a.write(b"3", &[]).is_ok());
    check!(a.write(&[], &[]).is_ok());
    check!(readable(&b));
    expect_message(&b, b"one", &[]);
    check!(readable(&b));
    expect_message(&b, b"second", &[koid(e.raw())]);
    expect_message(&b, b"3", &[]);
    check!(readable(&b));
    expect_message(&b, b"", &[]);
    check!(
        !readable(&b),
        "READABLE still asserted after the queue drained"
    );
    let (s, _, _) = read(b.raw(), 0, &mut [0u8; 16], &mut [0u32; 4]);
    check_eq!(s, Status::SHOULD_WAIT);
    check_eq!(count(&e), 1);
}

fn zero_length_message_reads_with_null_buffers() {
    let (a, b) = channel_pair();
    check!(a.write(&[], &[]).is_ok());
    check_eq!(read(b.raw(), 0, &mut [], &mut []), (Status::OK, 0, 0));
    check!(!readable(&b));
}

fn too_small_bytes_buffer_reports_sizes_and_keeps_message() {
    let (a, b) = channel_pair();
    let e = event_handle();
    let msg = pat(1);
    check!(a.write(&msg[..10], &[dup_raw(&e)]).is_ok());
    let handles_before = process_handles();
    let mut small = [0u8; 4];
    let mut hs = [0u32; 4];
    let too_small = (Status::BUFFER_TOO_SMALL, 10, 1);
    check_eq!(read(b.raw(), 0, &mut small, &mut hs), too_small);
    check_eq!(hs, [0u32; 4]);
    check_eq!(process_handles(), handles_before);
    check_eq!(count(&e), 2);
    // NULL with size 0 is valid: still BUFFER_TOO_SMALL, sizes reported.
    check_eq!(read(b.raw(), 0, &mut [], &mut hs), too_small);
    // Exactly one byte short.
    let mut nine = [0u8; 9];
    check_eq!(read(b.raw(), 0, &mut nine, &mut hs), too_small);
    check!(readable(&b));
    expect_message(&b, &msg[..10], &[koid(e.raw())]);
    check_eq!(count(&e), 1);
    check!(!readable(&b));
}

fn too_small_handles_buffer_reports_sizes_and_keeps_message() {
    let (a, b) = channel_pair();
    let (e1, e2) = (event_handle(), event_handle());
    check!(a.write(b"abc", &[dup_raw(&e1), dup_raw(&e2)]).is_ok());
    let handles_before = process_handles();
    let mut bytes = [0u8; 64];
    let mut one = [0u32; 1];
    let too_small = (Status::BUFFER_TOO_SMALL, 3, 2);
    check_eq!(read(b.raw(), 0, &mut bytes, &mut one), too_small);
    check_eq!(one, [0u32]);
    check_eq!(read(b.raw(), 0, &mut bytes, &mut []), too_small);
    // read_etc too.
    let mut info1 = [HandleInfo::default(); 1];
    check_eq!(read_etc(b.raw(), 0, &mut bytes, &mut info1), too_small);
    check_eq!(process_handles(), handles_before);
    check_eq!((count(&e1), count(&e2)), (2, 2));
    expect_message(&b, b"abc", &[koid(e1.raw()), koid(e2.raw())]);
    check_eq!((count(&e1), count(&e2)), (1, 1));
}

fn buffer_too_small_with_null_actuals_keeps_message() {
    let (a, b) = channel_pair();
    check!(a.write(b"0123456789", &[]).is_ok());
    // Reads into `buf`, no handles, with NULL actuals.
    let read_into = |buf: &mut [u8]| {
        let (p, n) = (buf.as_mut_ptr(), buf.len() as u32);
        raw::channel_read(b.raw(), 0, p, null_mut(), n, 0, null_mut(), null_mut())
    };
    let mut small = [0u8; 2];
    check_status!(read_into(&mut small), Status::BUFFER_TOO_SMALL);
    // A successful read with NULL actuals is fine too.
    let mut big = [0u8; 16];
    check_status!(read_into(&mut big), Status::OK);
    check_eq!(&big[..10], b"0123456789");
    check!(!readable(&b));
}

fn may_discard_drops_too_large_message_and_closes_its_handles() {
    let (a, b) = channel_pair();
    let e = event_handle();
    let (x0, x1) = channel_pair();
    let msg = pat(2);
    let hs = [dup_raw(&e), dup_raw(&e), x1.0.into_raw()];
    check!(a.write(&msg[..20], &hs).is_ok());
    check!(a.write(b"next", &[]).is_ok());
    check_eq!(count(&e), 3);
    let handles_before = process_handles();
    let live_before = live().unwrap_or_default();
    let mut small = [0u8; 8];
    let mut hs = [0u32; 4];
    let got = read(b.raw(), CHANNEL_READ_MAY_DISCARD, &mut small, &mut hs);
    check_eq!(got, (Status::BUFFER_TOO_SMALL, 20, 3));
    // The carried handles are closed: the event's count drops, the carried endpoint's peer
    // sees PEER_CLOSED.
    check_eq!(count(&e), 1);
    let closed = signals(x0.raw()) & PEER_CLOSED != 0;
    check!(
        closed,
        "the discarded message's channel endpoint was not closed"
    );
    check_eq!(process_handles(), handles_before);
    let live_after = live().unwrap_or_default();
    check_eq!(live_after.handles + 3, live_before.handles);
    check_eq!(live_after.messages + 1, live_before.messages);
    // The next message is the one behind it.
    expect_message(&b, b"next", &[]);
    check!(!readable(&b));
}

fn may_discard_drops_message_with_too_many_handles() {
    let (a, b) = channel_pair();
    let e = event_handle();
    check!(a.write(b"hh", &[dup_raw(&e), dup_raw(&e)]).is_ok());
    let mut bytes = [0u8; 64];
    let mut infos = [HandleInfo::default(); 1];
    let got = read_etc(b.raw(), CHANNEL_READ_MAY_DISCARD, &mut bytes, &mut infos);
    check_eq!(got, (Status::BUFFER_TOO_SMALL, 2, 2));
    check_eq!(count(&e), 1);
    check!(!readable(&b));
    let (s, _, _) = read(b.raw(), 0, &mut bytes, &mut []);
    check_eq!(s, Status::SHOULD_WAIT);
}

fn may_discard_with_big_enough_buffers_reads_normally() {
    let (a, b) = channel_pair();
    let e = event_handle();
    check!(a.write(b"fits", &[dup_raw(&e)]).is_ok());
    let mut bytes = [0u8; 8];
    let mut hs = [0u32; 2];
    let got = read(b.raw(), CHANNEL_READ_MAY_DISCARD, &mut bytes, &mut hs);
    check_eq!(got, (Status::OK, 4, 1));
    check_eq!(&bytes[..4], b"fits");
    check_eq!(koid(hs[0]), koid(e.raw()));
    check_eq!(count(&e), 2);
    raw::handle_close(hs[0]);
    check_eq!(count(&e), 1);
}

fn unknown_read_options_are_not_supported() {
    let (a, b) = channel_pair();
    let e = event_handle();
    check!(a.write(b"keep", &[dup_raw(&e)]).is_ok());
    let handles_before = process_handles();
    for opt in [2u32, 4, 0x100, 0x8000_0000, 1 | 2, 0xffff_fffe, u32::MAX] {
        for (call, s) in read_both(b.raw(), opt, 64, 4) {
            check_eq!(s, Status::NOT_SUPPORTED, "{} options {:#x}:", call, opt);
        }
    }
    check_eq!(process_handles(), handles_before);
    check_eq!(count(&e), 2);
    expect_message(&b, b"keep", &[koid(e.raw())]);
}

fn narrow_arguments_ignore_high_bits() {
    // docs/abi.md section 1: a uint32_t argument ignores bits 32..63 (options, num_bytes).
    let (a, b) = channel_pair();
    check!(a.write(b"hi", &[]).is_ok());
    let mut bytes = [0u8; 8];
    let (mut ab, mut ah) = (u32::MAX, u32::MAX);
    let r = zx::sys::raw8(
        nr::CHANNEL_READ,
        [
            b.raw() as u64 | 0xdead_0000_0000_0000,
            0x1_0000_0000,
            bytes.as_mut_ptr() as u64,
            0,
            0xffff_0000_0000_0008,
            0x1_0000_0000,
            &mut ab as *mut u32 as u64,
            &mut ah as *mut u32 as u64,
        ],
    ) as i32;
    check_eq!(Status(r), Status::OK);
    check_eq!((ab, ah), (2, 0));
    check_eq!(&bytes[..2], b"hi");
}

// ---------------------------------------------------------------------------------------------
// Handle checks
// ---------------------------------------------------------------------------------------------

fn bad_handle_is_checked_before_options() {
    let (c, _d) = channel_pair();
    let stale = stale();
    check!(!valid(stale));
    for h in [HANDLE_INVALID, stale, c.raw() & !HANDLE_FIXED_BITS_MASK] {
        for opt in [0u32, CHANNEL_READ_MAY_DISCARD, 0xffff_fffe] {
            for (call, s) in read_both(h, opt, 8, 2) {
                check_eq!(s, Status::BAD_HANDLE, "{}({:#x}, {:#x}):", call, h, opt);
            }
        }
    }
}

fn event_handle_is_wrong_type_before_options() {
    let e = event_handle();
    for opt in [0u32, 0xffff_fffe] {
        for (call, s) in read_both(e.raw(), opt, 8, 2) {
            check_eq!(s, Status::WRONG_TYPE, "{}(event, {:#x}):", call, opt);
        }
    }
    check!(valid(e.raw()));
}

fn channel_without_read_right_is_access_denied_before_options() {
    let (a, b) = channel_pair();
    let e = event_handle();
    check!(a.write(b"secret", &[dup_raw(&e)]).is_ok());
    let rights = Rights::WRITE | Rights::TRANSFER;
    let b = b.0.replace(rights).expect("handle_replace");
    check_eq!(basic(b.raw()).rights, rights.bits());
    let handles_before = process_handles();
    let live_before = live();
    for opt in [0u32, CHANNEL_READ_MAY_DISCARD, 0xffff_fffe] {
        for (call, s) in read_both(b.raw(), opt, 64, 4) {
            check_eq!(s, Status::ACCESS_DENIED, "{}({:#x}):", call, opt);
        }
    }
    // Nothing was delivered or dropped: the message (and the handle it carries) is still queued.
    check_eq!(process_handles(), handles_before);
    check_eq!(live(), live_before);
    check_eq!(count(&e), 2);
    // Closing the endpoint destroys the queued message and the handle inside it.
    drop(b);
    check_eq!(count(&e), 1);
}

// ---------------------------------------------------------------------------------------------
// Empty queue, closed peer
// ---------------------------------------------------------------------------------------------

fn empty_queue_is_should_wait() {
    let (_a, b) = channel_pair();
    for (call, s) in read_both(b.raw(), 0, 8, 2) {
        check_eq!(s, Status::SHOULD_WAIT, "{}:", call);
    }
    let (s, _, _) = read(b.raw(), CHANNEL_READ_MAY_DISCARD, &mut [], &mut []);
    check_eq!(s, Status::SHOULD_WAIT);
}

fn peer_closed_and_empty_is_peer_closed() {
    let (a, b) = channel_pair();
    drop(a);
    for (call, s) in read_both(b.raw(), 0, 8, 2) {
        check_eq!(s, Status::PEER_CLOSED, "{}:", call);
    }
}

fn messages_queued_before_peer_closed_stay_readable() {
    let (a, b) = channel_pair();
    let e = event_handle();
    check!(a.write(b"first", &[dup_raw(&e)]).is_ok());
    check!(a.write(b"second", &[]).is_ok());
    drop(a);
    let both = READABLE | PEER_CLOSED;
    check_eq!(signals(b.raw()) & both, both, "observed:");
    check_eq!(count(&e), 2);
    expect_message(&b, b"first", &[koid(e.raw())]);
    check_eq!(count(&e), 1);
    // A too-small read still reports BUFFER_TOO_SMALL (not PEER_CLOSED) while one is queued.
    let (s, ab, _) = read(b.raw(), 0, &mut [0u8; 1], &mut []);
    check_eq!((s, ab), (Status::BUFFER_TOO_SMALL, 6));
    expect_message(&b, b"second", &[]);
    let (s, _, _) = read(b.raw(), 0, &mut [0u8; 8], &mut [0u32; 2]);
    check_eq!(s, Status::PEER_CLOSED);
}

// ---------------------------------------------------------------------------------------------
// Hostile output buffers
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Slot {
    Bytes,
    Handles,
    ActualBytes,
    ActualHandles,
}

/// docs/abi.md section 5: the first thread starts with `sp` at the top of a 256 KiB stack,
/// 16-byte aligned, below 2^47; the program runs on it.
fn stack_top_is_where_abi_says() {
    let local = 0usize;
    let a = &local as *const usize as usize;
    let (bottom, top) = initial_stack();
    let on = a < top && a > bottom;
    check!(
        on,
        "a local lives at {:#x}, not in the 256 KiB below {:#x}",
        a,
        top
    );
    check!(top % 16 == 0 && top < USER_TOP, "initial sp {:#x}", top);
}

const HOSTILE_MSG_BYTES: usize = 48;

fn hostile_buffers(etc: bool) {
    let name = if etc { "read_etc" } else { "read" };
    let (reader, writer) = channel_pair();
    let (e1, e2) = (event_handle(), event_handle());
    let koids = [koid(e1.raw()), koid(e2.raw())];
    let msg = pat(9);
    let send = || writer.write(&msg[..HOSTILE_MSG_BYTES], &[dup_raw(&e1), dup_raw(&e2)]);
    check!(send().is_ok());
    let slots = [
        Slot::Bytes,
        Slot::Handles,
        Slot::ActualBytes,
        Slot::ActualHandles,
    ];
    for slot in slots {
        // The message is sized so that `len` bytes really are written through the pointer.
        let len = match slot {
            Slot::Bytes => HOSTILE_MSG_BYTES,
            Slot::Handles if etc => 2 * 16,
            Slot::Handles => 2 * 4,
            _ => 4,
        };
        for (bad_what, bad) in hostile(len) {
            if bad == 0 && matches!(slot, Slot::ActualBytes | Slot::ActualHandles) {
                continue; // NULL actuals are allowed
            }
            let mut bytes = [0u8; 64];
            let mut hs = [0u32; 4];
            let mut infos = [HandleInfo::default(); 4];
            let (mut ab, mut ah) = (0u32, 0u32);
            let mut bp = bytes.as_mut_ptr() as usize;
            let mut hp = if etc {
                infos.as_mut_ptr() as usize
            } else {
                hs.as_mut_ptr() as usize
            };
            let mut abp = &mut ab as *mut u32;
            let mut ahp = &mut ah as *mut u32;
            match slot {
                Slot::Bytes => bp = bad,
                Slot::Handles => hp = bad,
                Slot::ActualBytes => abp = bad as *mut u32,
                Slot::ActualHandles => ahp = bad as *mut u32,
            }
            let handles_before = process_handles();
            let live_before = live();
            let saved = save_stack_top::<4>();
            let (ch, bp) = (reader.raw(), bp as *mut u8);
            let s = if etc {
                raw::channel_read_etc(ch, 0, bp, hp as *mut HandleInfo, 64, 4, abp, ahp)
            } else {
                raw::channel_read(ch, 0, bp, hp as *mut u32, 64, 4, abp, ahp)
            };
            restore_stack_top(saved);
            let s = Status(s);
            let what = format_args!("{} with {:?} {} ({:#x})", name, slot, bad_what, bad);
            check_eq!(s, Status::INVALID_ARGS, "{}:", what);
            let counts = (count(&e1), count(&e2));
            check_eq!(counts, (2, 2), "{}: carried handle counts:", what);
            let handles = process_handles();
            check_eq!(handles, handles_before, "{}: process handles:", what);
            check_eq!(live(), live_before, "{}: kernel counts:", what);
            let written = if etc { infos.map(|i| i.handle) } else { hs };
            for v in written {
                check!(
                    v == 0 || !valid(v),
                    "{}: handle value {:#x} appeared",
                    what,
                    v
                );
            }
            check!(readable(&reader), "{}: the message is gone", what);
            if s == Status::OK {
                // The message was consumed by a read that should have failed: requeue it so
                // the remaining variants still test something (the case already failed).
                for v in written.into_iter().filter(|&v| v != 0) {
                    raw::handle_close(v);
                }
                check!(send().is_ok());
            }
        }
    }
    // The message is still there, whole, after all those failed reads.
    expect_message(&reader, &msg[..HOSTILE_MSG_BYTES], &koids);
    check!(!readable(&reader));
    check_eq!((count(&e1), count(&e2)), (1, 1));
}

fn read_into_unwritable_buffers_is_invalid_args_and_keeps_message_whole() {
    hostile_buffers(false);
}

fn read_etc_into_unwritable_buffers_is_invalid_args_and_keeps_message_whole() {
    hostile_buffers(true);
}

fn unwritable_buffers_with_may_discard_keep_message() {
    // A fitting message with MAY_DISCARD but an unwritable bytes buffer: nothing to discard,
    // the read fails with INVALID_ARGS and the message stays.
    let (a, b) = channel_pair();
    let e = event_handle();
    let msg = pat(4);
    check!(a.write(&msg[..32], &[dup_raw(&e)]).is_ok());
    let mut hs = [0u32; 2];
    let (mut ab, mut ah) = (0, 0);
    let (ro, h) = (&raw const RO_PAGE as *mut u8, hs.as_mut_ptr());
    let s = raw::channel_read(
        b.raw(),
        CHANNEL_READ_MAY_DISCARD,
        ro,
        h,
        64,
        2,
        &mut ab,
        &mut ah,
    );
    check_status!(s, Status::INVALID_ARGS);
    check_eq!(count(&e), 2);
    expect_message(&b, &msg[..32], &[koid(e.raw())]);
}

// ---------------------------------------------------------------------------------------------
// Received handles
// ---------------------------------------------------------------------------------------------

fn read_etc_reports_handle_info_for_each_handle() {
    let (a, b) = channel_pair();
    let e = event_handle();
    let reduced = e
        .duplicate(Rights::TRANSFER | Rights::WAIT)
        .expect("duplicate");
    let (x0, x1) = channel_pair();
    let ek = koid(e.raw());
    let xk = koid(x1.raw());
    let hs = [dup_raw(&e), reduced.into_raw(), x1.0.into_raw()];
    check!(a.write(b"infos", &hs).is_ok());
    let mut bytes = [0u8; 16];
    let junk = HandleInfo {
        handle: 0xaaaa_aaaa,
        obj_type: 0xaaaa_aaaa,
        rights: 0xaaaa_aaaa,
        unused: 0xaaaa_aaaa,
    };
    let mut infos = [junk; 5];
    check_eq!(
        read_etc(b.raw(), 0, &mut bytes, &mut infos),
        (Status::OK, 5, 3)
    );
    check_eq!(&bytes[..5], b"infos");
    let want = [
        (ObjType::EVENT, Rights::DEFAULT_EVENT, ek),
        (ObjType::EVENT, Rights::TRANSFER | Rights::WAIT, ek),
        (ObjType::CHANNEL, Rights::DEFAULT_CHANNEL, xk),
    ];
    for (i, (t, r, k)) in want.iter().enumerate() {
        let inf = infos[i];
        let fixed = HANDLE_FIXED_BITS_MASK;
        let ok = valid(inf.handle) && inf.handle & fixed == fixed;
        check!(
            ok,
            "info[{}].handle {:#x} is not a valid handle",
            i,
            inf.handle
        );
        let got = (inf.obj_type, inf.rights, inf.unused);
        check_eq!(
            got,
            (t.raw(), r.bits(), 0),
            "info[{}] type, rights, unused:",
            i
        );
        let bi = basic(inf.handle);
        check_eq!(
            (bi.koid, bi.rights, bi.obj_type),
            (*k, inf.rights, inf.obj_type)
        );
    }
    check!(
        infos[0].handle != infos[1].handle,
        "two received handles share a value"
    );
    // Entries past actual_handles are not written.
    check_eq!((infos[3], infos[4]), (junk, junk));
    // The received endpoint still talks to x0.
    check!(Channel(Handle::from_raw(infos[2].handle))
        .write(b"ping", &[])
        .is_ok());
    expect_message(&Channel(x0.0), b"ping", &[]);
    raw::handle_close(infos[0].handle);
    raw::handle_close(infos[1].handle);
    check_eq!(count(&e), 1);
}

fn received_handles_keep_koid_and_rights() {
    let (a, b) = channel_pair();
    let e = event_handle();
    let fewer = Rights::TRANSFER | Rights::WAIT | Rights::SIGNAL;
    let restricted = e.duplicate(fewer).expect("duplicate");
    let (x0, x1) = channel_pair();
    let sent = [
        (e.raw(), koid(e.raw()), Rights::DEFAULT_EVENT.bits()),
        (restricted.raw(), koid(restricted.raw()), fewer.bits()),
        (x1.raw(), koid(x1.raw()), Rights::DEFAULT_CHANNEL.bits()),
    ];
    let raws = [dup_raw(&e), restricted.into_raw(), x1.0.into_raw()];
    check!(a.write(b"keep", &raws).is_ok());
    let handles_before = process_handles();
    let mut bytes = [0u8; 8];
    let mut hs = [0u32; 3];
    check_eq!(read(b.raw(), 0, &mut bytes, &mut hs), (Status::OK, 4, 3));
    check_eq!(process_handles(), handles_before + 3);
    for i in 0..3 {
        let bi = basic(hs[i]);
        check_eq!(
            (bi.koid, bi.rights),
            (sent[i].1, sent[i].2),
            "handle {}:",
            i
        );
    }
    check_eq!(basic(hs[2]).related_koid, koid(x0.raw()));
    close_all(&hs);
    check_eq!(count(&e), 1);
}

zx::tests!(
    kernel_stats_are_available,
    reads_messages_in_fifo_order_and_readable_clears,
    zero_length_message_reads_with_null_buffers,
    too_small_bytes_buffer_reports_sizes_and_keeps_message,
    too_small_handles_buffer_reports_sizes_and_keeps_message,
    buffer_too_small_with_null_actuals_keeps_message,
    may_discard_drops_too_large_message_and_closes_its_handles,
    may_discard_drops_message_with_too_many_handles,
    may_discard_with_big_enough_buffers_reads_normally,
    unknown_read_options_are_not_supported,
    narrow_arguments_ignore_high_bits,
    bad_handle_is_checked_before_options,
    event_handle_is_wrong_type_before_options,
    channel_without_read_right_is_access_denied_before_options,
    empty_queue_is_should_wait,
    peer_closed_and_empty_is_peer_closed,
    messages_queued_before_peer_closed_stay_readable,
    stack_top_is_where_abi_says,
    read_into_unwritable_buffers_is_invalid_args_and_keeps_message_whole,
    read_etc_into_unwritable_buffers_is_invalid_args_and_keeps_message_whole,
    unwritable_buffers_with_may_discard_keep_message,
    read_etc_reports_handle_info_for_each_handle,
    received_handles_keep_koid_and_rights,
);

//! zx_channel_write (plain, without ZX_CHANNEL_WRITE_USE_IOVEC): every sentence of
//! docs/manual/zx_channel_write.md and the write rules of docs/abi.md section 4 (check order, fate
//! of the transferred handles, self/peer transfer, pending limit), with hostile pointers from
//! docs/abi.md section 1. Every case checks that the kernel's live handle/object/message counts and
//! ipc bytes are back where they were when it ends.
#![no_std]
#![no_main]

use core::ptr::null;
use zx::test::*;
use zx::*;

// ---------------------------------------------------------------------------------------------
// Memory used by the cases
// ---------------------------------------------------------------------------------------------

/// A page that ends exactly where the RW mapping ends, so an array in its last 8 bytes is
/// readable for 2 entries and then runs into unmapped memory. `.sbss` is no section user.ld
/// names, so the linker places it, as an orphan NOBITS section, after `.bss` (checked at run
/// time by `segment_tail`).
#[repr(C, align(4096))]
struct TailPage([u32; 1024]);
#[link_section = ".sbss.tw_tail"]
static mut TAIL: TailPage = TailPage([0; 1024]);

/// Whether the kernel can read 1 byte at `p` (a 1-byte write to a private channel).
fn readable(p: u64) -> bool {
    let (a, b) = channel();
    let s = raw::channel_write(a, 0, p as *const u8, 1, null(), 0);
    close_all(&[a, b]);
    s == 0
}

/// The address of the last 8 bytes of `TAIL` if the page after it is unmapped.
fn segment_tail() -> Option<u64> {
    let start = (&raw mut TAIL) as u64;
    let end = start + 4096;
    if readable(end - 1) && !readable(end) {
        Some(end - 8)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The signals asserted on `h` now (a wait with a past deadline).
fn sigs(h: u32) -> u32 {
    let mut obs = 0;
    let s = raw::object_wait_one(h, Signals::USER_7.bits(), 0, &mut obs);
    if s != Status::TIMED_OUT.raw() && s != 0 {
        return 0xdead_0000;
    }
    obs
}

/// An event to transfer, and a second handle to it that stays with us as a witness.
#[track_caller]
fn witnessed_event() -> (u32, u32) {
    let h = event();
    (h, dup(h, Rights::SAME_RIGHTS))
}

/// [`witnessed_event`] reduced to the default rights without TRANSFER.
#[track_caller]
fn no_transfer() -> (u32, u32) {
    let (e, w) = witnessed_event();
    (
        replace(e, Rights::DEFAULT_EVENT.difference(Rights::TRANSFER)),
        w,
    )
}

fn write(ch: u32, bytes: &[u8], handles: &[u32]) -> i32 {
    let (b, n) = (bytes.as_ptr(), bytes.len() as u32);
    raw::channel_write(ch, 0, b, n, handles.as_ptr(), handles.len() as u32)
}

/// `write(&e)`, with `e` a new [`witnessed_event`] as the handle to send, returns `want`; the
/// event is [`consumed`] and nothing reached `peer` ([`nothing_sent`]).
#[track_caller]
fn refused_with_event(peer: u32, want: Status, what: &str, write: impl FnOnce(&u32) -> i32) {
    refused_with_events(peer, want, what, |[e]: &[u32; 1]| write(e));
}

/// [`refused_with_event`] with `N` new witnessed events: `write(&events)`, and every one of
/// them is consumed.
#[track_caller]
fn refused_with_events<const N: usize>(
    peer: u32,
    want: Status,
    what: &str,
    write: impl FnOnce(&[u32; N]) -> i32,
) {
    let events: [(u32, u32); N] = core::array::from_fn(|_| witnessed_event());
    let before = sigs(peer);
    expect_status(write(&events.map(|(e, _)| e)), want, what);
    for (e, w) in events {
        consumed(e, w);
    }
    nothing_sent(peer, before);
}

/// The transferred handle `h` is gone from us and its object lost that handle (only the
/// witness is left); the witness is closed.
#[track_caller]
fn consumed(h: u32, witness: u32) {
    expect(
        !valid(h),
        format_args!("transferred handle {:#x} is valid", h),
    );
    let n = handle_count(witness);
    let what = format_args!("object of {:#x} still has {} handles (want 1)", h, n);
    expect(n == 1, what);
    close(witness);
}

/// `h` was not touched: still valid and still its object's only other handle besides the
/// witness; the witness is closed.
#[track_caller]
fn untouched(h: u32, witness: u32) {
    expect(valid(h), format_args!("handle {:#x} was consumed", h));
    let n = handle_count(witness);
    let what = format_args!("object of {:#x} has {} handles (want 2)", h, n);
    expect(n == 2, what);
    close(witness);
}

/// A failed write left no message and no signal change on `peer` (whose queue was empty).
#[track_caller]
fn nothing_sent(peer: u32, before: u32) {
    let now = sigs(peer);
    let what = format_args!("peer signals changed: {:#x} -> {:#x}", before, now);
    expect(now == before, what);
    let want = if before & Signals::CHANNEL_PEER_CLOSED.bits() != 0 {
        Status::PEER_CLOSED
    } else {
        Status::SHOULD_WAIT
    };
    expect_status(
        read_nothing(peer),
        want,
        "peer read (a message was queued?)",
    );
}

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

/// "On success, all num_handles of the handles ... are attached to the message and will become
/// available to the reader"; "All handles are discarded and no longer available to the caller".
fn message_bytes_and_handles_arrive_intact() {
    let (a, b) = channel();
    let e = event();
    let e_small = replace(
        event(),
        Rights::TRANSFER | Rights::WAIT | Rights::SIGNAL, // rights must arrive unchanged
    );
    let (c, d) = channel();
    let (p0, p1) = eventpair();
    let sent = [e, e_small, c, p0];
    let before = sent.map(basic);
    let bytes: [u8; 200] = core::array::from_fn(|i| (i * 13 + 1) as u8);
    expect_status(write(a, &bytes, &sent), Status::OK, "write");
    for h in sent {
        expect(!valid(h), format_args!("sent handle {:#x} still valid", h));
    }
    expect(sigs(b) & READABLE != 0, format_args!("reader not READABLE"));
    let mut rb = [0u8; 256];
    let mut rh = [0u32; 8];
    let (s, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(s, Status::OK, "read");
    expect(nb == 200, format_args!("{} bytes arrived (want 200)", nb));
    check!(rb[..200] == bytes[..], "bytes arrived altered");
    expect(nh == 4, format_args!("{} handles arrived (want 4)", nh));
    for i in 0..4 {
        let (got, want) = (basic(rh[i]), before[i]);
        let fixed = HANDLE_FIXED_BITS_MASK;
        check!(
            rh[i] & fixed == fixed,
            "received value {:#x} lacks the fixed bits",
            rh[i]
        );
        check!(got.koid != 0, "handle {}: koid 0", i);
        let got = (got.koid, got.rights, got.obj_type);
        check_eq!(
            got,
            (want.koid, want.rights, want.obj_type),
            "handle {}: koid, rights, type:",
            i
        );
    }
    check!(
        sigs(b) & READABLE == 0,
        "reader still READABLE after the only message"
    );
    // The received channel endpoint still works: write through it, read at its peer.
    expect_status(write(rh[2], b"via", &[]), Status::OK, "write via received");
    let (s, nb, _) = read_raw(d, &mut rb, &mut []);
    expect_status(s, Status::OK, "read at peer of received endpoint");
    check_eq!(
        &rb[..nb as usize],
        b"via",
        "message through the received endpoint:"
    );
    for h in &rh[..4] {
        close(*h);
    }
    close_all(&[a, b, d, p1]);
}

/// "The pointers handles and bytes may be NULL if their respective sizes are zero."
fn null_pointers_with_zero_sizes_are_ok() {
    let (a, b) = channel();
    let mut rb = [0u8; 8];
    let mut rh = [0u32; 2];
    // Both NULL: an empty message.
    let s = raw::channel_write(a, 0, null(), 0, null(), 0);
    expect_status(s, Status::OK, "write(NULL, 0, NULL, 0)");
    let (s, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(s, Status::OK, "read empty message");
    check!(nb == 0 && nh == 0, "got {} bytes {} handles", nb, nh);
    // NULL bytes with handles.
    let (e, w) = witnessed_event();
    let s = raw::channel_write(a, 0, null(), 0, &e, 1);
    expect_status(s, Status::OK, "write(NULL, 0, [e], 1)");
    let (s, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(s, Status::OK, "read handle-only message");
    check!(nb == 0 && nh == 1, "got {} bytes {} handles", nb, nh);
    check!(basic(rh[0]).koid == basic(w).koid, "wrong object arrived");
    close_all(&[rh[0], w]);
    // NULL handles with bytes.
    let s = raw::channel_write(a, 0, b"xyz".as_ptr(), 3, null(), 0);
    expect_status(s, Status::OK, "write(bytes, 3, NULL, 0)");
    let (s, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(s, Status::OK, "read bytes-only message");
    check_eq!(
        (nh, &rb[..nb as usize]),
        (0, &b"xyz"[..]),
        "handles, bytes:"
    );
    close_all(&[a, b]);
}

/// "The maximum number of handles ... is ... 64"; "The maximum number of bytes ... is 65536":
/// both at once are accepted and arrive whole (read from a read-only segment).
fn max_65536_bytes_and_64_handles_arrive_intact() {
    let (a, b) = channel();
    let hs: [u32; MAX_HANDLES] = core::array::from_fn(|_| event());
    let koids = hs.map(|h| basic(h).koid);
    let s = write(a, &SRC[..MAX_BYTES], &hs);
    expect_status(s, Status::OK, "write 65536 bytes + 64 handles");
    let buf = rbuf();
    buf.fill(0);
    let mut rh = [0u32; MAX_HANDLES + 1];
    let (s, nb, nh) = read_raw(b, &mut buf[..], &mut rh);
    expect_status(s, Status::OK, "read");
    check!(nb as usize == MAX_BYTES, "{} bytes arrived", nb);
    expect(nh as usize == MAX_HANDLES, format_args!("{} handles", nh));
    check!(
        buf[..MAX_BYTES] == SRC[..MAX_BYTES],
        "bytes arrived altered"
    );
    for i in 0..MAX_HANDLES {
        check!(
            basic(rh[i]).koid == koids[i],
            "handle {} arrived as another object",
            i
        );
        close(rh[i]);
    }
    // 65536 bytes alone, and 64 handles alone.
    let s = write(a, &SRC[..MAX_BYTES], &[]);
    expect_status(s, Status::OK, "write 65536 bytes");
    let (s, nb, _) = read_raw(b, &mut buf[..], &mut []);
    expect_status(s, Status::OK, "read");
    expect(nb as usize == MAX_BYTES, format_args!("{} bytes", nb));
    let hs: [u32; MAX_HANDLES] = core::array::from_fn(|_| event());
    expect_status(write(a, &[], &hs), Status::OK, "write 64 handles");
    let (s, _, nh) = read_raw(b, &mut [], &mut rh);
    expect_status(s, Status::OK, "read");
    expect(nh as usize == MAX_HANDLES, format_args!("{} handles", nh));
    close_all(&rh[..nh as usize]);
    close_all(&[a, b]);
}

/// docs/abi.md section 1: arguments narrower than 64 bits use only their low bits (the handle,
/// options, num_bytes and num_handles are 32-bit).
fn narrow_arguments_use_only_low_32_bits() {
    let (a, b) = channel();
    let (e, w) = witnessed_event();
    let hs = [e];
    let r = zx::sys::raw6(
        nr::CHANNEL_WRITE,
        0xdead_beef_0000_0000 | a as u64,
        0xffff_ffff_0000_0000,
        b"abcd".as_ptr() as u64,
        0x1_0000_0000 | 4,
        hs.as_ptr() as u64,
        0xffff_0000_0000_0000 | 1,
    ) as i32;
    expect_status(r, Status::OK, "write with high garbage bits");
    let mut rb = [0u8; 8];
    let mut rh = [0u32; 2];
    let (s, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(s, Status::OK, "read");
    check_eq!(
        (nh, &rb[..nb as usize]),
        (1, &b"abcd"[..]),
        "handles, bytes:"
    );
    check!(basic(rh[0]).koid == basic(w).koid, "wrong object arrived");
    close_all(&[rh[0], w, a, b]);
}

// ---------------------------------------------------------------------------------------------
// OUT_OF_RANGE
// ---------------------------------------------------------------------------------------------

/// "ZX_ERR_OUT_OF_RANGE num_bytes ... larger than ZX_CHANNEL_MAX_MSG_BYTES"; the handles are
/// consumed (docs/abi.md fate rule) and nothing is sent.
fn over_65536_bytes_is_out_of_range_and_consumes_handles() {
    let (a, b) = channel();
    for n in [MAX_BYTES as u32 + 1, 1 << 20, u32::MAX] {
        // The source is readable for 65537 bytes; past that the length alone decides.
        refused_with_event(b, Status::OUT_OF_RANGE, "write oversize bytes", |e| {
            raw::channel_write(a, 0, SRC.as_ptr(), n, e, 1)
        });
    }
    close_all(&[a, b]);
}

/// "ZX_ERR_OUT_OF_RANGE ... num_handles ... larger than ZX_CHANNEL_MAX_MSG_HANDLES"; all 65
/// handles are consumed (docs/abi.md fate rule) and nothing is sent.
fn over_64_handles_is_out_of_range_and_consumes_all_65() {
    let (a, b) = channel();
    let before = sigs(b);
    let write_65 = |hs: &[u32; MAX_HANDLES + 1]| write(a, b"x", hs);
    refused_with_events(b, Status::OUT_OF_RANGE, "write 65 handles", write_65);
    // A huge count with a NULL array: the size check comes before the array is read.
    let s = raw::channel_write(a, 0, null(), 0, null(), u32::MAX);
    expect_status(s, Status::OUT_OF_RANGE, "write u32::MAX handles from NULL");
    nothing_sent(b, before);
    close_all(&[a, b]);
}

// ---------------------------------------------------------------------------------------------
// INVALID_ARGS: pointers
// ---------------------------------------------------------------------------------------------

/// "ZX_ERR_INVALID_ARGS bytes is an invalid pointer"; docs/abi.md: the handle array is readable, so
/// its handles are consumed; nothing is sent.
fn unreadable_bytes_are_invalid_args_and_consume_handles() {
    // The hostile stack addresses are only meaningful if we run on the initial stack.
    on_initial_stack();
    let (a, b) = channel();
    let invalid = Status::INVALID_ARGS;
    for (p, len, what) in hostile_sources() {
        let bytes = p as *const u8;
        refused_with_event(b, invalid, what, |e| {
            raw::channel_write(a, 0, bytes, len, e, 1)
        });
        // And without handles.
        let before = sigs(b);
        expect_status(
            raw::channel_write(a, 0, bytes, len, null(), 0),
            invalid,
            what,
        );
        nothing_sent(b, before);
    }
    if let Some(t) = segment_tail() {
        // 8 readable bytes, then unmapped memory.
        let what = "bytes straddling the end of the data segment";
        refused_with_event(b, invalid, what, |e| {
            raw::channel_write(a, 0, t as *const u8, 64, e, 1)
        });
    }
    close_all(&[a, b]);
}

/// "ZX_ERR_INVALID_ARGS ... handles is an invalid pointer"; docs/abi.md: "If the handles array
/// itself can't be read, no handle is touched"; nothing is sent.
fn unreadable_handles_array_is_invalid_args_and_touches_no_handle() {
    let (a, b) = channel();
    for (p, len, what) in hostile_sources() {
        let before = sigs(b);
        let s = raw::channel_write(a, 0, b"msg".as_ptr(), 3, p as *const u32, len / 4);
        expect_status(s, Status::INVALID_ARGS, what);
        nothing_sent(b, before);
        check!(valid(a), "{}: the channel handle was closed", what);
    }
    // Valid handles in the readable first half of a straddling array stay ours.
    match segment_tail() {
        Some(t) => {
            let (e1, w1) = witnessed_event();
            let (e2, w2) = witnessed_event();
            let arr = t as *mut u32;
            // SAFETY: [t, t+8) are the last two slots of `TAIL`, used by nothing else.
            unsafe {
                arr.write_volatile(e1);
                arr.add(1).write_volatile(e2);
            }
            let before = sigs(b);
            let s = raw::channel_write(a, 0, b"msg".as_ptr(), 3, arr, 4);
            expect_status(
                s,
                Status::INVALID_ARGS,
                "handles straddling the data segment end",
            );
            untouched(e1, w1);
            untouched(e2, w2);
            nothing_sent(b, before);
            close_all(&[e1, e2]);
        }
        None => {
            println!("    note: TAIL is not last in the RW segment; straddle check skipped")
        }
    }
    close_all(&[a, b]);
}

// ---------------------------------------------------------------------------------------------
// BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED
// ---------------------------------------------------------------------------------------------

/// A handle value that was valid and is closed now.
fn closed_value() -> u32 {
    let e = event();
    close(e);
    e
}

/// "ZX_ERR_BAD_HANDLE handle is not a valid handle"; the transferred handles are consumed.
fn bad_channel_handle_is_bad_handle_and_consumes_handles() {
    for bad in [HANDLE_INVALID, closed_value(), 0x1234_5677, 0xffff_ffff, 1] {
        let (e, w) = witnessed_event();
        let s = raw::channel_write(bad, 0, b"x".as_ptr(), 1, &e, 1);
        expect_status(s, Status::BAD_HANDLE, "write to a bad channel handle");
        consumed(e, w);
    }
}

/// "ZX_ERR_BAD_HANDLE ... any element in handles is not a valid handle"; every valid entry is
/// consumed all the same, and nothing is sent.
fn bad_entry_in_handles_is_bad_handle_and_consumes_the_rest() {
    let (a, b) = channel();
    for bad in [HANDLE_INVALID, closed_value(), 0x1234_5677, 0xffff_fffe] {
        let write_bad = |&[e1, e2]: &[u32; 2]| write(a, b"x", &[e1, bad, e2]);
        refused_with_events(b, Status::BAD_HANDLE, "write with a bad entry", write_bad);
    }
    close_all(&[a, b]);
}

/// "ZX_ERR_BAD_HANDLE ... there are repeated handles among the handles in the handles array";
/// the repeated handle (and the others) are consumed, nothing is sent.
fn repeated_handles_are_bad_handle_and_consumed() {
    let (a, b) = channel();
    let twice = |&[e]: &[u32; 1]| write(a, b"x", &[e, e]);
    refused_with_events(b, Status::BAD_HANDLE, "[e, e]", twice);
    let again = |&[e1, e2]: &[u32; 2]| write(a, b"x", &[e1, e2, e1]);
    refused_with_events(b, Status::BAD_HANDLE, "[e1, e2, e1]", again);
    close_all(&[a, b]);
}

/// "ZX_ERR_WRONG_TYPE handle is not a channel handle" (also before ACCESS_DENIED: an event
/// has no WRITE right); the target stays, the transferred handle is consumed.
fn non_channel_handle_is_wrong_type() {
    let target = event();
    let (e, w) = witnessed_event();
    let s = raw::channel_write(target, 0, b"x".as_ptr(), 1, &e, 1);
    expect_status(s, Status::WRONG_TYPE, "write to an event");
    consumed(e, w);
    expect(valid(target), format_args!("the event target was closed"));
    close(target);
    let (p0, p1) = eventpair();
    for (h, what) in [
        (p0, "eventpair"),
        (self_process(), "process"),
        (self_thread(), "thread"),
    ] {
        let s = raw::channel_write(h, 0, b"x".as_ptr(), 1, null(), 0);
        expect_status(s, Status::WRONG_TYPE, what);
        expect(valid(h), format_args!("{} handle was closed", what));
    }
    close_all(&[p0, p1]);
}

/// "handle must ... have ZX_RIGHT_WRITE"; "ZX_ERR_ACCESS_DENIED handle does not have
/// ZX_RIGHT_WRITE"; the transferred handle is consumed, nothing is sent.
fn channel_without_write_right_is_access_denied() {
    let (a, b) = channel();
    let want = Rights::READ | Rights::TRANSFER | Rights::WAIT;
    let ro = replace(a, want);
    check_eq!(basic(ro).rights, want.bits(), "replaced rights:");
    refused_with_event(b, Status::ACCESS_DENIED, "write without WRITE", |e| {
        raw::channel_write(ro, 0, b"x".as_ptr(), 1, e, 1)
    });
    expect(valid(ro), format_args!("the channel handle was closed"));
    close_all(&[ro, b]);
}

/// "Every entry of handles must have ZX_RIGHT_TRANSFER"; "ZX_ERR_ACCESS_DENIED ... any element
/// in handles does not have ZX_RIGHT_TRANSFER"; all entries consumed, nothing sent.
fn entry_without_transfer_is_access_denied_and_consumed() {
    let (a, b) = channel();
    let (nt, w) = no_transfer();
    let before = sigs(b);
    expect_status(
        write(a, b"x", &[nt]),
        Status::ACCESS_DENIED,
        "[no-transfer]",
    );
    consumed(nt, w);
    nothing_sent(b, before);
    let (e1, w1) = witnessed_event();
    let (e2, w2) = witnessed_event();
    let (nt, w) = no_transfer();
    let s = write(a, b"x", &[e1, nt, e2]);
    expect_status(s, Status::ACCESS_DENIED, "[e1, no-transfer, e2]");
    consumed(e1, w1);
    consumed(nt, w);
    consumed(e2, w2);
    nothing_sent(b, before);
    close_all(&[a, b]);
}

// ---------------------------------------------------------------------------------------------
// NOT_SUPPORTED: self and peer
// ---------------------------------------------------------------------------------------------

/// "It is invalid to include handle ... in the handles array"; "ZX_ERR_NOT_SUPPORTED handle
/// was found in the handles array"; it is consumed like every entry (docs/abi.md fate rule), so the
/// peer sees PEER_CLOSED and no message.
fn own_handle_in_array_is_not_supported_and_closes_it() {
    let (a, b) = channel();
    expect_status(write(a, b"x", &[a]), Status::NOT_SUPPORTED, "[a] into a");
    expect(!valid(a), format_args!("own handle still valid"));
    check_eq!(sigs(b), PEER_CLOSED, "peer signals:");
    nothing_sent(b, PEER_CLOSED);
    close(b);

    // With other entries around it: they are consumed too.
    let (a, b) = channel();
    let (e1, w1) = witnessed_event();
    let (e2, w2) = witnessed_event();
    let s = write(a, b"x", &[e1, a, e2]);
    expect_status(s, Status::NOT_SUPPORTED, "[e1, a, e2] into a");
    expect(!valid(a), format_args!("own handle still valid"));
    consumed(e1, w1);
    consumed(e2, w2);
    nothing_sent(b, PEER_CLOSED);
    close(b);

    // The endpoint under a value it got after a round trip through another channel.
    let (a, b) = channel();
    let (c, d) = channel();
    expect_status(write(c, b"", &[a]), Status::OK, "move a through c");
    let mut rh = [0u32; 1];
    let (s, _, nh) = read_raw(d, &mut [], &mut rh);
    expect_status(s, Status::OK, "read a back");
    expect(nh == 1, format_args!("{} handles", nh));
    let a2 = rh[0];
    expect_status(
        write(a2, b"x", &[a2]),
        Status::NOT_SUPPORTED,
        "[a2] into a2",
    );
    expect(!valid(a2), format_args!("own handle still valid"));
    nothing_sent(b, PEER_CLOSED);
    close_all(&[b, c, d]);
}

/// docs/abi.md section 4: sending the peer endpoint through its own channel is NOT_SUPPORTED (by
/// object identity), and the peer handle is consumed (so the writer sees PEER_CLOSED).
fn peer_endpoint_in_array_is_not_supported_and_closes_it() {
    let (a, b) = channel();
    let m0 = kstats().live_messages;
    expect_status(write(a, b"x", &[b]), Status::NOT_SUPPORTED, "[b] into a");
    expect(!valid(b), format_args!("peer handle still valid"));
    check_eq!(sigs(a), PEER_CLOSED, "writer signals:");
    check!(kstats().live_messages == m0, "a message was queued");
    nothing_sent(a, PEER_CLOSED);
    close(a);

    // With other entries around it, and the peer under a new value.
    let (a, b) = channel();
    let b2 = replace(b, Rights::SAME_RIGHTS);
    let (e, w) = witnessed_event();
    expect_status(
        write(a, b"x", &[e, b2]),
        Status::NOT_SUPPORTED,
        "[e, b2] into a",
    );
    expect(!valid(b2), format_args!("peer handle still valid"));
    consumed(e, w);
    check!(kstats().live_messages == m0, "a message was queued");
    nothing_sent(a, PEER_CLOSED);
    close(a);
}

/// docs/abi.md section 4: per entry, BAD_HANDLE, then ACCESS_DENIED (TRANSFER), then
/// NOT_SUPPORTED (self/peer); all entries are processed and the first error is returned.
fn per_entry_checks_run_in_order_and_first_error_wins() {
    let (a, b) = channel();
    let before = sigs(b);
    // [bad, no-transfer] -> BAD_HANDLE; [no-transfer, bad] -> ACCESS_DENIED.
    let (nt, w) = no_transfer();
    expect_status(write(a, b"x", &[0, nt]), Status::BAD_HANDLE, "[0, nt]");
    consumed(nt, w);
    let (nt, w) = no_transfer();
    expect_status(write(a, b"x", &[nt, 0]), Status::ACCESS_DENIED, "[nt, 0]");
    consumed(nt, w);
    nothing_sent(b, before);
    close_all(&[a, b]);

    // [peer, no-transfer] -> NOT_SUPPORTED; both consumed.
    let (a, b) = channel();
    let (nt, w) = no_transfer();
    expect_status(write(a, b"x", &[b, nt]), Status::NOT_SUPPORTED, "[b, nt]");
    expect(!valid(b), format_args!("peer handle still valid"));
    consumed(nt, w);
    close(a);

    // [no-transfer, peer] -> ACCESS_DENIED; both consumed.
    let (a, b) = channel();
    let (nt, w) = no_transfer();
    expect_status(write(a, b"x", &[nt, b]), Status::ACCESS_DENIED, "[nt, b]");
    expect(!valid(b), format_args!("peer handle still valid"));
    expect(sigs(a) & PEER_CLOSED != 0, format_args!("peer not closed"));
    consumed(nt, w);
    close(a);

    // The channel's own handle without TRANSFER: ACCESS_DENIED comes before NOT_SUPPORTED,
    // and the handle is consumed all the same.
    let (a, b) = channel();
    let a_nt = replace(a, Rights::READ | Rights::WRITE | Rights::WAIT);
    let s = write(a_nt, b"x", &[a_nt]);
    expect_status(s, Status::ACCESS_DENIED, "[own handle without TRANSFER]");
    expect(!valid(a_nt), format_args!("own handle still valid"));
    nothing_sent(b, PEER_CLOSED);
    close(b);
}

// ---------------------------------------------------------------------------------------------
// Options and check order
// ---------------------------------------------------------------------------------------------

/// "ZX_ERR_INVALID_ARGS ... options contains an invalid option bit"; docs/abi.md: only
/// ZX_CHANNEL_WRITE_USE_IOVEC is accepted, and the handles are consumed on that error.
fn unknown_option_bits_are_invalid_args_and_consume_handles() {
    let (a, b) = channel();
    for opt in [
        1u32,
        4,
        0x8000_0000,
        CHANNEL_WRITE_USE_IOVEC | 1,
        0xffff_ffff,
    ] {
        refused_with_event(
            b,
            Status::INVALID_ARGS,
            "write with an unknown option",
            |e| raw::channel_write(a, opt, b"x".as_ptr(), 1, e, 1),
        );
    }
    close_all(&[a, b]);
}

/// docs/abi.md section 4: options, then the channel handle (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED),
/// then the sizes, then the bytes, then the handles.
fn checks_run_in_documented_order() {
    let (a, b) = channel();
    let ev = event();
    let ro = {
        let (c, d) = channel();
        close(d);
        replace(c, Rights::READ | Rights::TRANSFER | Rights::WAIT)
    };
    let big = MAX_BYTES as u32 + 1;
    let src = SRC.as_ptr();
    let bad_ptr = 0x1000 as *const u8;
    let bad_hp = 0x1000 as *const u32;
    let cw = raw::channel_write;
    let before = sigs(b);
    // Options first.
    for (got, what) in [
        (cw(0, 1, src, 1, null(), 0), "opt+bad h"),
        (cw(ev, 1, src, 1, null(), 0), "opt+type"),
        (cw(ro, 1, src, 1, null(), 0), "opt+rights"),
        (cw(a, 1, src, big, null(), 0), "opt+size"),
        (cw(a, 1, bad_ptr, 8, null(), 0), "opt+ptr"),
    ] {
        expect_status(got, Status::INVALID_ARGS, what);
    }
    // The channel handle next.
    for (got, what) in [
        (cw(0, 0, src, big, null(), 0), "bad h+size"),
        (cw(0, 0, bad_ptr, 8, null(), 0), "bad h+ptr"),
        (cw(0, 0, src, 1, bad_hp, 2), "bad h+hptr"),
    ] {
        expect_status(got, Status::BAD_HANDLE, what);
    }
    for (got, what) in [
        (cw(ev, 0, src, big, null(), 0), "type+size"),
        (cw(ev, 0, bad_ptr, 8, null(), 0), "type+ptr"),
    ] {
        expect_status(got, Status::WRONG_TYPE, what);
    }
    for (got, what) in [
        (cw(ro, 0, src, big, null(), 0), "rights+size"),
        (cw(ro, 0, bad_ptr, 8, null(), 0), "rights+ptr"),
    ] {
        expect_status(got, Status::ACCESS_DENIED, what);
    }
    // The sizes before the pointers.
    for (got, what) in [
        (cw(a, 0, bad_ptr, big, null(), 0), "size+ptr"),
        (cw(a, 0, src, 1, bad_hp, 65), "hsize+hptr"),
        (cw(a, 0, null(), 0, null(), 65), "hsize+NULL"),
    ] {
        expect_status(got, Status::OUT_OF_RANGE, what);
    }
    // The bytes before the handles.
    let invalid = Status::INVALID_ARGS;
    expect_status(cw(a, 0, bad_ptr, 8, bad_hp, 2), invalid, "ptr+hptr");
    nothing_sent(b, before);
    expect_status(
        cw(a, 0, bad_ptr, 8, [0u32].as_ptr(), 1),
        invalid,
        "ptr+bad entry",
    );
    let (e, w) = witnessed_event();
    expect_status(
        cw(a, 0, bad_ptr, 8, [e, e].as_ptr(), 2),
        invalid,
        "ptr+repeated entry",
    );
    consumed(e, w);
    let (nt, w) = no_transfer();
    expect_status(
        cw(a, 0, bad_ptr, 8, &nt, 1),
        invalid,
        "ptr+entry without TRANSFER",
    );
    consumed(nt, w);
    let (e, w) = witnessed_event();
    expect_status(cw(ev, 0, src, 1, &e, 1), Status::WRONG_TYPE, "type+entry");
    consumed(e, w);
    let (e, w) = witnessed_event();
    let s = cw(a, 0, src, big, [e, 0].as_ptr(), 2);
    expect_status(s, Status::OUT_OF_RANGE, "size+bad entry");
    consumed(e, w);
    nothing_sent(b, before);
    close_all(&[ev, ro, a, b]);
}

// ---------------------------------------------------------------------------------------------
// PEER_CLOSED
// ---------------------------------------------------------------------------------------------

/// "ZX_ERR_PEER_CLOSED The other side of the channel is closed"; the handles are consumed and
/// no message is left anywhere.
fn write_after_peer_closed_is_peer_closed_and_consumes_handles() {
    let (a, b) = channel();
    close(b);
    let s = sigs(a);
    check!(
        s & PEER_CLOSED != 0 && s & WRITABLE == 0,
        "writer signals {:#x}",
        s
    );
    let m0 = kstats().live_messages;
    let (e, w) = witnessed_event();
    let s = write(a, b"late", &[e]);
    expect_status(s, Status::PEER_CLOSED, "write after peer closed");
    consumed(e, w);
    expect_status(write(a, &[], &[]), Status::PEER_CLOSED, "empty write");
    check!(kstats().live_messages == m0, "a message was queued");
    close(a);
}

/// Messages written before the writer closed stay readable, whole and in order, by the peer
/// (docs/abi.md: closing destroys only the messages queued *to* the closed endpoint).
fn messages_written_before_close_stay_readable() {
    let (a, b) = channel();
    let (e, w) = witnessed_event();
    expect_status(write(a, b"one", &[e]), Status::OK, "write one");
    expect_status(write(a, b"two", &[]), Status::OK, "write two");
    close(a);
    check_eq!(sigs(b), READABLE | PEER_CLOSED, "reader signals:");
    let mut rb = [0u8; 8];
    let mut rh = [0u32; 2];
    let (st, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(st, Status::OK, "read one");
    check_eq!((nh, &rb[..nb as usize]), (1, &b"one"[..]), "first message:");
    check!(
        basic(rh[0]).koid == basic(w).koid,
        "handle arrived as another object"
    );
    close_all(&[rh[0], w]);
    let (st, nb, nh) = read_raw(b, &mut rb, &mut rh);
    expect_status(st, Status::OK, "read two");
    check_eq!(
        (nh, &rb[..nb as usize]),
        (0, &b"two"[..]),
        "second message:"
    );
    let (st, _, _) = read_raw(b, &mut rb, &mut rh);
    expect_status(st, Status::PEER_CLOSED, "read after drain");
    expect_status(write(b, b"x", &[]), Status::PEER_CLOSED, "write back");
    close(b);
}

// ---------------------------------------------------------------------------------------------
// Pending limit
// ---------------------------------------------------------------------------------------------

/// docs/abi.md section 4: at most 3500 unread messages; the next write is SHOULD_WAIT, sends
/// nothing, consumes its handles, and the writer loses WRITABLE until the reader drains one.
fn pending_limit_is_should_wait_and_clears_writable() {
    let (a, b) = channel();
    let m0 = kstats().live_messages;
    let limit = CHANNEL_MAX_PENDING as u32;
    let mut ok = true;
    for i in 0..limit {
        if i == limit - 1 {
            check!(
                sigs(a) & WRITABLE != 0,
                "writer lost WRITABLE with {} queued",
                i
            );
        }
        let s = write(a, &i.to_le_bytes(), &[]);
        if s != 0 {
            expect_status(s, Status::OK, "write below the limit");
            ok = false;
            break;
        }
    }
    let live = kstats().live_messages;
    let full = m0 + limit as u64;
    expect(
        live == full,
        format_args!("live messages {} (want {})", live, full),
    );
    let b_before = sigs(b);
    check_eq!(b_before, READABLE | WRITABLE, "reader signals:");
    let (e, w) = witnessed_event();
    let s = write(a, &0xdead_u32.to_le_bytes(), &[e]);
    expect_status(s, Status::SHOULD_WAIT, "write beyond the limit");
    consumed(e, w);
    check_eq!(sigs(a) & WRITABLE, 0, "writer signals at the limit:");
    check_eq!(sigs(b), b_before, "reader signals:");
    check!(
        kstats().live_messages == full,
        "the refused message was queued"
    );
    // The other direction has its own limit.
    expect_status(write(b, b"back", &[]), Status::OK, "write the other way");
    // Draining one restores WRITABLE.
    let mut rb = [0u8; 8];
    let (s, nb, _) = read_raw(b, &mut rb, &mut []);
    expect_status(s, Status::OK, "read first");
    check_eq!(&rb[..nb as usize], &0u32.to_le_bytes(), "first message:");
    check_eq!(
        sigs(a) & WRITABLE,
        WRITABLE,
        "writer signals after a drain:"
    );
    let s = write(a, &limit.to_le_bytes(), &[]);
    expect_status(s, Status::OK, "write after a drain");
    // Everything drains in order; the refused message is not among them.
    let mut next = 1u32;
    loop {
        let (s, nb, _) = read_raw(b, &mut rb, &mut []);
        if s != 0 {
            expect_status(s, Status::SHOULD_WAIT, "read until empty");
            break;
        }
        let v = u32::from_le_bytes([rb[0], rb[1], rb[2], rb[3]]);
        if nb != 4 || v != next {
            check!(false, "message {} is {:#x} ({} bytes)", next, v, nb);
            break;
        }
        next += 1;
    }
    if ok {
        check_eq!(next, limit + 1, "drained up to:");
    }
    close_all(&[a, b]);
}

zx::tests!(
    message_bytes_and_handles_arrive_intact,
    null_pointers_with_zero_sizes_are_ok,
    max_65536_bytes_and_64_handles_arrive_intact,
    narrow_arguments_use_only_low_32_bits,
    over_65536_bytes_is_out_of_range_and_consumes_handles,
    over_64_handles_is_out_of_range_and_consumes_all_65,
    unreadable_bytes_are_invalid_args_and_consume_handles,
    unreadable_handles_array_is_invalid_args_and_touches_no_handle,
    bad_channel_handle_is_bad_handle_and_consumes_handles,
    bad_entry_in_handles_is_bad_handle_and_consumes_the_rest,
    repeated_handles_are_bad_handle_and_consumed,
    non_channel_handle_is_wrong_type,
    channel_without_write_right_is_access_denied,
    entry_without_transfer_is_access_denied_and_consumed,
    own_handle_in_array_is_not_supported_and_closes_it,
    peer_endpoint_in_array_is_not_supported_and_closes_it,
    per_entry_checks_run_in_order_and_first_error_wins,
    unknown_option_bits_are_invalid_args_and_consume_handles,
    checks_run_in_documented_order,
    write_after_peer_closed_is_peer_closed_and_consumes_handles,
    messages_written_before_close_stay_readable,
    pending_limit_is_should_wait_and_clears_writable,
);

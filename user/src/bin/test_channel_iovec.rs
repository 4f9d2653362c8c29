//! zx_channel_write with ZX_CHANNEL_WRITE_USE_IOVEC: the iovec paragraphs of
//! docs/manual/zx_channel_write.md (order, entry and byte limits, NULL and unaligned buffers,
//! `reserved`, all-or-nothing copy, handles unchanged) and the write rules of docs/abi.md section 4
//! (check order, fate of the handles), with hostile buffers and iovec arrays from docs/abi.md
//! section 1; and the same option on `zx_channel_call` / `zx_channel_call_etc` (docs/abi.md
//! section 4, Zircon's `IOVecTest.Call*`): the request assembled from iovecs with the txid in its
//! first four bytes, the limits, all-or-nothing copy and the fate of the request handles.
#![no_std]
#![no_main]

use core::fmt;
use core::ptr::null;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use zx::test::*;
use zx::*;

const IOVEC: u32 = CHANNEL_WRITE_USE_IOVEC;
const MAX_IOVEC: usize = CHANNEL_MAX_MSG_IOVEC as usize;

const INVALID_ARGS: i32 = Status::INVALID_ARGS.raw();
const OUT_OF_RANGE: i32 = Status::OUT_OF_RANGE.raw();

// ---------------------------------------------------------------------------------------------
// Memory used by the cases
// ---------------------------------------------------------------------------------------------

fn src(off: usize) -> *const u8 {
    SRC[off..].as_ptr()
}

const EMPTY: ChannelIovec = ChannelIovec {
    buffer: 0,
    capacity: 0,
    reserved: 0,
};

/// One iovec array of one more than the maximum entries (8193 * 16 B = 128 KiB, in .bss).
static mut IOV: [ChannelIovec; MAX_IOVEC + 1] = [EMPTY; MAX_IOVEC + 1];

fn iov() -> &'static mut [ChannelIovec; MAX_IOVEC + 1] {
    // SAFETY: single-threaded program; one case at a time uses the array.
    unsafe { &mut *core::ptr::addr_of_mut!(IOV) }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn v(buf: *const u8, capacity: u32) -> ChannelIovec {
    at(buf as u64, capacity)
}

/// An entry for `capacity` bytes at the address `buffer`.
fn at(buffer: u64, capacity: u32) -> ChannelIovec {
    ChannelIovec {
        buffer,
        capacity,
        reserved: 0,
    }
}

/// Fills the first `n` entries of [`iov`] with `f(index)`; the array's address.
fn fill(n: usize, f: impl Fn(usize) -> ChannelIovec) -> *const ChannelIovec {
    let iv = iov();
    for (i, e) in iv[..n].iter_mut().enumerate() {
        *e = f(i);
    }
    iv.as_ptr()
}

/// `zx_channel_write(ch, ZX_CHANNEL_WRITE_USE_IOVEC, iov, n, handles)`.
fn wv(ch: u32, iov: *const ChannelIovec, n: u32, hs: &[u32]) -> i32 {
    wv_opt(ch, IOVEC, iov, n, hs)
}

fn wv_opt(ch: u32, options: u32, iov: *const ChannelIovec, n: u32, hs: &[u32]) -> i32 {
    wh(ch, options, iov, n, ptr_or_null(hs), hs.len() as u32)
}

/// `zx_channel_write(ch, options, iov, n, hs, nh)`: the handles array as a pointer.
fn wh(ch: u32, options: u32, iov: *const ChannelIovec, n: u32, hs: *const u32, nh: u32) -> i32 {
    raw::channel_write(ch, options, iov as *const u8, n, hs, nh)
}

/// Writes the entries of a slice.
fn ws(ch: u32, entries: &[ChannelIovec], hs: &[u32]) -> i32 {
    wv(ch, ptr_or_null(entries), entries.len() as u32, hs)
}

/// Reads one message and returns its bytes (handles closed); records a failure if there is
/// none.
#[track_caller]
fn read_bytes(ch: u32) -> &'static [u8] {
    let m = read_msg(ch);
    m.close();
    &rbuf()[..m.bytes as usize]
}

/// Index of the first byte where `a` and `b` differ, if any (or of the shorter length).
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a.len() != b.len() {
        return Some(a.len().min(b.len()));
    }
    a.iter().zip(b).position(|(x, y)| x != y)
}

/// A failed write: `got` must be `want`, the event sent alongside must be gone (docs/abi.md: "plain
/// write ... entries are gone from the caller"; `keep` is another handle to it whose count
/// shows it was closed, not parked), and the peer must show no message.
fn check_failed(got: i32, want: i32, sent: u32, keep: u32, peer: u32, what: impl fmt::Display) {
    let (got, want) = (Status(got), Status(want));
    check!(got == want, "{}: returned {} (want {})", what, got, want);
    check!(!valid(sent), "{}: the handle sent is still ours", what);
    check_eq!(handle_count(keep), 1, "{}: handle count:", what);
    check_eq!(signals(peer), WRITABLE, "{}: peer signals:", what);
}

/// A channel `a` -> `b` and an event `keep`, for writes that must fail.
struct Fails {
    a: u32,
    b: u32,
    keep: u32,
}

impl Fails {
    fn new() -> Fails {
        let (a, b) = channel();
        Fails {
            a,
            b,
            keep: event(),
        }
    }
    /// `write(a, e)`, with `e` a new handle to `keep`, fails as [`check_failed`] wants.
    fn with(&self, want: i32, what: impl fmt::Display, write: impl FnOnce(u32, u32) -> i32) {
        let e = dup(self.keep, Rights::SAME_RIGHTS);
        check_failed(write(self.a, e), want, e, self.keep, self.b, what);
    }
    /// Writing `n` entries at `p` (and a handle) fails with `want`.
    fn array(&self, p: *const ChannelIovec, n: u32, want: i32, what: &str) {
        self.with(want, what, |a, e| wv(a, p, n, &[e]));
    }
    /// Writing `entries` (and a handle) fails with `want`.
    fn entries(&self, entries: &[ChannelIovec], want: i32, what: impl fmt::Display) {
        self.with(want, what, |a, e| ws(a, entries, &[e]));
    }
    fn close(self) {
        close_all(&[self.keep, self.a, self.b]);
    }
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/// "bytes is interpreted as an array of zx_channel_iovec_t, specifying slices of bytes to
/// sequentially copy to the message in order. num_bytes specifies the number of
/// zx_channel_iovec_t array elements in bytes." Buffers from a read-only segment, the stack and
/// the same buffer twice.
fn bytes_are_copied_in_order_across_entries() {
    let (a, b) = channel();
    static HELLO: [u8; 5] = *b"Hello";
    let comma = *b", ";
    let world = *b"world";
    let bang = *b"!";
    let entries = [
        v(HELLO.as_ptr(), 5),
        v(null(), 0),
        v(comma.as_ptr(), 2),
        v(world.as_ptr(), 5),
        v(bang.as_ptr(), 1),
        v(bang.as_ptr(), 1),
    ];
    check_status!(ws(a, &entries, &[]), Status::OK);
    check_eq!(read_bytes(b), b"Hello, world!!");
    // Entries in reverse order give the bytes in reverse order of the slices.
    let entries = [v(src(100), 3), v(src(10), 4), v(src(0), 2)];
    check_status!(ws(a, &entries, &[]), Status::OK);
    let want = [
        SRC[100], SRC[101], SRC[102], SRC[10], SRC[11], SRC[12], SRC[13], SRC[0], SRC[1],
    ];
    check_eq!(read_bytes(b), &want[..]);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// "buffer ... may only be NULL if capacity is zero": NULL with zero capacity is fine, also as
/// the only entries (an empty message); no entries at all with a NULL array is an empty message
/// too (docs/abi.md section 1: NULL with a zero count is always valid).
fn null_buffer_with_zero_capacity_is_fine() {
    let (a, b) = channel();
    let entries = [v(null(), 0), v(b"ab".as_ptr(), 2), v(null(), 0)];
    check_status!(ws(a, &entries, &[]), Status::OK);
    check_eq!(read_bytes(b), b"ab");
    let entries = [v(null(), 0), v(null(), 0)];
    check_status!(ws(a, &entries, &[]), Status::OK);
    check_eq!(read_bytes(b).len(), 0);
    check_status!(wv(a, null(), 0, &[]), Status::OK);
    check_eq!(read_bytes(b).len(), 0);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// "There can be at most ZX_CHANNEL_MAX_MSG_IOVEC or 8192 zx_channel_iovec_t elements ... with
/// the sum of capacity ... not exceeding ZX_CHANNEL_MAX_MSG_BYTES or 65536 bytes": 8192 entries
/// of 8 bytes (65536 in all) are sent, in entry order (the entries take the source backwards).
fn max_entries_8192_of_8_bytes_send_65536_bytes_in_order() {
    let (a, b) = channel();
    let p = fill(MAX_IOVEC, |i| v(src((MAX_IOVEC - 1 - i) * 8), 8));
    check_status!(wv(a, p, MAX_IOVEC as u32, &[]), Status::OK);
    let m = read_msg(b);
    check_eq!(m.bytes as usize, MAX_BYTES);
    check_eq!(m.handles, 0);
    let got = &rbuf()[..MAX_BYTES];
    let bad = (0..MAX_IOVEC).find(|&i| {
        let s = (MAX_IOVEC - 1 - i) * 8;
        got[i * 8..i * 8 + 8] != SRC[s..s + 8]
    });
    check!(bad.is_none(), "entry {:?} was not copied in order", bad);
    // 16 entries of 4096 bytes: 65536 too.
    let p = fill(16, |i| v(src(i * 4096), 4096));
    check_status!(wv(a, p, 16, &[]), Status::OK);
    let got = read_bytes(b);
    check_eq!(first_difference(got, &SRC[..MAX_BYTES]), None);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// ERRORS: OUT_OF_RANGE "if num_bytes is larger than ZX_CHANNEL_MAX_MSG_IOVEC": 8193 entries,
/// even of zero bytes each and even with an array that cannot be read (sizes are checked before
/// the iovecs, docs/abi.md section 4); the handle sent along is consumed.
fn more_than_8192_entries_are_out_of_range() {
    let t = Fails::new();
    let n = MAX_IOVEC as u32 + 1;
    t.array(
        fill(n as usize, |_| EMPTY),
        n,
        OUT_OF_RANGE,
        "8193 empty entries",
    );
    let p = fill(n as usize, |i| v(src(i), 1));
    t.array(p, n, OUT_OF_RANGE, "8193 entries of 1 byte");
    t.array(null(), n, OUT_OF_RANGE, "8193 entries at NULL");
    let unmapped = 0x1000 as *const ChannelIovec;
    t.array(
        unmapped,
        u32::MAX,
        OUT_OF_RANGE,
        "u32::MAX entries at 0x1000",
    );
    // Control: 8192 of the same 1-byte entries are fine.
    check_status!(wv(t.a, p, MAX_IOVEC as u32, &[]), Status::OK);
    check_eq!(read_bytes(t.b).len(), MAX_IOVEC);
    t.close();
}

/// ERRORS: OUT_OF_RANGE "if ... the sum of the iovec capacities exceeds
/// ZX_CHANNEL_MAX_MSG_BYTES": totals just over 65536 spread over many entries, one large
/// entry, and capacities whose sum wraps a 32-bit counter.
fn capacities_summing_over_65536_are_out_of_range() {
    let t = Fails::new();
    let s0 = kstats();
    // 17 entries of 4096 = 69632.
    let p = fill(17, |i| v(src(i * 4096), 4096));
    t.array(p, 17, OUT_OF_RANGE, "17 entries of 4096");
    // 8191 entries of 8 and one of 9 = 65537, the 9 first, in the middle or last.
    for pos in [0, 4000, MAX_IOVEC - 1] {
        let p = fill(MAX_IOVEC, |i| v(src(i * 8), if i == pos { 9 } else { 8 }));
        t.array(
            p,
            MAX_IOVEC as u32,
            OUT_OF_RANGE,
            "8191 entries of 8 and one of 9",
        );
    }
    let sets: [(&[u32], &str); 5] = [
        (&[65537], "one entry of 65537"),
        (&[u32::MAX], "one entry of u32::MAX"),
        (&[0x8000_0000, 0x8000_0000], "two of 2^31 (sum 2^32)"),
        (&[u32::MAX, 1], "u32::MAX and 1 (sum 2^32)"),
        (&[8, u32::MAX, 9], "8, u32::MAX, 9 (sum 2^32 + 16)"),
    ];
    for (caps, what) in sets {
        let p = fill(caps.len(), |i| v(src(0), caps[i]));
        t.array(p, caps.len() as u32, OUT_OF_RANGE, what);
    }
    expect_no_new_messages(&s0);
    t.close();
}

/// docs/abi.md section 4: the sizes (OUT_OF_RANGE) are checked before the bytes (INVALID_ARGS): a
/// total over 65536 with an unreadable or NULL buffer among the entries is OUT_OF_RANGE.
fn size_check_comes_before_buffer_check() {
    let t = Fails::new();
    let p = fill(17, |i| {
        at(if i == 5 { 0x1000 } else { src(i * 4096) as u64 }, 4096)
    });
    t.array(p, 17, OUT_OF_RANGE, "17 x 4096 with one at 0x1000");
    t.entries(&[v(null(), 65537)], OUT_OF_RANGE, "NULL buffer of 65537");
    t.close();
}

/// "buffer ... may only be NULL if capacity is zero"; ERRORS: INVALID_ARGS "if the buffer field
/// contains an invalid pointer". Nothing is sent and the handle is consumed.
fn null_buffer_with_nonzero_capacity_is_invalid_args() {
    let t = Fails::new();
    let (ab, cd) = (v(b"ab".as_ptr(), 2), v(b"cd".as_ptr(), 2));
    let sets: [(&[ChannelIovec], &str); 4] = [
        (&[v(null(), 1)], "NULL of 1"),
        (&[v(null(), 65536)], "NULL of 65536"),
        (&[ab, v(null(), 1), cd], "NULL of 1 between good entries"),
        (&[ab, v(null(), 16)], "NULL of 16 last"),
    ];
    for (entries, what) in sets {
        t.entries(entries, INVALID_ARGS, what);
    }
    t.close();
}

/// "reserved must be set to zero."; ERRORS: INVALID_ARGS "if the reserved field is non-zero",
/// on any entry, also an empty one and the last of 8192.
fn nonzero_reserved_is_invalid_args() {
    let t = Fails::new();
    for reserved in [1u32, 0x8000_0000, u32::MAX] {
        let middle = ChannelIovec {
            reserved,
            ..v(b"cd".as_ptr(), 2)
        };
        let entries = [v(b"ab".as_ptr(), 2), middle, v(b"ef".as_ptr(), 2)];
        t.entries(&entries, INVALID_ARGS, "reserved on the middle entry");
        let empty = ChannelIovec { reserved, ..EMPTY };
        t.entries(&[empty], INVALID_ARGS, "reserved on an empty entry");
    }
    let p = fill(MAX_IOVEC, |i| ChannelIovec {
        reserved: (i == MAX_IOVEC - 1) as u32,
        ..v(src(i * 8), 8)
    });
    t.array(
        p,
        MAX_IOVEC as u32,
        INVALID_ARGS,
        "reserved on the last of 8192",
    );
    t.close();
}

/// "buffer need not be aligned": odd addresses and lengths, one crossing a page boundary, are
/// copied exactly.
fn unaligned_buffers_are_copied_exactly() {
    let (a, b) = channel();
    let parts = [(1, 3), (7, 13), (4093, 5), (8191, 1), (12289, 4095)];
    let entries = parts.map(|(off, len)| v(src(off), len as u32));
    check_status!(ws(a, &entries, &[]), Status::OK);
    let mut want = [0u8; 3 + 13 + 5 + 1 + 4095];
    let mut n = 0;
    for (off, len) in parts {
        want[n..n + len].copy_from_slice(&SRC[off..off + len]);
        n += len;
    }
    let got = read_bytes(b);
    check_eq!(got.len(), want.len());
    check_eq!(first_difference(got, &want), None);
    close_all(&[a, b]);
}

/// "Either all zx_channel_iovec_t are copied and the message is sent, or none are copied and
/// the message is not sent."; ERRORS: INVALID_ARGS "if the buffer field contains an invalid
/// pointer". One hostile buffer first, in the middle or last among good ones; and the last of
/// 8192 entries after 65528 good bytes.
fn one_unreadable_buffer_among_good_ones_sends_nothing() {
    let t = Fails::new();
    let s0 = kstats();
    let good = v(src(0), 16);
    for (p, n, what) in hostile_sources() {
        let bad = at(p, n);
        let sets = [[bad, good, good], [good, bad, good], [good, good, bad]];
        for (entries, pos) in sets.iter().zip(["first", "middle", "last"]) {
            t.entries(entries, INVALID_ARGS, format_args!("{} ({})", what, pos));
        }
    }
    let last = (stack_top() as u64) - 4;
    let p = fill(MAX_IOVEC, |i| {
        at(
            if i == MAX_IOVEC - 1 {
                last
            } else {
                src(i * 8) as u64
            },
            8,
        )
    });
    t.array(
        p,
        MAX_IOVEC as u32,
        INVALID_ARGS,
        "last of 8192 straddles the stack top",
    );
    expect_no_new_messages(&s0);
    t.close();
}

/// ERRORS: INVALID_ARGS "bytes is an invalid pointer": the iovec array itself cannot be read:
/// unmapped, kernel, crossing 2^47, wrapping, starting in the guard page, and one whose first
/// entry (a good one) is the last 16 bytes of the stack while the second is above it. The
/// handle is consumed (only an unreadable handles array spares the handles).
fn unreadable_iovec_array_is_invalid_args() {
    let t = Fails::new();
    for (p, n, what) in hostile_arrays() {
        t.array(p as *const ChannelIovec, n, INVALID_ARGS, what);
    }
    let top16 = (stack_top() as u64) - 16;
    t.with(INVALID_ARGS, "second entry above the stack top", |a, e| {
        with_stored(top16, v(src(0), 16), |p| wv(a, p as *const _, 2, &[e]))
    });
    // Control: that first entry alone is readable and good.
    let got = with_stored(top16, v(src(0), 16), |p| wv(t.a, p as *const _, 1, &[]));
    check_status!(got, Status::OK);
    check_eq!(read_bytes(t.b), &SRC[..16]);
    t.close();
}

/// "Usage for sending handles is unchanged": handles written with iovec bytes arrive with their
/// objects, types and rights, in order, and are gone from the writer.
fn handles_sent_alongside_arrive_unchanged() {
    let (a, b) = channel();
    let ev = replace(event(), Rights::TRANSFER | Rights::WAIT | Rights::SIGNAL);
    let (p0, p1) = eventpair();
    let (x, y) = channel();
    let hs = [ev, p0, x];
    let want: [InfoHandleBasic; 3] = [basic(ev), basic(p0), basic(x)];
    let entries = [v(b"with ".as_ptr(), 5), v(b"handles".as_ptr(), 7)];
    check_status!(ws(a, &entries, &hs), Status::OK);
    for h in hs {
        check!(!valid(h), "handle {:#x} is still the writer's", h);
    }
    let m = read_msg(b);
    check_eq!(&rbuf()[..m.bytes as usize], b"with handles");
    check_eq!(m.handles, 3);
    for (i, w) in want.iter().enumerate() {
        let (info, got) = (m.infos[i], basic(m.infos[i].handle));
        let got = (
            info.obj_type,
            info.rights,
            got.koid,
            got.rights,
            got.related_koid,
        );
        let w = (w.obj_type, w.rights, w.koid, w.rights, w.related_koid);
        check_eq!(
            got,
            w,
            "handle {}: type, rights, koid, rights, related koid:",
            i
        );
    }
    m.close();
    check_eq!(signals(y) & PEER_CLOSED, PEER_CLOSED);
    close_all(&[a, b, p1, y]);
}

/// docs/abi.md section 4: on every failure the handles are consumed as for plain write (an event, an
/// eventpair end and a channel end: their peers see them closed).
fn failures_consume_every_handle_sent() {
    let t = Fails::new();
    let p17 = fill(17, |i| v(src(i * 4096), 4096));
    let reserved = [ChannelIovec {
        reserved: 1,
        ..EMPTY
    }];
    let null_buffer = [v(null(), 4)];
    let unreadable = [v(src(0), 4), at(0x1000, 4)];
    let good = [v(src(0), 4)];
    // The option word, the entries and their number, the error.
    let failures: [(u32, *const ChannelIovec, u32, i32, &str); 7] = [
        (IOVEC | 1, good.as_ptr(), 1, INVALID_ARGS, "unknown option"),
        (IOVEC, reserved.as_ptr(), 1, INVALID_ARGS, "reserved"),
        (IOVEC, null_buffer.as_ptr(), 1, INVALID_ARGS, "NULL buffer"),
        (IOVEC, unreadable.as_ptr(), 2, INVALID_ARGS, "unreadable"),
        (
            IOVEC,
            0x1000 as *const _,
            1,
            INVALID_ARGS,
            "unreadable array",
        ),
        (IOVEC, p17, 17, OUT_OF_RANGE, "69632 bytes"),
        (IOVEC, p17, 8193, OUT_OF_RANGE, "8193 entries"),
    ];
    for (options, p, n, want, what) in failures {
        let (p0, p1) = eventpair();
        let (x, y) = channel();
        t.with(want, what, |a, e| wv_opt(a, options, p, n, &[e, p0, x]));
        check!(!valid(p0) && !valid(x), "{}: handles kept", what);
        let closed = signals(p1) & Signals::EVENTPAIR_PEER_CLOSED.bits() != 0;
        check!(closed, "{}: eventpair end not closed", what);
        check!(
            signals(y) & PEER_CLOSED != 0,
            "{}: channel end not closed",
            what
        );
        close_all(&[p1, y]);
    }
    t.close();
}

/// ERRORS: INVALID_ARGS "handles is an invalid pointer"; docs/abi.md section 4: "If the handles array
/// itself can't be read, no handle is touched." A readable first element (a real handle) and an
/// unreadable second, an unreadable first and a real handle second, and NULL.
fn unreadable_handles_array_touches_no_handle() {
    let (a, b) = channel();
    let e = event();
    let hi = [v(b"hi".as_ptr(), 2)];
    let write = |hs: u64, nh: u32| wh(a, IOVEC, hi.as_ptr(), 1, hs as *const u32, nh);
    let top = stack_top() as u64;
    let got = with_stored(top - 4, e, |p| write(p, 2));
    check_status!(got, Status::INVALID_ARGS);
    check!(valid(e), "the handle in the readable part was consumed");
    check_eq!(handle_count(e), 1);
    // 16 real handles in the last 64 bytes of the stack and a 17th element above it.
    let arr: [u32; 16] = core::array::from_fn(|_| dup(e, Rights::SAME_RIGHTS));
    check_status!(
        with_stored(top - 64, arr, |p| write(p, 17)),
        Status::INVALID_ARGS
    );
    for (i, &h) in arr.iter().enumerate() {
        check!(valid(h), "handle {} of the readable part was consumed", i);
        close(h);
    }
    check_eq!(handle_count(e), 1);
    let bottom = stack_bottom() as u64;
    let got = with_stored(bottom, e, |_| write(bottom - 4, 2));
    check_status!(got, Status::INVALID_ARGS);
    check!(
        valid(e),
        "the handle after the unreadable part was consumed"
    );
    check_status!(write(0, 1), Status::INVALID_ARGS);
    check!(valid(e));
    check_eq!(handle_count(e), 1);
    check_eq!(signals(b), WRITABLE);
    // Control: the first of those arrays, one element long, is readable and sends `e`.
    check_status!(with_stored(top - 4, e, |p| write(p, 1)), Status::OK);
    check!(!valid(e));
    let m = read_msg(b);
    check_eq!(m.handles, 1);
    check_eq!(&rbuf()[..m.bytes as usize], b"hi");
    m.close();
    close_all(&[a, b]);
}

/// "The maximum number of handles that may be sent in a message is ... 64" holds with iovecs:
/// 64 are fine, 65 are OUT_OF_RANGE and consumed.
fn sixty_five_handles_with_iovecs_are_out_of_range() {
    let (a, b) = channel();
    let keep = event();
    let entries = [v(b"h".as_ptr(), 1)];
    let hs: [u32; MAX_HANDLES + 1] = core::array::from_fn(|_| dup(keep, Rights::SAME_RIGHTS));
    check_status!(ws(a, &entries, &hs[..MAX_HANDLES]), Status::OK);
    let m = read_msg(b);
    check_eq!(m.handles as usize, MAX_HANDLES);
    m.close();
    close(hs[MAX_HANDLES]);
    check_eq!(handle_count(keep), 1);
    let hs: [u32; MAX_HANDLES + 1] = core::array::from_fn(|_| dup(keep, Rights::SAME_RIGHTS));
    check_status!(ws(a, &entries, &hs), Status::OUT_OF_RANGE);
    for (i, &h) in hs.iter().enumerate() {
        check!(!valid(h), "handle {} kept after OUT_OF_RANGE", i);
    }
    check_eq!(handle_count(keep), 1);
    check_eq!(signals(b), WRITABLE);
    close_all(&[keep, a, b]);
}

/// ERRORS: INVALID_ARGS "options contains an invalid option bit" (docs/abi.md: only
/// ZX_CHANNEL_WRITE_USE_IOVEC is accepted), with the handles consumed.
fn unknown_option_bits_with_iovec_are_invalid_args() {
    let t = Fails::new();
    let entries = [v(b"o".as_ptr(), 1)];
    for options in [IOVEC | 1, IOVEC | 4, IOVEC | 0x8000_0000, u32::MAX] {
        let write = |a, e| wv_opt(a, options, entries.as_ptr(), 1, &[e]);
        t.with(INVALID_ARGS, "unknown option bit", write);
    }
    t.close();
}

/// ERRORS: PEER_CLOSED "The other side of the channel is closed." with iovecs; the handle is
/// consumed ("All handles are discarded ... on success or failure").
fn peer_closed_with_iovecs_consumes_the_handles() {
    let (a, b) = channel();
    close(b);
    let keep = event();
    let e = dup(keep, Rights::SAME_RIGHTS);
    let entries = [v(b"gone".as_ptr(), 4)];
    check_status!(ws(a, &entries, &[e]), Status::PEER_CLOSED);
    check!(!valid(e));
    check_eq!(handle_count(keep), 1);
    close_all(&[keep, a]);
}

// ---------------------------------------------------------------------------------------------
// zx_channel_call and zx_channel_call_etc with ZX_CHANNEL_WRITE_USE_IOVEC
// ---------------------------------------------------------------------------------------------

/// What the echo server read: the request's bytes (the first `SRV_BYTES` of `SRV_BUF`), its
/// handle count and the status of its read (1 until it read).
static mut SRV_BUF: [u8; MAX_BYTES] = [0; MAX_BYTES];
static SRV_BYTES: AtomicU32 = AtomicU32::new(0);
static SRV_HANDLES: AtomicU32 = AtomicU32::new(0);
static SRV_STATUS: AtomicI32 = AtomicI32::new(1);

/// Server thread: waits for one request on the endpoint `arg` (owned), records it and writes it
/// back as the reply (txid, bytes and handles), then closes the endpoint. Only it touches
/// `SRV_BUF` until it is joined.
fn echo_once(arg: usize) {
    let ch = arg as u32;
    wait_raw(ch, READABLE | PEER_CLOSED, deadline_after(10 * SEC));
    let mut hs = [0u32; MAX_HANDLES];
    // SAFETY: only this thread uses SRV_BUF while it runs (see above).
    let buf = unsafe { &mut *core::ptr::addr_of_mut!(SRV_BUF) };
    let (st, nb, nh) = read_raw(ch, buf, &mut hs);
    SRV_BYTES.store(nb, Ordering::Relaxed);
    SRV_HANDLES.store(nh, Ordering::Relaxed);
    SRV_STATUS.store(st, Ordering::Relaxed);
    if st == 0 {
        raw::channel_write(ch, 0, buf.as_ptr(), nb, hs.as_ptr(), nh);
    }
    close(ch);
}

/// Starts `echo_once` on the endpoint `end` (moved to it).
fn start_echo(end: u32) -> Option<thread::Thread> {
    SRV_STATUS.store(1, Ordering::Relaxed);
    SRV_BYTES.store(0, Ordering::Relaxed);
    SRV_HANDLES.store(0, Ordering::Relaxed);
    start(echo_once, end as usize)
}

/// The request bytes the server read (valid once it was joined).
fn served() -> &'static [u8] {
    // SAFETY: the server thread has ended (joined); this thread alone uses SRV_BUF now.
    let buf = unsafe { &*core::ptr::addr_of!(SRV_BUF) };
    &buf[..(SRV_BYTES.load(Ordering::Relaxed) as usize).min(MAX_BYTES)]
}

/// What a call returned: status and the actual counts (u32::MAX where unwritten).
struct CallOut {
    st: Status,
    ab: u32,
    ah: u32,
}

/// `zx_channel_call(ch, options, deadline, args, ...)` (or `_etc` with `etc`): the request is
/// `wr.1` entries at `wr.0` (or whatever `wr_bytes` means under `options`) with `hs.1` handles
/// or dispositions at `hs.0`; the reply goes to `rbuf()` and `rd.0` (room for `rd.1` handles).
fn call_raw(ch: u32, etc: bool, options: u32, deadline: i64, wr: Arr, hs: Arr, rd: Arr) -> CallOut {
    let mut args = call_args(wr, hs, slice_arg_mut(rbuf()), rd);
    let (mut ab, mut ah) = (u32::MAX, u32::MAX);
    let st = if etc {
        raw::channel_call_etc(ch, options, deadline, &mut args, &mut ab, &mut ah)
    } else {
        raw::channel_call(ch, options, deadline, &args, &mut ab, &mut ah)
    };
    CallOut {
        st: Status(st),
        ab,
        ah,
    }
}

/// An array argument: its address and its number of entries.
type Arr = (u64, u32);

/// A call with iovecs and no handles, answered by `echo_once`: the server must read exactly
/// the concatenation `want` of the entries' buffers except for the first four bytes, which
/// hold the kernel's txid (>= 0x80000000); the reply (the same bytes) arrives whole. Checked
/// for call and call_etc.
fn call_echoes(entries: *const ChannelIovec, n: u32, want: &[u8], what: &str) {
    for etc in [false, true] {
        let (a, b) = channel();
        let srv = start_echo(b);
        let dl = deadline_after(10 * SEC);
        let r = call_raw(a, etc, IOVEC, dl, (entries as u64, n), (0, 0), (0, 0));
        join(srv);
        let what = format_args!("{} {}", if etc { "call_etc" } else { "call" }, what);
        check!(r.st == Status::OK, "{}: {}", what, r.st);
        check_eq!(SRV_STATUS.load(Ordering::Relaxed), 0);
        let got = served();
        check_eq!(got.len(), want.len(), "{}: bytes the server read:", what);
        if got.len() == want.len() && got.len() >= 4 {
            let txid = txid_of(got);
            check!(
                txid >= CALL_TXID_MIN,
                "{}: txid {:#x} in the request",
                what,
                txid
            );
            let diff = first_difference(&got[4..], &want[4..]).map(|i| i + 4);
            check_eq!(diff, None, "{}: request differs:", what);
            check_eq!((r.ab as usize, r.ah), (want.len(), 0), "{}: actual:", what);
            let diff = first_difference(&rbuf()[..want.len()], got);
            check_eq!(diff, None, "{}: reply differs from the request:", what);
        }
        check_eq!(signals(a), PEER_CLOSED);
        close(a);
    }
}

/// docs/abi.md section 4: `zx_channel_call` and `zx_channel_call_etc` accept
/// ZX_CHANNEL_WRITE_USE_IOVEC; the request is the entries' buffers in order and the txid goes
/// into the first four bytes of the assembled message, whichever entries those bytes came from
/// (Zircon's `IOVecTest.CallFewLargeIovecs` and `CallManySmallIovecs`, and the largest
/// message, 8192 entries of 8 bytes). The caller's buffers are not written.
fn call_with_iovecs_puts_the_txid_in_the_first_four_assembled_bytes() {
    let s0 = kstats();
    // Four 1-byte entries (after an empty one) make the txid, the rest follows.
    let bytes = [0x11u8, 0x22, 0x33, 0x44];
    let tail = *b"tail!";
    let entries = [
        v(null(), 0),
        v(&bytes[0], 1),
        v(&bytes[1], 1),
        v(&bytes[2], 1),
        v(&bytes[3], 1),
        v(tail.as_ptr(), 5),
    ];
    let mut want = [0u8; 9];
    want[..4].copy_from_slice(&bytes);
    want[4..].copy_from_slice(&tail);
    call_echoes(entries.as_ptr(), 6, &want, "1+1+1+1+5 bytes");
    check_eq!(bytes, [0x11, 0x22, 0x33, 0x44]);
    check_eq!(&tail, b"tail!");
    // Exactly 4 bytes, split 3 + 1: the message is just the txid.
    let entries = [v(src(0), 3), v(src(10), 1)];
    call_echoes(entries.as_ptr(), 2, &[0; 4], "3+1 bytes");
    // 3 entries of 8000 bytes.
    let mut want = [0u8; 24000];
    let entries = [v(src(0), 8000), v(src(20000), 8000), v(src(8000), 8000)];
    want[..8000].copy_from_slice(&SRC[..8000]);
    want[8000..16000].copy_from_slice(&SRC[20000..28000]);
    want[16000..].copy_from_slice(&SRC[8000..16000]);
    call_echoes(entries.as_ptr(), 3, &want, "3 entries of 8000");
    // 1000 entries of 10 bytes, taking the source backwards.
    let p = fill(1000, |i| v(src((999 - i) * 10), 10));
    let mut want = [0u8; 10000];
    for i in 0..1000 {
        want[i * 10..i * 10 + 10].copy_from_slice(&SRC[(999 - i) * 10..(999 - i) * 10 + 10]);
    }
    call_echoes(p, 1000, &want, "1000 entries of 10");
    // The largest: 8192 entries of 8 bytes, 65536 in all.
    let p = fill(MAX_IOVEC, |i| v(src(i * 8), 8));
    call_echoes(p, MAX_IOVEC as u32, &SRC[..MAX_BYTES], "8192 entries of 8");
    expect_no_new_messages(&s0);
}

/// Zircon's `IOVecTest.CallWithHandle` and `CallEtcWithHandle`: handles travel with an iovec
/// request as with any other (plain: moved; MOVE: moved, DUPLICATE: source kept) and come back
/// in the reply.
fn call_with_iovecs_and_handles() {
    let in_bytes = *b"12345678";
    let entries = [v(in_bytes.as_ptr(), 8)];
    let wr = (entries.as_ptr() as u64, 1);
    // zx_channel_call: one handle.
    let (a, b) = channel();
    let e = event();
    let k = basic(e).koid;
    let srv = start_echo(b);
    let hs = [e];
    let mut rh = [0u32; 4];
    let (hs, rd) = ((hs.as_ptr() as u64, 1), (rh.as_mut_ptr() as u64, 4));
    let r = call_raw(a, false, IOVEC, deadline_after(10 * SEC), wr, hs, rd);
    join(srv);
    check_eq!(r.st, Status::OK);
    check_eq!((r.ab, r.ah), (8, 1));
    check_eq!(SRV_HANDLES.load(Ordering::Relaxed), 1);
    check!(txid_of(rbuf()) >= CALL_TXID_MIN);
    check_eq!(&rbuf()[4..8], b"5678");
    check_eq!(&in_bytes, b"12345678");
    check!(!valid(e), "the request handle is still ours");
    check_eq!(basic(rh[0]).koid, k);
    check_eq!(handle_count(rh[0]), 1);
    close(rh[0]);
    close(a);
    // zx_channel_call_etc: a MOVE and a DUPLICATE.
    let (a, b) = channel();
    let e1 = event();
    let e2 = event();
    let (k1, k2) = (basic(e1).koid, basic(e2).koid);
    let srv = start_echo(b);
    let tw = Rights::TRANSFER | Rights::WAIT;
    let mut ds = [
        mv_as(e1, ObjType::EVENT),
        disp(HANDLE_OP_DUPLICATE, e2, ObjType::EVENT, tw),
    ];
    let mut infos = [HandleInfo::default(); 4];
    let (hs, rd) = ((ds.as_mut_ptr() as u64, 2), (infos.as_mut_ptr() as u64, 4));
    let r = call_raw(a, true, IOVEC, deadline_after(10 * SEC), wr, hs, rd);
    join(srv);
    check_eq!(r.st, Status::OK);
    check_eq!((r.ab, r.ah), (8, 2));
    check_eq!(&rbuf()[4..8], b"5678");
    check!(!valid(e1), "the MOVE source is still ours");
    check!(valid(e2), "the DUPLICATE source was consumed");
    check_eq!((ds[0].result, ds[1].result), (0, 0));
    check_eq!(infos[0].obj_type, ObjType::EVENT.raw());
    check_eq!(basic(infos[0].handle).koid, k1);
    check_eq!(infos[1].obj_type, ObjType::EVENT.raw());
    check_eq!(infos[1].rights, tw.bits());
    check_eq!(basic(infos[1].handle).koid, k2);
    check_eq!(handle_count(e2), 2);
    close(infos[0].handle);
    close(infos[1].handle);
    check_eq!(handle_count(e2), 1);
    close_all(&[e2, a]);
}

/// One failing call with iovecs, for call and call_etc: `want`, nothing sent (the peer `b`
/// shows no message), and the request handles' fate as for write: a plain handle and a MOVE
/// source are gone (their objects closed: `keep` is the only handle left), a DUPLICATE source
/// stays with its `result` untouched. A past deadline: a request sent by mistake would be
/// queued, not waited for.
fn check_call_fails(a: u32, b: u32, options: u32, iov: u64, n: u32, want: i32, what: &str) {
    let want = Status(want);
    let keep = event();
    let e = dup(keep, Rights::SAME_RIGHTS);
    let hs = (&e as *const u32 as u64, 1);
    let r = call_raw(a, false, options, 0, (iov, n), hs, (0, 0));
    check!(r.st == want, "call {}: {} (want {})", what, r.st, want);
    check!(!valid(e), "call {}: the request handle is still ours", what);
    let actuals = (r.ab, r.ah);
    check_eq!(
        actuals,
        (u32::MAX, u32::MAX),
        "call {}: actual_* written:",
        what
    );
    let moved = dup(keep, Rights::SAME_RIGHTS);
    let kept = event();
    let mut ds = [mv_as(moved, ObjType::EVENT), dp_as(kept, ObjType::EVENT)];
    let r = call_raw(
        a,
        true,
        options,
        0,
        (iov, n),
        (ds.as_mut_ptr() as u64, 2),
        (0, 0),
    );
    check!(r.st == want, "call_etc {}: {} (want {})", what, r.st, want);
    check!(!valid(moved), "call_etc {}: the MOVE source is ours", what);
    check!(
        valid(kept),
        "call_etc {}: the DUPLICATE source is gone",
        what
    );
    check_eq!(handle_count(kept), 1);
    check_eq!((ds[0].result, ds[1].result), (0, 0));
    check_eq!(handle_count(keep), 1, "{}: handle count:", what);
    check_eq!(signals(b), WRITABLE, "{}: peer signals:", what);
    close_all(&[kept, keep]);
}

/// docs/abi.md section 4 (Zircon's `IOVecTest.CallTooManyIovecs`, `CallTooManyBytes`): the limits of
/// zx_channel_write hold for a call's iovecs: more than 8192 entries, or capacities summing
/// over 65536, are OUT_OF_RANGE (before the buffers are looked at), nothing is sent and the
/// request handles meet their fate.
fn call_with_too_many_iovecs_or_bytes_is_out_of_range() {
    let (a, b) = channel();
    let fails = |iov, n, what: &str| check_call_fails(a, b, IOVEC, iov, n, OUT_OF_RANGE, what);
    let s0 = kstats();
    let p = fill(MAX_IOVEC + 1, |i| v(src(i % 4096), 1)) as u64;
    fails(p, MAX_IOVEC as u32 + 1, "8193 entries of 1");
    fails(0x1000, u32::MAX, "u32::MAX entries at 0x1000");
    // 1000 entries of 100 bytes (100000 in all), and 17 of 4096.
    let p = fill(1000, |i| v(src(i * 60), 100)) as u64;
    fails(p, 1000, "1000 entries of 100");
    let p = fill(17, |i| v(src(i * 4096), 4096)) as u64;
    fails(p, 17, "17 entries of 4096");
    // Over 65536 with an unreadable buffer among them: the size comes first.
    let p = fill(17, |i| {
        at(if i == 3 { 0x1000 } else { src(i * 4096) as u64 }, 4096)
    }) as u64;
    fails(p, 17, "17 x 4096, one unreadable");
    // Sums that wrap a 32-bit counter.
    let wrap = [v(src(0), u32::MAX), v(src(0), 1), v(src(0), 8)];
    fails(wrap.as_ptr() as u64, 3, "u32::MAX + 1 + 8");
    // Control: 8192 entries of 8 are within the limits (a past deadline: TIMED_OUT, sent).
    let p = fill(MAX_IOVEC, |i| v(src(i * 8), 8)) as u64;
    let r = call_raw(a, false, IOVEC, 0, (p, MAX_IOVEC as u32), (0, 0), (0, 0));
    check_eq!(r.st, Status::TIMED_OUT);
    check_eq!(read_bytes(b).len(), MAX_BYTES);
    expect_no_new_messages(&s0);
    close_all(&[a, b]);
}

/// docs/abi.md section 4: a call's request must hold at least the 4 bytes of the txid once
/// assembled (Zircon's `IOVecTest.CallIovecBytesLessThanTxidSize`); fewer is INVALID_ARGS,
/// nothing sent, handles consumed as for write.
fn call_with_fewer_than_4_assembled_bytes_is_invalid_args() {
    let (a, b) = channel();
    let fails = |iov, n, what: &str| check_call_fails(a, b, IOVEC, iov, n, INVALID_ARGS, what);
    let three = [v(src(0), 3)];
    let split = [v(src(0), 1), v(null(), 0), v(src(1), 2)];
    let empties = [v(null(), 0), v(null(), 0)];
    fails(three.as_ptr() as u64, 1, "one entry of 3");
    fails(split.as_ptr() as u64, 3, "1 + 0 + 2 bytes");
    fails(empties.as_ptr() as u64, 2, "two empty entries");
    fails(0, 0, "no entries");
    close_all(&[a, b]);
}

/// docs/abi.md section 4: all-or-nothing copy for a call's iovecs as for write: a nonzero
/// `reserved`, a NULL buffer with a capacity, an unreadable buffer (first, middle or last
/// among good ones, every hostile kind) or an unreadable iovec array is INVALID_ARGS and
/// nothing is sent.
fn call_with_a_bad_iovec_sends_nothing() {
    let (a, b) = channel();
    let fails = |iov, n, what: &str| check_call_fails(a, b, IOVEC, iov, n, INVALID_ARGS, what);
    let s0 = kstats();
    let good = v(src(0), 16);
    let reserved = [
        good,
        ChannelIovec {
            reserved: 1,
            ..v(src(0), 4)
        },
    ];
    fails(reserved.as_ptr() as u64, 2, "nonzero reserved");
    let null_cap = [good, v(null(), 4)];
    fails(null_cap.as_ptr() as u64, 2, "NULL buffer of 4");
    for (p, n, what) in hostile_sources() {
        let bad = at(p, n);
        for entries in [[bad, good, good], [good, bad, good], [good, good, bad]] {
            fails(entries.as_ptr() as u64, 3, what);
        }
    }
    for (p, n, what) in hostile_arrays() {
        fails(p, n, what);
    }
    expect_no_new_messages(&s0);
    close_all(&[a, b]);
}

/// docs/abi.md section 4: ZX_CHANNEL_WRITE_USE_IOVEC is the only option a call accepts; any other
/// bit, with or without it, is INVALID_ARGS and the request handles meet their fate.
fn call_with_unknown_option_bits_is_invalid_args() {
    let (a, b) = channel();
    let req = [0u8; 8];
    let entries = [v(req.as_ptr(), 8)];
    let fails = |options, iov: u64, n, what| {
        check_call_fails(a, b, options, iov, n, INVALID_ARGS, what);
    };
    for options in [1u32, 4, 0x8000_0000, !IOVEC] {
        fails(options, req.as_ptr() as u64, 8, "unknown option bit");
    }
    for options in [IOVEC | 1, IOVEC | 4, IOVEC | 0x8000_0000, u32::MAX] {
        fails(
            options,
            entries.as_ptr() as u64,
            1,
            "unknown option bit with IOVEC",
        );
    }
    close_all(&[a, b]);
}

zx::tests!(
    bytes_are_copied_in_order_across_entries,
    null_buffer_with_zero_capacity_is_fine,
    max_entries_8192_of_8_bytes_send_65536_bytes_in_order,
    more_than_8192_entries_are_out_of_range,
    capacities_summing_over_65536_are_out_of_range,
    size_check_comes_before_buffer_check,
    null_buffer_with_nonzero_capacity_is_invalid_args,
    nonzero_reserved_is_invalid_args,
    unaligned_buffers_are_copied_exactly,
    one_unreadable_buffer_among_good_ones_sends_nothing,
    unreadable_iovec_array_is_invalid_args,
    handles_sent_alongside_arrive_unchanged,
    failures_consume_every_handle_sent,
    unreadable_handles_array_touches_no_handle,
    sixty_five_handles_with_iovecs_are_out_of_range,
    unknown_option_bits_with_iovec_are_invalid_args,
    peer_closed_with_iovecs_consumes_the_handles,
    call_with_iovecs_puts_the_txid_in_the_first_four_assembled_bytes,
    call_with_iovecs_and_handles,
    call_with_too_many_iovecs_or_bytes_is_out_of_range,
    call_with_fewer_than_4_assembled_bytes_is_invalid_args,
    call_with_a_bad_iovec_sends_nothing,
    call_with_unknown_option_bits_is_invalid_args,
);

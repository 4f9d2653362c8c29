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
    ChannelIovec {
        buffer: buf as u64,
        capacity,
        reserved: 0,
    }
}

/// `zx_channel_write(ch, ZX_CHANNEL_WRITE_USE_IOVEC, iov, n, handles)`.
fn wv(ch: u32, iov: *const ChannelIovec, n: u32, hs: &[u32]) -> i32 {
    wv_opt(ch, IOVEC, iov, n, hs)
}

fn wv_opt(ch: u32, options: u32, iov: *const ChannelIovec, n: u32, hs: &[u32]) -> i32 {
    let h = if hs.is_empty() { null() } else { hs.as_ptr() };
    raw::channel_write(ch, options, iov as *const u8, n, h, hs.len() as u32)
}

/// Writes the entries of a slice.
fn ws(ch: u32, entries: &[ChannelIovec], hs: &[u32]) -> i32 {
    let p = if entries.is_empty() {
        null()
    } else {
        entries.as_ptr()
    };
    wv(ch, p, entries.len() as u32, hs)
}

/// Reads one message and returns its bytes (handles closed); records a failure if there is
/// none.
fn read_bytes(ch: u32) -> &'static [u8] {
    match read_etc(ch) {
        Ok(m) => {
            m.close();
            &rbuf()[..m.bytes as usize]
        }
        Err(s) => {
            check!(false, "read_etc returned {}", s);
            &[]
        }
    }
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
    check!(
        got == want,
        "{}: returned {} (want {})",
        what,
        Status(got),
        Status(want)
    );
    check!(!valid(sent), "{}: the handle sent is still ours", what);
    check_eq!(handle_count(keep), 1, "{}: handle count:", what);
    check_eq!(signals(peer), WRITABLE, "{}: peer signals:", what);
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
    let iv = iov();
    for (i, e) in iv[..MAX_IOVEC].iter_mut().enumerate() {
        *e = v(src((MAX_IOVEC - 1 - i) * 8), 8);
    }
    check_status!(wv(a, iv.as_ptr(), MAX_IOVEC as u32, &[]), Status::OK);
    let m = read_msg(b);
    check_eq!(m.bytes as usize, MAX_BYTES);
    check_eq!(m.handles, 0);
    let got = &rbuf()[..MAX_BYTES];
    let mut bad = None;
    for i in 0..MAX_IOVEC {
        let s = (MAX_IOVEC - 1 - i) * 8;
        if got[i * 8..i * 8 + 8] != SRC[s..s + 8] {
            bad = Some(i);
            break;
        }
    }
    check!(bad.is_none(), "entry {:?} was not copied in order", bad);
    // 16 entries of 4096 bytes: 65536 too.
    for (i, e) in iv[..16].iter_mut().enumerate() {
        *e = v(src(i * 4096), 4096);
    }
    check_status!(wv(a, iv.as_ptr(), 16, &[]), Status::OK);
    let got = read_bytes(b);
    check_eq!(first_difference(got, &SRC[..MAX_BYTES]), None);
    check_eq!(signals(b), WRITABLE);
    close_all(&[a, b]);
}

/// ERRORS: OUT_OF_RANGE "if num_bytes is larger than ZX_CHANNEL_MAX_MSG_IOVEC": 8193 entries,
/// even of zero bytes each and even with an array that cannot be read (sizes are checked before
/// the iovecs, docs/abi.md section 4); the handle sent along is consumed.
fn more_than_8192_entries_are_out_of_range() {
    let (a, b) = channel();
    let keep = event();
    let iv = iov();
    for e in iv.iter_mut() {
        *e = EMPTY;
    }
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, iv.as_ptr(), MAX_IOVEC as u32 + 1, &[e]);
    check_failed(got, OUT_OF_RANGE, e, keep, b, "8193 empty entries");
    for (i, e) in iv.iter_mut().enumerate() {
        *e = v(src(i), 1);
    }
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, iv.as_ptr(), MAX_IOVEC as u32 + 1, &[e]);
    check_failed(got, OUT_OF_RANGE, e, keep, b, "8193 entries of 1 byte");
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, null(), MAX_IOVEC as u32 + 1, &[e]);
    check_failed(got, OUT_OF_RANGE, e, keep, b, "8193 entries at NULL");
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, 0x1000 as *const ChannelIovec, u32::MAX, &[e]);
    check_failed(got, OUT_OF_RANGE, e, keep, b, "u32::MAX entries at 0x1000");
    // Control: 8192 of the same 1-byte entries are fine.
    check_status!(wv(a, iv.as_ptr(), MAX_IOVEC as u32, &[]), Status::OK);
    check_eq!(read_bytes(b).len(), MAX_IOVEC);
    close_all(&[keep, a, b]);
}

/// ERRORS: OUT_OF_RANGE "if ... the sum of the iovec capacities exceeds
/// ZX_CHANNEL_MAX_MSG_BYTES": totals just over 65536 spread over many entries, one large
/// entry, and capacities whose sum wraps a 32-bit counter.
fn capacities_summing_over_65536_are_out_of_range() {
    let (a, b) = channel();
    let s0 = kstats();
    let keep = event();
    let failed = |got, want, e, what: &str| check_failed(got, want, e, keep, b, what);
    let iv = iov();
    // 17 entries of 4096 = 69632.
    for (i, e) in iv[..17].iter_mut().enumerate() {
        *e = v(src(i * 4096), 4096);
    }
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, iv.as_ptr(), 17, &[e]);
    check_failed(got, OUT_OF_RANGE, e, keep, b, "17 entries of 4096");
    // 8191 entries of 8 and one of 9 = 65537, the 9 first, in the middle or last.
    for pos in [0, 4000, MAX_IOVEC - 1] {
        for (i, e) in iv[..MAX_IOVEC].iter_mut().enumerate() {
            *e = v(src(i * 8), if i == pos { 9 } else { 8 });
        }
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = wv(a, iv.as_ptr(), MAX_IOVEC as u32, &[e]);
        failed(got, OUT_OF_RANGE, e, "8191 entries of 8 and one of 9");
    }
    let sets: [(&[u32], &str); 5] = [
        (&[65537], "one entry of 65537"),
        (&[u32::MAX], "one entry of u32::MAX"),
        (&[0x8000_0000, 0x8000_0000], "two of 2^31 (sum 2^32)"),
        (&[u32::MAX, 1], "u32::MAX and 1 (sum 2^32)"),
        (&[8, u32::MAX, 9], "8, u32::MAX, 9 (sum 2^32 + 16)"),
    ];
    for (caps, what) in sets {
        for (e, &c) in iv.iter_mut().zip(caps) {
            *e = v(src(0), c);
        }
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = wv(a, iv.as_ptr(), caps.len() as u32, &[e]);
        check_failed(got, OUT_OF_RANGE, e, keep, b, what);
    }
    let s1 = kstats();
    check_eq!(s1.live_messages, s0.live_messages);
    check_eq!(s1.ipc_bytes, s0.ipc_bytes);
    close_all(&[keep, a, b]);
}

/// docs/abi.md section 4: the sizes (OUT_OF_RANGE) are checked before the bytes (INVALID_ARGS): a
/// total over 65536 with an unreadable or NULL buffer among the entries is OUT_OF_RANGE.
fn size_check_comes_before_buffer_check() {
    let (a, b) = channel();
    let keep = event();
    let failed = |got, want, e, what: &str| check_failed(got, want, e, keep, b, what);
    let iv = iov();
    for (i, e) in iv[..17].iter_mut().enumerate() {
        *e = v(src(i * 4096), 4096);
    }
    iv[5] = ChannelIovec {
        buffer: 0x1000,
        capacity: 4096,
        reserved: 0,
    };
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, iv.as_ptr(), 17, &[e]);
    failed(got, OUT_OF_RANGE, e, "17 x 4096 with one at 0x1000");
    let entries = [v(null(), 65537)];
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = ws(a, &entries, &[e]);
    check_failed(got, OUT_OF_RANGE, e, keep, b, "NULL buffer of 65537");
    close_all(&[keep, a, b]);
}

/// "buffer ... may only be NULL if capacity is zero"; ERRORS: INVALID_ARGS "if the buffer field
/// contains an invalid pointer". Nothing is sent and the handle is consumed.
fn null_buffer_with_nonzero_capacity_is_invalid_args() {
    let (a, b) = channel();
    let keep = event();
    let sets: [(&[ChannelIovec], &str); 4] = [
        (&[v(null(), 1)], "NULL of 1"),
        (&[v(null(), 65536)], "NULL of 65536"),
        (
            &[v(b"ab".as_ptr(), 2), v(null(), 1), v(b"cd".as_ptr(), 2)],
            "NULL of 1 between good entries",
        ),
        (&[v(b"ab".as_ptr(), 2), v(null(), 16)], "NULL of 16 last"),
    ];
    for (entries, what) in sets {
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = ws(a, entries, &[e]);
        check_failed(got, INVALID_ARGS, e, keep, b, what);
    }
    close_all(&[keep, a, b]);
}

/// "reserved must be set to zero."; ERRORS: INVALID_ARGS "if the reserved field is non-zero",
/// on any entry, also an empty one and the last of 8192.
fn nonzero_reserved_is_invalid_args() {
    let (a, b) = channel();
    let keep = event();
    let failed = |got, want, e, what: &str| check_failed(got, want, e, keep, b, what);
    for reserved in [1u32, 0x8000_0000, u32::MAX] {
        let entries = [
            v(b"ab".as_ptr(), 2),
            ChannelIovec {
                buffer: b"cd".as_ptr() as u64,
                capacity: 2,
                reserved,
            },
            v(b"ef".as_ptr(), 2),
        ];
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = ws(a, &entries, &[e]);
        failed(got, INVALID_ARGS, e, "reserved on the middle entry");
        let entries = [ChannelIovec {
            buffer: 0,
            capacity: 0,
            reserved,
        }];
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = ws(a, &entries, &[e]);
        check_failed(got, INVALID_ARGS, e, keep, b, "reserved on an empty entry");
    }
    let iv = iov();
    for (i, e) in iv[..MAX_IOVEC].iter_mut().enumerate() {
        *e = v(src(i * 8), 8);
    }
    iv[MAX_IOVEC - 1].reserved = 1;
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, iv.as_ptr(), MAX_IOVEC as u32, &[e]);
    failed(got, INVALID_ARGS, e, "reserved on the last of 8192");
    close_all(&[keep, a, b]);
}

/// "buffer need not be aligned": odd addresses and lengths, one crossing a page boundary, are
/// copied exactly.
fn unaligned_buffers_are_copied_exactly() {
    let (a, b) = channel();
    let entries = [
        v(src(1), 3),
        v(src(7), 13),
        v(src(4093), 5),
        v(src(8191), 1),
        v(src(12289), 4095),
    ];
    check_status!(ws(a, &entries, &[]), Status::OK);
    let mut want = [0u8; 3 + 13 + 5 + 1 + 4095];
    let mut n = 0;
    for (off, len) in [(1, 3), (7, 13), (4093, 5), (8191, 1), (12289, 4095)] {
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
    let (a, b) = channel();
    let keep = event();
    let failed = |got, want, e, what: &str| check_failed(got, want, e, keep, b, what);
    let s0 = kstats();
    let good = v(src(0), 16);
    for (p, n, what) in hostile_sources() {
        let bad = ChannelIovec {
            buffer: p,
            capacity: n,
            reserved: 0,
        };
        for (entries, pos) in [
            ([bad, good, good], "first"),
            ([good, bad, good], "middle"),
            ([good, good, bad], "last"),
        ] {
            let e = dup(keep, Rights::SAME_RIGHTS);
            let got = ws(a, &entries, &[e]);
            check_failed(
                got,
                INVALID_ARGS,
                e,
                keep,
                b,
                format_args!("{} ({})", what, pos),
            );
        }
    }
    let iv = iov();
    for (i, e) in iv[..MAX_IOVEC].iter_mut().enumerate() {
        *e = v(src(i * 8), 8);
    }
    iv[MAX_IOVEC - 1].buffer = (stack_top() as u64) - 4;
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = wv(a, iv.as_ptr(), MAX_IOVEC as u32, &[e]);
    failed(got, INVALID_ARGS, e, "last of 8192 straddles the stack top");
    let s1 = kstats();
    check_eq!(s1.live_messages, s0.live_messages);
    check_eq!(s1.ipc_bytes, s0.ipc_bytes);
    close_all(&[keep, a, b]);
}

/// ERRORS: INVALID_ARGS "bytes is an invalid pointer": the iovec array itself cannot be read:
/// unmapped, kernel, crossing 2^47, wrapping, starting in the guard page, and one whose first
/// entry (a good one) is the last 16 bytes of the stack while the second is above it. The
/// handle is consumed (only an unreadable handles array spares the handles).
fn unreadable_iovec_array_is_invalid_args() {
    let (a, b) = channel();
    let keep = event();
    let failed = |got, want, e, what: &str| check_failed(got, want, e, keep, b, what);
    for (p, n, what) in hostile_arrays() {
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = wv(a, p as *const ChannelIovec, n, &[e]);
        check_failed(got, INVALID_ARGS, e, keep, b, what);
    }
    let e = dup(keep, Rights::SAME_RIGHTS);
    let got = with_stored((stack_top() as u64) - 16, v(src(0), 16), |p| {
        wv(a, p as *const ChannelIovec, 2, &[e])
    });
    failed(got, INVALID_ARGS, e, "second entry above the stack top");
    // Control: that first entry alone is readable and good.
    let got = with_stored((stack_top() as u64) - 16, v(src(0), 16), |p| {
        wv(a, p as *const ChannelIovec, 1, &[])
    });
    check_status!(got, Status::OK);
    check_eq!(read_bytes(b), &SRC[..16]);
    close_all(&[keep, a, b]);
}

/// "Usage for sending handles is unchanged": handles written with iovec bytes arrive with their
/// objects, types and rights, in order, and are gone from the writer.
fn handles_sent_alongside_arrive_unchanged() {
    let (a, b) = channel();
    let ev = replace(
        event(),
        Rights::TRANSFER.bits() | Rights::WAIT.bits() | Rights::SIGNAL.bits(),
    );
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
        let info = m.infos[i];
        let got = basic(info.handle);
        check!(
            info.obj_type == w.obj_type
                && info.rights == w.rights
                && got.koid == w.koid
                && got.rights == w.rights
                && got.related_koid == w.related_koid,
            "handle {}: type {} rights {:#x} koid {} (want {} {:#x} {})",
            i,
            info.obj_type,
            info.rights,
            got.koid,
            w.obj_type,
            w.rights,
            w.koid
        );
    }
    m.close();
    check_eq!(signals(y) & PEER_CLOSED, PEER_CLOSED);
    close_all(&[a, b, p1, y]);
}

/// docs/abi.md section 4: on every failure the handles are consumed as for plain write (an event, an
/// eventpair end and a channel end: their peers see them closed).
fn failures_consume_every_handle_sent() {
    let (a, b) = channel();
    let keep = event();
    let iv = iov();
    for (i, e) in iv[..17].iter_mut().enumerate() {
        *e = v(src(i * 4096), 4096);
    }
    let bad_reserved = [ChannelIovec {
        buffer: 0,
        capacity: 0,
        reserved: 1,
    }];
    let bad_null = [v(null(), 4)];
    let bad_buffer = [v(src(0), 4), v(0x1000 as *const u8, 4)];
    let good = [v(src(0), 4)];
    let failures: [(u32, *const ChannelIovec, u32, i32, &str); 7] = [
        (
            IOVEC | 1,
            good.as_ptr(),
            1,
            INVALID_ARGS,
            "unknown option bit",
        ),
        (IOVEC, bad_reserved.as_ptr(), 1, INVALID_ARGS, "reserved"),
        (IOVEC, bad_null.as_ptr(), 1, INVALID_ARGS, "NULL buffer"),
        (
            IOVEC,
            bad_buffer.as_ptr(),
            2,
            INVALID_ARGS,
            "unreadable buffer",
        ),
        (
            IOVEC,
            0x1000 as *const _,
            1,
            INVALID_ARGS,
            "unreadable array",
        ),
        (IOVEC, iv.as_ptr(), 17, OUT_OF_RANGE, "69632 bytes"),
        (IOVEC, iv.as_ptr(), 8193, OUT_OF_RANGE, "8193 entries"),
    ];
    for (options, p, n, want, what) in failures {
        let e = dup(keep, Rights::SAME_RIGHTS);
        let (p0, p1) = eventpair();
        let (x, y) = channel();
        let got = wv_opt(a, options, p, n, &[e, p0, x]);
        check_failed(got, want, e, keep, b, what);
        check!(!valid(p0) && !valid(x), "{}: handles kept", what);
        let mut obs = 0;
        raw::object_wait_one(p1, Signals::EVENTPAIR_PEER_CLOSED.bits(), 0, &mut obs);
        check!(
            obs & Signals::EVENTPAIR_PEER_CLOSED.bits() != 0,
            "{}: eventpair end not closed",
            what
        );
        check!(
            signals(y) & PEER_CLOSED != 0,
            "{}: channel end not closed",
            what
        );
        close_all(&[p1, y]);
    }
    close_all(&[keep, a, b]);
}

/// ERRORS: INVALID_ARGS "handles is an invalid pointer"; docs/abi.md section 4: "If the handles array
/// itself can't be read, no handle is touched." A readable first element (a real handle) and an
/// unreadable second, an unreadable first and a real handle second, and NULL.
fn unreadable_handles_array_touches_no_handle() {
    let (a, b) = channel();
    let e = event();
    let entries = [v(b"hi".as_ptr(), 2)];
    let got = with_stored((stack_top() as u64) - 4, e, |p| {
        raw::channel_write(
            a,
            IOVEC,
            entries.as_ptr() as *const u8,
            1,
            p as *const u32,
            2,
        )
    });
    check_status!(got, Status::INVALID_ARGS);
    check!(valid(e), "the handle in the readable part was consumed");
    check_eq!(handle_count(e), 1);
    // 16 real handles in the last 64 bytes of the stack and a 17th element above it.
    let mut arr = [0u32; 16];
    for h in arr.iter_mut() {
        *h = dup(e, Rights::SAME_RIGHTS);
    }
    let got = with_stored((stack_top() as u64) - 64, arr, |p| {
        raw::channel_write(
            a,
            IOVEC,
            entries.as_ptr() as *const u8,
            1,
            p as *const u32,
            17,
        )
    });
    check_status!(got, Status::INVALID_ARGS);
    for (i, &h) in arr.iter().enumerate() {
        check!(valid(h), "handle {} of the readable part was consumed", i);
        close(h);
    }
    check_eq!(handle_count(e), 1);
    let got = with_stored(stack_bottom() as u64, e, |_| {
        raw::channel_write(
            a,
            IOVEC,
            entries.as_ptr() as *const u8,
            1,
            ((stack_bottom() as u64) - 4) as *const u32,
            2,
        )
    });
    check_status!(got, Status::INVALID_ARGS);
    check!(
        valid(e),
        "the handle after the unreadable part was consumed"
    );
    let got = raw::channel_write(a, IOVEC, entries.as_ptr() as *const u8, 1, null(), 1);
    check_status!(got, Status::INVALID_ARGS);
    check!(valid(e));
    check_eq!(handle_count(e), 1);
    check_eq!(signals(b), WRITABLE);
    // Control: the first of those arrays, one element long, is readable and sends `e`.
    let got = with_stored((stack_top() as u64) - 4, e, |p| {
        raw::channel_write(
            a,
            IOVEC,
            entries.as_ptr() as *const u8,
            1,
            p as *const u32,
            1,
        )
    });
    check_status!(got, Status::OK);
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
    let mut hs = [0u32; MAX_HANDLES + 1];
    let entries = [v(b"h".as_ptr(), 1)];
    for h in hs.iter_mut() {
        *h = dup(keep, Rights::SAME_RIGHTS);
    }
    check_status!(ws(a, &entries, &hs[..MAX_HANDLES]), Status::OK);
    let m = read_msg(b);
    check_eq!(m.handles as usize, MAX_HANDLES);
    m.close();
    close(hs[MAX_HANDLES]);
    check_eq!(handle_count(keep), 1);
    for h in hs.iter_mut() {
        *h = dup(keep, Rights::SAME_RIGHTS);
    }
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
    let (a, b) = channel();
    let keep = event();
    let entries = [v(b"o".as_ptr(), 1)];
    for options in [IOVEC | 1, IOVEC | 4, IOVEC | 0x8000_0000, u32::MAX] {
        let e = dup(keep, Rights::SAME_RIGHTS);
        let got = wv_opt(a, options, entries.as_ptr(), 1, &[e]);
        check_failed(got, INVALID_ARGS, e, keep, b, "unknown option bit");
    }
    close_all(&[keep, a, b]);
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

const SEC: i64 = 1_000_000_000;

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
    let mut obs = 0;
    raw::object_wait_one(
        ch,
        READABLE | PEER_CLOSED,
        deadline_after(10 * SEC),
        &mut obs,
    );
    let mut hs = [0u32; MAX_HANDLES];
    let (mut nb, mut nh) = (0u32, 0u32);
    // SAFETY: only this thread uses SRV_BUF while it runs (see above).
    let buf = unsafe { &mut *core::ptr::addr_of_mut!(SRV_BUF) };
    let st = raw::channel_read(
        ch,
        0,
        buf.as_mut_ptr(),
        hs.as_mut_ptr(),
        MAX_BYTES as u32,
        MAX_HANDLES as u32,
        &mut nb,
        &mut nh,
    );
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
    let t = thread::spawn(echo_once, end as usize);
    check!(t.is_ok(), "thread spawn failed");
    t.ok()
}

fn join(t: Option<thread::Thread>) {
    if let Some(t) = t {
        let r = t.join(deadline_after(10 * SEC));
        check!(r.is_ok(), "the echo server did not end: {:?}", r);
    }
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
/// `n` entries at `iov` (or whatever `wr_bytes` means under `options`) with `wr_nh` handles or
/// dispositions at `wr_h`; the reply goes to `rbuf()` and `rd_h` (room for `rd_nh`).
#[allow(clippy::too_many_arguments)]
fn call_raw(
    ch: u32,
    etc: bool,
    options: u32,
    deadline: i64,
    iov: u64,
    n: u32,
    wr_h: u64,
    wr_nh: u32,
    rd_h: u64,
    rd_nh: u32,
) -> CallOut {
    let buf = rbuf();
    let mut args = ChannelCallArgs {
        wr_bytes: iov,
        wr_handles: wr_h,
        rd_bytes: buf.as_mut_ptr() as u64,
        rd_handles: rd_h,
        wr_num_bytes: n,
        wr_num_handles: wr_nh,
        rd_num_bytes: buf.len() as u32,
        rd_num_handles: rd_nh,
    };
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

/// A call with iovecs and no handles, answered by `echo_once`: the server must read exactly
/// the concatenation `want` of the entries' buffers except for the first four bytes, which
/// hold the kernel's txid (>= 0x80000000); the reply (the same bytes) arrives whole. Checked
/// for call and call_etc.
fn call_echoes(entries: *const ChannelIovec, n: u32, want: &[u8], what: &str) {
    for etc in [false, true] {
        let (a, b) = channel();
        let srv = start_echo(b);
        let r = call_raw(
            a,
            etc,
            IOVEC,
            deadline_after(10 * SEC),
            entries as u64,
            n,
            0,
            0,
            0,
            0,
        );
        join(srv);
        let name = if etc { "call_etc" } else { "call" };
        check!(r.st == Status::OK, "{} {}: {}", name, what, r.st);
        check_eq!(SRV_STATUS.load(Ordering::Relaxed), 0);
        let got = served();
        check!(
            got.len() == want.len(),
            "{} {}: the server read {} bytes (want {})",
            name,
            what,
            got.len(),
            want.len()
        );
        if got.len() == want.len() && got.len() >= 4 {
            let txid = txid_of(got);
            check!(
                txid >= CALL_TXID_MIN,
                "{} {}: txid {:#x} in the request",
                name,
                what,
                txid
            );
            check!(
                first_difference(&got[4..], &want[4..]).is_none(),
                "{} {}: request differs at byte {:?}",
                name,
                what,
                first_difference(&got[4..], &want[4..]).map(|i| i + 4)
            );
            check!(
                (r.ab as usize, r.ah) == (want.len(), 0),
                "{} {}: actual {} {}",
                name,
                what,
                r.ab,
                r.ah
            );
            let reply = &rbuf()[..want.len()];
            check!(
                first_difference(reply, got).is_none(),
                "{} {}: reply differs from the request at {:?}",
                name,
                what,
                first_difference(reply, got)
            );
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
    call_echoes(
        entries.as_ptr(),
        entries.len() as u32,
        &want,
        "1+1+1+1+5 bytes",
    );
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
    let iv = iov();
    for (i, e) in iv[..1000].iter_mut().enumerate() {
        *e = v(src((999 - i) * 10), 10);
    }
    let mut want = [0u8; 10000];
    for i in 0..1000 {
        want[i * 10..i * 10 + 10].copy_from_slice(&SRC[(999 - i) * 10..(999 - i) * 10 + 10]);
    }
    call_echoes(iv.as_ptr(), 1000, &want, "1000 entries of 10");
    // The largest: 8192 entries of 8 bytes, 65536 in all.
    for (i, e) in iv[..MAX_IOVEC].iter_mut().enumerate() {
        *e = v(src(i * 8), 8);
    }
    call_echoes(
        iv.as_ptr(),
        MAX_IOVEC as u32,
        &SRC[..MAX_BYTES],
        "8192 entries of 8",
    );
    let s1 = kstats();
    check_eq!(s1.live_messages, s0.live_messages);
    check_eq!(s1.ipc_bytes, s0.ipc_bytes);
}

/// Zircon's `IOVecTest.CallWithHandle` and `CallEtcWithHandle`: handles travel with an iovec
/// request as with any other (plain: moved; MOVE: moved, DUPLICATE: source kept) and come back
/// in the reply.
fn call_with_iovecs_and_handles() {
    let in_bytes = *b"12345678";
    let entries = [v(in_bytes.as_ptr(), 8)];
    // zx_channel_call: one handle.
    let (a, b) = channel();
    let e = event();
    let k = basic(e).koid;
    let srv = start_echo(b);
    let hs = [e];
    let mut rh = [0u32; 4];
    let r = call_raw(
        a,
        false,
        IOVEC,
        deadline_after(10 * SEC),
        entries.as_ptr() as u64,
        1,
        hs.as_ptr() as u64,
        1,
        rh.as_mut_ptr() as u64,
        4,
    );
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
    let mut ds = [
        disp(HANDLE_OP_MOVE, e1, ObjType::EVENT, Rights::SAME_RIGHTS),
        disp(
            HANDLE_OP_DUPLICATE,
            e2,
            ObjType::EVENT,
            Rights::TRANSFER | Rights::WAIT,
        ),
    ];
    let mut infos = [HandleInfo::default(); 4];
    let r = call_raw(
        a,
        true,
        IOVEC,
        deadline_after(10 * SEC),
        entries.as_ptr() as u64,
        1,
        ds.as_mut_ptr() as u64,
        2,
        infos.as_mut_ptr() as u64,
        4,
    );
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
    check_eq!(infos[1].rights, (Rights::TRANSFER | Rights::WAIT).bits());
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
fn check_call_fails(a: u32, b: u32, options: u32, iov: u64, n: u32, want: Status, what: &str) {
    let keep = event();
    let e = dup(keep, Rights::SAME_RIGHTS);
    let r = call_raw(
        a,
        false,
        options,
        0,
        iov,
        n,
        &e as *const u32 as u64,
        1,
        0,
        0,
    );
    check!(r.st == want, "call {}: {} (want {})", what, r.st, want);
    check!(!valid(e), "call {}: the request handle is still ours", what);
    check!(
        (r.ab, r.ah) == (u32::MAX, u32::MAX),
        "call {}: actual_* written",
        what
    );
    let moved = dup(keep, Rights::SAME_RIGHTS);
    let kept = event();
    let mut ds = [
        disp(HANDLE_OP_MOVE, moved, ObjType::EVENT, Rights::SAME_RIGHTS),
        disp(
            HANDLE_OP_DUPLICATE,
            kept,
            ObjType::EVENT,
            Rights::SAME_RIGHTS,
        ),
    ];
    let r = call_raw(a, true, options, 0, iov, n, ds.as_mut_ptr() as u64, 2, 0, 0);
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
    let fails = |iov, n, want, what: &str| check_call_fails(a, b, IOVEC, iov, n, want, what);
    let s0 = kstats();
    let iv = iov();
    for (i, e) in iv.iter_mut().enumerate() {
        *e = v(src(i % 4096), 1);
    }
    let p = iv.as_ptr() as u64;
    fails(
        p,
        MAX_IOVEC as u32 + 1,
        Status::OUT_OF_RANGE,
        "8193 entries of 1",
    );
    fails(
        0x1000,
        u32::MAX,
        Status::OUT_OF_RANGE,
        "u32::MAX entries at 0x1000",
    );
    // 1000 entries of 100 bytes (100000 in all), and 17 of 4096.
    for (i, e) in iv[..1000].iter_mut().enumerate() {
        *e = v(src(i * 60), 100);
    }
    fails(p, 1000, Status::OUT_OF_RANGE, "1000 entries of 100");
    for (i, e) in iv[..17].iter_mut().enumerate() {
        *e = v(src(i * 4096), 4096);
    }
    fails(p, 17, Status::OUT_OF_RANGE, "17 entries of 4096");
    // Over 65536 with an unreadable buffer among them: the size comes first.
    iv[3].buffer = 0x1000;
    fails(p, 17, Status::OUT_OF_RANGE, "17 x 4096, one unreadable");
    // Sums that wrap a 32-bit counter.
    let wrap = [v(src(0), u32::MAX), v(src(0), 1), v(src(0), 8)];
    fails(
        wrap.as_ptr() as u64,
        3,
        Status::OUT_OF_RANGE,
        "u32::MAX + 1 + 8",
    );
    // Control: 8192 entries of 8 are within the limits (a past deadline: TIMED_OUT, sent).
    for (i, e) in iv[..MAX_IOVEC].iter_mut().enumerate() {
        *e = v(src(i * 8), 8);
    }
    let r = call_raw(a, false, IOVEC, 0, p, MAX_IOVEC as u32, 0, 0, 0, 0);
    check_eq!(r.st, Status::TIMED_OUT);
    check_eq!(read_bytes(b).len(), MAX_BYTES);
    let s1 = kstats();
    check_eq!(s1.live_messages, s0.live_messages);
    check_eq!(s1.ipc_bytes, s0.ipc_bytes);
    close_all(&[a, b]);
}

/// docs/abi.md section 4: a call's request must hold at least the 4 bytes of the txid once
/// assembled (Zircon's `IOVecTest.CallIovecBytesLessThanTxidSize`); fewer is INVALID_ARGS,
/// nothing sent, handles consumed as for write.
fn call_with_fewer_than_4_assembled_bytes_is_invalid_args() {
    let (a, b) = channel();
    let fails = |iov, n, want, what: &str| check_call_fails(a, b, IOVEC, iov, n, want, what);
    let three = [v(src(0), 3)];
    let split = [v(src(0), 1), v(null(), 0), v(src(1), 2)];
    let empties = [v(null(), 0), v(null(), 0)];
    fails(
        three.as_ptr() as u64,
        1,
        Status::INVALID_ARGS,
        "one entry of 3",
    );
    fails(
        split.as_ptr() as u64,
        3,
        Status::INVALID_ARGS,
        "1 + 0 + 2 bytes",
    );
    fails(
        empties.as_ptr() as u64,
        2,
        Status::INVALID_ARGS,
        "two empty entries",
    );
    fails(0, 0, Status::INVALID_ARGS, "no entries");
    close_all(&[a, b]);
}

/// docs/abi.md section 4: all-or-nothing copy for a call's iovecs as for write: a nonzero
/// `reserved`, a NULL buffer with a capacity, an unreadable buffer (first, middle or last
/// among good ones, every hostile kind) or an unreadable iovec array is INVALID_ARGS and
/// nothing is sent.
fn call_with_a_bad_iovec_sends_nothing() {
    let (a, b) = channel();
    let fails = |iov, n, want, what: &str| check_call_fails(a, b, IOVEC, iov, n, want, what);
    let s0 = kstats();
    let good = v(src(0), 16);
    let reserved = [
        good,
        ChannelIovec {
            buffer: src(0) as u64,
            capacity: 4,
            reserved: 1,
        },
    ];
    fails(
        reserved.as_ptr() as u64,
        2,
        Status::INVALID_ARGS,
        "nonzero reserved",
    );
    let null_cap = [good, v(null(), 4)];
    fails(
        null_cap.as_ptr() as u64,
        2,
        Status::INVALID_ARGS,
        "NULL buffer of 4",
    );
    for (p, n, what) in hostile_sources() {
        let bad = ChannelIovec {
            buffer: p,
            capacity: n,
            reserved: 0,
        };
        for entries in [[bad, good, good], [good, bad, good], [good, good, bad]] {
            fails(entries.as_ptr() as u64, 3, Status::INVALID_ARGS, what);
        }
    }
    for (p, n, what) in hostile_arrays() {
        fails(p, n, Status::INVALID_ARGS, what);
    }
    let s1 = kstats();
    check_eq!(s1.live_messages, s0.live_messages);
    check_eq!(s1.ipc_bytes, s0.ipc_bytes);
    close_all(&[a, b]);
}

/// docs/abi.md section 4: ZX_CHANNEL_WRITE_USE_IOVEC is the only option a call accepts; any other
/// bit, with or without it, is INVALID_ARGS and the request handles meet their fate.
fn call_with_unknown_option_bits_is_invalid_args() {
    let (a, b) = channel();
    let req = [0u8; 8];
    let entries = [v(req.as_ptr(), 8)];
    for options in [1u32, 4, 0x8000_0000, !IOVEC] {
        check_call_fails(
            a,
            b,
            options,
            req.as_ptr() as u64,
            8,
            Status::INVALID_ARGS,
            "unknown option bit",
        );
    }
    for options in [IOVEC | 1, IOVEC | 4, IOVEC | 0x8000_0000, u32::MAX] {
        check_call_fails(
            a,
            b,
            options,
            entries.as_ptr() as u64,
            1,
            Status::INVALID_ARGS,
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

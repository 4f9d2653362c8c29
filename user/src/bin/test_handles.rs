//! Handles and `zx_object_get_info`: close, close_many, duplicate, replace, handle values
//! (fixed low bits, stale values, no quick reuse) and the info topics of docs/abi.md section 3.
#![no_std]
#![no_main]

use core::ptr::{null, null_mut};
use zx::test::*;
use zx::*;

// ------------------------------------------------------------------------------------------
// Small helpers on raw values.
// ------------------------------------------------------------------------------------------

fn kstats(root: u32) -> InfoKernelStats {
    match kernel_stats(root) {
        Ok(s) => s,
        Err(s) => {
            check!(false, "KERNEL_STATS failed: {}", s);
            InfoKernelStats::default()
        }
    }
}

/// Kernel stats once two reads in a row agree on the live counts (objects of earlier cases,
/// e.g. exited threads, may still be on their way out).
fn settled(root: u32) -> InfoKernelStats {
    let mut prev = kstats(root);
    for _ in 0..50 {
        sleep_ns(MS);
        let s = kstats(root);
        if live_in(&s) == live_in(&prev) {
            return s;
        }
        prev = s;
    }
    prev
}

// ------------------------------------------------------------------------------------------
// zx_handle_close
// ------------------------------------------------------------------------------------------

fn close_of_invalid_handle_is_ok() {
    check_status!(raw::handle_close(HANDLE_INVALID), Status::OK);
    // Still OK the second time: it is "free(NULL)".
    check_status!(raw::handle_close(HANDLE_INVALID), Status::OK);
}

fn close_closes_and_closed_value_is_bad_handle() {
    let e = event();
    let keep = dup(e, Rights::SAME_RIGHTS);
    check_eq!(handle_count(keep), 2);
    check_status!(raw::handle_close(e), Status::OK);
    check_status!(valid_status(e), Status::BAD_HANDLE);
    check_eq!(handle_count(keep), 1);
    check_status!(raw::handle_close(e), Status::BAD_HANDLE);
    let s = raw::object_signal(e, 0, Signals::USER_0.bits());
    check_status!(s, Status::BAD_HANDLE);
    check_eq!(try_dup(e, Rights::SAME_RIGHTS).0, Status::BAD_HANDLE);
    // The other handle is untouched by the failed calls.
    check_eq!(handle_count(keep), 1);
    close(keep);
}

fn close_of_garbage_values_is_bad_handle() {
    let garbage = [
        1u32,
        2,
        0xffff_fffc,
        0xffff_ffff,
        0xdead_beef,
        0x7fff_fff3,
        0x1234_5670,
    ];
    for v in garbage {
        check!(!valid(v), "garbage value {:#x} is valid", v);
        check_status!(raw::handle_close(v), Status::BAD_HANDLE);
    }
    // The start-up handles survive all that.
    expect_valid(&[self_process(), self_thread()], true);
}

fn handle_arguments_use_only_the_low_32_bits() {
    // docs/abi.md section 1: a uint32_t argument ignores bits 32..63.
    let e = event();
    let wide = (0xa5a5_0000_0000_0000u64) | e as u64;
    let topic = (1u64 << 40) | INFO_HANDLE_VALID as u64;
    let r = zx::sys::raw6(nr::OBJECT_GET_INFO, wide, topic, 0, 0, 0, 0) as i32;
    check_status!(r, Status::OK);
    let mut d = 0u32;
    let r = zx::sys::raw3(
        nr::HANDLE_DUPLICATE,
        wide,
        (0xffff_ffffu64 << 32) | Rights::WAIT.bits() as u64,
        &mut d as *mut u32 as u64,
    ) as i32;
    check_status!(r, Status::OK);
    check_eq!(basic(d).rights, Rights::WAIT.bits());
    close(d);
    // A value whose low 32 bits are ZX_HANDLE_INVALID is ZX_HANDLE_INVALID.
    check_status!(
        zx::sys::raw1(nr::HANDLE_CLOSE, 1u64 << 32) as i32,
        Status::OK
    );
    check!(valid(e));
    check_status!(zx::sys::raw1(nr::HANDLE_CLOSE, wide) as i32, Status::OK);
    check_status!(valid_status(e), Status::BAD_HANDLE);
}

// ------------------------------------------------------------------------------------------
// zx_handle_close_many
// ------------------------------------------------------------------------------------------

fn close_many_closes_every_valid_handle_even_if_one_is_bad() {
    let stale = event();
    close(stale);
    let (a, b) = (event(), event());
    let (c0, c1) = channel();
    let arr = [a, stale, c0, 0xdead_beef, b];
    check_status!(raw::handle_close_many(arr.as_ptr(), 5), Status::BAD_HANDLE);
    check_status!(valid_status(a), Status::BAD_HANDLE);
    check_status!(valid_status(b), Status::BAD_HANDLE);
    check_status!(valid_status(c0), Status::BAD_HANDLE);
    // c0 is really gone: its peer saw it close.
    check_eq!(wait_raw(c1, PEER_CLOSED, 0).0, Status::OK);
    close(c1);
}

fn close_many_skips_invalid_entries() {
    let (a, b) = (event(), event());
    let none = HANDLE_INVALID;
    let arr = [none, a, none, none, b, none];
    check_status!(raw::handle_close_many(arr.as_ptr(), arr.len()), Status::OK);
    check_status!(valid_status(a), Status::BAD_HANDLE);
    check_status!(valid_status(b), Status::BAD_HANDLE);
    let only_invalid = [HANDLE_INVALID; 4];
    check_status!(raw::handle_close_many(only_invalid.as_ptr(), 4), Status::OK);
}

fn close_many_of_nothing_is_ok() {
    check_status!(raw::handle_close_many(null(), 0), Status::OK);
    let e = event();
    let arr = [e];
    check_status!(raw::handle_close_many(arr.as_ptr(), 0), Status::OK);
    check!(valid(e), "n = 0 closed a handle");
    close(e);
}

fn close_many_with_a_repeated_value_closes_it_and_is_bad_handle() {
    let e = event();
    let keep = dup(e, Rights::SAME_RIGHTS);
    let arr = [e, e];
    check_status!(raw::handle_close_many(arr.as_ptr(), 2), Status::BAD_HANDLE);
    check_status!(valid_status(e), Status::BAD_HANDLE);
    check!(valid(keep));
    check_eq!(handle_count(keep), 1);
    close(keep);
}

fn close_many_with_unreadable_array_is_invalid_args_and_closes_nothing() {
    let e = event();
    let sources = hostile_entries(4);
    for (what, addr, n) in sources {
        let s = raw::handle_close_many(addr as *const u32, n);
        check_status!(s, Status::INVALID_ARGS, "close_many({}, {})", what, n);
    }
    check!(valid(e));
    // A readable first entry (a real handle in the last word of the stack) followed by an
    // unmapped one: nothing may be closed, not even the readable entry.
    if on_initial_stack() {
        let last = (stack_top() - 4) as *mut u32;
        // SAFETY: the last word of our own stack lies above every frame (the initial sp is the
        // stack top) and is mapped read-write.
        unsafe { core::ptr::write_volatile(last, e) };
        check_status!(
            raw::handle_close_many(last as *const u32, 2),
            Status::INVALID_ARGS
        );
        check!(
            valid(e),
            "close_many closed the readable entry of a bad array"
        );
        // SAFETY: as above.
        unsafe { core::ptr::write_volatile(last, 0) };
    }
    check!(valid(e));
    close(e);
}

// ------------------------------------------------------------------------------------------
// zx_handle_duplicate
// ------------------------------------------------------------------------------------------

fn duplicate_without_duplicate_right_is_access_denied() {
    let (a, b) = channel();
    check_eq!(basic(a).rights, Rights::DEFAULT_CHANNEL.bits());
    let denied = (Status::ACCESS_DENIED, 0x5555_5555);
    check_eq!(try_dup(a, Rights::SAME_RIGHTS), denied);
    check_eq!(try_dup(a, Rights::READ), denied);
    check_eq!(handle_count(a), 1);
    // An event handle reduced to lose DUPLICATE can't be duplicated either.
    let e = event();
    let w = dup(e, Rights::WAIT | Rights::INSPECT);
    check_eq!(try_dup(w, Rights::SAME_RIGHTS), denied);
    check_eq!(handle_count(e), 2);
    close_all(&[a, b, e, w]);
}

fn duplicate_with_same_or_fewer_rights_gives_a_new_handle_to_the_object() {
    let e = event();
    let be = basic(e);
    let same = dup(e, Rights::SAME_RIGHTS);
    check!(same != e);
    check_eq!(same & HANDLE_FIXED_BITS_MASK, HANDLE_FIXED_BITS_MASK);
    let bs = basic(same);
    check_eq!(bs.koid, be.koid);
    check_eq!(bs.rights, Rights::DEFAULT_EVENT.bits());
    check_eq!(bs.obj_type, ObjType::EVENT.raw());
    let exact = dup(e, Rights::DEFAULT_EVENT);
    check_eq!(basic(exact).rights, Rights::DEFAULT_EVENT.bits());
    let fewer = Rights::DUPLICATE | Rights::WAIT | Rights::INSPECT;
    let sub = dup(e, fewer);
    check_eq!(basic(sub).rights, fewer.bits());
    check_eq!(basic(sub).koid, be.koid);
    // A duplicate of the reduced handle keeps its (reduced) rights.
    let sub2 = dup(sub, Rights::SAME_RIGHTS);
    check_eq!(basic(sub2).rights, basic(sub).rights);
    let none = dup(e, Rights::NONE);
    check_eq!(basic(none).rights, 0);
    check_eq!(basic(none).koid, be.koid);
    check_eq!(handle_count(e), 6);
    // The new handles really work: signal through one, observe through another.
    let u3 = Signals::USER_3.bits();
    check_status!(raw::object_signal(same, 0, u3), Status::OK);
    check_eq!(wait_raw(sub, u3, 0).0, Status::OK);
    close_all(&[e, same, exact, sub, sub2, none]);
}

fn duplicate_with_more_rights_is_invalid_args() {
    let e = event();
    let refused = (Status::INVALID_ARGS, 0x5555_5555);
    check_eq!(try_dup(e, Rights::DEFAULT_EVENT | Rights::READ), refused);
    check_eq!(try_dup(e, Rights::SIGNAL_PEER), refused);
    let sub = dup(e, Rights::DUPLICATE | Rights::WAIT);
    check_eq!(try_dup(sub, Rights::DUPLICATE | Rights::SIGNAL), refused);
    check_eq!(handle_count(e), 2);
    close_all(&[sub, e]);
}

fn duplicate_to_an_unwritable_out_pointer_is_invalid_args_and_creates_no_handle() {
    let e = event();
    let events_before = type_count(ObjType::EVENT);
    for (what, addr) in hostile(4) {
        let s = raw::handle_duplicate(e, Rights::SAME_RIGHTS.bits(), addr as *mut u32);
        check_status!(s, Status::INVALID_ARGS, "duplicate to {}", what);
    }
    check_eq!(handle_count(e), 1);
    check_eq!(type_count(ObjType::EVENT), events_before);
    check!(ro_intact(), "the kernel wrote to read-only memory");
    check!(valid(e));
    close(e);
}

fn duplicate_of_a_bad_handle_is_bad_handle() {
    check_eq!(
        try_dup(HANDLE_INVALID, Rights::SAME_RIGHTS).0,
        Status::BAD_HANDLE
    );
    check_eq!(
        try_dup(0xdead_beef, Rights::SAME_RIGHTS).0,
        Status::BAD_HANDLE
    );
}

// ------------------------------------------------------------------------------------------
// zx_handle_replace
// ------------------------------------------------------------------------------------------

fn replace_needs_no_right() {
    // A channel handle has no DUPLICATE; replace still works.
    let (a, b) = channel();
    let ka = basic(a).koid;
    let (st, r) = try_replace(a, Rights::SAME_RIGHTS);
    check_eq!(st, Status::OK);
    check_status!(valid_status(a), Status::BAD_HANDLE);
    check_eq!(r & HANDLE_FIXED_BITS_MASK, HANDLE_FIXED_BITS_MASK);
    let br = basic(r);
    check_eq!(br.koid, ka);
    check_eq!(br.rights, Rights::DEFAULT_CHANNEL.bits());
    check_eq!(basic(b).related_koid, ka);
    // A handle with no rights at all can be replaced too.
    let e = event();
    let none = dup(e, Rights::NONE);
    let (st, r2) = try_replace(none, Rights::NONE);
    check_eq!(st, Status::OK);
    check_status!(valid_status(none), Status::BAD_HANDLE);
    check_eq!(basic(r2).rights, 0);
    check_eq!(basic(r2).koid, basic(e).koid);
    check_eq!(handle_count(e), 2);
    close_all(&[r, b, e, r2]);
}

fn replace_with_same_or_fewer_rights_invalidates_the_old_value() {
    let e = event();
    let k = basic(e).koid;
    let (st, r) = try_replace(e, Rights::SAME_RIGHTS);
    check_eq!(st, Status::OK);
    check_status!(valid_status(e), Status::BAD_HANDLE);
    check!(r != e);
    check_eq!(basic(r).rights, Rights::DEFAULT_EVENT.bits());
    let want = Rights::WAIT | Rights::SIGNAL | Rights::TRANSFER | Rights::INSPECT;
    let (st, r2) = try_replace(r, want);
    check_eq!(st, Status::OK);
    check_status!(valid_status(r), Status::BAD_HANDLE);
    check_status!(raw::handle_close(r), Status::BAD_HANDLE);
    let b = basic(r2);
    check_eq!(b.koid, k);
    check_eq!(b.rights, want.bits());
    check_eq!(b.obj_type, ObjType::EVENT.raw());
    check_eq!(handle_count(r2), 1);
    // Reduced rights are enforced: no DUPLICATE now.
    check_eq!(try_dup(r2, Rights::SAME_RIGHTS).0, Status::ACCESS_DENIED);
    close(r2);
}

fn replace_with_more_rights_is_invalid_args_and_closes_the_source() {
    // docs/abi.md section 4: "on INVALID_ARGS for rights that are not a subset it still closes the
    // source handle".
    let e = event();
    let w = dup(e, Rights::WAIT | Rights::TRANSFER);
    check_eq!(handle_count(e), 2);
    let events_before = type_count(ObjType::EVENT);
    let refused = (Status::INVALID_ARGS, 0x5555_5555);
    check_eq!(try_replace(w, Rights::WAIT | Rights::SIGNAL), refused);
    check_status!(valid_status(w), Status::BAD_HANDLE);
    check_eq!(handle_count(e), 1);
    check_eq!(type_count(ObjType::EVENT), events_before - 1);
    // Same with a full-rights handle asking for a right events never have.
    check_eq!(
        try_replace(e, Rights::DEFAULT_EVENT | Rights::WRITE),
        refused
    );
    check_status!(valid_status(e), Status::BAD_HANDLE);
    check_eq!(type_count(ObjType::EVENT), events_before - 2);
}

fn replace_of_a_bad_handle_is_bad_handle() {
    let bad = (Status::BAD_HANDLE, 0x5555_5555);
    check_eq!(try_replace(HANDLE_INVALID, Rights::SAME_RIGHTS), bad);
    check_eq!(try_replace(stale(), Rights::SAME_RIGHTS), bad);
}

// ------------------------------------------------------------------------------------------
// Handle values
// ------------------------------------------------------------------------------------------

fn closed_values_are_not_handed_out_again_soon() {
    const N: usize = 100;
    let mut seen = [0u32; N];
    for slot in seen.iter_mut() {
        let e = event();
        *slot = e;
        close(e);
    }
    let mut repeats = 0;
    for i in 0..N {
        for j in 0..i {
            if seen[i] == seen[j] {
                repeats += 1;
            }
        }
    }
    check_eq!(repeats, 0);
    for v in seen {
        check!(!valid(v), "stale value {:#x} is valid", v);
        check_status!(raw::handle_close(v), Status::BAD_HANDLE);
    }
    // A new handle doesn't reuse any of them either.
    let e = event();
    check!(!seen.contains(&e), "value {:#x} was handed out again", e);
    close(e);
}

fn every_handle_value_has_the_low_two_bits_set() {
    let mut vals = [0u32; 16];
    let mut n = 0;
    let mut push = |v: u32| {
        vals[n] = v;
        n += 1;
    };
    push(self_process());
    push(self_thread());
    push(bootstrap());
    let e = event();
    push(e);
    let (p0, p1) = eventpair();
    push(p0);
    push(p1);
    let (c0, c1) = channel();
    push(c0);
    push(c1);
    let d = dup(e, Rights::SAME_RIGHTS);
    push(d);
    let (st, r) = try_replace(d, Rights::SAME_RIGHTS);
    check_eq!(st, Status::OK);
    push(r);
    // A handle received through a channel.
    let t = dup(e, Rights::SAME_RIGHTS);
    check_status!(raw::channel_write(c0, 0, null(), 0, &t, 1), Status::OK);
    let mut got = [0u32; 1];
    let (st, _, ah) = read_raw(c1, &mut [], &mut got);
    check_eq!((Status(st), ah), (Status::OK, 1));
    push(got[0]);
    let root = root();
    if root != 0 {
        push(root);
    }
    for &v in &vals[..n] {
        let fixed = HANDLE_FIXED_BITS_MASK;
        check!(
            v & fixed == fixed,
            "handle value {:#x} lacks the fixed bits",
            v
        );
    }
    close_all(&[e, p0, p1, c0, c1, r, got[0]]);
}

// ------------------------------------------------------------------------------------------
// zx_object_get_info
// ------------------------------------------------------------------------------------------

fn info_handle_valid_tells_valid_from_invalid() {
    let e = event();
    check_status!(valid_status(e), Status::OK);
    check_status!(valid_status(self_process()), Status::OK);
    check_status!(valid_status(HANDLE_INVALID), Status::BAD_HANDLE);
    check_status!(valid_status(0xdead_beef), Status::BAD_HANDLE);
    // A handle with no rights at all is still valid.
    let none = dup(e, Rights::NONE);
    check_status!(valid_status(none), Status::OK);
    close_all(&[none, e]);
    check_status!(valid_status(e), Status::BAD_HANDLE);
}

fn info_handle_basic_reports_koid_rights_type_and_related_koid() {
    // Event: no related object.
    let e = event();
    let mut buf = [0xeeu8; 64];
    check_eq!(
        info_raw(e, INFO_HANDLE_BASIC, buf.as_mut_ptr(), buf.len()),
        (Status::OK, 1, 1)
    );
    let be = InfoHandleBasic::from_bytes(&buf);
    check!(be.koid != 0);
    check_eq!(be.rights, Rights::DEFAULT_EVENT.bits());
    check_eq!(be.obj_type, ObjType::EVENT.raw());
    check_eq!(be.related_koid, 0);
    check_eq!(be.reserved, 0);
    // Only the 32-byte record is written.
    check!(
        buf[32..].iter().all(|&b| b == 0xee),
        "bytes past the record were written"
    );
    // NULL actual/avail are fine.
    let mut buf2 = [0u8; 32];
    check_status!(
        info_into(e, INFO_HANDLE_BASIC, buf2.as_mut_ptr(), 32),
        Status::OK
    );
    check_eq!(InfoHandleBasic::from_bytes(&buf2).koid, be.koid);

    // Channel ends point at each other, and eventpair ends too.
    let (a, b) = channel();
    let (p, q) = eventpair();
    let pairs = [
        (a, b, ObjType::CHANNEL, Rights::DEFAULT_CHANNEL),
        (p, q, ObjType::EVENTPAIR, Rights::DEFAULT_EVENTPAIR),
    ];
    for (x, y, ty, rights) in pairs {
        let (bx, by) = (basic(x), basic(y));
        check_eq!((bx.obj_type, by.obj_type), (ty.raw(), ty.raw()));
        check_eq!((bx.rights, by.rights), (rights.bits(), rights.bits()));
        check!(bx.koid != 0 && by.koid != 0 && bx.koid != by.koid);
        check_eq!((bx.related_koid, by.related_koid), (by.koid, bx.koid));
    }
    let (ba, bb, bp, bq) = (basic(a), basic(b), basic(p), basic(q));
    // Koids are unique across objects.
    let ks = [be.koid, ba.koid, bb.koid, bp.koid, bq.koid];
    for i in 0..ks.len() {
        for j in 0..i {
            check!(ks[i] != ks[j], "koid {} repeats", ks[i]);
        }
    }
    // A duplicate names the same object with its own rights.
    let d = dup(p, Rights::WAIT | Rights::INSPECT);
    let bd = basic(d);
    check_eq!(bd.koid, bp.koid);
    check_eq!(bd.related_koid, bq.koid);
    check_eq!(bd.rights, (Rights::WAIT | Rights::INSPECT).bits());
    // Own process and thread.
    let bproc = basic(self_process());
    check_eq!(bproc.obj_type, ObjType::PROCESS.raw());
    check_eq!(bproc.rights, Rights::DEFAULT_PROCESS.bits());
    let bthr = basic(self_thread());
    check_eq!(bthr.obj_type, ObjType::THREAD.raw());
    check_eq!(bthr.rights, Rights::DEFAULT_THREAD.bits());
    check_eq!(bthr.related_koid, bproc.koid);
    // Bad handles: ZX_HANDLE_INVALID and a closed one.
    close(e);
    for h in [HANDLE_INVALID, e] {
        let s = info_into(h, INFO_HANDLE_BASIC, buf2.as_mut_ptr(), 32);
        check_status!(s, Status::BAD_HANDLE, "handle {:#x}", h);
    }
    close_all(&[a, b, p, q, d]);
}

fn info_process_on_own_process_is_started_not_exited() {
    let mut buf = [0xeeu8; 16];
    check_eq!(
        info_raw(self_process(), INFO_PROCESS, buf.as_mut_ptr(), 16),
        (Status::OK, 1, 1)
    );
    let p = InfoProcess::from_bytes(&buf);
    check_eq!(p.started, 1);
    check_eq!(p.exited, 0);
    check_eq!(p.debugger_attached, 0);
    check_eq!(p.return_code, 0);
}

fn info_topics_on_the_wrong_object_type_are_wrong_type() {
    let e = event();
    let mut buf = [0u8; 256];
    let b = buf.as_mut_ptr();
    check_status!(info_into(e, INFO_PROCESS, b, 16), Status::WRONG_TYPE);
    check_status!(
        info_into(e, INFO_PROCESS_HANDLE_STATS, b, 256),
        Status::WRONG_TYPE
    );
    check_status!(
        info_into(self_thread(), INFO_PROCESS, b, 16),
        Status::WRONG_TYPE
    );
    close(e);
}

fn info_handle_count_includes_handles_in_queued_messages() {
    let e = event();
    let (a, b) = channel();
    check_eq!(handle_count(e), 1);
    let d = dup(e, Rights::SAME_RIGHTS);
    check_eq!(handle_count(e), 2);
    check_status!(raw::channel_write(a, 0, null(), 0, &d, 1), Status::OK);
    check_status!(valid_status(d), Status::BAD_HANDLE);
    // The duplicate now sits in a queued message: still counted.
    check_eq!(handle_count(e), 2);
    let mut got = [0u32; 4];
    let (st, _, ah) = read_raw(b, &mut [], &mut got);
    check_eq!((Status(st), ah), (Status::OK, 1));
    check_eq!(handle_count(e), 2);
    check_eq!(basic(got[0]).koid, basic(e).koid);
    close(got[0]);
    check_eq!(handle_count(e), 1);
    // A message destroyed with its receiving endpoint takes its handle with it.
    let d2 = dup(e, Rights::SAME_RIGHTS);
    check_status!(raw::channel_write(a, 0, null(), 0, &d2, 1), Status::OK);
    check_eq!(handle_count(e), 2);
    close(b);
    check_eq!(handle_count(e), 1);
    // Counts per object: a channel end counts its own handles, not its peer's.
    check_eq!(handle_count(a), 1);
    close_all(&[a, e]);
}

fn info_process_handle_stats_counts_handles_per_type() {
    let s0 = handle_stats();
    check!(s0[ObjType::PROCESS.raw() as usize] >= 1);
    check!(s0[ObjType::THREAD.raw() as usize] >= 1);
    check!(s0[ObjType::CHANNEL.raw() as usize] >= 1);
    if root() != 0 {
        check!(s0[ObjType::RESOURCE.raw() as usize] >= 1);
    }
    let es = [event(), event(), event()];
    let (p0, p1) = eventpair();
    let (p2, p3) = eventpair();
    let (c0, c1) = channel();
    let s1 = handle_stats();
    let idx = |t: ObjType| t.raw() as usize;
    for t in 0..64 {
        let want = s0[t]
            + match t {
                x if x == idx(ObjType::EVENT) => 3,
                x if x == idx(ObjType::EVENTPAIR) => 4,
                x if x == idx(ObjType::CHANNEL) => 2,
                _ => 0,
            };
        check_eq!(s1[t], want, "type {} handles:", t);
    }
    // A handle in transit belongs to no process.
    check_status!(raw::channel_write(c0, 0, null(), 0, &es[0], 1), Status::OK);
    check_eq!(type_count(ObjType::EVENT), s0[idx(ObjType::EVENT)] + 2);
    close_all(&[es[1], es[2], p0, p1, p2, p3, c0, c1]);
    let s2 = handle_stats();
    check!(s2 == s0, "stats not back after closing");
}

fn info_kernel_stats_on_the_root_resource_are_sane_and_track_objects() {
    let root = root();
    check!(root != 0, "no root resource was handed over");
    if root == 0 {
        return;
    }
    let br = basic(root);
    check_eq!(br.obj_type, ObjType::RESOURCE.raw());
    check_eq!(br.rights, Rights::DEFAULT_RESOURCE.bits());
    let mut buf = [0xeeu8; 64];
    check_eq!(
        info_raw(root, INFO_KERNEL_STATS, buf.as_mut_ptr(), 64),
        (Status::OK, 1, 1)
    );
    let s = InfoKernelStats::from_bytes(&buf);
    check!(s.total_bytes >= 16 << 20, "total_bytes {}", s.total_bytes);
    for (what, n) in [
        ("free_bytes", s.free_bytes),
        ("heap_used_bytes", s.heap_used_bytes),
    ] {
        check!(
            n > 0 && n < s.total_bytes,
            "{} {} of {}",
            what,
            n,
            s.total_bytes
        );
    }
    // At least our own start-up handles and init's.
    check!(s.live_handles >= 5, "live_handles {}", s.live_handles);
    check!(s.live_objects >= 4, "live_objects {}", s.live_objects);
    check_eq!(s.reserved, 0);

    let s0 = settled(root);
    let e = event();
    let s1 = kstats(root);
    check_eq!(s1.live_handles, s0.live_handles + 1);
    check_eq!(s1.live_objects, s0.live_objects + 1);
    let d = dup(e, Rights::SAME_RIGHTS);
    let s2 = kstats(root);
    check_eq!(s2.live_handles, s0.live_handles + 2);
    check_eq!(s2.live_objects, s0.live_objects + 1);
    let (a, b) = channel();
    let s3 = kstats(root);
    check_eq!(s3.live_handles, s0.live_handles + 4);
    check!(s3.live_objects > s2.live_objects);
    check_eq!(s3.live_messages, s0.live_messages);
    let msg = [7u8; 40];
    check_status!(
        raw::channel_write(a, 0, msg.as_ptr(), 40, &d, 1),
        Status::OK
    );
    let s4 = kstats(root);
    check_eq!(s4.live_messages, s0.live_messages + 1);
    let ipc = (s0.ipc_bytes, s4.ipc_bytes);
    check!(ipc.1 >= ipc.0 + 40, "ipc_bytes {} -> {}", ipc.0, ipc.1);
    // The handle in the message is still a live handle.
    check_eq!(s4.live_handles, s0.live_handles + 4);
    let mut rb = [0u8; 64];
    let mut rh = [0u32; 1];
    check_status!(read_raw(b, &mut rb, &mut rh).0, Status::OK);
    let s5 = kstats(root);
    check_eq!(s5.live_messages, s0.live_messages);
    check_eq!(s5.ipc_bytes, s0.ipc_bytes);
    check_eq!(s5.live_handles, s0.live_handles + 4);
    close_all(&[e, rh[0], a, b]);
    check_eq!(settle_to(live_in(&s0)), Some(live_in(&s0)), "live counts:");
}

fn info_kernel_stats_on_a_non_resource_is_wrong_type() {
    let e = event();
    let mut buf = [0u8; 64];
    for h in [e, self_process(), self_thread()] {
        let s = info_into(h, INFO_KERNEL_STATS, buf.as_mut_ptr(), 64);
        check_status!(s, Status::WRONG_TYPE, "handle {:#x}", h);
    }
    close(e);
    let s = info_into(e, INFO_KERNEL_STATS, buf.as_mut_ptr(), 64);
    check_status!(s, Status::BAD_HANDLE);
}

fn info_buffer_too_small_gives_actual_0_and_avail_1() {
    let e = event();
    let n = if root() != 0 { 5 } else { 4 };
    for (h, topic, size, name) in info_topics(e).into_iter().take(n) {
        for small in [0usize, 1, size - 1] {
            let mut buf = [0xeeu8; 256];
            let got = info_raw(h, topic, buf.as_mut_ptr(), small);
            let want = (Status::BUFFER_TOO_SMALL, 0, 1);
            check_eq!(
                got,
                want,
                "{} with {} bytes: status, actual, avail:",
                name,
                small
            );
            let written = buf.iter().any(|&b| b != 0xee);
            check!(!written, "{} with {} bytes wrote the buffer", name, small);
        }
        // NULL buffer of size 0, and NULL actual/avail.
        let got = info_raw(h, topic, null_mut(), 0);
        check_eq!(
            got,
            (Status::BUFFER_TOO_SMALL, 0, 1),
            "{}: NULL buffer:",
            name
        );
        let mut buf = [0u8; 4];
        let s = raw::object_get_info(h, topic, buf.as_mut_ptr(), 3, null_mut(), null_mut());
        check_status!(s, Status::BUFFER_TOO_SMALL);
    }
    close(e);
}

fn info_unknown_topic_is_not_supported() {
    let e = event();
    let p = self_process();
    let mut buf = [0xeeu8; 256];
    for topic in [0u32, 0x7777, 0x0f00_00ff, 0x8000_0000, 0xffff_ffff] {
        for h in [e, p] {
            let (s, _, _) = info_raw(h, topic, buf.as_mut_ptr(), buf.len());
            check_eq!(s, Status::NOT_SUPPORTED, "topic {:#x}", topic);
        }
    }
    check!(buf.iter().all(|&b| b == 0xee), "buffer written");
    close(e);
}

fn info_with_unwritable_buffer_or_counts_is_invalid_args() {
    let e = event();
    let n = if root() != 0 { 5 } else { 4 };
    for (h, topic, size, name) in info_topics(e).into_iter().take(n) {
        // The record buffer.
        for (what, addr) in hostile(size) {
            let (mut actual, mut avail) = (0usize, 0usize);
            let s = raw::object_get_info(h, topic, addr as *mut u8, size, &mut actual, &mut avail);
            check_status!(s, Status::INVALID_ARGS, "{} into {}", name, what);
        }
        // `actual` and `avail` (NULL is allowed for them, so skip it).
        for (what, addr) in hostile(8).iter().skip(1) {
            let mut buf = [0u8; 256];
            let mut other = 0usize;
            let (b, bad) = (buf.as_mut_ptr(), *addr as *mut usize);
            let s = raw::object_get_info(h, topic, b, size, bad, &mut other);
            check_status!(s, Status::INVALID_ARGS, "{} with actual at {}", name, what);
            let s = raw::object_get_info(h, topic, b, size, &mut other, bad);
            check_status!(s, Status::INVALID_ARGS, "{} with avail at {}", name, what);
        }
    }
    check!(ro_intact(), "the kernel wrote to read-only memory");
    // Nothing else happened to the handles.
    check!(valid(e));
    check_eq!(handle_count(e), 1);
    close(e);
}

zx::tests!(
    close_of_invalid_handle_is_ok,
    close_closes_and_closed_value_is_bad_handle,
    close_of_garbage_values_is_bad_handle,
    handle_arguments_use_only_the_low_32_bits,
    close_many_closes_every_valid_handle_even_if_one_is_bad,
    close_many_skips_invalid_entries,
    close_many_of_nothing_is_ok,
    close_many_with_a_repeated_value_closes_it_and_is_bad_handle,
    close_many_with_unreadable_array_is_invalid_args_and_closes_nothing,
    duplicate_without_duplicate_right_is_access_denied,
    duplicate_with_same_or_fewer_rights_gives_a_new_handle_to_the_object,
    duplicate_with_more_rights_is_invalid_args,
    duplicate_to_an_unwritable_out_pointer_is_invalid_args_and_creates_no_handle,
    duplicate_of_a_bad_handle_is_bad_handle,
    replace_needs_no_right,
    replace_with_same_or_fewer_rights_invalidates_the_old_value,
    replace_with_more_rights_is_invalid_args_and_closes_the_source,
    replace_of_a_bad_handle_is_bad_handle,
    closed_values_are_not_handed_out_again_soon,
    every_handle_value_has_the_low_two_bits_set,
    info_handle_valid_tells_valid_from_invalid,
    info_handle_basic_reports_koid_rights_type_and_related_koid,
    info_process_on_own_process_is_started_not_exited,
    info_topics_on_the_wrong_object_type_are_wrong_type,
    info_handle_count_includes_handles_in_queued_messages,
    info_process_handle_stats_counts_handles_per_type,
    info_kernel_stats_on_the_root_resource_are_sane_and_track_objects,
    info_kernel_stats_on_a_non_resource_is_wrong_type,
    info_buffer_too_small_gives_actual_0_and_avail_1,
    info_unknown_topic_is_not_supported,
    info_with_unwritable_buffer_or_counts_is_invalid_args,
);

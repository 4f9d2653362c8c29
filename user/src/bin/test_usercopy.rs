//! User memory and registers at the system-call boundary: every pointer argument of every
//! call outside the channel read/write family, given hostile addresses, is `INVALID_ARGS` with
//! no other effect; narrow arguments use only their low bits; `svc` preserves every register
//! but x0, x16, x17; FP/SIMD state survives preemption and blocking.
#![no_std]
#![no_main]

use core::arch::global_asm;
use core::ptr::{null, null_mut, read_volatile, write_volatile};
use core::sync::atomic::{AtomicU64, Ordering};
use zx::test::*;
use zx::*;

/// High-bit garbage for narrow arguments.
const GARBAGE: u64 = 0xdead_beef_0000_0000;
/// Bytes at each mapped edge (stack top, stack bottom) that straddling ranges may cover.
const EDGE: usize = 128;

/// `check_hostile!("call", bad, attempt(...))`: `INVALID_ARGS`, and nothing written to the
/// mapped part of the range or to the read-only page.
macro_rules! check_hostile {
    ($call:expr, $b:expr, $r:expr) => {{
        let (st, untouched) = $r;
        check!(
            st == Status::INVALID_ARGS,
            "{} with {} ({:#x}): {} (want ZX_ERR_INVALID_ARGS)",
            $call,
            $b.what,
            $b.addr,
            st
        );
        check!(
            untouched,
            "{} with {} ({:#x}): the kernel wrote into user memory",
            $call,
            $b.what,
            $b.addr
        );
    }};
}

/// `check_no_new_handles!(before, "call", bad)`: the handle table has the same counts.
macro_rules! check_no_new_handles {
    ($before:expr, $call:expr, $b:expr) => {{
        let now = handle_stats();
        check!(
            now == $before,
            "{} with {}: handle table changed",
            $call,
            $b.what
        );
    }};
}

// ---------------------------------------------------------------------------------------------
// Hostile addresses
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Bad {
    addr: u64,
    what: &'static str,
}

/// Hostile addresses for an access of `len` bytes ([`zx::test::hostile`]); `write`: include
/// read-only data (for outputs); `null`: include NULL (for arguments where NULL is not
/// documented as "absent").
fn hostile_for(len: u64, write: bool, null: bool) -> impl Iterator<Item = Bad> {
    let keep =
        move |&(_, addr): &(&str, usize)| (addr != 0 || null) && (addr != ro_addr() || write);
    hostile(len as usize)
        .into_iter()
        .filter(keep)
        .map(|(what, addr)| Bad {
            addr: addr as u64,
            what,
        })
}

/// The mapped bytes next to the two stack edges.
#[derive(PartialEq, Eq)]
struct Edges {
    top: [u8; EDGE],
    bottom: [u8; EDGE],
}

impl Edges {
    fn save() -> Edges {
        let mut e = Edges {
            top: [0; EDGE],
            bottom: [0; EDGE],
        };
        for i in 0..EDGE {
            // SAFETY: both ranges lie inside the mapped main stack (docs/abi.md 5).
            unsafe {
                e.top[i] =
                    read_volatile(((stack_top() as u64) - EDGE as u64 + i as u64) as *const u8);
                e.bottom[i] = read_volatile(((stack_bottom() as u64) + i as u64) as *const u8);
            }
        }
        e
    }
    fn restore(&self) {
        for i in 0..EDGE {
            // SAFETY: as in `save`; the bytes are put back as they were.
            unsafe {
                write_volatile(
                    ((stack_top() as u64) - EDGE as u64 + i as u64) as *mut u8,
                    self.top[i],
                );
                write_volatile(
                    ((stack_bottom() as u64) + i as u64) as *mut u8,
                    self.bottom[i],
                );
            }
        }
    }
}

/// Writes `data` at `addr`, but only the bytes that land in the mapped edge areas (so the
/// readable part of a straddling range holds meaningful contents).
fn fill_mapped(addr: u64, data: &[u8]) {
    for (i, &b) in data.iter().enumerate() {
        let a = addr.wrapping_add(i as u64);
        let in_top = ((stack_top() as u64) - EDGE as u64..(stack_top() as u64)).contains(&a);
        let in_bottom =
            ((stack_bottom() as u64)..(stack_bottom() as u64) + EDGE as u64).contains(&a);
        if in_top || in_bottom {
            // SAFETY: `a` is inside a mapped edge area, restored by `attempt`.
            unsafe { write_volatile(a as *mut u8, b) };
        }
    }
}

/// Runs `call(addr)` with the edge areas pre-filled by `data`; returns the status and whether
/// user memory (the edges, the read-only page) was left as it was. The edges are restored.
fn attempt(b: &Bad, data: &[u8], call: &mut dyn FnMut(u64) -> i32) -> (Status, bool) {
    let saved = Edges::save();
    fill_mapped(b.addr, data);
    let before = Edges::save();
    let st = call(b.addr);
    let untouched = Edges::save() == before && ro_intact();
    saved.restore();
    (Status(st), untouched)
}

fn u32s(vals: &[u32], out: &mut [u8]) {
    for (i, v) in vals.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
}

// ---------------------------------------------------------------------------------------------
// Handle calls
// ---------------------------------------------------------------------------------------------

fn handle_duplicate_with_hostile_out() {
    // docs/abi.md 1: "Any pointer the kernel must ... write that is not fully mapped with the needed
    // EL0 permission gives `ZX_ERR_INVALID_ARGS`, with no other effect".
    let ev = must!(Event::create());
    let stats = handle_stats();
    for b in hostile_for(4, true, true) {
        let r = attempt(&b, &[], &mut |p| {
            raw::handle_duplicate(ev.0.raw(), Rights::SAME_RIGHTS.bits(), p as *mut u32)
        });
        check_hostile!("handle_duplicate out", b, r);
        check_no_new_handles!(stats, "handle_duplicate out", b);
    }
    check!(valid(ev.0.raw()));
    check_eq!(handle_count(ev.0.raw()), 1);
}

fn handle_replace_with_hostile_out() {
    // docs/abi.md 1: "... `ZX_ERR_INVALID_ARGS`, with no other effect than the one documented for
    // that call"; docs/abi.md 4 documents replace closing its source only for refused rights.
    let ev = must!(Event::create());
    let (h, stats) = (ev.0.raw(), handle_stats());
    for b in hostile_for(4, true, true) {
        let r = attempt(&b, &[], &mut |p| {
            raw::handle_replace(h, Rights::SAME_RIGHTS.bits(), p as *mut u32)
        });
        check_hostile!("handle_replace out", b, r);
        check!(valid(h), "handle_replace out {}: source closed", b.what);
        check_no_new_handles!(stats, "handle_replace out", b);
    }
    check_eq!(handle_count(ev.0.raw()), 1);
}

fn handle_close_many_with_hostile_array() {
    // docs/abi.md 1: a pointer "not fully mapped ... gives `ZX_ERR_INVALID_ARGS`, with no other
    // effect": entries in the mapped part of a straddling array are not closed either.
    let e1 = must!(Event::create());
    let e2 = must!(Event::create());
    let stats = handle_stats();
    let mut data = [0u8; 16];
    u32s(&[e1.0.raw(), e2.0.raw(), e1.0.raw(), e2.0.raw()], &mut data);
    for b in hostile_for(16, false, true) {
        let r = attempt(&b, &data, &mut |p| {
            raw::handle_close_many(p as *const u32, 4)
        });
        check_hostile!("handle_close_many", b, r);
        check!(valid(e1.0.raw()) && valid(e2.0.raw()), "{}: closed", b.what);
        check_no_new_handles!(stats, "handle_close_many", b);
    }
    // A count whose byte size wraps past 2^64 (n * 4 == 4 or 8 modulo 2^64).
    let arr = [e1.0.raw(), e2.0.raw()];
    for cnt in [(1u64 << 62) + 1, (1 << 62) + 2, u64::MAX] {
        let s = zx::sys::raw2(nr::HANDLE_CLOSE_MANY, arr.as_ptr() as u64, cnt) as i32;
        check_status!(s, Status::INVALID_ARGS, "close_many count {:#x}", cnt);
        let both = valid(e1.0.raw()) && valid(e2.0.raw());
        check!(both, "count {:#x}: closed", cnt);
    }
    // docs/abi.md 1: "A NULL pointer with a zero count/size is always valid."
    check_status!(raw::handle_close_many(null(), 0), Status::OK);
    check_eq!(handle_stats(), stats);
}

// ---------------------------------------------------------------------------------------------
// zx_object_get_info
// ---------------------------------------------------------------------------------------------

fn object_get_info_with_hostile_buffer() {
    // docs/abi.md 1 (INVALID_ARGS for unmapped or read-only output buffers), for every topic.
    let ev = must!(Event::create());
    let root = root();
    let topics = [
        (ev.0.raw(), INFO_HANDLE_BASIC, 32u64, "HANDLE_BASIC"),
        (self_process(), INFO_PROCESS, 16, "PROCESS"),
        (ev.0.raw(), INFO_HANDLE_COUNT, 4, "HANDLE_COUNT"),
        (
            self_process(),
            INFO_PROCESS_HANDLE_STATS,
            256,
            "PROCESS_HANDLE_STATS",
        ),
        (root, INFO_KERNEL_STATS, 64, "KERNEL_STATS"),
    ];
    for (h, topic, size, name) in topics {
        for b in hostile_for(size, true, true) {
            let (mut actual, mut avail) = (7usize, 7usize);
            let (actual, avail) = (&mut actual as *mut usize, &mut avail as *mut usize);
            let r = attempt(&b, &[], &mut |p| {
                raw::object_get_info(h, topic, p as *mut u8, size as usize, actual, avail)
            });
            check_hostile!(name, b, r);
        }
    }
    // docs/abi.md 1: "A NULL pointer with a zero count/size is always valid" (then docs/abi.md 3: "a buffer
    // too small for the topic's record gives `BUFFER_TOO_SMALL`").
    let (mut actual, mut avail) = (7usize, 7usize);
    let s = raw::object_get_info(
        ev.0.raw(),
        INFO_HANDLE_BASIC,
        null_mut(),
        0,
        &mut actual,
        &mut avail,
    );
    check_status!(s, Status::BUFFER_TOO_SMALL);
    check_eq!((actual, avail), (0, 1));
}

fn object_get_info_with_hostile_actual_or_avail() {
    // docs/abi.md 3: "`actual` = 0 and `avail` = 1 written when non-NULL" — so a non-NULL pointer
    // that can't be written is INVALID_ARGS (docs/abi.md 1), on success and on BUFFER_TOO_SMALL.
    let ev = must!(Event::create());
    for size in [32usize, 0] {
        let small = if size == 0 { " (too small)" } else { "" };
        for b in hostile_for(8, true, false) {
            let mut buf = [0u8; 32];
            let mut ok = 0usize;
            let mut info = |actual: *mut usize, avail: *mut usize| {
                let h = ev.0.raw();
                raw::object_get_info(h, INFO_HANDLE_BASIC, buf.as_mut_ptr(), size, actual, avail)
            };
            let r = attempt(&b, &[], &mut |p| info(p as *mut usize, &mut ok));
            check_hostile!(format_args!("get_info actual{}", small), b, r);
            let r = attempt(&b, &[], &mut |p| info(&mut ok, p as *mut usize));
            check_hostile!(format_args!("get_info avail{}", small), b, r);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------------------------

fn object_wait_one_with_hostile_observed() {
    // docs/abi.md 1: an output pointer that can't be written is INVALID_ARGS, whether the wait
    // would have timed out or been satisfied.
    let ev = must!(Event::create());
    for what in ["wait_one", "wait_one (signaled)"] {
        if what != "wait_one" {
            check!(ev.0.signal(Signals::NONE, Signals::EVENT_SIGNALED).is_ok());
        }
        let signaled = Signals::EVENT_SIGNALED.bits();
        for b in hostile_for(4, true, false) {
            let r = attempt(&b, &[], &mut |p| {
                raw::object_wait_one(ev.0.raw(), signaled, 0, p as *mut u32)
            });
            check_hostile!(what, b, r);
        }
    }
    // The state is unchanged by the failed waits.
    check!(observed(ev.0.raw()).contains(Signals::EVENT_SIGNALED));
}

fn object_wait_many_with_hostile_items() {
    // docs/abi.md 1: the items are read and written back; a range that is not fully mapped is
    // INVALID_ARGS with no other effect (no `pending` written into the mapped part).
    let e1 = must!(Event::create());
    let e2 = must!(Event::create());
    check!(e1.0.signal(Signals::NONE, Signals::EVENT_SIGNALED).is_ok());
    let mut data = [0u8; 24];
    u32s(
        &[
            e1.0.raw(),
            Signals::EVENT_SIGNALED.bits(),
            0xdead_beef,
            e2.0.raw(),
            Signals::EVENT_SIGNALED.bits(),
            0xdead_beef,
        ],
        &mut data,
    );
    // Read-only items are left out: Zircon looks the handles up (BAD_HANDLE) before it
    // writes `pending`, and a read-only page cannot hold our handle values.
    for b in hostile_for(24, false, true) {
        let r = attempt(&b, &data, &mut |p| {
            raw::object_wait_many(p as *mut WaitItem, 2, 0)
        });
        check_hostile!("wait_many", b, r);
    }
    check!(observed(e1.0.raw()).contains(Signals::EVENT_SIGNALED));
    // docs/abi.md 1: "A NULL pointer with a zero count/size is always valid" (Zircon: zero items
    // just wait for the deadline).
    check_status!(raw::object_wait_many(null_mut(), 0, 0), Status::TIMED_OUT);
}

// ---------------------------------------------------------------------------------------------
// Object creation
// ---------------------------------------------------------------------------------------------

/// Checks a creation call with one hostile output: INVALID_ARGS, no new handle, no new object,
/// and whatever landed in the valid output is not a handle.
fn check_create(what: &str, create: &dyn Fn(u64, *mut u32) -> i32) {
    let (stats, objs) = (handle_stats(), live_objects());
    for b in hostile_for(4, true, true) {
        let mut other = 0u32;
        let r = attempt(&b, &[], &mut |p| create(p, &mut other));
        check_hostile!(what, b, r);
        check_no_new_handles!(stats, what, b);
        check!(
            other == 0 || !valid(other),
            "{} with {}: the other output names a live handle",
            what,
            b.what
        );
    }
    check_eq!(settled_objects(objs), objs);
}

fn channel_create_with_hostile_outs() {
    // docs/abi.md 1: INVALID_ARGS "with no other effect": no endpoint is left behind.
    check_create_pair(
        ["channel_create out0", "channel_create out1"],
        raw::channel_create,
    );
}

/// [`check_create`] for a call that creates two handles, with each output hostile in turn.
fn check_create_pair(what: [&str; 2], create: fn(u32, *mut u32, *mut u32) -> i32) {
    check_create(what[0], &|p, o| create(0, p as *mut u32, o));
    check_create(what[1], &|p, o| create(0, o, p as *mut u32));
}

fn event_create_with_hostile_out() {
    // docs/abi.md 1: INVALID_ARGS "with no other effect".
    check_create("event_create out", &|p, _| {
        raw::event_create(0, p as *mut u32)
    });
}

fn eventpair_create_with_hostile_outs() {
    // docs/abi.md 1: INVALID_ARGS "with no other effect".
    check_create_pair(
        ["eventpair_create out0", "eventpair_create out1"],
        raw::eventpair_create,
    );
}

fn thread_create_with_hostile_name_or_out() {
    // docs/abi.md 1: "A NULL pointer with a zero count/size is always valid."
    let mut t = 0u32;
    let s = raw::thread_create(self_process(), null(), 0, 0, &mut t);
    check_status!(s, Status::OK);
    check!(valid(t));
    raw::handle_close(t);
    // docs/abi.md 1: INVALID_ARGS "with no other effect": no thread is created. (Whether closing an
    // unstarted thread frees it is test_process's closing_unstarted_thread_destroys_it.)
    let name = b"hostile-name-test-0123456789abcd";
    check_create("thread_create out", &|p, _| {
        raw::thread_create(self_process(), name.as_ptr(), name.len(), 0, p as *mut u32)
    });
    let (stats, objs) = (handle_stats(), live_objects());
    for b in hostile_for(32, false, true) {
        let mut out = 0u32;
        let r = attempt(&b, name, &mut |p| {
            raw::thread_create(self_process(), p as *const u8, 32, 0, &mut out)
        });
        check_hostile!("thread_create name", b, r);
        check_no_new_handles!(stats, "thread_create name", b);
        check!(out == 0 || !valid(out));
    }
    check_eq!(settled_objects(objs), objs);
}

fn process_spawn_with_hostile_name_or_out() {
    // docs/abi.md 5: spawn errors include `INVALID_ARGS`; docs/abi.md 1: "with no other effect": the
    // bootstrap stays ours and no process starts.
    let (a, b_end) = must!(Channel::create());
    let boot = b_end.raw();
    let (stats, objs) = (handle_stats(), live_objects());
    let name = b"child_echo";
    for b in hostile_for(10, false, true) {
        let mut out = 0u32;
        let r = attempt(&b, name, &mut |p| {
            raw::process_spawn(p as *const u8, name.len(), boot, &mut out)
        });
        check_hostile!("process_spawn name", b, r);
        check!(valid(boot), "process_spawn name {}: consumed", b.what);
        check_no_new_handles!(stats, "process_spawn name", b);
    }
    for b in hostile_for(4, true, true) {
        let r = attempt(&b, &[], &mut |p| {
            raw::process_spawn(name.as_ptr(), name.len(), boot, p as *mut u32)
        });
        check_hostile!("process_spawn out", b, r);
        check!(valid(boot), "process_spawn out {}: consumed", b.what);
        check_no_new_handles!(stats, "process_spawn out", b);
    }
    check!(!observed(a.raw()).contains(Signals::CHANNEL_PEER_CLOSED));
    check_eq!(settled_objects(objs), objs);
    // docs/abi.md 1: "A NULL pointer with a zero count/size is always valid": the empty name is
    // simply no program.
    let mut out = 0u32;
    let s = raw::process_spawn(null(), 0, HANDLE_INVALID, &mut out);
    check_status!(s, Status::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// zx_debug_write, zx_channel_call
// ---------------------------------------------------------------------------------------------

fn debug_write_with_hostile_buffer() {
    // docs/abi.md 1: an input range that is not fully mapped is INVALID_ARGS.
    for b in hostile_for(16, false, true) {
        let r = attempt(&b, b"[LEAKED BYTES!]\n", &mut |p| {
            raw::debug_write(p as *const u8, 16)
        });
        check_hostile!("debug_write", b, r);
    }
    // docs/abi.md 1: "A NULL pointer with a zero count/size is always valid."
    check_status!(raw::debug_write(null(), 0), Status::OK);
}

fn channel_call_with_hostile_args() {
    // docs/abi.md 4: "`zx_channel_call`: if the args struct can't be read, `INVALID_ARGS` and no
    // handle is consumed" (and no message is sent).
    let (a, b_end) = must!(Channel::create());
    let ev = must!(Event::create());
    let stats = handle_stats();
    let wr = [0u8; 8];
    let wr_handles = [ev.0.raw()];
    let mut rd = [0u8; 64];
    let mut rd_handles = [0u32; 1];
    let (rd, rd_handles) = (slice_arg_mut(&mut rd), slice_arg_mut(&mut rd_handles));
    let args = call_args(slice_arg(&wr), slice_arg(&wr_handles), rd, rd_handles);
    let mut data = [0u8; 48];
    args.to_bytes(&mut data);
    for bad in hostile_for(48, false, true) {
        let (mut ab, mut ah) = (0u32, 0u32);
        let r = attempt(&bad, &data, &mut |p| {
            let (dl, args) = (deadline_after(10 * MS), p as *const ChannelCallArgs);
            raw::channel_call(a.raw(), 0, dl, args, &mut ab, &mut ah)
        });
        check_hostile!("channel_call args", bad, r);
        let (e, sent) = (
            ev.0.raw(),
            observed(b_end.raw()).contains(Signals::CHANNEL_READABLE),
        );
        check!(valid(e), "channel_call {}: handle consumed", bad.what);
        check!(!sent, "channel_call {}: a message was sent", bad.what);
        check_no_new_handles!(stats, "channel_call args", bad);
    }
    check_eq!(handle_count(ev.0.raw()), 1);
}

// ---------------------------------------------------------------------------------------------
// Narrow arguments
// ---------------------------------------------------------------------------------------------

fn narrow_handle_arguments_use_only_low_bits() {
    // docs/abi.md 1: "Arguments narrower than 64 bits use only their low bits (a `uint32_t` argument
    // ignores bits 32..63)."
    use zx::sys::{raw1, raw3, raw4, raw6};
    let ev = must!(Event::create());
    let h = ev.0.raw() as u64 | GARBAGE;
    let u0 = Signals::USER_0.bits() as u64 | GARBAGE;
    let s = raw3(nr::OBJECT_SIGNAL, h, GARBAGE, u0) as i32;
    check_status!(s, Status::OK);
    check!(observed(ev.0.raw()).contains(Signals::USER_0));
    let mut obs = 0u32;
    let s = raw4(nr::OBJECT_WAIT_ONE, h, u0, 0, &mut obs as *mut u32 as u64) as i32;
    check_status!(s, Status::OK);
    check!(obs & Signals::USER_0.bits() != 0);
    let mut buf = [0u8; 32];
    let (mut actual, mut avail) = (0usize, 0usize);
    let (topic, b) = (INFO_HANDLE_BASIC as u64 | GARBAGE, buf.as_mut_ptr() as u64);
    let (ac, av) = (
        &mut actual as *mut usize as u64,
        &mut avail as *mut usize as u64,
    );
    let s = raw6(nr::OBJECT_GET_INFO, h, topic, b, 32, ac, av) as i32;
    check_status!(s, Status::OK);
    let bi = InfoHandleBasic::from_bytes(&buf);
    check_eq!(bi.koid, ev.0.koid().unwrap_or(0));
    check_eq!(bi.rights, Rights::DEFAULT_EVENT.bits());
    let mut dup = 0u32;
    let same = Rights::SAME_RIGHTS.bits() as u64 | GARBAGE;
    let s = raw3(nr::HANDLE_DUPLICATE, h, same, &mut dup as *mut u32 as u64) as i32;
    check_status!(s, Status::OK);
    check!(valid(dup));
    check_eq!(rights_of(dup), Rights::DEFAULT_EVENT.bits());
    check_status!(
        raw1(nr::HANDLE_CLOSE, dup as u64 | GARBAGE) as i32,
        Status::OK
    );
    check!(!valid(dup));
    check_eq!(handle_count(ev.0.raw()), 1);
}

fn narrow_option_and_count_arguments_use_only_low_bits() {
    // docs/abi.md 1: "a `uint32_t` argument ignores bits 32..63" (options, counts, process handle).
    use zx::sys::{raw2, raw3, raw5, raw6, raw8};
    let out = |v: &mut u32| v as *mut u32 as u64;
    let mut e = 0u32;
    check_status!(
        raw2(nr::EVENT_CREATE, GARBAGE, out(&mut e)) as i32,
        Status::OK
    );
    let e = Handle::from_raw(e);
    check!(valid(e.raw()));
    let (mut c0, mut c1) = (0u32, 0u32);
    let s = raw3(nr::CHANNEL_CREATE, GARBAGE, out(&mut c0), out(&mut c1)) as i32;
    check_status!(s, Status::OK);
    let (c0, c1) = (Handle::from_raw(c0), Handle::from_raw(c1));
    let (mut p0, mut p1) = (0u32, 0u32);
    let s = raw3(nr::EVENTPAIR_CREATE, GARBAGE, out(&mut p0), out(&mut p1)) as i32;
    check_status!(s, Status::OK);
    raw::handle_close(p0);
    raw::handle_close(p1);
    let name = b"narrow";
    let mut t = 0u32;
    let (process, n) = (self_process() as u64 | GARBAGE, name.as_ptr() as u64);
    let s = raw5(nr::THREAD_CREATE, process, n, 6, GARBAGE, out(&mut t)) as i32;
    check_status!(s, Status::OK);
    raw::handle_close(t);
    // Channel write/read: `num_bytes` and `num_handles` are uint32_t.
    let msg = *b"narrow!!";
    let dup = must!(e.duplicate(Rights::SAME_RIGHTS));
    let (ch, m, d) = (
        c0.raw() as u64 | GARBAGE,
        msg.as_ptr() as u64,
        &dup.raw() as *const u32,
    );
    let s = raw6(
        nr::CHANNEL_WRITE,
        ch,
        GARBAGE,
        m,
        8 | GARBAGE,
        d as u64,
        1 | GARBAGE,
    ) as i32;
    check_status!(s, Status::OK);
    let _ = dup.into_raw(); // moved into the message
    let mut buf = [0u8; 8];
    let mut hs = [0u32; 1];
    let (mut ab, mut ah) = (0u32, 0u32);
    let (b, h) = (buf.as_mut_ptr() as u64, hs.as_mut_ptr() as u64);
    let ch = c1.raw() as u64 | GARBAGE;
    let args = [
        ch,
        GARBAGE,
        b,
        h,
        8 | GARBAGE,
        1 | GARBAGE,
        out(&mut ab),
        out(&mut ah),
    ];
    check_status!(raw8(nr::CHANNEL_READ, args) as i32, Status::OK);
    check_eq!((ab, ah), (8, 1));
    check_eq!(buf, msg);
    check_eq!(koid(hs[0]), e.koid().unwrap_or(u64::MAX));
    raw::handle_close(hs[0]);
}

// ---------------------------------------------------------------------------------------------
// Registers across `svc`
// ---------------------------------------------------------------------------------------------

/// In/out record of `tp_regs_probe`.
#[repr(C, align(16))]
struct Probe {
    nr: u64,
    xin: [u64; 31],
    xout: [u64; 31],
    _pad: u64,
    vin: [[u64; 2]; 32],
    vout: [[u64; 2]; 32],
    fpcr_in: u64,
    fpcr_set: u64,
    fpcr_out: u64,
    nzcv_in: u64,
    nzcv_set: u64,
    nzcv_out: u64,
    sp_before: u64,
    sp_after: u64,
    tpidr_in: u64,
    tpidr_out: u64,
}
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(Probe, xin) == 8);
    assert!(offset_of!(Probe, xout) == 256);
    assert!(offset_of!(Probe, vin) == 512);
    assert!(offset_of!(Probe, vout) == 1024);
    assert!(offset_of!(Probe, fpcr_in) == 1536);
    assert!(offset_of!(Probe, nzcv_in) == 1560);
    assert!(offset_of!(Probe, sp_before) == 1584);
    assert!(offset_of!(Probe, tpidr_in) == 1600);
};

extern "C" {
    /// Loads x0..x15, x18..x30 from `xin`, v0..v31 from `vin`, FPCR, NZCV and TPIDR_EL0, runs
    /// `svc #0` with x16 = `nr`, and stores everything back into the `*out` fields.
    fn tp_regs_probe(p: *mut Probe);
    /// Fills v0..v31 from `pattern`, FPCR from `fpcr` and TPIDR_EL0 from `tpidr`, then until
    /// `end_tick` (CNTVCT_EL0) has passed and it has slept at least twice checks them all over
    /// and over, sleeping `sleep_ns` after every `chunk_ticks` of spinning. Returns 0, or 1 + the register that changed (33 for FPCR).
    /// `counters[0]` gets the number of checks, `counters[1]` the number of sleeps,
    /// `counters[2]` the number of times TPIDR_EL0 had changed (it is set again each time).
    fn tp_fp_spin(
        pattern: *const [u64; 2],
        end_tick: u64,
        fpcr: u64,
        chunk_ticks: u64,
        sleep_ns: u64,
        counters: *mut u64,
        tpidr: u64,
    ) -> u64;
}

/// Assembly that loads (`ld1`) or stores (`st1`) v0..v31, four at a time, from or to the 512
/// bytes at the address in register `$x`, which is advanced past them.
macro_rules! v0_v31 {
    ($op:literal, $x:literal) => {
        v_quads!($op, $x: 0 1 2 3, 4 5 6 7, 8 9 10 11, 12 13 14 15, 16 17 18 19, 20 21 22 23,
            24 25 26 27, 28 29 30 31)
    };
}
macro_rules! v_quads {
    ($op:literal, $x:literal: $($a:literal $b:literal $c:literal $d:literal),*) => {
        concat!($(
            $op, " {{v", $a, ".2d, v", $b, ".2d, v", $c, ".2d, v", $d, ".2d}}, [", $x, "], #64\n"
        ),*)
    };
}

/// Assembly that compares v`n` with pattern entry `n` (at x19 + 16 n) for each `n`, with `n`
/// in x14, branching to `9f` on a difference.
macro_rules! fp_checks {
    ($($n:literal),*) => {
        concat!($(
            "mov x14, #", $n, "\n",
            "mov x9, v", $n, ".d[0]\n",
            "mov x10, v", $n, ".d[1]\n",
            "ldp x11, x12, [x19, #(", $n, " * 16)]\n",
            "cmp x9, x11\n",
            "ccmp x10, x12, #0, eq\n",
            "b.ne 9f\n",
        )*)
    };
}

global_asm!(
    ".section .text.tp_regs_probe,\"ax\"",
    ".global tp_regs_probe",
    ".p2align 2",
    "tp_regs_probe:",
    "sub sp, sp, #208",
    "stp x19, x20, [sp, #0]",
    "stp x21, x22, [sp, #16]",
    "stp x23, x24, [sp, #32]",
    "stp x25, x26, [sp, #48]",
    "stp x27, x28, [sp, #64]",
    "stp x29, x30, [sp, #80]",
    "stp d8, d9, [sp, #96]",
    "stp d10, d11, [sp, #112]",
    "stp d12, d13, [sp, #128]",
    "stp d14, d15, [sp, #144]",
    "stp x18, x0, [sp, #160]",
    "mrs x9, fpcr",
    "mrs x10, tpidr_el0",
    "stp x9, x10, [sp, #176]",
    "mov x17, x0",
    "add x9, x17, #512",
    v0_v31!("ld1", "x9"),
    "ldr x9, [x17, #1536]",
    "msr fpcr, x9",
    "mrs x9, fpcr",
    "str x9, [x17, #1544]",
    "ldr x9, [x17, #1600]",
    "msr tpidr_el0, x9",
    "mov x9, sp",
    "str x9, [x17, #1584]",
    "ldr x9, [x17, #1560]",
    "msr nzcv, x9",
    "mrs x9, nzcv",
    "str x9, [x17, #1568]",
    "ldp x0, x1, [x17, #8]",
    "ldp x2, x3, [x17, #24]",
    "ldp x4, x5, [x17, #40]",
    "ldp x6, x7, [x17, #56]",
    "ldp x8, x9, [x17, #72]",
    "ldp x10, x11, [x17, #88]",
    "ldp x12, x13, [x17, #104]",
    "ldp x14, x15, [x17, #120]",
    "ldp x18, x19, [x17, #152]",
    "ldp x20, x21, [x17, #168]",
    "ldp x22, x23, [x17, #184]",
    "ldp x24, x25, [x17, #200]",
    "ldp x26, x27, [x17, #216]",
    "ldp x28, x29, [x17, #232]",
    "ldr x30, [x17, #248]",
    "ldr x16, [x17]",
    "svc #0",
    "mrs x16, nzcv",
    "ldr x17, [sp, #168]",
    "str x16, [x17, #1576]",
    "mov x16, sp",
    "str x16, [x17, #1592]",
    "stp x0, x1, [x17, #256]",
    "stp x2, x3, [x17, #272]",
    "stp x4, x5, [x17, #288]",
    "stp x6, x7, [x17, #304]",
    "stp x8, x9, [x17, #320]",
    "stp x10, x11, [x17, #336]",
    "stp x12, x13, [x17, #352]",
    "stp x14, x15, [x17, #368]",
    "stp x18, x19, [x17, #400]",
    "stp x20, x21, [x17, #416]",
    "stp x22, x23, [x17, #432]",
    "stp x24, x25, [x17, #448]",
    "stp x26, x27, [x17, #464]",
    "stp x28, x29, [x17, #480]",
    "str x30, [x17, #496]",
    "mrs x16, fpcr",
    "str x16, [x17, #1552]",
    "mrs x16, tpidr_el0",
    "str x16, [x17, #1608]",
    "add x16, x17, #1024",
    v0_v31!("st1", "x16"),
    "ldp x9, x10, [sp, #176]",
    "msr fpcr, x9",
    "msr tpidr_el0, x10",
    "ldr x18, [sp, #160]",
    "ldp x19, x20, [sp, #0]",
    "ldp x21, x22, [sp, #16]",
    "ldp x23, x24, [sp, #32]",
    "ldp x25, x26, [sp, #48]",
    "ldp x27, x28, [sp, #64]",
    "ldp x29, x30, [sp, #80]",
    "ldp d8, d9, [sp, #96]",
    "ldp d10, d11, [sp, #112]",
    "ldp d12, d13, [sp, #128]",
    "ldp d14, d15, [sp, #144]",
    "add sp, sp, #208",
    "ret",
    "",
    ".section .text.tp_fp_spin,\"ax\"",
    ".global tp_fp_spin",
    ".p2align 2",
    "tp_fp_spin:",
    "sub sp, sp, #144",
    "stp x19, x20, [sp, #0]",
    "stp x21, x22, [sp, #16]",
    "stp x23, x24, [sp, #32]",
    "stp x25, x26, [sp, #48]",
    "stp d8, d9, [sp, #64]",
    "stp d10, d11, [sp, #80]",
    "stp d12, d13, [sp, #96]",
    "stp d14, d15, [sp, #112]",
    "stp x27, x28, [sp, #128]",
    "mov x19, x0",
    "mov x20, x1",
    "mov x22, x3",
    "mov x23, x4",
    "mov x24, x5",
    "mrs x25, fpcr",
    "msr fpcr, x2",
    "mrs x21, fpcr",
    "mrs x28, tpidr_el0",
    "msr tpidr_el0, x6",
    "mov x27, x6",
    "mov x26, #0",
    "mov x9, x19",
    v0_v31!("ld1", "x9"),
    "3:",
    "mrs x9, cntvct_el0",
    "add x15, x9, x22",
    "4:",
    fp_checks!(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31
    ),
    "mov x14, #32",
    "mrs x9, fpcr",
    "cmp x9, x21",
    "b.ne 9f",
    "mrs x9, tpidr_el0",
    "cmp x9, x27",
    "b.eq 5f",
    "ldr x9, [x24, #16]",
    "add x9, x9, #1",
    "str x9, [x24, #16]",
    "msr tpidr_el0, x27",
    "5:",
    "add x26, x26, #1",
    "mrs x9, cntvct_el0",
    // Past `end_tick`, and slept twice at least: done (a worker that started late still
    // sleeps, whatever the host's speed).
    "cmp x9, x20",
    "b.lo 6f",
    "ldr x10, [x24, #8]",
    "cmp x10, #2",
    "b.hs 8f",
    "6:",
    "cmp x9, x15",
    "b.lo 4b",
    "mov x16, #35",
    "svc #0",
    "add x0, x0, x23",
    "mov x16, #34",
    "svc #0",
    "ldr x9, [x24, #8]",
    "add x9, x9, #1",
    "str x9, [x24, #8]",
    "b 3b",
    "8:",
    "mov x0, #0",
    "b 7f",
    "9:",
    "add x0, x14, #1",
    "7:",
    "str x26, [x24]",
    "msr fpcr, x25",
    "msr tpidr_el0, x28",
    "ldp x19, x20, [sp, #0]",
    "ldp x21, x22, [sp, #16]",
    "ldp x23, x24, [sp, #32]",
    "ldp x25, x26, [sp, #48]",
    "ldp d8, d9, [sp, #64]",
    "ldp d10, d11, [sp, #80]",
    "ldp d12, d13, [sp, #96]",
    "ldp d14, d15, [sp, #112]",
    "ldp x27, x28, [sp, #128]",
    "add sp, sp, #144",
    "ret",
);

const fn fp_pattern(seed: u64) -> [[u64; 2]; 32] {
    let mut p = [[0u64; 2]; 32];
    let mut i = 0;
    while i < 32 {
        let n = i as u64;
        p[i][0] = 0x0123_4567_89ab_cdef ^ (seed << 56) ^ (n << 8) ^ n;
        p[i][1] = 0xfedc_ba98_7654_3210 ^ (seed << 48) ^ (n << 24) ^ (n << 1);
        i += 1;
    }
    p
}

static FP_PATTERNS: [[[u64; 2]; 32]; 3] = [fp_pattern(1), fp_pattern(2), fp_pattern(3)];
/// A distinct FPCR per pattern: rounding modes (RMode, bits 23:22) and FZ (bit 24), DN (25).
const FPCRS: [u64; 3] = [0x0040_0000, 0x0180_0000, 0x02c0_0000];

fn probe_with(nr: u64, args: &[(usize, u64)], seed: u64, nzcv: u64, fpcr: u64) -> Probe {
    let mut p = Probe {
        nr,
        xin: [0; 31],
        xout: [0; 31],
        _pad: 0,
        vin: fp_pattern(seed + 10),
        vout: [[0; 2]; 32],
        fpcr_in: fpcr,
        fpcr_set: 0,
        fpcr_out: 0,
        nzcv_in: nzcv,
        nzcv_set: 0,
        nzcv_out: 0,
        sp_before: 0,
        sp_after: 0,
        tpidr_in: 0x7770_0000_0000_0000 | seed,
        tpidr_out: 0,
    };
    for (i, x) in p.xin.iter_mut().enumerate() {
        *x = 0x5a00_0000_0000_0000 | (seed << 40) | ((i as u64) << 16) | (i as u64 * 0x11);
    }
    for &(i, v) in args {
        p.xin[i] = v;
    }
    // SAFETY: the probe saves and restores everything the Rust ABI requires of a callee.
    unsafe { tp_regs_probe(&mut p) };
    p
}

fn check_probe(what: &str, p: &Probe) {
    for i in (1..=15).chain(18..=30) {
        check_eq!(p.xout[i], p.xin[i], "{}: x{} changed:", what, i);
    }
    for i in 0..32 {
        check_eq!(p.vout[i], p.vin[i], "{}: v{} changed:", what, i);
    }
    check!(p.nzcv_set == p.nzcv_in, "{}: NZCV did not take", what);
    check_eq!(p.nzcv_out, p.nzcv_set, "{}: NZCV changed:", what);
    check_eq!(p.fpcr_out, p.fpcr_set, "{}: FPCR changed:", what);
    check!(p.sp_after == p.sp_before, "{}: SP changed", what);
    check_eq!(p.tpidr_out, p.tpidr_in, "{}: TPIDR_EL0 changed:", what);
}

/// The probe over a set of calls: fast, failing, blocking, and handle-creating.
fn probe_calls(seed: u64) {
    // docs/abi.md 1: "The kernel preserves every general register except `x0`, `x16` and `x17`, and
    // preserves SP, the FP/SIMD registers, NZCV and TPIDR_EL0."
    for (k, (nzcv, fpcr)) in [(0xa000_0000u64, 0x07c0_0000u64), (0x5000_0000, 0x0040_0000)]
        .into_iter()
        .enumerate()
    {
        let s = seed * 16 + k as u64 * 8;
        // The call `nr` with `args` in x0.., the `n`th of this round.
        let probe = |nr, args: &[(usize, u64)], n| probe_with(nr, args, s + n, nzcv, fpcr);
        let p = probe(nr::CLOCK_GET_MONOTONIC, &[], 0);
        check_probe("clock_get_monotonic", &p);
        check!(p.xout[0] as i64 > 0);
        let p = probe(9, &[], 1);
        check_probe("unknown syscall 9", &p);
        check_eq!(p.xout[0] as i32, Status::BAD_SYSCALL.raw());
        let p = probe(nr::NANOSLEEP, &[(0, deadline_after(2 * MS) as u64)], 2);
        check_probe("nanosleep (blocks)", &p);
        check_eq!(p.xout[0], 0);
        let ev = must!(Event::create());
        let mut obs = 0u32;
        let args = [
            (0, ev.0.raw() as u64),
            (1, Signals::EVENT_SIGNALED.bits() as u64),
            (2, deadline_after(2 * MS) as u64),
            (3, &mut obs as *mut u32 as u64),
        ];
        let p = probe(nr::OBJECT_WAIT_ONE, &args, 3);
        check_probe("wait_one (blocks, times out)", &p);
        check_eq!(p.xout[0] as i32, Status::TIMED_OUT.raw());
        let mut out = 0u32;
        let p = probe(
            nr::EVENT_CREATE,
            &[(0, 0), (1, &mut out as *mut u32 as u64)],
            4,
        );
        check_probe("event_create", &p);
        check_eq!(p.xout[0], 0);
        check!(valid(out));
        raw::handle_close(out);
        let p = probe(nr::DEBUG_WRITE, &[(0, 0), (1, 16)], 5);
        check_probe("debug_write (INVALID_ARGS)", &p);
        check_eq!(p.xout[0] as i32, Status::INVALID_ARGS.raw());
        let p = probe(nr::HANDLE_CLOSE, &[(0, 0)], 6);
        check_probe("handle_close(INVALID)", &p);
        check_eq!(p.xout[0], 0);
    }
}

fn svc_preserves_all_registers_but_x0_x16_x17() {
    // docs/abi.md 1: "The kernel preserves every general register except `x0`, `x16` and `x17`, and
    // preserves SP, the FP/SIMD registers, NZCV and TPIDR_EL0" (x1..x15, x18..x30, v0..v31,
    // FPCR, NZCV, SP, TPIDR_EL0 over fast, failing, blocking and handle-creating calls).
    probe_calls(1);
}

static FP_END: AtomicU64 = AtomicU64::new(0);
static FP_RESULT: [AtomicU64; 3] = [const { AtomicU64::new(u64::MAX) }; 3];
static FP_CHECKS: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];
static FP_SLEEPS: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];
static FP_TPIDR_LOST: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];

fn fp_worker(i: usize) {
    let mut counters = [0u64; 3];
    let chunk = cntfrq() / 200; // 5 ms of spinning between sleeps
                                // SAFETY: the assembly saves and restores what the Rust ABI requires.
    let r = unsafe {
        tp_fp_spin(
            FP_PATTERNS[i].as_ptr(),
            FP_END.load(Ordering::Relaxed),
            FPCRS[i],
            chunk,
            MS as u64,
            counters.as_mut_ptr(),
            0x7117_0000_0000_0000 | i as u64,
        )
    };
    FP_RESULT[i].store(r, Ordering::Relaxed);
    FP_CHECKS[i].store(counters[0], Ordering::Relaxed);
    FP_SLEEPS[i].store(counters[1], Ordering::Relaxed);
    FP_TPIDR_LOST[i].store(counters[2], Ordering::Relaxed);
}

/// Starts FP workers `ids` spinning until `ms` from now.
fn start_fp_workers(ids: &[usize], ms: u64) -> [Option<thread::Thread>; 3] {
    FP_END.store(cntvct() + cntfrq() * ms / 1000, Ordering::Relaxed);
    let mut ts = [const { None }; 3];
    for &i in ids {
        FP_RESULT[i].store(u64::MAX, Ordering::Relaxed);
        ts[i] = start(fp_worker, i);
    }
    ts
}

fn join_fp_workers(ts: [Option<thread::Thread>; 3]) {
    for (i, t) in ts.into_iter().enumerate().filter(|(_, t)| t.is_some()) {
        join(t);
        let r = FP_RESULT[i].load(Ordering::Relaxed);
        let reg = r.wrapping_sub(1);
        check!(
            r == 0,
            "fp worker {}: register {} changed (v0..v31, 32 = FPCR; MAX = none)",
            i,
            reg
        );
        check!(FP_CHECKS[i].load(Ordering::Relaxed) > 0);
        let lost = FP_TPIDR_LOST[i].load(Ordering::Relaxed);
        check!(
            lost == 0,
            "fp worker {}: TPIDR_EL0 changed {} times",
            i,
            lost
        );
    }
}

fn fp_simd_fpcr_and_tpidr_survive_preemption_and_sleep() {
    // docs/abi.md 1: the kernel "preserves SP, the FP/SIMD registers, NZCV and TPIDR_EL0"; docs/abi.md 5:
    // "FP/SIMD is enabled at EL0". Two threads with their own v0..v31, FPCR and TPIDR_EL0 share
    // the core(s) for 100 ms, spinning (preempted by the timer) and sleeping in between; the
    // main thread sleeps too.
    let ts = start_fp_workers(&[0, 1], 100);
    let t0 = now();
    while now() - t0 < 100 * MS {
        sleep_ns(3 * MS);
    }
    join_fp_workers(ts);
    for i in 0..2 {
        let (r, sleeps) = (
            FP_RESULT[i].load(Ordering::Relaxed),
            FP_SLEEPS[i].load(Ordering::Relaxed),
        );
        check!(
            r != 0 || sleeps >= 2,
            "fp worker {} slept only {} times",
            i,
            sleeps
        );
    }
}

fn registers_survive_blocking_calls_while_another_thread_runs() {
    // docs/abi.md 1 again, while another thread of the process loads its own FP/SIMD state, FPCR
    // and TPIDR_EL0 on the same core(s) during our blocking calls.
    let ts = start_fp_workers(&[2], 60);
    probe_calls(2);
    join_fp_workers(ts);
}

zx::tests!(
    handle_duplicate_with_hostile_out,
    handle_replace_with_hostile_out,
    handle_close_many_with_hostile_array,
    object_get_info_with_hostile_buffer,
    object_get_info_with_hostile_actual_or_avail,
    object_wait_one_with_hostile_observed,
    object_wait_many_with_hostile_items,
    channel_create_with_hostile_outs,
    event_create_with_hostile_out,
    eventpair_create_with_hostile_outs,
    thread_create_with_hostile_name_or_out,
    process_spawn_with_hostile_name_or_out,
    debug_write_with_hostile_buffer,
    channel_call_with_hostile_args,
    narrow_handle_arguments_use_only_low_bits,
    narrow_option_and_count_arguments_use_only_low_bits,
    svc_preserves_all_registers_but_x0_x16_x17,
    fp_simd_fpcr_and_tpidr_survive_preemption_and_sleep,
    registers_survive_blocking_calls_while_another_thread_runs,
);

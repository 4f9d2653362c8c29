//! The EL0 test library: the runner behind [`tests!`](crate::tests) (named cases, one line per
//! case, a kernel-stats leak check after every case, `test=program::case` to run one), the
//! `check!` assertions, and the helpers every test program needs: the start-up handles, raw
//! object helpers, the kernel's live counts, and hostile pointers whose stack bounds come from
//! the program's real start state ([`crate::initial_stack`]).

use crate::*;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicU32, Ordering};

static FAILURES: AtomicU32 = AtomicU32::new(0);
static CASE_FAILED: AtomicU32 = AtomicU32::new(0);
static ROOT: AtomicU32 = AtomicU32::new(0);
static PROCESS: AtomicU32 = AtomicU32::new(0);
static THREAD: AtomicU32 = AtomicU32::new(0);
static BOOTSTRAP: AtomicU32 = AtomicU32::new(0);
static X2: AtomicU32 = AtomicU32::new(0);

/// `zx::tests!(case_a, case_b, ...)`: the whole `main` of a test program. Each case is a
/// `fn()` named once here; it reports as `PROGRAM::case`, PROGRAM being the binary's name
/// without `test_`.
#[macro_export]
macro_rules! tests {
    ($($case:ident),+ $(,)?) => {
        $crate::entry!(__zx_test_main);
        fn __zx_test_main(args: $crate::StartArgs) -> i64 {
            let name = env!("CARGO_BIN_NAME");
            let program = name.strip_prefix("test_").unwrap_or(name);
            $crate::test::main(&args, program, &[$((stringify!($case), $case as fn())),+])
        }
    };
}

/// Starts a `child_flood` (it fills channels nobody reads until the kernel refuses a write) and
/// waits until it says how that ended: checks it was `ZX_ERR_NO_MEMORY`. Returns the process and
/// its control channel (closing the channel ends it); `Err` if it could not be spawned.
pub fn spawn_flooder() -> ZxResult<(Process, crate::channel::Channel)> {
    use crate::handle::{AsHandleRef, HandleBased};
    let (ours, theirs) = crate::channel::Channel::create()?;
    let p = Process::spawn("child_flood", Some(theirs.into_handle()))?;
    let either = Signals::USER_0 | Signals::USER_1;
    let got = ours.wait_handle(either, crate::time::MonotonicInstant::INFINITE);
    crate::check_eq!(got.map(|s| s & either), Ok(Signals::USER_0));
    Ok((p, ours))
}

/// One second and one millisecond, in nanoseconds.
pub const SEC: i64 = 1_000_000_000;
pub const MS: i64 = 1_000_000;

/// Joins `t` (if it was started) within 10 s: a failed check at the caller's line if it does
/// not end.
#[track_caller]
pub fn join(t: Option<crate::thread::Thread>) {
    join_within(t, 10 * SEC);
}

/// [`join`] with `ns` to wait instead of 10 s.
#[track_caller]
pub fn join_within(t: Option<crate::thread::Thread>, ns: i64) {
    if let Some(t) = t {
        let r = t.join(deadline_after(ns));
        expect(r.is_ok(), format_args!("thread did not end: {:?}", r));
    }
}

/// Starts `f(arg)` on a new thread: `None` (and a failed check at the caller's line) if it
/// could not be started.
#[track_caller]
pub fn start(f: fn(usize), arg: usize) -> Option<crate::thread::Thread> {
    let t = crate::thread::spawn(f, arg);
    expect(
        t.is_ok(),
        format_args!("thread spawn failed: {:?}", t.as_ref().err()),
    );
    t.ok()
}

/// The kernel holds as many messages and ipc bytes as in the statistics `before`.
#[track_caller]
pub fn expect_no_new_messages(before: &InfoKernelStats) {
    let now = kstats();
    expect(
        (now.live_messages, now.ipc_bytes) == (before.live_messages, before.ipc_bytes),
        format_args!(
            "messages, ipc bytes: {:?} (before {:?})",
            (now.live_messages, now.ipc_bytes),
            (before.live_messages, before.ipc_bytes)
        ),
    );
}

/// Spawns `program` with a new channel as its bootstrap, `msg` (and `handles`) already queued
/// for it: the process and our end of the channel.
pub fn spawn_with(program: &str, msg: &[u8], handles: &[u32]) -> ZxResult<(Process, Channel)> {
    let (ours, theirs) = Channel::create()?;
    ours.write(msg, handles)?;
    Ok((Process::spawn(program, Some(theirs.0))?, ours))
}

/// The payload of a received message.
pub fn payload(m: &crate::Received) -> &[u8] {
    &m.bytes[..m.num_bytes as usize]
}

/// The root resource (0 without one).
pub fn root() -> u32 {
    ROOT.load(Ordering::Relaxed)
}
/// This program's process handle.
pub fn self_process() -> u32 {
    PROCESS.load(Ordering::Relaxed)
}
/// This program's first thread.
pub fn self_thread() -> u32 {
    THREAD.load(Ordering::Relaxed)
}
/// The bootstrap channel init spawned us with (0 if none); it stays open.
pub fn bootstrap() -> u32 {
    BOOTSTRAP.load(Ordering::Relaxed)
}

/// The start-up handles exactly as the kernel passed them (docs/abi.md section 5).
pub fn start_args() -> StartArgs {
    StartArgs {
        bootstrap: bootstrap(),
        process: self_process(),
        root_resource: X2.load(Ordering::Relaxed),
        thread: self_thread(),
    }
}

/// A test program's main: keeps the start-up handles, takes the root resource (from `x2` when
/// booted as `init=`, else from init's bootstrap message `root` or `root CASE`, which names the
/// one case to run), waits for init to close its end of the bootstrap channel (so the kernel's
/// counts stand still), and runs the cases.
pub fn main(args: &StartArgs, program: &str, cases: &[(&str, fn())]) -> i64 {
    PROCESS.store(args.process, Ordering::Relaxed);
    THREAD.store(args.thread, Ordering::Relaxed);
    BOOTSTRAP.store(args.bootstrap, Ordering::Relaxed);
    X2.store(args.root_resource, Ordering::Relaxed);
    let mut only = [0u8; 128];
    let mut only_len = 0;
    let mut root = args.root_resource;
    if root == HANDLE_INVALID && args.bootstrap != HANDLE_INVALID {
        let ch = Channel(Handle::from_raw(args.bootstrap));
        let r = ch.read();
        let _ = ch.0.into_raw(); // the bootstrap channel stays open for the program
        if let Ok(m) = r {
            let words = &m.bytes[..m.num_bytes as usize];
            if m.num_handles == 1 && words.starts_with(b"root") {
                root = m.handles[0];
                let case = words[4..].trim_ascii();
                only_len = case.len().min(only.len());
                only[..only_len].copy_from_slice(&case[..only_len]);
            }
        }
        let mut obs = 0;
        raw::object_wait_one(
            args.bootstrap,
            Signals::CHANNEL_PEER_CLOSED.bits(),
            deadline_after(2_000_000_000),
            &mut obs,
        );
    }
    ROOT.store(root, Ordering::Relaxed);
    // The premise of every stack-bound case: main runs on the stack the program started with.
    if !on_initial_stack() {
        return 1;
    }
    let only = core::str::from_utf8(&only[..only_len]).unwrap_or("?");
    let code = run_only(program, cases, (!only.is_empty()).then_some(only));
    raw::handle_close(root);
    code
}

/// `expect(cond, format_args!(..))`: [`check!`](crate::check) as a function, reporting its
/// caller's line (for helpers that check on behalf of a case).
#[track_caller]
pub fn expect(cond: bool, what: core::fmt::Arguments) {
    if !cond {
        let l = core::panic::Location::caller();
        fail(l.file(), l.line(), what);
    }
}

/// `expect_status(got, want, "what")`: a raw status must be `want`.
#[track_caller]
pub fn expect_status(got: i32, want: Status, what: &str) {
    expect(
        got == want.raw(),
        format_args!("{}: returned {} (want {})", what, Status(got), want),
    );
}

/// `must!(result)`: the value, or (on `Err`) a failed check and a return from the case: for
/// setup steps without which the case cannot go on.
#[macro_export]
macro_rules! must {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(s) => {
                $crate::test::fail(
                    file!(),
                    line!(),
                    format_args!("{} failed: {}", stringify!($e), s),
                );
                return;
            }
        }
    };
}

/// Records a failed check (used by the `check!` macros).
pub fn fail(file: &str, line: u32, what: core::fmt::Arguments) {
    CASE_FAILED.fetch_add(1, Ordering::Relaxed);
    crate::println!("    check failed at {}:{}: {}", file, line, what);
}

/// Runs each case, printing `ok`/`FAIL` per case; returns the number of failed cases.
pub fn run(program: &str, cases: &[(&str, fn())]) -> i64 {
    run_only(program, cases, None)
}

/// [`run`], or only the case named `only`. With the root resource, a case also fails if the
/// kernel's live counts are not back where they were before it within 5 s.
pub fn run_only(program: &str, cases: &[(&str, fn())], only: Option<&str>) -> i64 {
    if let Some(name) = only {
        if !cases.iter().any(|(n, _)| *n == name) {
            crate::println!("  FAIL {}::{} (no such case)", program, name);
            return 1;
        }
    }
    for (name, f) in cases.iter().filter(|(n, _)| only.is_none_or(|o| o == *n)) {
        CASE_FAILED.store(0, Ordering::Relaxed);
        let before = live();
        f();
        if let Some(before) = before {
            let after = settle_to(before);
            check!(
                after == Some(before),
                "kernel counts not back to baseline: {:?} -> {:?}",
                before,
                after
            );
        }
        if CASE_FAILED.load(Ordering::Relaxed) == 0 {
            crate::println!("  ok   {}::{}", program, name);
        } else {
            FAILURES.fetch_add(1, Ordering::Relaxed);
            crate::println!("  FAIL {}::{}", program, name);
        }
    }
    FAILURES.load(Ordering::Relaxed) as i64
}

// ------------------------------------------------------------------------------------------
// The kernel's live counts (docs/abi.md section 5, "Kernel statistics").
// ------------------------------------------------------------------------------------------

/// Live handles, objects, messages and ipc bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Live {
    pub handles: u64,
    pub objects: u64,
    pub messages: u64,
    pub ipc_bytes: u64,
}

/// The kernel's statistics (all zero without the root resource).
pub fn kstats() -> InfoKernelStats {
    kernel_stats(root()).unwrap_or_default()
}

/// The live counts now (`None` without the root resource).
pub fn live() -> Option<Live> {
    live_of(root())
}

/// The live counts, read through the root resource `root`.
pub fn live_of(root: u32) -> Option<Live> {
    Some(live_in(&kernel_stats(root).ok()?))
}

/// The live counts in a `ZX_INFO_KERNEL_STATS` record.
pub fn live_in(s: &InfoKernelStats) -> Live {
    Live {
        handles: s.live_handles,
        objects: s.live_objects,
        messages: s.live_messages,
        ipc_bytes: s.ipc_bytes,
    }
}

/// The live counts now; without the root resource a failed check (and zeros).
#[track_caller]
pub fn counts() -> Live {
    let l = live();
    expect(
        l.is_some(),
        format_args!("no ZX_INFO_KERNEL_STATS (root resource missing?)"),
    );
    l.unwrap_or_default()
}

/// [`settle_to`] `base`: the last counts read.
pub fn settle(base: Live) -> Live {
    settle_to(base).unwrap_or_default()
}

/// The live counts come back to `base` (within 5 s).
#[track_caller]
pub fn check_back_to_baseline(base: Live) {
    let after = settle(base);
    expect(
        after == base,
        format_args!("kernel counts {:?} -> {:?}", base, after),
    );
}

/// Live kernel objects (u64::MAX without the root resource).
pub fn live_objects() -> u64 {
    live().map_or(u64::MAX, |l| l.objects)
}

/// Live objects once they are back at `base` (or after 5 s: a loaded host may hold a core
/// back); the last count.
pub fn settled_objects(base: u64) -> u64 {
    settled(live_objects, base)
}

/// Waits (up to 5 s, ending as soon as they match) for the live counts to come back to `want`
/// (what is left of a thread or process is freed moments after it ends); returns the last.
pub fn settle_to(want: Live) -> Option<Live> {
    settled(live, Some(want))
}

/// `read()` once it gives `want` (reading it every millisecond, for up to 5 s); the last value.
fn settled<T: PartialEq>(read: impl Fn() -> T, want: T) -> T {
    let mut now = read();
    for _ in 0..5000 {
        if now == want {
            break;
        }
        sleep_ns(MS);
        now = read();
    }
    now
}

// ------------------------------------------------------------------------------------------
// Objects and handles, on raw values; a failure is a failed check.
// ------------------------------------------------------------------------------------------

/// `ZX_INFO_HANDLE_VALID`: the status (OK or BAD_HANDLE).
pub fn valid_status(h: u32) -> i32 {
    raw::object_get_info(h, INFO_HANDLE_VALID, null_mut(), 0, null_mut(), null_mut())
}
/// Whether `h` names a handle of ours.
pub fn valid(h: u32) -> bool {
    valid_status(h) == Status::OK.raw()
}
/// A new event.
#[track_caller]
pub fn event() -> u32 {
    let mut h = 0;
    expect_status(raw::event_create(0, &mut h), Status::OK, "event_create");
    h
}
/// A new channel's two ends.
#[track_caller]
pub fn channel() -> (u32, u32) {
    let (mut a, mut b) = (0, 0);
    let s = raw::channel_create(0, &mut a, &mut b);
    expect_status(s, Status::OK, "channel_create");
    (a, b)
}
/// A new event pair.
#[track_caller]
pub fn eventpair() -> (u32, u32) {
    let (mut a, mut b) = (0, 0);
    let s = raw::eventpair_create(0, &mut a, &mut b);
    expect_status(s, Status::OK, "eventpair_create");
    (a, b)
}
/// Rights as [`Rights`] or as raw bits.
pub trait RightsArg {
    fn raw_bits(self) -> u32;
}
impl RightsArg for Rights {
    fn raw_bits(self) -> u32 {
        self.bits()
    }
}
impl RightsArg for u32 {
    fn raw_bits(self) -> u32 {
        self
    }
}
/// A duplicate of `h` with `rights`.
#[track_caller]
pub fn dup(h: u32, rights: impl RightsArg) -> u32 {
    let (s, out) = try_dup(h, rights);
    expect_status(s.raw(), Status::OK, "handle_duplicate");
    out
}
/// `h` replaced by a handle with `rights`.
#[track_caller]
pub fn replace(h: u32, rights: impl RightsArg) -> u32 {
    let (s, out) = try_replace(h, rights);
    expect_status(s.raw(), Status::OK, "handle_replace");
    out
}
/// `zx_handle_duplicate(h, rights)`: (status, the value written to `out`, which starts as
/// 0x5555_5555 so that an unwritten one shows).
pub fn try_dup(h: u32, rights: impl RightsArg) -> (Status, u32) {
    let mut out = 0x5555_5555;
    let s = raw::handle_duplicate(h, rights.raw_bits(), &mut out);
    (Status(s), out)
}
/// `zx_handle_replace(h, rights)`, as [`try_dup`].
pub fn try_replace(h: u32, rights: impl RightsArg) -> (Status, u32) {
    let mut out = 0x5555_5555;
    let s = raw::handle_replace(h, rights.raw_bits(), &mut out);
    (Status(s), out)
}
/// The info topics with a record: (handle, topic, record size, name), on the event `e`, this
/// process and the root resource (KERNEL_STATS, last: leave it out without a root resource).
pub fn info_topics(e: u32) -> [(u32, u32, usize, &'static str); 5] {
    let p = self_process();
    [
        (e, INFO_HANDLE_BASIC, 32, "HANDLE_BASIC"),
        (p, INFO_PROCESS, 16, "PROCESS"),
        (e, INFO_HANDLE_COUNT, 4, "HANDLE_COUNT"),
        (p, INFO_PROCESS_HANDLE_STATS, 256, "PROCESS_HANDLE_STATS"),
        (root(), INFO_KERNEL_STATS, 64, "KERNEL_STATS"),
    ]
}
/// An event whose handle has exactly `rights`.
pub fn event_with(rights: impl RightsArg) -> u32 {
    replace(event(), rights)
}
/// A handle value that was valid and is closed now.
pub fn stale() -> u32 {
    let e = event();
    close(e);
    e
}
/// Closes `h` (which must be valid).
#[track_caller]
pub fn close(h: u32) {
    expect_status(raw::handle_close(h), Status::OK, "handle_close");
}
/// Each of `hs` is a handle of ours (`valid`) or not, as `want` says.
#[track_caller]
pub fn expect_valid(hs: &[u32], want: bool) {
    for (i, &h) in hs.iter().enumerate() {
        let what = format_args!("handle {} ({:#x}) valid: {} (want {})", i, h, !want, want);
        expect(valid(h) == want, what);
    }
}
/// Closes each of `hs` in turn (each must be valid).
#[track_caller]
pub fn close_all(hs: &[u32]) {
    for &h in hs {
        close(h);
    }
}
/// `zx_object_get_info(h, topic, buf, size)` with NULL `actual` and `avail`: the status.
pub fn info_into(h: u32, topic: u32, buf: *mut u8, size: usize) -> i32 {
    raw::object_get_info(h, topic, buf, size, null_mut(), null_mut())
}
/// `zx_object_get_info(h, topic, buf, size)` with `actual` and `avail` starting at 77 (so that
/// an unwritten one shows): (status, actual, avail).
pub fn info_raw(h: u32, topic: u32, buf: *mut u8, size: usize) -> (Status, usize, usize) {
    let (mut actual, mut avail) = (77usize, 77usize);
    let s = raw::object_get_info(h, topic, buf, size, &mut actual, &mut avail);
    (Status(s), actual, avail)
}
/// `ZX_INFO_HANDLE_BASIC` of `h` (all zero if the query fails).
pub fn basic(h: u32) -> InfoHandleBasic {
    get_info::<InfoHandleBasic>(h, INFO_HANDLE_BASIC).unwrap_or_default()
}
/// The koid of the object behind `h` (0 if `h` is bad).
pub fn koid(h: u32) -> u64 {
    basic(h).koid
}
/// The rights of `h` (0 if `h` is bad).
pub fn rights_of(h: u32) -> u32 {
    basic(h).rights
}
/// `ZX_INFO_HANDLE_COUNT` of the object behind `h` (u32::MAX if the query fails).
pub fn handle_count(h: u32) -> u32 {
    get_info::<InfoHandleCount>(h, INFO_HANDLE_COUNT)
        .map(|c| c.handle_count)
        .unwrap_or(u32::MAX)
}
/// A new channel, typed (the [`Channel`] of `write(&[u8], &[u32])`).
pub fn channel_pair() -> (Channel, Channel) {
    Channel::create().expect("channel_create")
}
/// A new event, as a plain [`Handle`].
pub fn event_handle() -> Handle {
    Event::create().expect("event_create").0
}
/// A duplicate of `h` with the same rights, as a raw value (to be sent away).
pub fn dup_raw(h: &Handle) -> u32 {
    h.duplicate(Rights::SAME_RIGHTS)
        .expect("handle_duplicate")
        .into_raw()
}
/// [`handle_count`] of a typed handle.
pub fn count(h: &impl crate::handle::AsHandleRef) -> u32 {
    handle_count(h.raw_handle())
}
/// `zx_object_wait_one(h, signals, deadline)` with `observed` starting at 0: (status,
/// observed).
pub fn wait_raw(h: u32, signals: u32, deadline: i64) -> (Status, u32) {
    let mut obs = 0;
    let s = raw::object_wait_one(h, signals, deadline, &mut obs);
    (Status(s), obs)
}
/// The signals asserted on `h` now (`wait_one` for nothing with a deadline in the past).
pub fn signals(h: u32) -> u32 {
    let mut obs = 0;
    raw::object_wait_one(h, 0, 0, &mut obs);
    obs
}
/// The signals asserted on `h` now, typed.
pub fn observed(h: u32) -> Signals {
    Signals(signals(h))
}
/// This process's handles by object type (all u32::MAX if the query fails).
pub fn handle_stats() -> [u32; 64] {
    get_info::<InfoProcessHandleStats>(self_process(), INFO_PROCESS_HANDLE_STATS)
        .map(|s| s.handle_count)
        .unwrap_or([u32::MAX; 64])
}
/// How many handles of type `t` this process holds.
pub fn type_count(t: ObjType) -> u32 {
    handle_stats()[t.raw() as usize]
}
/// How many handles this process holds (u32::MAX if the query fails).
pub fn process_handles() -> u32 {
    handle_stats()
        .iter()
        .try_fold(0u32, |a, &n| a.checked_add(n))
        .unwrap_or(u32::MAX)
}

// ------------------------------------------------------------------------------------------
// Channel messages.
// ------------------------------------------------------------------------------------------

/// The largest message's bytes and handles.
pub const MAX_BYTES: usize = CHANNEL_MAX_MSG_BYTES as usize;
pub const MAX_HANDLES: usize = CHANNEL_MAX_MSG_HANDLES as usize;
/// Channel signals as raw bits.
pub const READABLE: u32 = Signals::CHANNEL_READABLE.bits();
pub const WRITABLE: u32 = Signals::CHANNEL_WRITABLE.bits();
pub const PEER_CLOSED: u32 = Signals::CHANNEL_PEER_CLOSED.bits();

const fn pattern() -> [u8; MAX_BYTES + 4096] {
    let mut a = [0u8; MAX_BYTES + 4096];
    let mut i = 0;
    while i < a.len() {
        a[i] = (i.wrapping_mul(31) ^ (i >> 8) ^ (i >> 13)) as u8;
        i += 1;
    }
    a
}

/// Source bytes in a read-only segment (a valid buffer to read from): one page more than the
/// largest message, so that any length up to 69632 is readable.
pub static SRC: [u8; MAX_BYTES + 4096] = pattern();

/// Receive buffer for the largest message (and a little more).
static mut RBUF: [u8; MAX_BYTES + 64] = [0; MAX_BYTES + 64];

/// The shared receive buffer of [`read_etc`].
pub fn rbuf() -> &'static mut [u8] {
    // SAFETY: test programs use it from one thread, one case at a time.
    unsafe { &mut *core::ptr::addr_of_mut!(RBUF) }
}

/// `zx_channel_read(ch, 0, ..)` into the given buffers (their own pointers, even when empty):
/// (status, actual bytes, actual handles).
pub fn read_raw(ch: u32, bytes: &mut [u8], handles: &mut [u32]) -> (i32, u32, u32) {
    let (mut ab, mut ah) = (0u32, 0u32);
    let (b, nb) = (bytes.as_mut_ptr(), bytes.len() as u32);
    let (h, nh) = (handles.as_mut_ptr(), handles.len() as u32);
    let s = raw::channel_read(ch, 0, b, h, nb, nh, &mut ab, &mut ah);
    (s, ab, ah)
}

/// `zx_channel_read(ch, 0, ..)` with NULL buffers and actuals and sizes 0: the status alone
/// (SHOULD_WAIT or PEER_CLOSED on an empty queue, BUFFER_TOO_SMALL if one is queued).
pub fn read_nothing(ch: u32) -> i32 {
    raw::channel_read(ch, 0, null_mut(), null_mut(), 0, 0, null_mut(), null_mut())
}

/// The txid of a call message: its first four bytes.
pub fn txid_of(b: &[u8]) -> u32 {
    u32_at(b, 0)
}

/// The little-endian u32 at byte `off` of `b` (u32::MAX if `b` is too short).
pub fn u32_at(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .map_or(u32::MAX, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The little-endian u64 at byte `off` of `b` (u64::MAX if `b` is too short).
pub fn u64_at(b: &[u8], off: usize) -> u64 {
    let lo = u32_at(b, off) as u64;
    let hi = u32_at(b, off + 4) as u64;
    if off + 8 <= b.len() {
        lo | hi << 32
    } else {
        u64::MAX
    }
}

/// One message read with `zx_channel_read_etc` (its bytes in [`rbuf`]).
pub struct Msg {
    pub bytes: u32,
    pub handles: u32,
    pub infos: [HandleInfo; CHANNEL_MAX_MSG_HANDLES as usize],
}

impl Msg {
    /// No message (no bytes, no handles).
    const NONE: Msg = Msg {
        bytes: 0,
        handles: 0,
        infos: [HandleInfo {
            handle: 0,
            obj_type: 0,
            rights: 0,
            unused: 0,
        }; CHANNEL_MAX_MSG_HANDLES as usize],
    };
    /// Closes the handles the message carried.
    pub fn close(&self) {
        for i in &self.infos[..self.handles as usize] {
            raw::handle_close(i.handle);
        }
    }
}

/// Reads one message with `zx_channel_read_etc` into [`rbuf`].
pub fn read_etc(ch: u32) -> Result<Msg, Status> {
    let mut m = Msg::NONE;
    let (b, nb) = (rbuf().as_mut_ptr(), rbuf().len() as u32);
    let (h, nh) = (m.infos.as_mut_ptr(), m.infos.len() as u32);
    let s = raw::channel_read_etc(ch, 0, b, h, nb, nh, &mut m.bytes, &mut m.handles);
    Status(s).ok().map(|()| m)
}

/// [`read_etc`] of a message that must be there: on an error a failed check (at the caller's
/// line) and an empty message, so that the case's checks go on (and fail on it).
#[track_caller]
pub fn read_msg(ch: u32) -> Msg {
    let r = read_etc(ch);
    if let Err(s) = &r {
        expect(false, format_args!("read_etc returned {}", s));
    }
    r.unwrap_or(Msg::NONE)
}

/// A handle disposition for `write_etc`/`call_etc` (`result` 0).
pub fn disp(operation: u32, handle: u32, ty: ObjType, rights: impl RightsArg) -> HandleDisposition {
    HandleDisposition {
        operation,
        handle,
        obj_type: ty.raw(),
        rights: rights.raw_bits(),
        result: 0,
    }
}

/// The slice's address, or NULL for an empty slice (a buffer argument with a count of 0).
pub fn ptr_or_null<T>(s: &[T]) -> *const T {
    if s.is_empty() {
        core::ptr::null()
    } else {
        s.as_ptr()
    }
}
/// [`ptr_or_null`] for an output buffer.
pub fn mut_or_null<T>(s: &mut [T]) -> *mut T {
    if s.is_empty() {
        null_mut()
    } else {
        s.as_mut_ptr()
    }
}

/// `ZX_HANDLE_OP_MOVE` of `h`, which must be of type `ty`, with the same rights.
pub fn mv_as(h: u32, ty: ObjType) -> HandleDisposition {
    disp(HANDLE_OP_MOVE, h, ty, Rights::SAME_RIGHTS)
}
/// `ZX_HANDLE_OP_DUPLICATE` of `h`, which must be of type `ty`, with the same rights.
pub fn dp_as(h: u32, ty: ObjType) -> HandleDisposition {
    disp(HANDLE_OP_DUPLICATE, h, ty, Rights::SAME_RIGHTS)
}
/// A message of `N` bytes: a txid of 0, then `tail` (the rest zero).
pub fn txmsg<const N: usize>(tail: &[u8]) -> [u8; N] {
    let mut m = [0u8; N];
    m[4..4 + tail.len()].copy_from_slice(tail);
    m
}
/// Reads one message from `ch`: a failed check at the caller's line if there is none or if
/// its bytes are not `want`. The message, for more checks.
#[track_caller]
pub fn expect_read(ch: &Channel, want: &[u8]) -> Option<crate::Received> {
    let m = ch.read();
    expect(m.is_ok(), format_args!("read: {:?}", m.as_ref().err()));
    let m = m.ok()?;
    let got = &m.bytes[..m.num_bytes as usize];
    expect(
        got == want,
        format_args!("read {:?} (want {:?})", got, want),
    );
    Some(m)
}
/// `ZX_HANDLE_OP_MOVE` of `h` with no type check and the same rights.
pub fn mv(h: u32) -> HandleDisposition {
    disp(HANDLE_OP_MOVE, h, ObjType::NONE, Rights::SAME_RIGHTS)
}
/// `ZX_HANDLE_OP_DUPLICATE` of `h` with no type check and the same rights.
pub fn dp(h: u32) -> HandleDisposition {
    disp(HANDLE_OP_DUPLICATE, h, ObjType::NONE, Rights::SAME_RIGHTS)
}

/// The `result` of each disposition.
pub fn results<const N: usize>(hs: &[HandleDisposition; N]) -> [i32; N] {
    hs.map(|d| d.result)
}

/// Runs `f(addr)` with `val` stored at `addr` (restored afterwards). For memory that no Rust
/// object uses while a case runs: the top of the main stack (`_start`'s frame, idle until the
/// program exits) and the bottom of the stack (never reached).
pub fn with_stored<T: Copy, R>(addr: u64, val: T, f: impl FnOnce(u64) -> R) -> R {
    use core::sync::atomic::compiler_fence;
    let p = addr as *mut T;
    // SAFETY: `addr` is mapped, aligned for T, and not in use by anything (see above); T is
    // plain integers, so any saved bytes are a valid value.
    unsafe {
        let saved = core::ptr::read_volatile(p);
        core::ptr::write_volatile(p, val);
        compiler_fence(Ordering::SeqCst);
        let r = f(addr);
        compiler_fence(Ordering::SeqCst);
        core::ptr::write_volatile(p, saved);
        r
    }
}

// ------------------------------------------------------------------------------------------
// Hostile pointers.
// ------------------------------------------------------------------------------------------

/// Non-mut static data: lives in the read-only segment.
static RO_WORDS: [u32; 64] = [0x5a5a_5a5a; 64];

/// An address in the read-only segment (256 bytes of 0x5a; see [`ro_intact`]).
pub fn ro_addr() -> usize {
    RO_WORDS.as_ptr() as usize
}

/// Whether the read-only words still hold what they were built with.
pub fn ro_intact() -> bool {
    (0..RO_WORDS.len()).all(|i| {
        // SAFETY: reading our own static.
        unsafe { core::ptr::read_volatile(RO_WORDS.as_ptr().add(i)) == 0x5a5a_5a5a }
    })
}

/// Source ranges the kernel must refuse to read (docs/abi.md section 1: `INVALID_ARGS`), as
/// (address, length in bytes, what).
pub fn hostile_sources() -> [(u64, u32, &'static str); 11] {
    let (bottom, top) = initial_stack();
    let (bottom, top, end) = (bottom as u64, top as u64, USER_TOP as u64);
    [
        (0, 16, "NULL with a nonzero size"),
        (0x1000, 16, "0x1000 (first 64 KiB, unmapped)"),
        (KERNEL_A as u64, 16, "kernel address 0xffff_0000_0000_0000"),
        (KERNEL_B as u64, 16, "kernel image 0xffffff8000080000"),
        (end - 16, 64, "range crossing 1<<47"),
        (end, 16, "at 1<<47"),
        (u64::MAX - 8, 64, "range wrapping past 2^64"),
        (top - 16, 64, "range straddling the stack top"),
        (top, 16, "just above the stack top"),
        (bottom - 16, 64, "range from the guard page into the stack"),
        (bottom - 4096, 16, "the stack guard page"),
    ]
}

/// Arrays of `size`-byte entries (handles, wait items) the kernel must refuse to read, as
/// (what, address, number of entries).
pub fn hostile_entries(size: usize) -> [(&'static str, usize, usize); 8] {
    let (bottom, _) = initial_stack();
    [
        ("NULL", 0, 1),
        ("0x1000", 0x1000, 1),
        ("kernel 0xffff_0000_0000_0000", KERNEL_A, 2),
        ("kernel 0xffffff8000080000", KERNEL_B, 2),
        ("crosses 1<<47", USER_TOP - size, 2),
        ("wraps past 2^64", usize::MAX - (2 * size - 1), 4),
        ("inside the guard page", bottom - 4096, 2),
        ("straddles the guard page", bottom - size, 2),
    ]
}

/// Arrays (of iovecs, dispositions) the kernel must refuse to read, as (address, number of
/// entries, what).
pub fn hostile_arrays() -> [(u64, u32, &'static str); 9] {
    let (bottom, top) = initial_stack();
    let (bottom, top, end) = (bottom as u64, top as u64, USER_TOP as u64);
    [
        (0, 1, "NULL with one entry"),
        (0x1000, 1, "0x1000"),
        (KERNEL_A as u64, 1, "kernel address 0xffff_0000_0000_0000"),
        (KERNEL_B as u64, 1, "kernel image 0xffffff8000080000"),
        (end - 8, 2, "array crossing 1<<47"),
        (u64::MAX - 8, 4, "array wrapping past 2^64"),
        (top, 1, "just above the stack top"),
        (bottom - 8, 2, "array from the guard page into the stack"),
        (bottom - 4096, 1, "the stack guard page"),
    ]
}

/// The lowest kernel address, and one inside the kernel image.
pub const KERNEL_A: usize = 0xffff_0000_0000_0000;
pub const KERNEL_B: usize = 0xffff_ff80_0008_0000;
/// The end of the EL0 half of the address space.
pub const USER_TOP: usize = 1 << 47;

/// The top of the first thread's stack: the `sp` the program started with.
pub fn stack_top() -> usize {
    initial_stack().1
}
/// The bottom of the first thread's stack; the guard page is just below.
pub fn stack_bottom() -> usize {
    initial_stack().0
}

/// Whether this runs on the first thread's initial stack (a failed check if not): the premise
/// of cases that put data at the stack's top or bottom.
#[track_caller]
pub fn on_initial_stack() -> bool {
    let local = 0u8;
    let sp = core::hint::black_box(&local) as *const u8 as usize;
    let (bottom, top) = initial_stack();
    let ok = (bottom..top).contains(&sp);
    expect(
        ok,
        format_args!("stack at {:#x}, not in [{:#x}, {:#x})", sp, bottom, top),
    );
    ok
}

/// The top `N` words of the first thread's stack (part of `_start`'s frame): a pointer that
/// straddles the stack top may get its mapped half written by a kernel that copies before it
/// fails, so cases save them first and put them back with [`restore_stack_top`].
pub fn save_stack_top<const N: usize>() -> [u64; N] {
    let p = (stack_top() - 8 * N) as *const u64;
    // SAFETY: the top of the mapped initial stack of this (main) thread; read as plain data.
    unsafe { core::array::from_fn(|i| core::ptr::read_volatile(p.add(i))) }
}
/// Puts back what [`save_stack_top`] read.
pub fn restore_stack_top<const N: usize>(v: [u64; N]) {
    let p = (stack_top() - 8 * N) as *mut u64;
    for (i, x) in v.iter().enumerate() {
        // SAFETY: as in save_stack_top; restores the exact bytes read before.
        unsafe { core::ptr::write_volatile(p.add(i), *x) };
    }
}

/// Where the kernel must refuse to access `size` bytes (size >= 4), each with what it is. The
/// stack bounds are those of this program's start state ([`crate::initial_stack`]).
pub fn hostile(size: usize) -> [(&'static str, usize); 10] {
    let (bottom, top) = initial_stack();
    [
        ("NULL", 0),
        ("0x1000", 0x1000),
        ("kernel 0xffff_0000_0000_0000", KERNEL_A),
        ("kernel 0xffffff8000080000", KERNEL_B),
        ("crosses 1<<47", USER_TOP - size / 2),
        ("wraps past 2^64", usize::MAX - size / 2 + 1),
        ("straddles the stack top", top - size / 2),
        ("straddles the guard page", bottom - size / 2),
        ("inside the guard page", bottom - 4096),
        ("read-only data", ro_addr()),
    ]
}

/// `check!(cond)` / `check!(cond, "fmt", args)`: records a failure and continues.
#[macro_export]
macro_rules! check {
    ($cond:expr) => {
        if !$cond {
            $crate::test::fail(file!(), line!(), format_args!("{}", stringify!($cond)));
        }
    };
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            $crate::test::fail(file!(), line!(), format_args!($($arg)+));
        }
    };
}

/// `check_eq!(a, b)`: records a failure showing both values; `check_eq!(a, b, "fmt", args)`
/// puts what was checked in front.
#[macro_export]
macro_rules! check_eq {
    ($a:expr, $b:expr) => {
        $crate::check_eq!($a, $b, "{}", "")
    };
    ($a:expr, $b:expr, $($arg:tt)+) => {{
        let (a, b) = (&$a, &$b);
        if a != b {
            $crate::test::fail(
                file!(),
                line!(),
                format_args!(
                    "{} {} == {}: {:?} != {:?}",
                    format_args!($($arg)+),
                    stringify!($a),
                    stringify!($b),
                    a,
                    b
                ),
            );
        }
    }};
}

/// `check_status!(expr_returning_i32, Status::X)`, or with what the call was:
/// `check_status!(s, Status::X, "fmt", args)`.
#[macro_export]
macro_rules! check_status {
    ($call:expr, $want:expr) => {
        $crate::check_status!($call, $want, "{}", stringify!($call))
    };
    ($call:expr, $want:expr, $($arg:tt)+) => {{
        let got = $crate::Status($call);
        let want: $crate::Status = $want;
        if got != want {
            $crate::test::fail(
                file!(),
                line!(),
                format_args!("{} returned {} (want {})", format_args!($($arg)+), got, want),
            );
        }
    }};
}

// ------------------------------------------------------------------------------------------
// The EL0 clock, and what test programs and their child programs agree on.
// ------------------------------------------------------------------------------------------

/// `CNTVCT_EL0`, after an `isb`.
pub fn cntvct() -> u64 {
    let t: u64;
    // SAFETY: CNTVCT_EL0 is readable at EL0 (docs/abi.md section 5).
    unsafe { core::arch::asm!("isb", "mrs {}, cntvct_el0", out(reg) t, options(nostack)) };
    t
}

/// `CNTFRQ_EL0`.
pub fn cntfrq() -> u64 {
    let f: u64;
    // SAFETY: CNTFRQ_EL0 is readable at EL0 (docs/abi.md section 5).
    unsafe { core::arch::asm!("mrs {}, cntfrq_el0", out(reg) f, options(nostack)) };
    f
}

/// The ways `child_fault` faults: the first byte of its bootstrap message.
pub mod fault {
    pub const NULL_READ: u8 = 0;
    pub const NULL_WRITE: u8 = 1;
    pub const WRITE_TEXT: u8 = 2;
    pub const EXEC_DATA: u8 = 3;
    pub const UDF: u8 = 4;
    pub const MISALIGNED_SP: u8 = 5;
    pub const STACK_OVERFLOW: u8 = 6;
    pub const READ_KERNEL_LOW: u8 = 7;
    pub const READ_KERNEL_IMAGE: u8 = 8;
    pub const BRK: u8 = 9;
    pub const EL1_SYSREG: u8 = 10;
    pub const JUMP_KERNEL: u8 = 11;
    pub const WRITE_RODATA: u8 = 12;
    pub const SECONDARY_THREAD: u8 = 13;
    pub const EXEC_STACK: u8 = 14;
    pub const JUMP_UNMAPPED: u8 = 15;
}

/// `test_syscall_fuzz` and `child_fuzz`: the seed message and the report.
pub mod fuzz {
    pub const MAGIC_SEED: u32 = u32::from_le_bytes(*b"FZSD");
    pub const MAGIC_REPORT: u32 = u32::from_le_bytes(*b"FZRP");
    /// Print every call from a given number on.
    pub const FLAG_DEBUG: u32 = 1;
    pub const FLAG_NO_THREADS: u32 = 2;
    pub const FLAG_NO_SPAWN: u32 = 4;
    /// Check after every call that the report handle is still there (it is never passed to a
    /// call), and print the call after which it is not.
    pub const FLAG_WATCH: u32 = 8;
    /// Deadlines only in the past: with flags 2 and 4 too, a run does not depend on timing.
    pub const FLAG_NO_WAIT: u32 = 16;
}

/// `test_smp_stress` and `child_stress`: the report's first word ("SRTS" little-endian).
pub const STRESS_REPORT_MAGIC: u32 = 0x5354_5253;

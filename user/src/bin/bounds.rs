//! The bound on every syscall (docs/abi.md section 5, docs/design.md "Bounded syscalls"): for
//! each family, the worst state a program can build, then the call; the kernel's longest stretch
//! with interrupts masked (`ZX_INFO_CPU_STATS`, reset before each case) must stay under 1 ms,
//! and a watcher thread on the same core must never wait longer than one time slice plus that
//! bound. Statuses are checked, and the kernel's counts must return to where they were.
//!
//! Figures in guest nanoseconds are only meaningful where guest time does not depend on the
//! host: run it as `init` under `-icount shift=0` (`make test` and `make bench` do), where one
//! nanosecond is one instruction. It prints one `bound:` line per case.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use zx::*;

zx::entry!(main);

/// The documented bound on a masked stretch.
const BOUND_NS: u64 = 1_000_000;
/// The kernel's time slice (`sched::SLICE_NS`).
const SLICE_NS: i64 = 10_000_000;

static ROOT: AtomicU32 = AtomicU32::new(0);

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/// The watcher: spins reading the clock, recording the longest gap between two readings (the
/// longest time something else had the core).
static WATCH_MAX_GAP: AtomicI64 = AtomicI64::new(0);
static WATCH_STOP: AtomicBool = AtomicBool::new(false);
static WATCH_RESET: AtomicBool = AtomicBool::new(false);

fn watcher(_: usize) {
    let mut last = now();
    while !WATCH_STOP.load(Ordering::Relaxed) {
        let t = now();
        if WATCH_RESET.swap(false, Ordering::Relaxed) {
            WATCH_MAX_GAP.store(0, Ordering::Relaxed);
        } else if t - last > WATCH_MAX_GAP.load(Ordering::Relaxed) {
            WATCH_MAX_GAP.store(t - last, Ordering::Relaxed);
        }
        last = t;
    }
}

/// Reads every core's longest masked stretch and starts them again from 0.
fn longest_masked_and_reset() -> u64 {
    match get_info::<InfoCpuStats>(ROOT.load(Ordering::Relaxed), INFO_CPU_STATS_RESET) {
        Ok(s) => *s
            .per_cpu_longest_masked_ns
            .iter()
            .max()
            .unwrap_or(&u64::MAX),
        Err(_) => u64::MAX,
    }
}

#[derive(PartialEq, Eq, Debug, Clone, Copy)]
struct Counts(u64, u64, u64);

fn counts() -> Counts {
    let s = kernel_stats(ROOT.load(Ordering::Relaxed)).unwrap_or_default();
    Counts(s.live_handles, s.live_objects, s.live_messages)
}

/// Runs `f` (which sets up its worst case and makes the call), then checks and reports the
/// longest masked stretch and the watcher's longest wait.
fn measure(name: &str, f: impl FnOnce()) {
    let base = counts();
    // Let the watcher run once after the reset, so its gap starts from now.
    WATCH_RESET.store(true, Ordering::Relaxed);
    while WATCH_RESET.load(Ordering::Relaxed) {
        sleep_ns(1_000_000);
    }
    longest_masked_and_reset();
    f();
    let masked = longest_masked_and_reset();
    // The watcher runs once more, so a wait that ends only now is counted.
    sleep_ns(1_000_000);
    let gap = WATCH_MAX_GAP.load(Ordering::Relaxed);
    println!(
        "bound: {:<34} longest masked {:>9} ns   watcher waited at most {:>9} ns",
        name, masked, gap
    );
    check!(
        masked <= BOUND_NS,
        "{}: masked for {} ns (bound {} ns)",
        name,
        masked,
        BOUND_NS
    );
    check!(
        gap <= SLICE_NS + BOUND_NS as i64,
        "{}: the watcher waited {} ns (slice + bound = {} ns)",
        name,
        gap,
        SLICE_NS + BOUND_NS as i64
    );
    // The one case that leaves something behind on purpose (a filled child, for the next case)
    // and the case that ends it compare with the counts from before the first.
    match name {
        "full_handle_table" => save_counts(base),
        "process_exit_with_a_full_table" => check_eq!(counts(), saved_counts()),
        _ => check_eq!(counts(), base),
    }
}

static SAVED: [core::sync::atomic::AtomicU64; 3] =
    [const { core::sync::atomic::AtomicU64::new(0) }; 3];

fn save_counts(c: Counts) {
    for (a, v) in SAVED.iter().zip([c.0, c.1, c.2]) {
        a.store(v, Ordering::Relaxed);
    }
}

fn saved_counts() -> Counts {
    let v = |i: usize| SAVED[i].load(Ordering::Relaxed);
    Counts(v(0), v(1), v(2))
}

// ---------------------------------------------------------------------------------------------
// The worst cases
// ---------------------------------------------------------------------------------------------

/// 4 Mi handle values (16 MiB), none valid.
const HUGE: usize = 4 << 20;
static mut BIG: [u32; HUGE] = [0; HUGE];

fn big() -> &'static [u32] {
    // SAFETY: written once by `fill_big` before any reader, on the main thread only.
    unsafe { &*core::ptr::addr_of!(BIG) }
}

fn fill_big() {
    // SAFETY: see `big`.
    let b = unsafe { &mut *core::ptr::addr_of_mut!(BIG) };
    for v in b.iter_mut() {
        *v = 0xffff_fff3; // low bits set, never handed out in this small table
    }
}

fn close_many_of_millions() {
    let s = raw::handle_close_many(big().as_ptr(), HUGE);
    check_eq!(Status(s), Status::BAD_HANDLE);
}

fn write_with_millions_of_handles() {
    let Ok((a, _b)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    let s = raw::channel_write(
        a.raw(),
        0,
        core::ptr::null(),
        0,
        big().as_ptr(),
        HUGE as u32,
    );
    check_eq!(Status(s), Status::OUT_OF_RANGE);
}

/// The shape that took the old breadth-first cycle check tens of seconds: a queue of 1,023
/// messages of 64 endpoints each, then its receiving end sent on; then all of it torn down.
fn cycle_check_over_a_wide_queue_then_its_teardown() {
    let Ok((q0, q1)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    for _ in 0..1023 {
        let mut hs = [0u32; 64];
        for h in hs.iter_mut() {
            let (mut x, mut y) = (0, 0);
            check_eq!(raw::channel_create(0, &mut x, &mut y), 0);
            raw::handle_close(y);
            *h = x;
        }
        check!(q0.write(b"w", &hs).is_ok());
    }
    let Ok((t0, t1)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    check!(t0.write(b"q", &[q1.0.into_raw()]).is_ok());
    drop(q0);
    drop(t0);
    drop(t1); // tears down q1's queue: 65,472 endpoints
}

/// A nest 10,000 deep (each channel's receiving end queued in the previous one), built at its
/// bottom, then closed at its head.
fn deep_nest_teardown() {
    let Ok((head, mut writer)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    for _ in 0..10_000 {
        let Ok((a, b)) = Channel::create() else {
            check!(false, "channel_create");
            return;
        };
        check!(writer.write(b"n", &[a.0.into_raw()]).is_ok());
        writer = b;
    }
    drop(writer);
    drop(head);
}

/// A full queue: 3,500 messages of 64 handles each (224,000 handles), closed.
fn full_queue_teardown() {
    let Ok((a, b)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    let Ok(ev) = Event::create() else {
        check!(false, "event_create");
        return;
    };
    for _ in 0..CHANNEL_MAX_PENDING {
        let mut hs = [0u32; 64];
        for h in hs.iter_mut() {
            check_eq!(
                raw::handle_duplicate(ev.0.raw(), Rights::SAME_RIGHTS.bits(), h),
                0
            );
        }
        if a.write(b"f", &hs).is_err() {
            check!(false, "write to the full queue failed early");
            break;
        }
    }
    drop(b);
    drop(a);
}

/// A child filling its handle table to 2^18 handles (the table grows page by page).
static FILLED: spin_cell::Cell = spin_cell::Cell::new();

fn full_handle_table() {
    let Ok((ours, theirs)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    match Process::spawn("child_fill_table", Some(theirs.0)) {
        Ok(p) => {
            let m = ours.read_wait(deadline_after(60 * 1_000_000_000));
            check!(m.is_ok(), "child_fill_table did not report: {:?}", m.err());
            FILLED.put(p, ours);
        }
        Err(e) => check!(false, "spawn child_fill_table: {}", e),
    }
}

/// That process ending: the kernel closes its 2^18 handles.
fn process_exit_with_a_full_table() {
    let Some((p, ours)) = FILLED.take() else {
        check!(false, "no filled child");
        return;
    };
    check!(ours.write(b"go", &[]).is_ok());
    check_eq!(p.wait(deadline_after(60 * 1_000_000_000)), Ok(0));
    drop(p);
}

/// Hands the filled child from one case to the next (single-threaded: the main thread only).
mod spin_cell {
    use zx::{Channel, Process};
    pub struct Cell(core::cell::UnsafeCell<Option<(Process, Channel)>>);
    // SAFETY: used by the main thread only.
    unsafe impl Sync for Cell {}
    impl Cell {
        pub const fn new() -> Self {
            Cell(core::cell::UnsafeCell::new(None))
        }
        pub fn put(&self, p: Process, c: Channel) {
            // SAFETY: main thread only; no reference is held across calls.
            unsafe { *self.0.get() = Some((p, c)) };
        }
        pub fn take(&self) -> Option<(Process, Channel)> {
            // SAFETY: as for `put`.
            unsafe { (*self.0.get()).take() }
        }
    }
}

/// Never-started threads a process holds when it exits.
const UNSTARTED: usize = 3000;

/// A process exiting with thousands of threads that never started: the kernel claims and ends
/// each of them (once one list search per thread, quadratic; now in bounded batches).
fn exit_with_thousands_of_unstarted_threads() {
    static mut THREADS: [u32; UNSTARTED] = [0; UNSTARTED];
    // SAFETY: only this case touches THREADS, on the main thread.
    let threads = unsafe { &mut *core::ptr::addr_of_mut!(THREADS) };
    let Ok((ours, theirs)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    let p = match Process::spawn("child_echo", Some(theirs.0)) {
        Ok(p) => p,
        Err(e) => {
            check!(false, "spawn child_echo: {}", e);
            return;
        }
    };
    let mut made = 0;
    for t in threads.iter_mut() {
        if raw::thread_create(p.0.raw(), b"idle".as_ptr(), 4, 0, t) != 0 {
            break;
        }
        made += 1;
    }
    check_eq!(made, UNSTARTED);
    let mut exit = [0u8; 9];
    exit[0] = b'x';
    exit[1..].copy_from_slice(&7i64.to_le_bytes());
    check!(ours.write(&exit, &[]).is_ok());
    check_eq!(p.wait(deadline_after(60 * 1_000_000_000)), Ok(7));
    for &t in threads[..made].iter() {
        // Every thread ended with its process, without ever running.
        check_eq!(
            Handle::from_raw(t)
                .wait_one(Signals::TASK_TERMINATED, 0)
                .map(|s| s.contains(Signals::TASK_TERMINATED)),
            Ok(true)
        );
    }
}

/// The largest message, both ways: 64 KiB and 64 handles.
fn largest_messages_each_way() {
    static mut BUF: [u8; 65536] = [0x5a; 65536];
    // SAFETY: only this case touches BUF, on the main thread.
    let buf = unsafe { &mut *core::ptr::addr_of_mut!(BUF) };
    let Ok((a, b)) = Channel::create() else {
        check!(false, "channel_create");
        return;
    };
    for (w, r) in [(&a, &b), (&b, &a)] {
        let mut hs = [0u32; 64];
        for h in hs.iter_mut() {
            check_eq!(raw::event_create(0, h), 0);
        }
        check!(w.write(buf, &hs).is_ok());
        let mut got = [0u32; 64];
        match r.read_into(buf, &mut got) {
            Ok((nb, nh)) => check_eq!((nb, nh), (65536, 64)),
            Err(e) => check!(false, "read: {}", e),
        }
        check_eq!(raw::handle_close_many(got.as_ptr(), 64), 0);
    }
}

/// `zx_object_wait_many` with the most items allowed, none pending, then the last one pending.
fn wait_many_with_64_items() {
    let mut evs = [0u32; 64];
    for e in evs.iter_mut() {
        check_eq!(raw::event_create(0, e), 0);
    }
    let mut items = [WaitItem::default(); 64];
    for (i, e) in items.iter_mut().zip(evs.iter()) {
        i.handle = *e;
        i.waitfor = Signals::EVENT_SIGNALED.bits();
    }
    check_eq!(
        Status(raw::object_wait_many(items.as_mut_ptr(), 64, 0)),
        Status::TIMED_OUT
    );
    check_eq!(
        raw::object_signal(evs[63], 0, Signals::EVENT_SIGNALED.bits()),
        0
    );
    check_eq!(
        raw::object_wait_many(items.as_mut_ptr(), 64, deadline_after(1_000_000_000)),
        0
    );
    check_eq!(raw::handle_close_many(evs.as_ptr(), 64), 0);
}

/// The largest `zx_debug_write`: 64 KiB (spaces, then a newline).
fn largest_debug_write() {
    static mut TEXT: [u8; 65536] = [b' '; 65536];
    // SAFETY: only this case touches TEXT, on the main thread.
    let t = unsafe { &mut *core::ptr::addr_of_mut!(TEXT) };
    t[65535] = b'\n';
    check_eq!(raw::debug_write(t.as_ptr(), t.len()), 0);
}

/// Spawning an image whose `.bss` is larger than memory: `NO_MEMORY`, before any zeroing.
fn spawn_of_an_image_larger_than_memory() {
    let r = Process::spawn("child_big_bss", None);
    check_eq!(r.err(), Some(Status::NO_MEMORY));
}

/// `(name, wrapper)` for each case: the wrapper measures the case under its name.
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        &[$((stringify!($case), {
            fn wrapper() {
                measure(stringify!($case), $case)
            }
            wrapper as fn()
        })),*]
    };
}

fn main(args: StartArgs) -> i64 {
    ROOT.store(args.root_resource, Ordering::Relaxed);
    fill_big();
    let w = thread::spawn(watcher, 0);
    check!(w.is_ok(), "watcher thread");
    let failed = zx::test::run(
        "bounds",
        cases!(
            close_many_of_millions,
            write_with_millions_of_handles,
            cycle_check_over_a_wide_queue_then_its_teardown,
            deep_nest_teardown,
            full_queue_teardown,
            full_handle_table,
            process_exit_with_a_full_table,
            exit_with_thousands_of_unstarted_threads,
            largest_messages_each_way,
            wait_many_with_64_items,
            largest_debug_write,
            spawn_of_an_image_larger_than_memory,
        ),
    );
    WATCH_STOP.store(true, Ordering::Relaxed);
    if let Ok(w) = w {
        let _ = w.join(deadline_after(10_000_000_000));
    }
    println!("{} passed, {} failed", 12 - failed, failed);
    failed
}

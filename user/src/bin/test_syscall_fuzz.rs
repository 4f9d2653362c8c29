//! Syscall fuzzing: no EL0 program can crash, hang or leak the kernel through random system
//! calls. Each case spawns `child_fuzz` processes with seeds (printed, so a failure can be
//! replayed with `REPLAY`); each child makes thousands of random calls with hostile arguments
//! (see child_fuzz.rs) and checks every result against docs/abi.md. A child must end (a hang is a
//! failure) with exit code 0 and its report (calls made, anomalies 0), and afterwards the
//! kernel's live handles, objects, messages and ipc bytes must be back at the baseline
//! (docs/abi.md section 5), as must `heap_used_bytes` when the same seed runs again.
#![no_std]
#![no_main]

use zx::test::fuzz::*;
use zx::test::*;
use zx::*;

/// A child that has not ended after this long hangs (a normal one takes well under a second).
const CHILD_DEADLINE: i64 = 60 * SEC;

/// Calls per child.
const CALLS: u32 = 20_000;
/// Seeds run one after the other.
const SEEDS: [u64; 8] = [
    0x0000_0000_0000_0001,
    0x5eed_0000_0000_0002,
    0xdead_beef_cafe_f00d,
    0x0123_4567_89ab_cdef,
    0xffff_ffff_ffff_ffff,
    0x1357_9bdf_2468_ace0,
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0007,
];
/// Seeds run at the same time.
const CONCURRENT_SEEDS: [u64; 4] = [0xc0c0_0001, 0xc0c0_0002, 0xc0c0_0003, 0xc0c0_0004];

/// To replay a failure: `Some((seed, flags, calls, debug_from))` runs that child first. Flags:
/// 1 prints every call from number `debug_from` on (before it is made, then its result); 2: no
/// threads; 4: no spawns; 8: watch the report handle (prints the call after which it is gone);
/// 16: past deadlines only. With 2|4|16 a run does not depend on timing, but handle values
/// (salted by the process koid) still differ from the original run's unless every earlier
/// child is replayed too.
const REPLAY: Option<(u64, u32, u32, u32)> = None;
/// Extra children with seeds from the clock (printed), with `EXPLORE_FLAGS`, each checked for
/// its exit, report and the kernel's counts (for long hunts; mind init's 120 s limit).
static EXPLORE: u64 = 0;
const EXPLORE_FLAGS: u32 = 0;

/// Waits until `heap_used_bytes` stops changing (up to 1 s) and returns it.
fn settled_heap() -> u64 {
    let mut last = kstats().heap_used_bytes;
    for _ in 0..100 {
        sleep_ns(10_000_000);
        let h = kstats().heap_used_bytes;
        if h == last {
            return h;
        }
        last = h;
    }
    last
}

/// What a child's report says.
#[derive(Debug, Default, Clone, Copy)]
struct Report {
    calls: u32,
    thread_calls: u32,
    aux: u32,
    ok: u32,
    anomalies: u32,
    spawns: u32,
    threads: u32,
}

/// A running fuzz child.
struct Child {
    seed: u64,
    calls: u32,
    process: Process,
    report: Channel,
    t0: i64,
}

fn start(seed: u64, flags: u32, calls: u32, debug_from: u32) -> Option<Child> {
    let r = (|| -> ZxResult<Child> {
        let (report, report_w) = Channel::create()?;
        let mut msg = [0u8; 24];
        msg[..8].copy_from_slice(&seed.to_le_bytes());
        msg[8..12].copy_from_slice(&MAGIC_SEED.to_le_bytes());
        msg[12..16].copy_from_slice(&flags.to_le_bytes());
        msg[16..20].copy_from_slice(&calls.to_le_bytes());
        msg[20..24].copy_from_slice(&debug_from.to_le_bytes());
        // The seed stays queued for the child; our end of that channel is closed at once.
        let (process, _) = spawn_with("child_fuzz", &msg, &[report_w.0.into_raw()])?;
        let t0 = now();
        Ok(Child {
            seed,
            calls,
            process,
            report,
            t0,
        })
    })();
    check!(
        r.is_ok(),
        "starting child_fuzz seed {:#x}: {:?}",
        seed,
        r.as_ref().err()
    );
    r.ok()
}

/// Waits for the child, checks its exit code and report, and drops its handles.
fn finish(c: Child) -> Option<Report> {
    let code = c.process.wait(deadline_after(CHILD_DEADLINE));
    let (ms, seed) = ((now() - c.t0) / MS, c.seed);
    let hangs = code == Err(Status::TIMED_OUT);
    let limit = CHILD_DEADLINE / SEC;
    check!(
        !hangs,
        "child_fuzz seed {:#x} HANGS: not ended after {} s",
        seed,
        limit
    );
    check_eq!(code, Ok(0));
    let mut b = [0u8; 64];
    let got = c.report.read_into(&mut b, &mut []);
    check!(
        got == Ok((32, 0)),
        "seed {:#x}: no report ({:?}): it ended early",
        seed,
        got
    );
    let f = |i: usize| u32_at(&b, 4 * i);
    if got != Ok((32, 0)) || f(0) != MAGIC_REPORT {
        println!("    seed {:#x}: exit {:?} after {} ms", c.seed, code, ms);
        return None;
    }
    let r = Report {
        calls: f(1),
        thread_calls: f(2),
        aux: f(3),
        ok: f(4),
        anomalies: f(5),
        spawns: f(6),
        threads: f(7),
    };
    println!(
        "    seed {:#x}: exit {:?} after {} ms: {} calls, {} ok, {} more by {} threads, {} spawns, {} anomalies",
        c.seed, code, ms, r.calls, r.ok, r.thread_calls, r.threads, r.spawns, r.anomalies
    );
    check_eq!(r.calls, c.calls);
    check_eq!(r.anomalies, 0);
    Some(r)
}

fn run_one(seed: u64, flags: u32, calls: u32) -> Option<Report> {
    let c = start(seed, flags, calls, u32::MAX)?;
    finish(c)
}

/// The assumption the fuzzer relies on for the children it spawns: without a seed record,
/// child_fuzz exits at once with 0.
fn fuzz_child_without_a_seed_exits_at_once() {
    let base = counts();
    let t0 = now();
    let p = must!(Process::spawn("child_fuzz", None));
    check_eq!(p.wait(deadline_after(5 * SEC)), Ok(0));
    drop(p);
    // A bootstrap channel with nothing on it, and one with a message that is no seed record.
    for msg in [&b""[..], b"not a seed record, not at all"] {
        let (ours, theirs) = must!(Channel::create());
        if !msg.is_empty() {
            check!(ours.write(msg, &[]).is_ok());
        }
        let p = must!(Process::spawn("child_fuzz", Some(theirs.0)));
        check_eq!(p.wait(deadline_after(5 * SEC)), Ok(0));
    }
    let ms = (now() - t0) / MS;
    check!(ms < 2000, "three seedless children took {} ms", ms);
    check_eq!(settle(base), base);
}

/// Runs `REPLAY` (if set) and `EXPLORE` extra children with fresh seeds, each checked like the
/// fixed ones (tools for chasing a failure; both off in normal runs).
fn replay_and_explore() {
    if let Some((seed, flags, calls, debug_from)) = REPLAY {
        let base = counts();
        println!(
            "    replay: seed {:#x} flags {} calls {} debug from call {}",
            seed, flags, calls, debug_from
        );
        if let Some(c) = start(seed, flags, calls, debug_from) {
            finish(c);
        }
        check_eq!(settle(base), base);
    }
    if EXPLORE > 0 {
        let bb = now() as u64;
        println!("    explore: {} seeds from base {:#x}", EXPLORE, bb);
        for i in 0..EXPLORE {
            let seed = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ bb;
            let base = counts();
            run_one(seed, EXPLORE_FLAGS, CALLS);
            settled_after(seed, base);
        }
    }
}

/// The kernel's counts come back to `base` after the run of `seed`.
#[track_caller]
fn settled_after(seed: u64, base: Live) {
    let after = settle(base);
    let what = format_args!(
        "after seed {:#x}: kernel counts {:?}, base {:?}",
        seed, after, base
    );
    expect(after == base, what);
}

/// Eight seeds in turn: every child ends with 0 and a clean report (all its calls made, no
/// anomaly), and the kernel's counts are back at the baseline after each.
fn random_calls_from_eight_seeds_end_cleanly_and_leak_nothing() {
    replay_and_explore();
    let base = counts();
    let t0 = now();
    let mut total = 0u64;
    let mut ok = 0u64;
    for seed in SEEDS {
        if let Some(r) = run_one(seed, 0, CALLS) {
            total += (r.calls + r.thread_calls + r.aux) as u64;
            ok += r.ok as u64;
        }
        settled_after(seed, base);
    }
    let (n, ms) = (SEEDS.len(), (now() - t0) / MS);
    println!("    {} seeds: {} calls in {} ms, {} ok", n, total, ms, ok);
    // The fuzz must reach the kernel's success paths too, not only its argument checks.
    check!(
        ok > (CALLS as u64 / 10) * n as u64,
        "only {} calls succeeded",
        ok
    );
}

/// Four children at once (in parallel on a multi-core boot).
fn four_concurrent_fuzzers_end_cleanly_and_leak_nothing() {
    let base = counts();
    let t0 = now();
    let mut kids = [const { None }; 4];
    for (k, seed) in kids.iter_mut().zip(CONCURRENT_SEEDS) {
        *k = start(seed, 0, CALLS, u32::MAX);
    }
    for c in kids.into_iter().flatten() {
        finish(c);
    }
    println!("    4 concurrent: {} ms", (now() - t0) / MS);
    check_eq!(settle(base), base);
}

/// The same seed again in a fresh child leaves `heap_used_bytes` where the previous run left
/// it, within 1 KiB (docs/abi.md section 5); without threads, spawns and waits, so that the runs do
/// the same work.
fn rerunning_a_seed_leaves_the_kernel_heap_where_it_was() {
    let base = counts();
    let seed = 0x4ea9_0000_0000_0001;
    let mut used = [0u64; 3];
    for u in used.iter_mut() {
        run_one(
            seed,
            FLAG_NO_THREADS | FLAG_NO_SPAWN | FLAG_NO_WAIT,
            CALLS / 2,
        );
        check_eq!(settle(base), base);
        *u = settled_heap();
    }
    println!(
        "    heap_used {} -> {} -> {} bytes",
        used[0], used[1], used[2]
    );
    let (a, b) = (used[1], used[2]);
    check!(
        b.abs_diff(a) <= 1024,
        "heap_used_bytes drifted {} -> {}",
        a,
        b
    );
}

zx::tests!(
    fuzz_child_without_a_seed_exits_at_once,
    random_calls_from_eight_seeds_end_cleanly_and_leak_nothing,
    four_concurrent_fuzzers_end_cleanly_and_leak_nothing,
    rerunning_a_seed_leaves_the_kernel_heap_where_it_was,
);

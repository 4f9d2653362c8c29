//! SMP stress: 4 processes (`child_stress`) of 4 threads each ping-pong within the process and
//! across processes (`zx_channel_call`), create and close events, channels and eventpairs, wait
//! with short deadlines, and start short-lived threads that exit, for a bounded time on every
//! core. Every worker must report back (a missing report means a thread never woke up: lost
//! wake-up), every thread must have done work, both sides of every ping-pong must agree on the
//! number of round trips, the processes must exit with 0, and the kernel stats must be back at
//! baseline. `ZX_INFO_CPU_STATS` read before and after proves every online core switched to
//! user threads during the stress.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicBool, Ordering};
use zx::test::*;
use zx::*;

const WORKERS: usize = 4;
const DURATION_NS: i64 = 1_500_000_000;
/// How long after the stress ends a report may still arrive (generous: slow emulated cores).
const REPORT_GRACE_NS: i64 = 40 * SEC;
/// Every worker thread, and short-lived threads (see child_stress.rs).
const THREAD_MASK: u32 = 0x1f;
const REPORT_BYTES: usize = 24 + 11 * 8;

fn cpu_stats() -> ZxResult<InfoCpuStats> {
    get_info(root(), INFO_CPU_STATS)
}

const NO_CPU_STATS: InfoCpuStats = InfoCpuStats {
    cpu_count: 0,
    sched_lock_waits: 0,
    per_cpu_switches: [0; 8],
    per_cpu_longest_masked_ns: [0; 8],
};
/// CPU stats around the stress, for the per-core case.
static mut CPU_BEFORE: InfoCpuStats = NO_CPU_STATS;
static mut CPU_AFTER: InfoCpuStats = NO_CPU_STATS;
static CPU_RECORDED: AtomicBool = AtomicBool::new(false);

/// One worker's report (see child_stress.rs).
#[derive(Default, Clone, Copy, Debug)]
struct Report {
    index: u32,
    failures: u32,
    hung: u32,
    first_failure: u32,
    iter: [u64; 4],
    pings: u64,
    pongs: u64,
    cross: u64,
    objects: u64,
    timeouts: u64,
    spawned: u64,
    ran: u64,
}

fn parse(b: &[u8]) -> Option<Report> {
    if b.len() != REPORT_BYTES || u32_at(b, 0) != STRESS_REPORT_MAGIC {
        return None;
    }
    let v = |k: usize| u64_at(b, 24 + 8 * k);
    Some(Report {
        index: u32_at(b, 4),
        failures: u32_at(b, 8),
        hung: u32_at(b, 12),
        first_failure: u32_at(b, 16),
        iter: [v(0), v(1), v(2), v(3)],
        pings: v(4),
        pongs: v(5),
        cross: v(6),
        objects: v(7),
        timeouts: v(8),
        spawned: v(9),
        ran: v(10),
    })
}

fn stress_workers_all_report_their_work_and_kernel_stats_return_to_baseline() {
    let base = counts();
    let before = cpu_stats();
    check!(before.is_ok(), "ZX_INFO_CPU_STATS: {:?}", before.err());

    // Cross-process pairs: workers 0 and 1, 2 and 3.
    let mut cross: [Option<Channel>; WORKERS] = [const { None }; WORKERS];
    for k in 0..WORKERS / 2 {
        let (a, b) = must!(Channel::create());
        (cross[2 * k], cross[2 * k + 1]) = (Some(a), Some(b));
    }
    let mut boots: [Option<Channel>; WORKERS] = [const { None }; WORKERS];
    let mut procs: [Option<Process>; WORKERS] = [const { None }; WORKERS];
    for i in 0..WORKERS {
        let mut cfg = [0u8; 20];
        cfg[..4].copy_from_slice(&(i as u32).to_le_bytes());
        cfg[4..8].copy_from_slice(&((i % 2) as u32).to_le_bytes());
        cfg[8..16].copy_from_slice(&(DURATION_NS as u64).to_le_bytes());
        cfg[16..].copy_from_slice(&THREAD_MASK.to_le_bytes());
        let c = cross[i].take().map(|c| c.0.into_raw()).unwrap_or(0);
        let r = spawn_with("child_stress", &cfg, &[c]);
        check!(
            r.is_ok(),
            "spawn child_stress {}: {:?}",
            i,
            r.as_ref().err()
        );
        let Ok((p, ours)) = r else { continue };
        (procs[i], boots[i]) = (Some(p), Some(ours));
    }

    // Every worker must report: a thread that missed a wake-up never finishes.
    let report_deadline = deadline_after(DURATION_NS + REPORT_GRACE_NS);
    let mut reports: [Option<Report>; WORKERS] = [None; WORKERS];
    for i in 0..WORKERS {
        let Some(b) = &boots[i] else { continue };
        let m = b.read_wait(report_deadline);
        check!(
            m.is_ok(),
            "worker {} did not report: {:?}",
            i,
            m.as_ref().err()
        );
        let Ok(m) = m else { continue };
        reports[i] = parse(payload(&m));
        check!(reports[i].is_some(), "worker {}: malformed report", i);
        raw::handle_close_many(m.handles.as_ptr(), m.num_handles as usize);
    }
    for (i, p) in procs.iter().enumerate() {
        if let Some(p) = p {
            let code = p.wait(deadline_after(10 * SEC));
            check!(code == Ok(0), "worker {} exit: {:?}", i, code);
        }
    }

    for (i, r) in reports.iter().enumerate() {
        let Some(r) = r else { continue };
        check_eq!(r.index, i as u32);
        let first = r.first_failure;
        check_eq!(r.failures, 0, "worker {} failures (first {}):", i, first);
        check!(
            r.hung == 0,
            "worker {}: threads {:#x} never woke up",
            i,
            r.hung
        );
        for (t, n) in r.iter.iter().enumerate() {
            check!(*n > 0, "worker {} thread {} did no work", i, t);
        }
        // Counters that must have moved, and pairs that must agree.
        let moved = [
            (r.pings, "local round trip"),
            (r.cross, "cross-process round trip"),
            (r.objects, "object created"),
            (r.timeouts, "wait timed out"),
            (r.spawned, "short-lived thread"),
        ];
        for (n, what) in moved {
            check!(n > 0, "worker {}: no {}", i, what);
        }
        check_eq!(r.pings, r.pongs, "worker {}: pings, pongs:", i);
        check_eq!(r.spawned, r.ran, "worker {}: threads spawned, ran:", i);
    }
    for k in 0..WORKERS / 2 {
        if let (Some(a), Some(b)) = (&reports[2 * k], &reports[2 * k + 1]) {
            let what = format_args!("workers {} and {}: calls, echoes:", 2 * k, 2 * k + 1);
            check_eq!(a.cross, b.cross, "{}", what);
        }
    }

    drop(boots);
    drop(procs);
    check_eq!(settle(base), base);

    let after_cpu = cpu_stats();
    check!(
        after_cpu.is_ok(),
        "ZX_INFO_CPU_STATS: {:?}",
        after_cpu.err()
    );
    if let (Ok(b), Ok(a)) = (before, after_cpu) {
        // SAFETY: single-threaded test process; read only by the next case.
        unsafe {
            CPU_BEFORE = b;
            CPU_AFTER = a;
        }
        CPU_RECORDED.store(true, Ordering::Release);
    }
}

fn every_online_core_switched_to_user_threads_during_the_stress() {
    if !CPU_RECORDED.load(Ordering::Acquire) {
        // Run alone (`test=smp_stress::every_online_core_...`): the stress runs first.
        stress_workers_all_report_their_work_and_kernel_stats_return_to_baseline();
    }
    let recorded = CPU_RECORDED.load(Ordering::Acquire);
    check!(recorded, "the stress case recorded no CPU stats");
    if !recorded {
        return;
    }
    // SAFETY: written by the stress (the previous case, or just above), single-threaded.
    let (b, a) = unsafe { (CPU_BEFORE, CPU_AFTER) };
    check_eq!(a.cpu_count, b.cpu_count);
    let n = a.cpu_count as usize;
    check!((1..=InfoCpuStats::MAX_CPUS).contains(&n), "cpu_count {}", n);
    let n = n.clamp(1, InfoCpuStats::MAX_CPUS);
    // For the record (docs/performance.md): how often a core waited for the run-queue lock.
    let mut per_core = [0u64; InfoCpuStats::MAX_CPUS];
    for (i, d) in per_core.iter_mut().enumerate().take(n) {
        *d = a.per_cpu_switches[i].saturating_sub(b.per_cpu_switches[i]);
    }
    println!(
        "    smp_stress: {} cores, user switches per core {:?}, run-queue lock waits {}",
        n,
        &per_core[..n],
        a.sched_lock_waits.saturating_sub(b.sched_lock_waits)
    );
    for i in 0..n {
        let (was, now) = (b.per_cpu_switches[i], a.per_cpu_switches[i]);
        check!(
            now > was,
            "core {} of {} did not switch to a user thread: {} -> {}",
            i,
            n,
            was,
            now
        );
    }
}

fn cpu_stats_record_is_well_formed() {
    let r = cpu_stats();
    check!(r.is_ok(), "ZX_INFO_CPU_STATS: {:?}", r.err());
    let Ok(s) = r else { return };
    let n = s.cpu_count;
    check!(
        (1..=InfoCpuStats::MAX_CPUS as u32).contains(&n),
        "cpu_count {}",
        n
    );
    // Entries past cpu_count are 0; some online core has switched to a user thread (this one).
    let n = (s.cpu_count as usize).min(InfoCpuStats::MAX_CPUS);
    for i in n..InfoCpuStats::MAX_CPUS {
        check_eq!(s.per_cpu_switches[i], 0);
    }
    let total: u64 = s.per_cpu_switches[..n].iter().sum();
    check!(total > 0, "no core ever switched to a user thread: {:?}", s);
}

fn cpu_stats_needs_the_root_resource_and_a_full_record_buffer() {
    let root = root();
    const SIZE: usize = core::mem::size_of::<InfoCpuStats>();
    let mut buf = [0u8; SIZE];
    let b = buf.as_mut_ptr();
    // Exactly one record.
    check_eq!(info_raw(root, INFO_CPU_STATS, b, SIZE), (Status::OK, 1, 1));
    // One byte short: BUFFER_TOO_SMALL with actual 0, avail 1 (docs/abi.md section 3).
    let got = info_raw(root, INFO_CPU_STATS, b, SIZE - 1);
    check_eq!(got, (Status::BUFFER_TOO_SMALL, 0, 1));
    // Not a resource: WRONG_TYPE.
    let (a, _b) = must!(Channel::create());
    check_status!(
        info_into(a.raw(), INFO_CPU_STATS, b, SIZE),
        Status::WRONG_TYPE
    );
    // The root resource without INSPECT: ACCESS_DENIED.
    let rights = rights_of(root);
    check_eq!(rights, 0xC00B); // docs/abi.md section 3: default rights of a resource
    let (st, weak) = try_dup(root, rights & !Rights::INSPECT.bits());
    check_eq!(st, Status::OK);
    let weak = Handle::from_raw(weak);
    check_status!(
        info_into(weak.raw(), INFO_CPU_STATS, b, SIZE),
        Status::ACCESS_DENIED
    );
}

zx::tests!(
    cpu_stats_record_is_well_formed,
    cpu_stats_needs_the_root_resource_and_a_full_record_buffer,
    stress_workers_all_report_their_work_and_kernel_stats_return_to_baseline,
    every_online_core_switched_to_user_threads_during_the_stress,
);

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
const SECOND: i64 = 1_000_000_000;
/// How long after the stress ends a report may still arrive (generous: slow emulated cores).
const REPORT_GRACE_NS: i64 = 40 * SECOND;
/// Every worker thread, and short-lived threads (see child_stress.rs).
const THREAD_MASK: u32 = 0x1f;
const REPORT_BYTES: usize = 24 + 11 * 8;

fn cpu_stats() -> ZxResult<InfoCpuStats> {
    get_info(root(), INFO_CPU_STATS)
}

/// CPU stats around the stress, for the per-core case.
static mut CPU_BEFORE: InfoCpuStats = InfoCpuStats {
    cpu_count: 0,
    sched_lock_waits: 0,
    per_cpu_switches: [0; 8],
    per_cpu_longest_masked_ns: [0; 8],
};
static mut CPU_AFTER: InfoCpuStats = InfoCpuStats {
    cpu_count: 0,
    sched_lock_waits: 0,
    per_cpu_switches: [0; 8],
    per_cpu_longest_masked_ns: [0; 8],
};
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

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
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
        match Channel::create() {
            Ok((a, b)) => {
                cross[2 * k] = Some(a);
                cross[2 * k + 1] = Some(b);
            }
            Err(e) => {
                check!(false, "channel_create: {}", e);
                return;
            }
        }
    }
    let mut boots: [Option<Channel>; WORKERS] = [const { None }; WORKERS];
    let mut procs: [Option<Process>; WORKERS] = [const { None }; WORKERS];
    for i in 0..WORKERS {
        let Ok((ours, theirs)) = Channel::create() else {
            check!(false, "channel_create failed");
            continue;
        };
        let mut cfg = [0u8; 20];
        cfg[..4].copy_from_slice(&(i as u32).to_le_bytes());
        cfg[4..8].copy_from_slice(&((i % 2) as u32).to_le_bytes());
        cfg[8..16].copy_from_slice(&(DURATION_NS as u64).to_le_bytes());
        cfg[16..].copy_from_slice(&THREAD_MASK.to_le_bytes());
        let c = cross[i].take().map(|c| c.0.into_raw()).unwrap_or(0);
        check!(ours.write(&cfg, &[c]).is_ok(), "configuring worker {}", i);
        let p = Process::spawn("child_stress", Some(theirs.0));
        check!(
            p.is_ok(),
            "spawn child_stress {}: {:?}",
            i,
            p.as_ref().err()
        );
        procs[i] = p.ok();
        boots[i] = Some(ours);
    }

    // Every worker must report: a thread that missed a wake-up never finishes.
    let report_deadline = deadline_after(DURATION_NS + REPORT_GRACE_NS);
    let mut reports: [Option<Report>; WORKERS] = [None; WORKERS];
    for i in 0..WORKERS {
        let Some(b) = &boots[i] else { continue };
        let m = b.read_wait(report_deadline);
        match m {
            Ok(m) => {
                let r = parse(&m.bytes[..m.num_bytes as usize]);
                check!(r.is_some(), "worker {}: malformed report", i);
                raw::handle_close_many(m.handles.as_ptr(), m.num_handles as usize);
                reports[i] = r;
            }
            Err(e) => check!(false, "worker {} did not report: {}", i, e),
        }
    }
    for (i, p) in procs.iter().enumerate() {
        if let Some(p) = p {
            let code = p.wait(deadline_after(10 * SECOND));
            check!(code == Ok(0), "worker {} exit: {:?}", i, code);
        }
    }

    for (i, r) in reports.iter().enumerate() {
        let Some(r) = r else { continue };
        check_eq!(r.index, i as u32);
        check!(
            r.failures == 0,
            "worker {}: {} failures, first {}",
            i,
            r.failures,
            r.first_failure
        );
        check!(
            r.hung == 0,
            "worker {}: threads {:#x} never woke up",
            i,
            r.hung
        );
        for (t, n) in r.iter.iter().enumerate() {
            check!(*n > 0, "worker {} thread {} did no work", i, t);
        }
        check!(r.pings > 0, "worker {}: no local round trip", i);
        check!(
            r.pings == r.pongs,
            "worker {}: {} pings but {} pongs",
            i,
            r.pings,
            r.pongs
        );
        check!(r.cross > 0, "worker {}: no cross-process round trip", i);
        check!(r.objects > 0, "worker {}: no object created", i);
        check!(r.timeouts > 0, "worker {}: no wait timed out", i);
        check!(r.spawned > 0, "worker {}: no short-lived thread", i);
        check!(
            r.spawned == r.ran,
            "worker {}: {} threads spawned, {} ran",
            i,
            r.spawned,
            r.ran
        );
    }
    for k in 0..WORKERS / 2 {
        if let (Some(a), Some(b)) = (&reports[2 * k], &reports[2 * k + 1]) {
            check!(
                a.cross == b.cross,
                "workers {} and {}: {} calls but {} echoes",
                2 * k,
                2 * k + 1,
                a.cross,
                b.cross
            );
        }
    }

    drop(boots);
    drop(procs);
    let end = deadline_after(5 * SECOND);
    let mut after = counts();
    while after != base && now() < end {
        sleep_ns(1_000_000);
        after = counts();
    }
    check_eq!(after, base);

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
    check!(
        CPU_RECORDED.load(Ordering::Acquire),
        "the stress case recorded no CPU stats"
    );
    if !CPU_RECORDED.load(Ordering::Acquire) {
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
        check!(
            a.per_cpu_switches[i] > b.per_cpu_switches[i],
            "core {} of {} did not switch to a user thread: {} -> {}",
            i,
            n,
            b.per_cpu_switches[i],
            a.per_cpu_switches[i]
        );
    }
}

fn cpu_stats_record_is_well_formed() {
    let r = cpu_stats();
    check!(r.is_ok(), "ZX_INFO_CPU_STATS: {:?}", r.err());
    let Ok(s) = r else { return };
    check!(
        (1..=InfoCpuStats::MAX_CPUS as u32).contains(&s.cpu_count),
        "cpu_count {}",
        s.cpu_count
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
    let (mut actual, mut avail) = (7usize, 7usize);
    // Exactly one record.
    check_status!(
        raw::object_get_info(
            root,
            INFO_CPU_STATS,
            buf.as_mut_ptr(),
            SIZE,
            &mut actual,
            &mut avail
        ),
        Status::OK
    );
    check_eq!((actual, avail), (1, 1));
    // One byte short: BUFFER_TOO_SMALL with actual 0, avail 1 (docs/abi.md section 3).
    let (mut actual, mut avail) = (7usize, 7usize);
    check_status!(
        raw::object_get_info(
            root,
            INFO_CPU_STATS,
            buf.as_mut_ptr(),
            SIZE - 1,
            &mut actual,
            &mut avail
        ),
        Status::BUFFER_TOO_SMALL
    );
    check_eq!((actual, avail), (0, 1));
    // Not a resource: WRONG_TYPE.
    let (a, _b) = match Channel::create() {
        Ok(x) => x,
        Err(e) => {
            check!(false, "channel_create: {}", e);
            return;
        }
    };
    check_status!(
        info_into(a.raw(), INFO_CPU_STATS, buf.as_mut_ptr(), SIZE),
        Status::WRONG_TYPE
    );
    // The root resource without INSPECT: ACCESS_DENIED.
    let rights = get_info::<InfoHandleBasic>(root, INFO_HANDLE_BASIC)
        .map(|i| i.rights)
        .unwrap_or(0);
    check_eq!(rights, 0xC00B); // docs/abi.md section 3: default rights of a resource
    let mut weak = 0u32;
    check_status!(
        raw::handle_duplicate(root, rights & !Rights::INSPECT.bits(), &mut weak),
        Status::OK
    );
    let weak = Handle::from_raw(weak);
    check_status!(
        info_into(weak.raw(), INFO_CPU_STATS, buf.as_mut_ptr(), SIZE),
        Status::ACCESS_DENIED
    );
}

zx::tests!(
    cpu_stats_record_is_well_formed,
    cpu_stats_needs_the_root_resource_and_a_full_record_buffer,
    stress_workers_all_report_their_work_and_kernel_stats_return_to_baseline,
    every_online_core_switched_to_user_threads_during_the_stress,
);

//! FP/SIMD state across context switches (lazy FP switching, docs/design.md): threads and
//! processes fill all 32 Q registers, FPCR and FPSR with their own patterns, then ping-pong over
//! event pairs many times without touching FP (each block switches them out; on -smp 4 they
//! move between cores), and check every register when they read them back. A thread that never
//! uses FP runs between them, and a new thread must read all-zero FP registers while another
//! thread's values are live.
#![no_std]
#![no_main]

#[path = "fp_shared/mod.rs"]
mod fp_shared;

use core::sync::atomic::{AtomicU32, Ordering};
use fp_shared::*;
use zx::test::*;
use zx::*;

/// A ping-pong with no answer for this long fails the case.
const STALL: i64 = 30 * SEC;

static BAD_REGS: AtomicU32 = AtomicU32::new(0);
static BAD_CALLS: AtomicU32 = AtomicU32::new(0);

core::arch::global_asm!(
    r#"
.global fp_fresh_entry
// A new thread's entry (x0: where to store its FP registers): its very first instructions read
// q0..q31, FPCR and FPSR, then it exits. No Rust code runs on it, so nothing else can have
// written them first.
fp_fresh_entry:
    stp     q0, q1, [x0, #0]
    stp     q2, q3, [x0, #32]
    stp     q4, q5, [x0, #64]
    stp     q6, q7, [x0, #96]
    stp     q8, q9, [x0, #128]
    stp     q10, q11, [x0, #160]
    stp     q12, q13, [x0, #192]
    stp     q14, q15, [x0, #224]
    stp     q16, q17, [x0, #256]
    stp     q18, q19, [x0, #288]
    stp     q20, q21, [x0, #320]
    stp     q22, q23, [x0, #352]
    stp     q24, q25, [x0, #384]
    stp     q26, q27, [x0, #416]
    stp     q28, q29, [x0, #448]
    stp     q30, q31, [x0, #480]
    mrs     x2, fpcr
    mrs     x3, fpsr
    add     x4, x0, #512
    stp     x2, x3, [x4]
    mov     x16, #{exit}
    svc     #0
    brk     #0
"#,
    exit = const nr::THREAD_EXIT,
);

extern "C" {
    fn fp_fresh_entry();
}

#[repr(C, align(16))]
struct Stack([u8; 4096]);
static mut FRESH_STACK: Stack = Stack([0; 4096]);

/// Starts a thread at `fp_fresh_entry` and waits for it to end, all while `set` is live in
/// this thread's FP registers; returns what the new thread read. Checks that `set` survived.
fn fresh_thread_reads(set: &Fp) -> Fp {
    let mut out = Fp::pattern(0xdead);
    let mut h = 0;
    let name = b"fresh";
    let s = raw::thread_create(self_process(), name.as_ptr(), name.len(), 0, &mut h);
    expect_status(s, Status::OK, "thread_create");
    // Only the address of the stack is taken (the thread does not use it).
    let top = (&raw mut FRESH_STACK) as u64 + 4096;
    let (out_ptr, entry) = (
        &mut out as *mut Fp as u64,
        fp_fresh_entry as *const () as u64,
    );
    let mut obs = 0u32;
    let (tt, obs_ptr) = (
        Signals::TASK_TERMINATED.bits() as u64,
        &mut obs as *mut u32 as u64,
    );
    let dl = deadline_after(STALL) as u64;
    let start = call(nr::THREAD_START, [h as u64, entry, top, out_ptr, 0, 0]);
    let mut calls = [
        start,
        call(nr::OBJECT_WAIT_ONE, [h as u64, tt, dl, obs_ptr, 0, 0]),
    ];
    let got = hold(set, &mut calls);
    check_eq!((calls[0].ret, calls[1].ret), (0, 0));
    check!(got.same(set), "the starting thread's registers changed");
    close(h);
    // SAFETY: the thread that wrote `out` has ended.
    unsafe { core::ptr::read_volatile(&out) }
}

fn fresh_thread_reads_zero() {
    for k in 0..8 {
        let out = fresh_thread_reads(&Fp::pattern(100 + k));
        let (q, fpcr, fpsr) = (out.q_diff(&Fp::ZERO), out.fpcr, out.fpsr);
        let what = "nonzero Q registers, FPCR, FPSR";
        check!(
            out == Fp::ZERO,
            "new thread {}: {} {} {:#x} {:#x}",
            k,
            what,
            q,
            fpcr,
            fpsr
        );
    }
}

/// An FP thread: `holds` times, two ping-pong rounds on event pair end `arg & 0xffff_ffff`
/// (answering) while holding the pattern of `seed + i` (`seed`: `arg >> 32`).
fn fp_partner(arg: usize) {
    fp_holds(arg, false);
}

/// [`fp_partner`], starting each round (`starts`) or answering.
fn fp_holds(arg: usize, starts: bool) {
    let h = arg as u32;
    let seed = (arg >> 32) as u64;
    for i in 0..HOLDS {
        let (regs, calls) = hold_rounds(h, starts, &Fp::pattern(seed + i), deadline_after(STALL));
        if !regs {
            BAD_REGS.fetch_add(1, Ordering::Relaxed);
        }
        if !calls {
            BAD_CALLS.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }
}

const HOLDS: u64 = 100;
const INT_CALLS: usize = 3 * 2 * HOLDS as usize;
static mut INT_LIST: [Call; INT_CALLS] = [Call {
    nr: 0,
    a: [0; 6],
    ret: 0,
}; INT_CALLS];
static mut INT_OBS: u32 = 0;

/// A thread that never uses FP during the exchange: answers 2 * `HOLDS` ping-pong rounds on
/// event pair end `arg`, all in one list of syscalls made without an FP instruction.
fn int_partner(arg: usize) {
    let h = arg as u32;
    let deadline = deadline_after(STALL * 4);
    // SAFETY: only this thread uses the list and the observed word while the case runs.
    let list =
        unsafe { core::slice::from_raw_parts_mut((&raw mut INT_LIST).cast::<Call>(), INT_CALLS) };
    let obs = &raw mut INT_OBS;
    for r in 0..2 * HOLDS as usize {
        list[3 * r..3 * r + 3].copy_from_slice(&round(h, false, deadline, obs));
    }
    calls_only(list);
    if list.iter().any(|c| c.ret != 0) {
        BAD_CALLS.fetch_add(1, Ordering::Relaxed);
    }
}

fn reset() {
    BAD_REGS.store(0, Ordering::Relaxed);
    BAD_CALLS.store(0, Ordering::Relaxed);
}

/// This thread (FP) pings an FP thread and a thread that never uses FP in turn: while its
/// pattern is held across four switches, the others' run in between.
fn threads_with_and_without_fp() {
    reset();
    let (ab, ba) = eventpair();
    let (ac, ca) = eventpair();
    let b = start(fp_partner, ba as usize | 7000 << 32);
    let c = start(int_partner, ca as usize);
    let mut bad = 0;
    for i in 0..2 * HOLDS {
        let set = Fp::pattern(3000 + i);
        let mut obs = 0u32;
        let dl = deadline_after(STALL);
        let x = round(ab, true, dl, &mut obs);
        let y = round(ac, true, dl, &mut obs);
        let mut calls = [x[0], x[1], x[2], y[0], y[1], y[2]];
        let got = hold(&set, &mut calls);
        if !got.same(&set) {
            bad += 1;
            if bad == 1 {
                let (fpcr, fpsr) = (got.fpcr & FPCR_MASK, got.fpsr & FPSR_MASK);
                let want = (set.fpcr & FPCR_MASK, set.fpsr & FPSR_MASK);
                let q = got.q_diff(&set);
                let what = "Q registers differ, FPCR, FPSR";
                check!(
                    false,
                    "hold {}: {} {} {:#x} {:#x} (want {:x?})",
                    i,
                    what,
                    q,
                    fpcr,
                    fpsr,
                    want
                );
            }
        }
        if calls.iter().any(|c| c.ret != 0) {
            check!(false, "hold {}: a ping-pong syscall failed", i);
            break;
        }
    }
    check_eq!(bad, 0);
    for t in [b, c] {
        join_within(t, 4 * STALL);
    }
    check_eq!(BAD_REGS.load(Ordering::Relaxed), 0);
    check_eq!(BAD_CALLS.load(Ordering::Relaxed), 0);
    close_all(&[ab, ba, ac, ca]);
}

/// This thread's side of a pair with `fp_partner`, started first.
fn fp_starter(arg: usize) {
    fp_holds(arg, true);
}

/// Three pairs of FP threads ping-pong at once (on -smp 4 they run on, and move between,
/// several cores), each holding its own patterns.
fn three_fp_pairs() {
    reset();
    let mut ends = [0u32; 6];
    let mut ts = [const { None }; 6];
    for p in 0..3 {
        let (a, b) = eventpair();
        (ends[2 * p], ends[2 * p + 1]) = (a, b);
        let seed = 10_000 + 1000 * p;
        ts[2 * p] = start(fp_starter, a as usize | seed << 32);
        ts[2 * p + 1] = start(fp_partner, b as usize | (seed + 500) << 32);
    }
    for t in ts {
        join_within(t, 4 * STALL);
    }
    check_eq!(BAD_REGS.load(Ordering::Relaxed), 0);
    check_eq!(BAD_CALLS.load(Ordering::Relaxed), 0);
    close_all(&ends);
}

/// Ping-pong with `child_fp`, another process holding its own patterns (it checks its side and
/// exits with 0 if every register came back).
fn two_processes() {
    let (mine, theirs) = eventpair();
    let child = Process::spawn("child_fp", Some(Handle::from_raw(theirs)));
    check!(child.is_ok());
    let Ok(child) = child else {
        close(mine);
        return;
    };
    let mut bad = 0;
    for i in 0..HOLDS {
        let set = Fp::pattern(20_000 + i);
        let (regs, calls) = hold_rounds(mine, true, &set, deadline_after(STALL));
        if !regs {
            bad += 1;
        }
        if !calls {
            check!(false, "hold {}: a ping-pong syscall failed", i);
            break;
        }
    }
    check_eq!(bad, 0);
    check_eq!(child.wait(deadline_after(4 * STALL)), Ok(0));
    close(mine);
}

zx::tests!(
    fresh_thread_reads_zero,
    threads_with_and_without_fp,
    three_fp_pairs,
    two_processes,
    fresh_thread_reads_zero_again,
);

/// Once more, after the other cases left their state behind in freed threads.
fn fresh_thread_reads_zero_again() {
    fresh_thread_reads_zero();
}

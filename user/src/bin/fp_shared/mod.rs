//! Shared by `test_fp` and `child_fp` (included with `#[path]`; not a program itself): FP/SIMD
//! register patterns, and [`hold`], which loads a pattern into q0..q31, FPCR and FPSR, makes a
//! list of syscalls without touching an FP register, and reads the registers back. Between the
//! syscalls the thread blocks and is switched out and in again, so every register that comes
//! back wrong is state the kernel lost or mixed up.

// Each of the two programs uses part of it.
#![allow(dead_code)]

use core::arch::asm;
use zx::nr;

/// One syscall for [`hold`]: number, six arguments, and the status it returned.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Call {
    pub nr: u64,
    pub a: [u64; 6],
    pub ret: u64,
}
const _: () = assert!(core::mem::size_of::<Call>() == 64);

/// The FP/SIMD register file as EL0 sees it.
#[repr(C, align(16))]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Fp {
    pub q: [u128; 32],
    pub fpcr: u64,
    pub fpsr: u64,
}

/// FPCR bits every AArch64 FP unit implements: AHP, DN, FZ, RMode.
pub const FPCR_MASK: u64 = 0x07c0_0000;
/// FPSR cumulative flags: QC, IDC, IXC, UFC, OFC, DZC, IOC.
pub const FPSR_MASK: u64 = 0x0800_009f;

fn mix(mut x: u64) -> u64 {
    // splitmix64: distinct, never-repeating values for distinct inputs.
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Fp {
    pub const ZERO: Fp = Fp {
        q: [0; 32],
        fpcr: 0,
        fpsr: 0,
    };

    /// A pattern unique to `seed` in every register (and never all zero).
    pub fn pattern(seed: u64) -> Fp {
        let mut f = Fp::ZERO;
        for (i, q) in f.q.iter_mut().enumerate() {
            let lo = mix(seed.wrapping_mul(67).wrapping_add(2 * i as u64)) | 1;
            let hi = mix(seed.wrapping_mul(67).wrapping_add(2 * i as u64 + 1));
            *q = (hi as u128) << 64 | lo as u128;
        }
        let m = mix(seed ^ 0x5555);
        f.fpcr = (m & FPCR_MASK) | 1 << 25; // DN set: never equal to the reset value 0
        f.fpsr = (m >> 32) & FPSR_MASK | 1 << 27;
        f
    }

    /// Equality as far as the hardware keeps the bits.
    pub fn same(&self, o: &Fp) -> bool {
        self.q == o.q
            && self.fpcr & FPCR_MASK == o.fpcr & FPCR_MASK
            && self.fpsr & FPSR_MASK == o.fpsr & FPSR_MASK
    }

    /// How many of the 32 Q registers differ from `o`'s.
    pub fn q_diff(&self, o: &Fp) -> usize {
        self.q
            .iter()
            .zip(o.q.iter())
            .filter(|(a, b)| a != b)
            .count()
    }
}

/// Loads `set` into q0..q31, FPCR and FPSR; makes `calls` in order with `svc` (integer
/// registers only: the thread does not touch FP between them, however often it is switched
/// out and in); then returns q0..q31, FPCR and FPSR as they are. FPCR and FPSR are put back
/// as they were before returning to Rust code.
pub fn hold(set: &Fp, calls: &mut [Call]) -> Fp {
    let mut got = Fp::ZERO;
    let mut p = calls.as_mut_ptr();
    let mut n = calls.len();
    let mut fpcr = set.fpcr;
    let mut fpsr = set.fpsr;
    // SAFETY: reads `set` and writes `got` (both 16-aligned, 528 bytes), reads and writes the
    // `calls` records; every register it changes is declared, and FPCR/FPSR are restored.
    unsafe {
        asm!(
            "mrs {sc}, fpcr",
            "mrs {ss}, fpsr",
            "ldp q0, q1, [{set}, #0]",
            "ldp q2, q3, [{set}, #32]",
            "ldp q4, q5, [{set}, #64]",
            "ldp q6, q7, [{set}, #96]",
            "ldp q8, q9, [{set}, #128]",
            "ldp q10, q11, [{set}, #160]",
            "ldp q12, q13, [{set}, #192]",
            "ldp q14, q15, [{set}, #224]",
            "ldp q16, q17, [{set}, #256]",
            "ldp q18, q19, [{set}, #288]",
            "ldp q20, q21, [{set}, #320]",
            "ldp q22, q23, [{set}, #352]",
            "ldp q24, q25, [{set}, #384]",
            "ldp q26, q27, [{set}, #416]",
            "ldp q28, q29, [{set}, #448]",
            "ldp q30, q31, [{set}, #480]",
            "msr fpcr, {c}",
            "msr fpsr, {s}",
            "cbz {n}, 2f",
            "1:",
            "ldr x16, [{p}]",
            "ldp x0, x1, [{p}, #8]",
            "ldp x2, x3, [{p}, #24]",
            "ldp x4, x5, [{p}, #40]",
            "svc #0",
            "str x0, [{p}, #56]",
            "add {p}, {p}, #64",
            "subs {n}, {n}, #1",
            "b.ne 1b",
            "2:",
            "stp q0, q1, [{got}, #0]",
            "stp q2, q3, [{got}, #32]",
            "stp q4, q5, [{got}, #64]",
            "stp q6, q7, [{got}, #96]",
            "stp q8, q9, [{got}, #128]",
            "stp q10, q11, [{got}, #160]",
            "stp q12, q13, [{got}, #192]",
            "stp q14, q15, [{got}, #224]",
            "stp q16, q17, [{got}, #256]",
            "stp q18, q19, [{got}, #288]",
            "stp q20, q21, [{got}, #320]",
            "stp q22, q23, [{got}, #352]",
            "stp q24, q25, [{got}, #384]",
            "stp q26, q27, [{got}, #416]",
            "stp q28, q29, [{got}, #448]",
            "stp q30, q31, [{got}, #480]",
            "mrs {c}, fpcr",
            "mrs {s}, fpsr",
            "msr fpcr, {sc}",
            "msr fpsr, {ss}",
            set = in(reg) set as *const Fp,
            got = in(reg) &mut got as *mut Fp,
            p = inout(reg) p,
            n = inout(reg) n,
            c = inout(reg) fpcr,
            s = inout(reg) fpsr,
            sc = out(reg) _,
            ss = out(reg) _,
            out("x0") _, out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _,
            out("x16") _, out("x17") _,
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _,
            out("v6") _, out("v7") _, out("v8") _, out("v9") _, out("v10") _, out("v11") _,
            out("v12") _, out("v13") _, out("v14") _, out("v15") _, out("v16") _,
            out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _,
            out("v22") _, out("v23") _, out("v24") _, out("v25") _, out("v26") _,
            out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
            options(nostack),
        );
    }
    let _ = (p, n);
    got.fpcr = fpcr;
    got.fpsr = fpsr;
    got
}

/// Makes `calls` in order with integer registers only (no FP/SIMD instruction in the loop).
pub fn calls_only(calls: &mut [Call]) {
    let mut p = calls.as_mut_ptr();
    let mut n = calls.len();
    if n == 0 {
        return;
    }
    // SAFETY: reads and writes the `calls` records only; every register it changes is declared.
    unsafe {
        asm!(
            "1:",
            "ldr x16, [{p}]",
            "ldp x0, x1, [{p}, #8]",
            "ldp x2, x3, [{p}, #24]",
            "ldp x4, x5, [{p}, #40]",
            "svc #0",
            "str x0, [{p}, #56]",
            "add {p}, {p}, #64",
            "subs {n}, {n}, #1",
            "b.ne 1b",
            p = inout(reg) p,
            n = inout(reg) n,
            out("x0") _, out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _,
            out("x16") _, out("x17") _,
            options(nostack),
        );
    }
    let _ = (p, n);
}

/// `zx_object_signal_peer(h, 0, USER_0)`.
pub fn poke(h: u32) -> Call {
    call(nr::OBJECT_SIGNAL_PEER, [h as u64, 0, 1 << 24, 0, 0, 0])
}

/// `zx_object_wait_one(h, USER_0, deadline, observed)`.
pub fn wait(h: u32, deadline: i64, observed: *mut u32) -> Call {
    call(
        nr::OBJECT_WAIT_ONE,
        [h as u64, 1 << 24, deadline as u64, observed as u64, 0, 0],
    )
}

/// `zx_object_signal(h, USER_0, 0)`.
pub fn unpoke(h: u32) -> Call {
    call(nr::OBJECT_SIGNAL, [h as u64, 1 << 24, 0, 0, 0, 0])
}

pub fn call(nr: u64, a: [u64; 6]) -> Call {
    Call { nr, a, ret: 0 }
}

/// One round of a ping-pong on an event pair end, as the side that starts (`first`) or
/// answers: poke the peer, wait, clear; or wait, clear, poke the peer.
pub fn round(h: u32, first: bool, deadline: i64, observed: *mut u32) -> [Call; 3] {
    if first {
        [poke(h), wait(h, deadline, observed), unpoke(h)]
    } else {
        [wait(h, deadline, observed), unpoke(h), poke(h)]
    }
}

/// Two rounds of the ping-pong while holding `pattern` in the FP registers: the thread is
/// switched out and in at least twice without touching FP. Returns (registers intact,
/// every syscall returned OK).
pub fn hold_rounds(h: u32, first: bool, pattern: &Fp, deadline: i64) -> (bool, bool) {
    let mut obs = 0u32;
    let a = round(h, first, deadline, &mut obs);
    let b = round(h, first, deadline, &mut obs);
    let mut calls = [a[0], a[1], a[2], b[0], b[1], b[2]];
    let got = hold(pattern, &mut calls);
    (got.same(pattern), calls.iter().all(|c| c.ret == 0))
}

//! child_fuzz: random system calls from EL0, for `test_syscall_fuzz`.
//!
//! The first message on the bootstrap channel (read with a 50 ms deadline) is the seed record:
//! `seed: u64 @0, magic "FZSD" @8, flags: u32 @12, calls: u32 @16 (0: 20,000),
//! debug_from: u32 @20`, with one handle: the write end of a report channel. Without it (no
//! bootstrap, no message, a wrong magic) the program exits at once with 0: that is what the
//! children it spawns itself do. Flags: 1 debug (every call from number `debug_from` on is
//! printed before it is made, and its result after), 2 no threads, 4 no spawns, 8 watch the
//! report handle, 16 past deadlines only (2|4|16: a run that does not depend on timing).
//!
//! With a seed, it performs `calls` system calls chosen by a xorshift64* generator among every
//! number of docs/abi.md section 2 and some reserved ones, with arguments from pools of interesting
//! values: handles it holds (start-up handles and those returned by successful calls), stale,
//! garbage and 0 values, rights masks, options, sizes, and pointers (a 128 KiB scratch buffer in
//! .bss, NULL, 0x1000, kernel addresses, just below 2^47, u64::MAX - 8, a read-only static, the
//! text, the straddling top of the stack, the guard page below it, and the scratch buffer filled
//! with random iovec / disposition / call-args / wait-item / handle arrays). Half the calls are
//! well-formed (pool handles, options 0, scratch pointers, small sizes, channel pairs it made)
//! so that the success paths run too: messages with handles are written and read, and a
//! well-formed `zx_channel_call` gets a thread on the other end that answers it (or closes the
//! channel, or answers with a wrong txid). Unused argument registers hold garbage, and u32
//! arguments sometimes carry garbage in bits 32..63.
//!
//! Only what would legitimately end or stall the process is tamed: deadlines are in the past or
//! at most 1 ms ahead; `zx_process_exit` and `zx_thread_exit` are never called by the main
//! thread; `zx_thread_start` on a thread of this process always gets a real entry
//! (`fuzz_thread`, which makes a few random calls and exits, or `echo_thread`) and a free stack
//! of its own, and is never made on another process's thread; `zx_process_spawn` starts
//! "child_fuzz" at most twice (those children get no seed and exit); `zx_debug_write` never
//! gets a readable buffer with a length the kernel would print; the report handle lives in a
//! slot far from the others (see `move_report_far`). Channel endpoints are sent through random
//! channels, so writes that would close a cycle of endpoints are attempted too: the kernel must
//! refuse them (docs/design.md: `NOT_SUPPORTED`), or the leak check of the test fails.
//! With half the seeds the process ends while its threads still run.
//!
//! Each call goes through a stub that loads x1..x15, x20..x27, v0..v31 and NZCV with known
//! values and checks after `svc` that the kernel preserved them (docs/abi.md section 1), and that
//! TPIDR_EL0 is unchanged; every 1000 calls a spin loop checks that preemption preserves every
//! register too. Every result is checked against the contract: reserved numbers give exactly
//! `ZX_ERR_BAD_SYSCALL` (also those whose low 32 bits name a real call), defined ones never do,
//! statuses are ones docs/abi.md defines (not `ZX_ERR_INTERNAL`), `zx_handle_close(0)` is OK, the
//! clock never goes back, new handle values have their two low bits set (and a pair's differ).
//! Any violation is an anomaly: printed with the call and its arguments, counted in the report,
//! and the exit code is 1.
//!
//! At the end it prints a summary (successful calls by number), writes a 32-byte report
//! (`"FZRP"`, calls, thread calls, aux calls, ok count, anomalies, spawns, threads started) to
//! the report channel and exits with 0 (1 with anomalies).
#![no_std]
#![no_main]

use core::arch::asm;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use zx::test::fuzz::*;
use zx::test::valid;
use zx::*;

zx::entry!(main);

const DEFAULT_CALLS: u32 = 20_000;
/// Most `child_fuzz` processes one fuzzer spawns.
const MAX_SPAWNS: u32 = 2;

// ------------------------------------------------------------------------------------------
// Memory the kernel may read and write at random
// ------------------------------------------------------------------------------------------

/// Pointers into the scratch buffer start in its first `SCRATCH` bytes; the pad after it
/// absorbs the longest write the kernel can make there (a 64 KiB message).
const SCRATCH: usize = 128 * 1024;
const SCRATCH_PAD: usize = 80 * 1024;
#[repr(C, align(4096))]
struct Scratch([u8; SCRATCH + SCRATCH_PAD]);
static mut SCR: Scratch = Scratch([0; SCRATCH + SCRATCH_PAD]);

fn scr_base() -> u64 {
    // SAFETY: only the address is taken.
    (unsafe { &raw mut SCR.0 }) as u64
}
fn in_scratch(p: u64, len: u64) -> bool {
    let b = scr_base();
    let end = b + (SCRATCH + SCRATCH_PAD) as u64;
    p >= b && p <= end && len <= end - p
}
fn put8(off: usize, v: u8) {
    if off < SCRATCH + SCRATCH_PAD {
        // SAFETY: inside the scratch static; the kernel may write it too (plain bytes).
        unsafe { ((scr_base() as *mut u8).add(off)).write_volatile(v) }
    }
}
fn put32(off: usize, v: u32) {
    for (i, b) in v.to_le_bytes().iter().enumerate() {
        put8(off + i, *b);
    }
}
fn put64(off: usize, v: u64) {
    for (i, b) in v.to_le_bytes().iter().enumerate() {
        put8(off + i, *b);
    }
}
fn get32(p: u64) -> u32 {
    if !in_scratch(p, 4) {
        return 0;
    }
    // SAFETY: inside the scratch static (checked above).
    unsafe { (p as *const u32).read_unaligned() }
}

/// Dedicated output slots, one lane per thread (lane 0: main): values written here by a
/// successful call are harvested into the handle pool.
const LANES: usize = 1 + THREAD_SLOTS;
#[repr(C, align(16))]
struct Outs([[u32; 16]; LANES]);
static mut OUTS: Outs = Outs([[0; 16]; LANES]);
fn out_slot(lane: usize, i: usize) -> u64 {
    // SAFETY: only the address is taken.
    (unsafe { &raw mut OUTS.0[lane][i] }) as u64
}
fn read_slot(lane: usize, i: usize) -> u32 {
    // SAFETY: a u32 inside OUTS.
    unsafe { (out_slot(lane, i) as *const u32).read_volatile() }
}
fn clear_lane(lane: usize) {
    for i in 0..16 {
        // SAFETY: a u32 inside OUTS.
        unsafe { (out_slot(lane, i) as *mut u32).write_volatile(0) }
    }
}

/// Read-only data (an output pointer here must be refused).
static RO: [u8; 4096] = [0x5A; 4096];
static NAME_FUZZ: [u8; 11] = *b"child_fuzz#";
static NAME_NONE: [u8; 15] = *b"no_such_program";
static NAME_THREAD: [u8; 8] = *b"fzthread";

const KADDR1: u64 = 0xffff_0000_0000_0000;
const KADDR2: u64 = 0xffff_ff80_0008_0000;
const BELOW_2_47: u64 = (1 << 47) - 16;
const WRAPS: u64 = u64::MAX - 8;
/// 16 bytes below the stack top (0x7fff_fff0_0000): anything longer straddles into unmapped
/// memory.
const STACK_STRADDLE: u64 = 0x7fff_ffef_fff0;
/// 8 bytes below the lowest stack page: starts in the unmapped guard page.
const GUARD_STRADDLE: u64 = 0x7fff_fff0_0000 - 256 * 1024 - 8;

// ------------------------------------------------------------------------------------------
// Shared state (main thread and fuzz threads)
// ------------------------------------------------------------------------------------------

const POOL: usize = 40;
static POOL_H: [AtomicU32; POOL] = [const { AtomicU32::new(0) }; POOL];
const STALE_N: usize = 16;
static STALE: [AtomicU32; STALE_N] = [const { AtomicU32::new(0) }; STALE_N];
static STALE_NEXT: AtomicU32 = AtomicU32::new(0);
/// Start-up handles: bootstrap, process, thread.
static START_H: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
static SELF_KOID: AtomicU64 = AtomicU64::new(0);
/// A duplicate of the process handle kept out of the pool, for `zx_thread_create`.
static PROC_KEEP: AtomicU32 = AtomicU32::new(0);
/// The report channel (never in the pool, never an argument), stored XOR `REPORT_MASK`: a
/// `zx_handle_close_many` over this program's own data (a legitimate fuzz input) must not find
/// its value. The value itself lives only on the main stack, which no pointer pool reaches.
static REPORT: AtomicU32 = AtomicU32::new(0);
const REPORT_MASK: u32 = 0x5A5A_5A5A;
static SEED: AtomicU64 = AtomicU64::new(0);
static FLAGS: AtomicU32 = AtomicU32::new(0);
static DEBUG_FROM: AtomicU32 = AtomicU32::new(u32::MAX);
static SPAWNS: AtomicU32 = AtomicU32::new(0);
static THREAD_CALLS: AtomicU32 = AtomicU32::new(0);
static THREAD_ANOMALIES: AtomicU32 = AtomicU32::new(0);
static THREADS_STARTED: AtomicU32 = AtomicU32::new(0);

const THREAD_SLOTS: usize = 4;
const THREAD_STACK: usize = 32 * 1024;
static SLOT_BUSY: [AtomicU32; THREAD_SLOTS] = [const { AtomicU32::new(0) }; THREAD_SLOTS];
#[repr(C, align(16))]
struct Stacks([[u8; THREAD_STACK]; THREAD_SLOTS]);
static mut STACKS: Stacks = Stacks([[0; THREAD_STACK]; THREAD_SLOTS]);

fn stack_top(slot: usize) -> u64 {
    // SAFETY: only the address is taken.
    (unsafe { &raw mut STACKS.0[slot] }) as u64 + THREAD_STACK as u64
}
fn claim_slot() -> Option<usize> {
    (0..THREAD_SLOTS).find(|&i| {
        SLOT_BUSY[i]
            .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    })
}

fn flag(f: u32) -> bool {
    FLAGS.load(Ordering::Relaxed) & f != 0
}

fn stale_add(h: u32) {
    if h != 0 {
        let i = STALE_NEXT.fetch_add(1, Ordering::Relaxed) as usize % STALE_N;
        STALE[i].store(h, Ordering::Relaxed);
    }
}

fn pool_remove(h: u32) {
    if h == 0 {
        return;
    }
    for s in POOL_H.iter() {
        if s.compare_exchange(h, 0, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            stale_add(h);
        }
    }
}

fn pool_contains(h: u32) -> bool {
    h != 0 && POOL_H.iter().any(|s| s.load(Ordering::Relaxed) == h)
}

// ------------------------------------------------------------------------------------------
// The checking syscall stub
// ------------------------------------------------------------------------------------------

/// What a call left: x0 and a mask of the registers the kernel did not preserve (bit i: x_i
/// for i < 28, bit 28: NZCV, bits 32..63: v0..v31).
struct Ret {
    x0: u64,
    clobbered: u64,
}

fn pattern(pat: u64, i: u32) -> u64 {
    pat.rotate_left(i) ^ (i as u64).wrapping_mul(0x0101_0101_0101_0101)
}

/// `asm_regs!(x, v; "template", ...; operand, ...)`: `asm!` with the operands given, then
/// x0..x15, x20..x27 (from and back into `x[i]`) and v0..v31 (from and back into `v[i]`).
macro_rules! asm_regs {
    ($x:ident, $v:ident; $($t:literal),+; $($op:tt)*) => {
        asm!(
            $($t,)+
            $($op)*
            inlateout("x0") $x[0] => $x[0],
            inlateout("x1") $x[1] => $x[1],
            inlateout("x2") $x[2] => $x[2],
            inlateout("x3") $x[3] => $x[3],
            inlateout("x4") $x[4] => $x[4],
            inlateout("x5") $x[5] => $x[5],
            inlateout("x6") $x[6] => $x[6],
            inlateout("x7") $x[7] => $x[7],
            inlateout("x8") $x[8] => $x[8],
            inlateout("x9") $x[9] => $x[9],
            inlateout("x10") $x[10] => $x[10],
            inlateout("x11") $x[11] => $x[11],
            inlateout("x12") $x[12] => $x[12],
            inlateout("x13") $x[13] => $x[13],
            inlateout("x14") $x[14] => $x[14],
            inlateout("x15") $x[15] => $x[15],
            inlateout("x20") $x[20] => $x[20],
            inlateout("x21") $x[21] => $x[21],
            inlateout("x22") $x[22] => $x[22],
            inlateout("x23") $x[23] => $x[23],
            inlateout("x24") $x[24] => $x[24],
            inlateout("x25") $x[25] => $x[25],
            inlateout("x26") $x[26] => $x[26],
            inlateout("x27") $x[27] => $x[27],
            inlateout("v0") $v[0] => $v[0],
            inlateout("v1") $v[1] => $v[1],
            inlateout("v2") $v[2] => $v[2],
            inlateout("v3") $v[3] => $v[3],
            inlateout("v4") $v[4] => $v[4],
            inlateout("v5") $v[5] => $v[5],
            inlateout("v6") $v[6] => $v[6],
            inlateout("v7") $v[7] => $v[7],
            inlateout("v8") $v[8] => $v[8],
            inlateout("v9") $v[9] => $v[9],
            inlateout("v10") $v[10] => $v[10],
            inlateout("v11") $v[11] => $v[11],
            inlateout("v12") $v[12] => $v[12],
            inlateout("v13") $v[13] => $v[13],
            inlateout("v14") $v[14] => $v[14],
            inlateout("v15") $v[15] => $v[15],
            inlateout("v16") $v[16] => $v[16],
            inlateout("v17") $v[17] => $v[17],
            inlateout("v18") $v[18] => $v[18],
            inlateout("v19") $v[19] => $v[19],
            inlateout("v20") $v[20] => $v[20],
            inlateout("v21") $v[21] => $v[21],
            inlateout("v22") $v[22] => $v[22],
            inlateout("v23") $v[23] => $v[23],
            inlateout("v24") $v[24] => $v[24],
            inlateout("v25") $v[25] => $v[25],
            inlateout("v26") $v[26] => $v[26],
            inlateout("v27") $v[27] => $v[27],
            inlateout("v28") $v[28] => $v[28],
            inlateout("v29") $v[29] => $v[29],
            inlateout("v30") $v[30] => $v[30],
            inlateout("v31") $v[31] => $v[31],
            options(nostack),
        )
    };
}

/// The values a checked stretch starts with: `a` in x0..x7, `pattern(pat, i)` in every other
/// x_i, `pattern(pat, 32 + i)` in v_i.
fn start_regs(a: &[u64; 8], pat: u64) -> ([u64; 28], [u64; 32]) {
    let mut x: [u64; 28] = core::array::from_fn(|i| pattern(pat, i as u32));
    x[..8].copy_from_slice(a);
    (x, core::array::from_fn(|i| pattern(pat, 32 + i as u32)))
}

/// The mask (as in [`Ret`]) of the registers `xs` and v0..v31 whose value now (`x`, `v`)
/// differs from what it was `before`.
fn changed(before: &([u64; 28], [u64; 32]), x: &[u64; 28], v: &[u64; 32], xs: &[usize]) -> u64 {
    let mut mask = 0u64;
    for &i in xs {
        if x[i] != before.0[i] {
            mask |= 1 << i;
        }
    }
    for (i, (now, was)) in v.iter().zip(&before.1).enumerate() {
        if now != was {
            mask |= 1 << (32 + i);
        }
    }
    mask
}

/// The x registers a system call must preserve (x0 is its result; x16 and x17 are not
/// compared): x1..x15, x20..x27.
const CALL_SAVED: [usize; 23] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25, 26, 27,
];

#[inline(never)]
fn svc_checked(nr: u64, a: &[u64; 8], pat: u64) -> Ret {
    let nzcv_in = (pat & 0xF) << 28;
    let before = start_regs(a, pat);
    let (mut x, mut v) = before;
    let nzcv_out: u64;
    // SAFETY: a system call; every register it may touch is declared, and the kernel checks
    // every argument (hostile ones are the point).
    unsafe {
        asm_regs!(x, v; "msr nzcv, {f}", "svc #0", "mrs {f}, nzcv";
            f = inlateout(reg) nzcv_in => nzcv_out,
            inlateout("x16") nr => _,
            lateout("x17") _,
        );
    }
    let mut clobbered = changed(&before, &x, &v, &CALL_SAVED);
    if nzcv_out & (0xF << 28) != nzcv_in {
        clobbered |= 1 << 28;
    }
    Ret {
        x0: x[0],
        clobbered,
    }
}

/// Spins `iters` times with known values in x1..x17, x20..x27 and v0..v31, so that timer
/// interrupts and preemption (by the fuzz threads, or other processes) happen in between, and
/// returns the mask of registers that changed (as `Ret::clobbered`): a context switch must
/// preserve every register, x16 and x17 included.
#[inline(never)]
fn spin_checked(iters: u64, pat: u64) -> u64 {
    let mut a: [u64; 8] = core::array::from_fn(|i| pattern(pat, i as u32));
    a[0] = iters;
    let before = start_regs(&a, pat);
    let (mut x, mut v) = before;
    // SAFETY: a counting loop; every register it touches is declared.
    unsafe {
        asm_regs!(x, v; "2:", "subs x0, x0, #1", "b.ne 2b";
            inlateout("x16") x[16] => x[16],
            inlateout("x17") x[17] => x[17],
        );
    }
    changed(&before, &x, &v, &CALL_SAVED) | changed(&before, &x, &v, &[16, 17])
}

fn set_tpidr(v: u64) {
    // SAFETY: TPIDR_EL0 is the EL0 thread pointer; nothing else in this program uses it.
    unsafe { asm!("msr tpidr_el0, {}", in(reg) v, options(nostack, preserves_flags)) };
}
fn get_tpidr() -> u64 {
    let v: u64;
    // SAFETY: reads the EL0 thread pointer.
    unsafe { asm!("mrs {}, tpidr_el0", out(reg) v, options(nostack, preserves_flags)) };
    v
}

// ------------------------------------------------------------------------------------------
// The fuzzer
// ------------------------------------------------------------------------------------------

/// Reserved numbers (docs/abi.md section 2: they return `ZX_ERR_BAD_SYSCALL`). Those whose low 32
/// bits name a real call (4, 30, 33, 41) catch a kernel that truncates the number.
const RESERVED: &[u64] = &[
    9,
    15,
    18,
    19,
    22,
    23,
    29,
    36,
    37,
    39,
    42,
    43,
    50,
    63,
    64,
    127,
    128,
    255,
    256,
    1000,
    0xFFFF,
    1 << 32,
    (1 << 32) | 4,
    (1 << 32) | 30,
    (1 << 32) | 33,
    (1 << 32) | 41,
    1 << 63,
    (1 << 63) | 30,
    u64::MAX,
    u64::MAX - 1,
];
const R: u64 = u64::MAX;

/// The call mix (numbers repeated to weight them; `R`: a reserved number).
const NRS: &[u64] = &[
    0, 0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 8, 10, 10, 10, 11, 11, 11, 12, 12, 13, 13, 13, 14,
    14, 14, 16, 16, 17, 17, 20, 20, 21, 21, 31, 32, 32, 34, 35, 40, 41, R, R,
];

/// docs/abi.md section 3's statuses (not `ZX_ERR_INTERNAL`, which means a kernel bug).
const STATUSES: &[i32] = &[
    0, -2, -3, -4, -10, -11, -12, -13, -14, -15, -20, -21, -22, -23, -24, -25, -30,
];

#[derive(Clone, Copy)]
enum Post {
    None,
    /// `zx_handle_close(h)`.
    Closed(u32),
    /// A call that may have created handles in out slots 0 and 1; `pair` when both must hold
    /// distinct new values (the pointers were the dedicated slots).
    Created {
        n: usize,
        checked: bool,
    },
    /// A read that may have installed handles at `p` (stride 4 or 16).
    Read {
        p: u64,
        n: u32,
        stride: u64,
    },
    /// A thread start using stack `slot`.
    Started(usize),
    /// A spawn of "child_fuzz".
    Spawned,
}

struct Fz {
    s: u64,
    lane: usize,
    thread: bool,
    tp: u64,
    idx: u32,
    calls: u32,
    aux: u32,
    ok_total: u32,
    ok: [u32; 48],
    anomalies: u32,
    last_clock: i64,
    placed: [u32; 8],
    nplaced: usize,
    /// This call is well-formed (valid pool handles, options 0, scratch pointers, small sizes),
    /// so the success paths are reached too; otherwise every argument is hostile.
    sane: bool,
    /// Channel pairs this lane created (both values from one `zx_channel_create`).
    pairs: [(u32, u32); 8],
    /// The last thread this lane created.
    last_thread: u32,
    /// Watch mode: the last calls, and whether the report value is in scratch.
    ring: [(u64, [u64; 8], u64); 8],
    seen: bool,
    /// The call whose result is being checked: number, arguments, result (for `anomaly`).
    cur: (u64, [u64; 8], u64),
}

impl Fz {
    fn new(seed: u64, lane: usize, thread: bool, tp: u64) -> Fz {
        let s = seed ^ 0x9E37_79B9_7F4A_7C15;
        Fz {
            s: if s == 0 { 0x1234_5678 } else { s },
            lane,
            thread,
            tp,
            idx: 0,
            calls: 0,
            aux: 0,
            ok_total: 0,
            ok: [0; 48],
            anomalies: 0,
            last_clock: 0,
            placed: [0; 8],
            nplaced: 0,
            sane: false,
            pairs: [(0, 0); 8],
            last_thread: 0,
            ring: [(0, [0; 8], 0); 8],
            seen: false,
            cur: (0, [0; 8], 0),
        }
    }

    /// xorshift64*.
    fn next(&mut self) -> u64 {
        let mut x = self.s;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.s = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn r32(&mut self) -> u32 {
        self.next() as u32
    }

    /// A u32 argument in a 64-bit register: sometimes with garbage in bits 32..63, which the
    /// kernel must ignore (docs/abi.md section 1).
    fn w32(&mut self, v: u32) -> u64 {
        if self.chance(8) {
            (self.next() & !0xFFFF_FFFF) | v as u64
        } else {
            v as u64
        }
    }

    fn pool_any(&mut self) -> u32 {
        let start = self.below(POOL as u64) as usize;
        for i in 0..POOL {
            let v = POOL_H[(start + i) % POOL].load(Ordering::Relaxed);
            if v != 0 {
                return v;
            }
        }
        0
    }

    fn handle(&mut self) -> u32 {
        let k = if self.sane {
            self.below(16)
        } else {
            self.below(24)
        };
        let h = match k {
            0..=14 => self.pool_any(),
            15..=16 => STALE[self.below(STALE_N as u64) as usize].load(Ordering::Relaxed),
            17 => 0,
            18 => self.r32() | 3,
            19 => self.r32(),
            20 => u32::MAX,
            21 => self.r32() & !3,
            _ => START_H[self.below(3) as usize].load(Ordering::Relaxed),
        };
        if self.nplaced < self.placed.len() {
            self.placed[self.nplaced] = h;
            self.nplaced += 1;
        }
        h
    }

    fn rights(&mut self) -> u32 {
        if self.sane {
            let r = self.r32();
            return self.pick(&[
                Rights::SAME_RIGHTS.bits(),
                Rights::SAME_RIGHTS.bits(),
                Rights::SAME_RIGHTS.bits(),
                Rights::DEFAULT_CHANNEL.bits(),
                Rights::DEFAULT_EVENT.bits(),
                Rights::DUPLICATE.bits() | Rights::TRANSFER.bits(),
                r & 0xF00F,
            ]);
        }
        match self.below(14) {
            0..=2 => Rights::SAME_RIGHTS.bits(),
            3 => 0,
            4 => self.r32(),
            5 => self.r32() & 0xF00F,
            6 => Rights::DEFAULT_CHANNEL.bits(),
            7 => Rights::DEFAULT_EVENT.bits(),
            8 => Rights::DEFAULT_PROCESS.bits(),
            9 => Rights::TRANSFER.bits(),
            10 => Rights::DUPLICATE.bits() | Rights::TRANSFER.bits(),
            11 => 1 << 19,
            12 => u32::MAX,
            _ => Rights::SAME_RIGHTS.bits() | (self.r32() & 0xFFFF),
        }
    }
    fn options(&mut self) -> u32 {
        if self.sane {
            return 0;
        }
        let r = self.r32();
        self.pick(&[0, 0, 0, 0, 1, 2, 3, r, 1 << 31])
    }
    fn signals(&mut self) -> u32 {
        if self.sane {
            let u = 1 << (24 + self.below(8));
            return self.pick(&[u, u, 1, 1 | 4, 8, 4, 0xFF00_0000, 8 | u]);
        }
        match self.below(9) {
            0 => 0,
            1 => self.r32(),
            2 => 1 << self.below(32),
            3 => Signals::USER_ALL.bits(),
            4 => Signals::EVENT_SIGNALED.bits(),
            5 => 1 << 23,
            6 => u32::MAX,
            7 => 7,
            _ => 1 << (24 + self.below(8)),
        }
    }
    fn size32(&mut self) -> u32 {
        if self.sane {
            return match self.below(16) {
                0 => 65536,
                1 => self.below(4096) as u32,
                _ => self.below(64) as u32,
            };
        }
        match self.below(16) {
            0 | 1 => 0,
            2 => 1,
            3 => 4,
            4 => 16,
            5 => 64,
            6 => 65536,
            7 => 65537,
            8 => 8192,
            9 => 8193,
            10 => self.r32(),
            11 => u32::MAX,
            12 | 13 => self.below(256) as u32,
            _ => self.below(70000) as u32,
        }
    }
    fn size64(&mut self) -> u64 {
        match self.below(10) {
            0 => 1 << 32,
            1 => u64::MAX,
            2 => 1 << 63,
            3 => (1 << 32) + 4,
            _ => self.size32() as u64,
        }
    }
    fn count32(&mut self) -> u32 {
        if self.sane {
            return self.below(4) as u32;
        }
        let r = self.r32();
        let s = self.below(100) as u32;
        self.pick(&[0, 0, 0, 1, 1, 2, 3, 8, 63, 64, 65, s, r, u32::MAX])
    }
    fn now(&mut self) -> i64 {
        self.aux += 1;
        raw::clock_get_monotonic()
    }
    /// Past, or at most 1 ms ahead.
    fn deadline(&mut self) -> i64 {
        if flag(FLAG_NO_WAIT) {
            let d = self.below(1_000_000) as i64;
            let past = self.now() - d;
            return self.pick(&[0, -1, i64::MIN, past]);
        }
        match self.below(10) {
            0 => 0,
            1 => -1,
            2 => i64::MIN,
            3 => {
                let d = self.below(1_000_000) as i64;
                self.now() - d
            }
            4 => {
                let d = self.below(1_000_000) as i64;
                self.now() + d
            }
            5 | 6 => {
                let d = self.below(100_000) as i64;
                self.now() + d
            }
            _ => {
                let d = self.below(10_000) as i64;
                self.now() + d
            }
        }
    }

    fn off(&mut self, align: usize) -> usize {
        let o = self.below(SCRATCH as u64) as usize;
        if self.chance(4) {
            o
        } else {
            o & !(align - 1)
        }
    }
    fn sptr(&mut self) -> u64 {
        let o = if self.chance(8) {
            SCRATCH - self.below(64) as usize
        } else {
            self.off(8)
        };
        scr_base() + o as u64
    }
    /// A pointer the kernel may not touch (for any length > 16).
    fn bad_ptr(&mut self) -> u64 {
        let r = self.next();
        self.pick(&[
            0,
            0x1000,
            KADDR1,
            KADDR2,
            BELOW_2_47,
            WRAPS,
            STACK_STRADDLE,
            GUARD_STRADDLE,
            r | (1 << 47),
            (r & ((1 << 47) - 1)) | (1 << 46),
        ])
    }
    fn ptr(&mut self) -> u64 {
        if self.sane {
            return self.sptr();
        }
        match self.below(16) {
            0..=6 => self.sptr(),
            7 => RO.as_ptr() as u64 + self.below(4096),
            8 => fuzz_thread as *const () as u64,
            _ => self.bad_ptr(),
        }
    }
    /// An output pointer: mostly dedicated slot `i` of this lane (harvested afterwards).
    /// The number of entries of an array argument: mostly a count, now and then any size.
    fn array_len(&mut self) -> u64 {
        match self.below(8) {
            0 if !self.sane => self.size64(),
            _ => self.count32() as u64,
        }
    }
    /// [`Fz::ptr`] one time in `n`, else [`Fz::sptr`].
    fn any_ptr(&mut self, n: u64) -> u64 {
        if self.chance(n) {
            self.ptr()
        } else {
            self.sptr()
        }
    }
    /// A handle from [`Fz::handle`], as an argument (sometimes with garbage high bits).
    fn handle_arg(&mut self) -> u64 {
        let h = self.handle();
        self.w32(h)
    }
    fn out(&mut self, i: usize) -> u64 {
        if self.sane || self.below(10) < 7 {
            out_slot(self.lane, i)
        } else {
            self.ptr()
        }
    }
    /// An output pointer for a `size_t` (slots 8.. are 8-aligned pairs).
    fn out64(&mut self, i: usize) -> u64 {
        if self.sane || self.below(10) < 6 {
            out_slot(self.lane, 8 + 2 * i)
        } else if self.chance(3) {
            0
        } else {
            self.ptr()
        }
    }

    /// The handles (or, for `etc`, dispositions) argument of a write or call of `n` entries
    /// through channel `ch`: mostly an array filled in scratch, sometimes a hostile pointer.
    fn handle_array(&mut self, n: u32, etc: bool, ch: u32) -> u64 {
        if n > 0 && !self.chance(6) {
            let o = self.off(4);
            if etc {
                self.fill_dispositions(o, n as usize, ch);
            } else {
                self.fill_handles(o, n as usize, ch);
            }
            scr_base() + o as u64
        } else {
            self.ptr()
        }
    }

    fn fill_random(&mut self, off: usize, len: usize) {
        let mut i = 0;
        while i < len {
            let v = self.next();
            put64(off + i, v);
            i += 8;
        }
    }
    fn fill_handles(&mut self, off: usize, n: usize, ch: u32) {
        for i in 0..n.min(64) {
            let h = if self.chance(10) { ch } else { self.handle() };
            put32(off + 4 * i, h);
        }
    }
    fn fill_dispositions(&mut self, off: usize, n: usize, ch: u32) {
        for i in 0..n.min(64) {
            let o = off + 20 * i;
            let r = if self.sane { 0 } else { self.r32() };
            let op = self.pick(&[0, 0, 1, 1, 2, r]);
            put32(o, if self.sane { op & 1 } else { op });
            let h = if self.chance(10) { ch } else { self.handle() };
            put32(o + 4, h);
            let ty = self.pick(&[0, 0, 0, 4, 5, 16, 1, 2, 15, r]);
            put32(o + 8, if self.sane { 0 } else { ty });
            let rights = self.rights();
            put32(o + 12, rights);
            let res = if !self.sane && self.chance(10) {
                r as i32
            } else {
                0
            };
            put32(o + 16, res as u32);
        }
    }
    fn fill_iovecs(&mut self, off: usize, n: usize) {
        for i in 0..n.min(64) {
            let o = off + 16 * i;
            let buf = match if self.sane { 0 } else { self.below(10) } {
                0..=6 => self.sptr(),
                7 => 0,
                _ => self.ptr(),
            };
            put64(o, buf);
            let r = self.r32();
            let s = self.size32();
            let small = self.below(512) as u32;
            let cap = if self.sane {
                small
            } else {
                self.pick(&[small, small, small, 0, 1, 65536, 65537, r, s])
            };
            put32(o + 8, cap);
            let res = if !self.sane && self.chance(10) { r } else { 0 };
            put32(o + 12, res);
        }
    }
    fn fill_wait_items(&mut self, off: usize, n: usize) {
        for i in 0..n.min(70) {
            let o = off + 12 * i;
            let h = self.handle();
            put32(o, h);
            let s = self.signals();
            put32(o + 4, s);
            let p = if self.sane { 0 } else { self.r32() };
            put32(o + 8, p);
        }
    }
    /// A `zx_channel_call_args_t` (or `_etc`) in scratch, with its arrays; returns its address.
    fn call_args(&mut self, etc: bool, iovec: bool, ch: u32) -> (u64, u64) {
        let (wr_b, wr_nb) = if iovec {
            let r = self.r32();
            let n = if self.sane {
                1 + self.below(3) as u32
            } else {
                self.pick(&[0, 1, 2, 3, 8, 64, 8192, 8193, r])
            };
            let o = self.off(8);
            self.fill_iovecs(o, n as usize);
            (scr_base() + o as u64, n)
        } else {
            let p = self.any_ptr(6);
            let r = self.r32();
            let s = self.below(1024) as u32;
            let n = if self.sane {
                4 + self.below(60) as u32
            } else {
                self.pick(&[0, 3, 4, 5, 8, 64, 65536, 65537, s, s, r])
            };
            (p, n)
        };
        let r = self.r32();
        let wr_nh = if self.sane {
            self.pick(&[0, 0, 1, 2])
        } else {
            self.pick(&[0, 0, 0, 1, 2, 64, 65, r])
        };
        let wr_h = self.handle_array(wr_nh, etc, ch);
        let rd_b = self.any_ptr(5);
        let rd_nb = if self.sane { 65536 } else { self.size32() };
        let rd_h = self.any_ptr(5);
        let rd_nh = if self.sane { 64 } else { self.count32() };
        let o = self.off(8);
        put64(o, wr_b);
        put64(o + 8, wr_h);
        put64(o + 16, rd_b);
        put64(o + 24, rd_h);
        put32(o + 32, wr_nb);
        put32(o + 36, wr_nh);
        put32(o + 40, rd_nb);
        put32(o + 44, rd_nh);
        (scr_base() + o as u64, rd_h)
    }

    /// Counts and prints a broken rule of the call in `cur`.
    fn anomaly(&mut self, what: core::fmt::Arguments) {
        let (nr, a, r) = self.cur;
        self.anomalies += 1;
        if self.anomalies <= 10 {
            println!(
                "child_fuzz ANOMALY seed={:#x} lane {} call #{} nr={} a=[{:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}] -> {:#x}: {}",
                SEED.load(Ordering::Relaxed), self.lane, self.idx, nr, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], r, what
            );
        }
    }

    fn add_handle(&mut self, v: u32) {
        if v == 0 || v & 3 != 3 || pool_contains(v) {
            return;
        }
        for s in POOL_H.iter() {
            if s.compare_exchange(0, v, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
        // Full: evict one at random (closing it) to keep the kernel's memory bounded.
        let i = self.below(POOL as u64) as usize;
        let old = POOL_H[i].swap(v, Ordering::AcqRel);
        if old != 0 {
            self.aux += 1;
            raw::handle_close(old);
            stale_add(old);
        }
    }

    /// Drops pool entries that are no longer valid handles.
    fn validate(&mut self, h: u32) {
        if pool_contains(h) {
            self.aux += 1;
            if !valid(h) {
                pool_remove(h);
            }
        }
    }

    /// A live channel pair this lane made, if any (checked with aux calls).
    fn pick_pair(&mut self) -> Option<(u32, u32)> {
        let (x, y) = self.pairs[self.below(self.pairs.len() as u64) as usize];
        if x == 0 {
            return None;
        }
        self.aux += 2;
        if valid(x) && valid(y) {
            Some(if self.chance(2) { (x, y) } else { (y, x) })
        } else {
            None
        }
    }

    /// A channel to read or write: in well-formed calls, often an end of a pair we made.
    fn pair_end(&mut self) -> u32 {
        if self.sane && self.chance(2) {
            let (x, y) = self.pairs[self.below(self.pairs.len() as u64) as usize];
            if x != 0 {
                return if self.chance(2) { x } else { y };
            }
        }
        self.handle()
    }

    /// Starts a thread that answers one message on `ch` (aux calls).
    fn start_echo(&mut self, ch: u32) -> bool {
        let Some(slot) = claim_slot() else {
            return false;
        };
        let mut t = 0u32;
        self.aux += 3;
        let p = PROC_KEEP.load(Ordering::Relaxed);
        if raw::thread_create(p, b"echo".as_ptr(), 4, 0, &mut t) != 0 {
            SLOT_BUSY[slot].store(0, Ordering::Release);
            return false;
        }
        let mode = self.below(10) as usize;
        let s = raw::thread_start(
            t,
            echo_thread as *const () as usize,
            stack_top(slot) as usize,
            ch as usize,
            slot | (mode << 8),
        );
        raw::handle_close(t);
        if s != 0 {
            SLOT_BUSY[slot].store(0, Ordering::Release);
            return false;
        }
        THREADS_STARTED.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// One random system call.
    fn step(&mut self) {
        let mut nr = self.pick(NRS);
        while self.thread && (nr == nr::THREAD_START || nr == nr::PROCESS_SPAWN) {
            nr = self.pick(NRS);
        }
        self.nplaced = 0;
        self.sane = self.chance(2);
        clear_lane(self.lane);
        // Unused argument registers carry garbage: the kernel must ignore them.
        let mut a = [0u64; 8];
        for x in a.iter_mut() {
            *x = self.next();
        }
        let mut post = Post::None;
        let mut reserved = false;
        let mut consumes = false;
        match nr {
            nr::HANDLE_CLOSE => {
                let h = self.handle();
                a[0] = self.w32(h);
                post = Post::Closed(h);
            }
            nr::HANDLE_CLOSE_MANY => {
                let n = self.array_len();
                a[0] = if self.chance(5) {
                    self.ptr()
                } else {
                    let o = self.off(4);
                    self.fill_handles(o, n as usize, 0);
                    scr_base() + o as u64
                };
                a[1] = n;
                consumes = true;
            }
            nr::HANDLE_DUPLICATE | nr::HANDLE_REPLACE => {
                a[0] = self.handle_arg();
                let r = self.rights();
                a[1] = self.w32(r);
                a[2] = self.out(0);
                post = Post::Created {
                    n: 1,
                    checked: a[2] == out_slot(self.lane, 0),
                };
                consumes = nr == nr::HANDLE_REPLACE;
            }
            nr::OBJECT_GET_INFO => {
                a[0] = self.handle_arg();
                let r = self.r32();
                let topic = if self.sane {
                    self.pick(&[1, 2, 2, 3, 19, 21])
                } else {
                    self.pick(&[
                        1,
                        2,
                        2,
                        3,
                        19,
                        21,
                        INFO_KERNEL_STATS,
                        INFO_CPU_STATS,
                        0,
                        4,
                        20,
                        r,
                        u32::MAX,
                    ])
                };
                a[1] = self.w32(topic);
                a[2] = self.ptr();
                let s = self.pick(&[0, 1, 3, 4, 8, 15, 16, 31, 32, 64, 255, 256, 257, 4096]);
                a[3] = if self.sane {
                    256
                } else if self.chance(6) {
                    self.size64()
                } else {
                    s
                };
                a[4] = self.out64(0);
                a[5] = self.out64(1);
            }
            nr::OBJECT_WAIT_ONE => {
                a[0] = self.handle_arg();
                let s = self.signals();
                a[1] = self.w32(s);
                a[2] = self.deadline() as u64;
                a[3] = if self.chance(5) { 0 } else { self.out(0) };
            }
            nr::OBJECT_WAIT_MANY => {
                let n = self.array_len();
                a[0] = if self.chance(5) {
                    self.ptr()
                } else {
                    let o = self.off(4);
                    self.fill_wait_items(o, n as usize);
                    scr_base() + o as u64
                };
                a[1] = n;
                a[2] = self.deadline() as u64;
            }
            nr::OBJECT_SIGNAL | nr::OBJECT_SIGNAL_PEER => {
                a[0] = self.handle_arg();
                let c = self.signals();
                a[1] = self.w32(c);
                let s = self.signals();
                a[2] = self.w32(s);
            }
            nr::CHANNEL_CREATE | nr::EVENTPAIR_CREATE => {
                let o = self.options();
                a[0] = self.w32(o);
                a[1] = self.out(0);
                a[2] = self.out(1);
                post = Post::Created {
                    n: 2,
                    checked: a[1] == out_slot(self.lane, 0) && a[2] == out_slot(self.lane, 1),
                };
            }
            nr::EVENT_CREATE => {
                let o = self.options();
                a[0] = self.w32(o);
                a[1] = self.out(0);
                post = Post::Created {
                    n: 1,
                    checked: a[1] == out_slot(self.lane, 0),
                };
            }
            nr::CHANNEL_READ | nr::CHANNEL_READ_ETC => {
                let h = self.pair_end();
                a[0] = self.w32(h);
                let o = self.options();
                a[1] = self.w32(o);
                a[2] = self.ptr();
                a[3] = self.any_ptr(4);
                let (nb, nh) = if self.sane && !self.chance(3) {
                    (65536, 64)
                } else {
                    (self.size32(), self.count32())
                };
                a[4] = self.w32(nb);
                a[5] = self.w32(nh);
                a[6] = if self.chance(6) { 0 } else { self.out(2) };
                a[7] = if self.chance(6) { 0 } else { self.out(3) };
                post = Post::Read {
                    p: a[3],
                    n: nh,
                    stride: if nr == nr::CHANNEL_READ { 4 } else { 16 },
                };
            }
            nr::CHANNEL_WRITE | nr::CHANNEL_WRITE_ETC => {
                let etc = nr == nr::CHANNEL_WRITE_ETC;
                let ch = self.pair_end();
                a[0] = self.w32(ch);
                let r = self.r32();
                let opts = if self.sane {
                    if etc || !self.chance(4) {
                        0
                    } else {
                        2
                    }
                } else if etc {
                    self.pick(&[0, 0, 0, 0, 1, 2, r])
                } else {
                    self.pick(&[0, 0, 0, 2, 2, 1, 3, r])
                };
                a[1] = self.w32(opts);
                let (bp, nb) = if opts & 2 != 0 && !self.chance(6) {
                    let r = self.r32();
                    let s = self.below(16) as u32;
                    let n = if self.sane {
                        1 + s % 3
                    } else {
                        self.pick(&[0, 1, 2, 3, 8, 64, 8192, 8193, s, s, r])
                    };
                    let o = self.off(8);
                    self.fill_iovecs(o, n as usize);
                    (scr_base() + o as u64, n)
                } else {
                    (self.ptr(), self.size32())
                };
                a[2] = bp;
                a[3] = self.w32(nb);
                let r = self.r32();
                let nh = if self.sane {
                    self.pick(&[0, 0, 1, 2])
                } else {
                    self.pick(&[0, 0, 0, 0, 1, 1, 2, 3, 8, 64, 65, r])
                };
                a[4] = self.handle_array(nh, etc, ch);
                a[5] = self.w32(nh);
                consumes = true;
            }
            nr::CHANNEL_CALL | nr::CHANNEL_CALL_ETC => {
                let etc = nr == nr::CHANNEL_CALL_ETC;
                // A well-formed call on a pair we made gets a thread on the other end that
                // answers it (or closes it, or answers with a wrong txid).
                let echo = if self.sane && !self.thread && !flag(FLAG_NO_THREADS) {
                    self.pick_pair()
                } else {
                    None
                };
                let ch = match echo {
                    Some((x, y)) if self.start_echo(y) => x,
                    _ => self.handle(),
                };
                a[0] = self.w32(ch);
                let r = self.r32();
                let opts = if self.sane {
                    self.pick(&[0, 0, 0, 2])
                } else {
                    self.pick(&[0, 0, 0, 0, 2, 1, r])
                };
                a[1] = self.w32(opts);
                a[2] = if self.sane && !flag(FLAG_NO_WAIT) {
                    (self.now() + 1_000_000) as u64
                } else {
                    self.deadline() as u64
                };
                a[3] = if !self.sane && self.chance(8) {
                    self.ptr()
                } else {
                    let (p, rd_h) = self.call_args(etc, opts & 2 != 0, ch);
                    post = Post::Read {
                        p: rd_h,
                        n: 8,
                        stride: if etc { 16 } else { 4 },
                    };
                    p
                };
                a[4] = if self.chance(8) { 0 } else { self.out(2) };
                a[5] = if self.chance(8) { 0 } else { self.out(3) };
                consumes = true;
            }
            nr::THREAD_CREATE => {
                let p = if self.sane || self.chance(2) {
                    PROC_KEEP.load(Ordering::Relaxed)
                } else {
                    self.handle()
                };
                a[0] = self.w32(p);
                a[1] = if self.sane || self.chance(2) {
                    NAME_THREAD.as_ptr() as u64
                } else {
                    self.ptr()
                };
                let s = self.size64();
                a[2] = if self.sane {
                    8
                } else {
                    self.pick(&[0, 8, 8, 64, 65, s])
                };
                let r = self.r32();
                let o = self.pick(&[0, 0, 0, 0, 1, 2, r]);
                let o = if self.sane { 0 } else { o };
                a[3] = self.w32(o);
                a[4] = self.out(0);
                post = Post::Created {
                    n: 1,
                    checked: a[4] == out_slot(self.lane, 0),
                };
            }
            nr::THREAD_START => {
                let h = if self.sane && self.last_thread != 0 {
                    self.last_thread
                } else {
                    self.handle()
                };
                let mut info = [0u8; 32];
                self.aux += 1;
                let st = raw::object_get_info(
                    h,
                    INFO_HANDLE_BASIC,
                    info.as_mut_ptr(),
                    32,
                    core::ptr::null_mut(),
                    core::ptr::null_mut(),
                );
                let ty = u32::from_le_bytes([info[12], info[13], info[14], info[15]]);
                let mut owner = [0u8; 8];
                owner.copy_from_slice(&info[16..24]);
                let owner = u64::from_le_bytes(owner);
                a[0] = self.w32(h);
                if st == 0 && ty == ObjType::THREAD.raw() {
                    // A thread: only ours, with a real entry and a free stack of its own.
                    if owner != SELF_KOID.load(Ordering::Relaxed) || flag(FLAG_NO_THREADS) {
                        return;
                    }
                    let Some(slot) = claim_slot() else { return };
                    a[1] = fuzz_thread as *const () as u64;
                    a[2] = stack_top(slot);
                    a[3] = self.next();
                    a[4] = slot as u64;
                    post = Post::Started(slot);
                } else {
                    // Not a thread: nothing can start, so any entry and stack.
                    a[1] = self.ptr();
                    a[2] = self.ptr();
                }
            }
            nr::NANOSLEEP => {
                a[0] = self.deadline() as u64;
            }
            nr::CLOCK_GET_MONOTONIC => {}
            nr::DEBUG_WRITE => {
                // Never a readable buffer with a length the kernel would print.
                match self.below(5) {
                    0 => {
                        a[0] = self.sptr();
                        a[1] = 0;
                    }
                    1 => {
                        a[0] = 0;
                        a[1] = 0;
                    }
                    2 => {
                        a[0] = self.sptr();
                        a[1] = self.pick(&[65537, 1 << 20, 1 << 32, u64::MAX, 1 << 63]);
                    }
                    _ => {
                        a[0] = self.bad_ptr();
                        a[1] = 17 + self.below(70000);
                    }
                }
            }
            nr::PROCESS_SPAWN => {
                let (np, nl) = match self.below(8) {
                    0 if !flag(FLAG_NO_SPAWN)
                        && SPAWNS.fetch_add(1, Ordering::Relaxed) < MAX_SPAWNS =>
                    {
                        post = Post::Spawned;
                        (NAME_FUZZ.as_ptr() as u64, 10)
                    }
                    1 => (NAME_FUZZ.as_ptr() as u64, self.pick(&[9, 11])),
                    2 => (NAME_NONE.as_ptr() as u64, 15),
                    3 => (self.ptr(), 0),
                    4 => {
                        let p = self.bad_ptr();
                        (p, self.pick(&[17, 20, 64]))
                    }
                    5 => {
                        // Random bytes that cannot name a program (no name starts with '#').
                        let o = self.off(1);
                        let n = self.below(80);
                        self.fill_random(o, n as usize);
                        put8(o, b'#');
                        (scr_base() + o as u64, n.max(1))
                    }
                    6 => (RO.as_ptr() as u64, 1 + self.below(64)),
                    _ => {
                        let s = self.size64();
                        (
                            NAME_FUZZ.as_ptr() as u64,
                            self.pick(&[65, 1 << 32, u64::MAX, s.max(65)]),
                        )
                    }
                };
                a[0] = np;
                a[1] = nl;
                let b = if self.chance(2) { 0 } else { self.handle() };
                a[2] = self.w32(b);
                a[3] = self.out(0);
                if matches!(post, Post::None) {
                    post = Post::Created {
                        n: 1,
                        checked: false,
                    };
                }
                consumes = true;
            }
            _ => {
                nr = self.pick(RESERVED);
                reserved = true;
                // If a kernel took this for zx_process_exit, the exit code would show it.
                a[0] = 0x7777;
            }
        }

        let debug = flag(FLAG_DEBUG) && self.idx >= DEBUG_FROM.load(Ordering::Relaxed);
        if debug {
            println!(
                "fz {}#{} nr={} a=[{:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}]",
                self.lane, self.idx, nr, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
            );
        }
        let pat = self.next();
        let ret = svc_checked(nr, &a, pat);
        let r = ret.x0;
        self.calls += 1;
        if debug {
            println!("fz {}#{} -> {}", self.lane, self.idx, r as i64);
        }

        // The contract.
        let st = r as u32 as i32;
        self.cur = (nr, a, r);
        if ret.clobbered != 0 {
            self.anomaly(format_args!(
                "registers not preserved (mask {:#x}: bit i = x_i, 28 = NZCV, 32+i = v_i)",
                ret.clobbered
            ));
        }
        if get_tpidr() != self.tp {
            self.anomaly(format_args!("TPIDR_EL0 not preserved"));
            set_tpidr(self.tp);
        }
        if reserved {
            if st != Status::BAD_SYSCALL.raw() {
                self.anomaly(format_args!(
                    "reserved number did not return ZX_ERR_BAD_SYSCALL"
                ));
            }
        } else if nr == nr::CLOCK_GET_MONOTONIC {
            let t = r as i64;
            let last = self.last_clock;
            if t < last || t < 0 {
                self.anomaly(format_args!("clock went back (last {})", last));
            }
            self.last_clock = t;
        } else if st == Status::BAD_SYSCALL.raw() {
            self.anomaly(format_args!("a defined call returned ZX_ERR_BAD_SYSCALL"));
        } else if !STATUSES.contains(&st) {
            self.anomaly(format_args!(
                "status {} is not one abi.md defines",
                Status(st)
            ));
        }
        if st == 0 && !reserved {
            self.ok_total += 1;
            if (nr as usize) < self.ok.len() {
                self.ok[nr as usize] += 1;
            }
        }

        match post {
            Post::None => {}
            Post::Closed(h) => {
                if h == 0 && st != 0 {
                    self.anomaly(format_args!("zx_handle_close(0) is not OK"));
                }
                if st == 0 {
                    pool_remove(h);
                }
            }
            Post::Created { n, checked } => {
                if st == 0 {
                    let v0 = read_slot(self.lane, 0);
                    let v1 = read_slot(self.lane, 1);
                    if checked {
                        let bad = v0 & 3 != 3 || (n == 2 && (v1 & 3 != 3 || v0 == v1));
                        if bad {
                            self.anomaly(format_args!("new handle values {:#x} {:#x}", v0, v1));
                        }
                    }
                    self.add_handle(v0);
                    if n == 2 {
                        self.add_handle(v1);
                        if checked && nr == nr::CHANNEL_CREATE {
                            let i = self.below(self.pairs.len() as u64) as usize;
                            self.pairs[i] = (v0, v1);
                        }
                    }
                    if nr == nr::THREAD_CREATE {
                        self.last_thread = v0;
                    }
                }
            }
            Post::Read { p, n, stride } => {
                if st == 0 && in_scratch(p, 64 * 16) {
                    for i in 0..n.min(8) as u64 {
                        let v = get32(p + i * stride);
                        self.add_handle(v);
                    }
                }
            }
            Post::Started(slot) => {
                if st == 0 {
                    THREADS_STARTED.fetch_add(1, Ordering::Relaxed);
                } else {
                    SLOT_BUSY[slot].store(0, Ordering::Release);
                }
            }
            Post::Spawned => {
                if st == 0 {
                    self.add_handle(read_slot(self.lane, 0));
                }
            }
        }
        if consumes || matches!(post, Post::Created { .. }) {
            let placed = self.placed;
            for h in placed.iter().take(self.nplaced) {
                self.validate(*h);
            }
            if nr == nr::HANDLE_REPLACE && st == 0 {
                pool_remove(a[0] as u32);
            }
        }
        if flag(FLAG_WATCH) && !self.thread {
            let rep = REPORT.load(Ordering::Relaxed) ^ REPORT_MASK;
            self.ring[self.idx as usize % 8] = (nr, a, r);
            let mut found = 0u64;
            let mut q = scr_base();
            while q < scr_base() + (SCRATCH + SCRATCH_PAD) as u64 {
                // SAFETY: inside the scratch static.
                if unsafe { (q as *const u32).read_volatile() } == rep {
                    found = q;
                    break;
                }
                q += 4;
            }
            if found != 0 && !self.seen {
                println!(
                    "fz watch: report value {:#x} appeared at {:#x} after call #{}; last calls:",
                    rep, found, self.idx
                );
                for k in 0..8u32 {
                    let (n, aa, rr) = self.ring[(self.idx + 1 + k) as usize % 8];
                    println!(
                        "    nr={} a=[{:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}] -> {:#x}",
                        n, aa[0], aa[1], aa[2], aa[3], aa[4], aa[5], aa[6], aa[7], rr
                    );
                }
            }
            self.seen = found != 0;
            if rep != 0 && !valid(rep) {
                self.anomaly(format_args!(
                    "the report handle {:#x} is gone after this call",
                    rep
                ));
                REPORT.store(REPORT_MASK, Ordering::Relaxed);
            }
        }
        if !self.thread && self.idx % 1000 == 999 {
            let pat = self.next();
            let t0 = raw::clock_get_monotonic();
            let m = spin_checked(400_000, pat);
            self.cur = (0, [0; 8], 0);
            if flag(FLAG_DEBUG) {
                println!("fz spin: {} us", (raw::clock_get_monotonic() - t0) / 1000);
            }
            if m != 0 {
                self.anomaly(format_args!(
                    "registers changed across preemption (mask {:#x})",
                    m
                ));
            }
            if get_tpidr() != self.tp {
                self.anomaly(format_args!("TPIDR_EL0 changed across preemption"));
                set_tpidr(self.tp);
            }
        }
        // Now and then, drop pool entries that died behind our back (a fuzz thread's close,
        // a random close_many).
        if self.idx % 64 == 63 {
            for _ in 0..6 {
                let v = POOL_H[self.below(POOL as u64) as usize].load(Ordering::Relaxed);
                self.validate(v);
            }
        }
        self.idx += 1;
    }
}

/// Entry of threads the fuzzer starts: a few random calls, then the stack slot is released and
/// the thread exits in one asm block (nothing touches the stack after the release).
extern "C" fn fuzz_thread(seed: u64, slot: u64) -> ! {
    let slot = (slot as usize).min(THREAD_SLOTS - 1);
    let tp = seed | 1;
    set_tpidr(tp);
    let mut fz = Fz::new(seed, slot + 1, true, tp);
    let n = 4 + fz.below(13);
    for _ in 0..n {
        fz.step();
    }
    THREAD_CALLS.fetch_add(fz.calls + fz.aux, Ordering::Relaxed);
    THREAD_ANOMALIES.fetch_add(fz.anomalies, Ordering::Relaxed);
    release_and_exit(slot)
}

/// Releases stack `slot` and exits the thread, in one asm block.
fn release_and_exit(slot: usize) -> ! {
    let flag = SLOT_BUSY[slot].as_ptr();
    // SAFETY: releases the slot and exits; the stack is not used after the store.
    unsafe {
        asm!(
            "stlr wzr, [{f}]",
            "svc #0",
            "brk #0",
            f = in(reg) flag,
            in("x16") nr::THREAD_EXIT,
            options(noreturn, nostack),
        )
    }
}

/// Entry of a thread that answers one message on channel `ch`: `arg` is the stack slot plus
/// the mode << 8 (0: close the channel instead; 1: answer with txid 0, which is no reply;
/// 2: answer, then close; else: answer, echoing the bytes and handles).
extern "C" fn echo_thread(ch: u64, arg: u64) -> ! {
    let slot = ((arg & 0xff) as usize).min(THREAD_SLOTS - 1);
    let mode = arg >> 8;
    let ch = ch as u32;
    let mut obs = 0u32;
    let s = raw::object_wait_one(
        ch,
        (Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED).bits(),
        deadline_after(3_000_000),
        &mut obs,
    );
    if s == 0 {
        let mut b = [0u8; 256];
        let mut hs = [0u32; 64];
        let (mut nb, mut nh) = (0u32, 0u32);
        let r = raw::channel_read(
            ch,
            0,
            b.as_mut_ptr(),
            hs.as_mut_ptr(),
            256,
            64,
            &mut nb,
            &mut nh,
        );
        if r == 0 {
            if mode == 0 {
                raw::handle_close(ch);
                raw::handle_close_many(hs.as_ptr(), nh as usize);
            } else {
                if mode == 1 {
                    b[..4].copy_from_slice(&[0; 4]);
                    nb = nb.max(4);
                }
                raw::channel_write(ch, 0, b.as_ptr(), nb, hs.as_ptr(), nh);
                if mode == 2 {
                    raw::handle_close(ch);
                }
            }
        } else if r == Status::BUFFER_TOO_SMALL.raw() {
            raw::channel_read(
                ch,
                CHANNEL_READ_MAY_DISCARD,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                0,
                0,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
            );
        }
    }
    release_and_exit(slot)
}

/// Handle values of one process share their high bits (docs/abi.md only promises the two low bits),
/// so the fuzzer's partial overwrites of handle values in memory (a random byte over the low
/// byte of another value) can forge a live value, and a later random close or transfer then
/// takes that handle: a legitimate outcome for every handle but the report channel's. So the
/// report handle is moved (`zx_handle_replace`) into a slot past `FAR` freshly made ones, whose
/// neighbours never hold a handle during the run: forging it then needs two matching random
/// bytes at once instead of one.
const FAR: usize = 1024;
fn move_report_far(report: u32) -> u32 {
    let mut tmp = [0u32; FAR];
    for t in tmp.iter_mut() {
        raw::event_create(0, t);
    }
    let mut moved = 0u32;
    let s = raw::handle_replace(report, Rights::SAME_RIGHTS.bits(), &mut moved);
    raw::handle_close_many(tmp.as_ptr(), FAR);
    if s == 0 {
        moved
    } else {
        report
    }
}

struct Config {
    seed: u64,
    flags: u32,
    calls: u32,
    debug_from: u32,
    report: u32,
}

/// The seed record, if the bootstrap channel has one within 50 ms.
fn read_config(bootstrap: u32) -> Option<Config> {
    if bootstrap == HANDLE_INVALID {
        return None;
    }
    let mut obs = 0u32;
    let s = raw::object_wait_one(
        bootstrap,
        (Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED).bits(),
        deadline_after(50_000_000),
        &mut obs,
    );
    if s != 0 {
        return None;
    }
    let mut b = [0u8; 64];
    let mut hs = [0u32; 4];
    let (mut nb, mut nh) = (0u32, 0u32);
    let s = raw::channel_read(
        bootstrap,
        0,
        b.as_mut_ptr(),
        hs.as_mut_ptr(),
        64,
        4,
        &mut nb,
        &mut nh,
    );
    if s != 0 {
        return None;
    }
    let u32at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    if nb < 24 || u32at(8) != MAGIC_SEED || nh > 1 {
        for h in hs.iter().take(nh as usize) {
            raw::handle_close(*h);
        }
        return None;
    }
    let mut s8 = [0u8; 8];
    s8.copy_from_slice(&b[..8]);
    Some(Config {
        seed: u64::from_le_bytes(s8),
        flags: u32at(12),
        calls: if u32at(16) == 0 {
            DEFAULT_CALLS
        } else {
            u32at(16)
        },
        debug_from: u32at(20),
        report: if nh == 1 { hs[0] } else { 0 },
    })
}

fn main(args: StartArgs) -> i64 {
    let Some(cfg) = read_config(args.bootstrap) else {
        return 0;
    };
    SEED.store(cfg.seed, Ordering::Relaxed);
    let mut cfg = cfg;
    cfg.report = move_report_far(cfg.report);
    REPORT.store(cfg.report ^ REPORT_MASK, Ordering::Relaxed);
    FLAGS.store(cfg.flags, Ordering::Relaxed);
    DEBUG_FROM.store(cfg.debug_from, Ordering::Relaxed);
    START_H[0].store(args.bootstrap, Ordering::Relaxed);
    START_H[1].store(args.process, Ordering::Relaxed);
    START_H[2].store(args.thread, Ordering::Relaxed);
    SELF_KOID.store(
        get_info::<InfoHandleBasic>(args.process, INFO_HANDLE_BASIC)
            .map(|i| i.koid)
            .unwrap_or(0),
        Ordering::Relaxed,
    );
    let mut keep = 0u32;
    raw::handle_duplicate(args.process, Rights::SAME_RIGHTS.bits(), &mut keep);
    PROC_KEEP.store(keep, Ordering::Relaxed);
    for (i, h) in [args.bootstrap, args.process, args.thread]
        .iter()
        .enumerate()
    {
        POOL_H[i].store(*h, Ordering::Relaxed);
    }
    let tp = cfg.seed ^ 0x5450_4944_525F_454C;
    set_tpidr(tp);
    let mut fz = Fz::new(cfg.seed, 0, false, tp);
    // Random bytes everywhere the kernel may read.
    fz.fill_random(0, SCRATCH + SCRATCH_PAD);
    while fz.calls < cfg.calls {
        fz.step();
    }
    // Let running fuzz threads finish (each makes at most 16 calls of at most ~1 ms), except
    // with half the seeds: then the process ends under them (their anomalies go uncounted).
    let end = if cfg.seed & 2 == 0 {
        deadline_after(200_000_000)
    } else {
        0
    };
    while SLOT_BUSY.iter().any(|s| s.load(Ordering::Acquire) != 0) && now() < end {
        sleep_ns(1_000_000);
    }
    let anomalies = fz.anomalies + THREAD_ANOMALIES.load(Ordering::Relaxed);
    let mut per = LineWriter::new();
    {
        use core::fmt::Write;
        let _ = write!(
            per,
            "child_fuzz seed={:#x}: {} calls (+{} by threads, +{} aux), {} ok, {} threads, {} spawns, {} anomalies; ok by nr:",
            cfg.seed,
            fz.calls,
            THREAD_CALLS.load(Ordering::Relaxed),
            fz.aux,
            fz.ok_total,
            THREADS_STARTED.load(Ordering::Relaxed),
            SPAWNS.load(Ordering::Relaxed).min(MAX_SPAWNS),
            anomalies
        );
        for (n, c) in fz.ok.iter().enumerate() {
            if *c > 0 {
                let _ = write!(per, " {}:{}", n, c);
            }
        }
        let _ = writeln!(per);
    }
    per.flush();
    let mut rep = [0u8; 32];
    let fields = [
        MAGIC_REPORT,
        fz.calls,
        THREAD_CALLS.load(Ordering::Relaxed),
        fz.aux,
        fz.ok_total,
        anomalies,
        SPAWNS.load(Ordering::Relaxed).min(MAX_SPAWNS),
        THREADS_STARTED.load(Ordering::Relaxed),
    ];
    for (i, f) in fields.iter().enumerate() {
        rep[4 * i..4 * i + 4].copy_from_slice(&f.to_le_bytes());
    }
    if cfg.report != 0 {
        let s = raw::channel_write(cfg.report, 0, rep.as_ptr(), 32, core::ptr::null(), 0);
        if s != 0 {
            let kept = REPORT.load(Ordering::Relaxed) ^ REPORT_MASK;
            let mut info = InfoHandleBasic::default();
            let _ = get_info::<InfoHandleBasic>(kept, INFO_HANDLE_BASIC).map(|i| info = i);
            println!(
                "child_fuzz seed={:#x}: writing the report on {:#x} failed: {} (kept copy {:#x}: {:?})",
                cfg.seed,
                cfg.report,
                Status(s),
                kept,
                info
            );
        }
    }
    if anomalies == 0 {
        0
    } else {
        1
    }
}

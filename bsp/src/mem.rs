//! `memcpy` and `memset` for the kernel, written for AArch64: every copy the kernel makes (user
//! memory in and out, messages, frames) goes through them. They replace the portable versions
//! from `compiler_builtins` (which the linker takes only when nothing else defines the
//! symbols), which move one 8-byte word per loop pass and fall back to bytes when source and
//! destination disagree in alignment.
//!
//! The kernel is built soft-float, so only general-purpose registers are used: `ldp`/`stp` of
//! two 8-byte registers, 128 bytes per loop pass. Unaligned `ldp`/`stp` are allowed on Normal
//! memory (`SCTLR_EL1.A` is 0), which is all these are ever used on, so source and destination
//! need no alignment and there is no byte loop: a size under 16 is two overlapping loads and
//! stores of 8, 4 or 1 byte(s), and a size over 16 ends with one 16-byte copy that ends exactly
//! at the end of the buffer (overlapping what the loop already copied, which is harmless for
//! `memcpy`: source and destination do not overlap).
//!
//! Large copies of user memory (a page at a time) go through [`copy_bulk`] instead, which moves
//! 256 bytes per loop pass through the SIMD registers q0..q15: 20 instructions where `memcpy`
//! needs 42. The kernel's own code never uses those registers, so they hold either the running
//! thread's FP state (lazy FP switching: the thread used FP since it was switched in, CPACR_EL1
//! FPEN = 0b11), which the copy saves on the stack and puts back, or nobody's live state (FP
//! trapped: the thread's state is in memory, loaded on its first FP use), which the copy may
//! overwrite; it enables FP/SIMD for EL1 only for the copy and restores CPACR_EL1 exactly.
//!
//! `memmove` and the rest stay `compiler_builtins`'. Checked byte by byte against a plain loop
//! at every size up to 40 and around every loop boundary up to 300, at many alignments, by the
//! boot self-test ([`self_test`]).

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
core::arch::global_asm!(
    r#"
    .section .text.memcpy, "ax"
    .global memcpy
    .type memcpy, %function
    .p2align 4
// x0 = dst, x1 = src, x2 = n; returns dst. Uses x3-x13 (caller-saved).
memcpy:
    add     x4, x1, x2              // source end
    add     x5, x0, x2              // destination end
    cmp     x2, #16
    b.lo    5f
    mov     x3, x0
    cmp     x2, #128
    b.lo    9f
1:  ldp     x6, x7, [x1]
    ldp     x8, x9, [x1, #16]
    ldp     x10, x11, [x1, #32]
    ldp     x12, x13, [x1, #48]
    stp     x6, x7, [x3]
    stp     x8, x9, [x3, #16]
    stp     x10, x11, [x3, #32]
    stp     x12, x13, [x3, #48]
    ldp     x6, x7, [x1, #64]
    ldp     x8, x9, [x1, #80]
    ldp     x10, x11, [x1, #96]
    ldp     x12, x13, [x1, #112]
    add     x1, x1, #128
    sub     x2, x2, #128
    stp     x6, x7, [x3, #64]
    stp     x8, x9, [x3, #80]
    stp     x10, x11, [x3, #96]
    stp     x12, x13, [x3, #112]
    add     x3, x3, #128
    cmp     x2, #128
    b.hs    1b
9:  cmp     x2, #64
    b.lo    2f
    ldp     x6, x7, [x1]
    ldp     x8, x9, [x1, #16]
    ldp     x10, x11, [x1, #32]
    ldp     x12, x13, [x1, #48]
    add     x1, x1, #64
    sub     x2, x2, #64
    stp     x6, x7, [x3]
    stp     x8, x9, [x3, #16]
    stp     x10, x11, [x3, #32]
    stp     x12, x13, [x3, #48]
    add     x3, x3, #64
2:  cmp     x2, #16
    b.ls    3f
    ldp     x6, x7, [x1], #16
    sub     x2, x2, #16
    stp     x6, x7, [x3], #16
    b       2b
3:  cbz     x2, 4f
    ldp     x6, x7, [x4, #-16]
    stp     x6, x7, [x5, #-16]
4:  ret
5:  tbz     x2, #3, 6f              // 8..15
    ldr     x6, [x1]
    ldr     x7, [x4, #-8]
    str     x6, [x0]
    str     x7, [x5, #-8]
    ret
6:  tbz     x2, #2, 7f              // 4..7
    ldr     w6, [x1]
    ldr     w7, [x4, #-4]
    str     w6, [x0]
    str     w7, [x5, #-4]
    ret
7:  cbz     x2, 8f                  // 1..3: first, middle, last
    lsr     x8, x2, #1
    ldrb    w6, [x1]
    ldrb    w7, [x1, x8]
    ldrb    w9, [x4, #-1]
    strb    w6, [x0]
    strb    w7, [x0, x8]
    strb    w9, [x5, #-1]
8:  ret
    .size memcpy, . - memcpy

    .section .text.memset, "ax"
    .global memset
    .type memset, %function
    .p2align 4
// x0 = dst, w1 = byte, x2 = n; returns dst.
memset:
    and     x1, x1, #0xff
    mov     x6, #0x0101010101010101
    mul     x1, x1, x6              // the byte in every lane
    add     x5, x0, x2              // end
    cmp     x2, #16
    b.lo    5f
    mov     x3, x0
    cmp     x2, #128
    b.lo    9f
1:  stp     x1, x1, [x3]
    stp     x1, x1, [x3, #16]
    stp     x1, x1, [x3, #32]
    stp     x1, x1, [x3, #48]
    stp     x1, x1, [x3, #64]
    stp     x1, x1, [x3, #80]
    stp     x1, x1, [x3, #96]
    stp     x1, x1, [x3, #112]
    add     x3, x3, #128
    sub     x2, x2, #128
    cmp     x2, #128
    b.hs    1b
9:  cmp     x2, #64
    b.lo    2f
    stp     x1, x1, [x3]
    stp     x1, x1, [x3, #16]
    stp     x1, x1, [x3, #32]
    stp     x1, x1, [x3, #48]
    add     x3, x3, #64
    sub     x2, x2, #64
2:  cmp     x2, #16
    b.ls    3f
    stp     x1, x1, [x3], #16
    sub     x2, x2, #16
    b       2b
3:  cbz     x2, 4f
    stp     x1, x1, [x5, #-16]
4:  ret
5:  tbz     x2, #3, 6f
    str     x1, [x0]
    str     x1, [x5, #-8]
    ret
6:  tbz     x2, #2, 7f
    str     w1, [x0]
    str     w1, [x5, #-4]
    ret
7:  cbz     x2, 8f
    lsr     x8, x2, #1
    strb    w1, [x0]
    strb    w1, [x0, x8]
    strb    w1, [x5, #-1]
8:  ret
    .size memset, . - memset
"#
);

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
core::arch::global_asm!(
    r#"
    .arch_extension fp
    .arch_extension simd
    .section .text.simd_copy256, "ax"
    .global zx_simd_copy256
    .type zx_simd_copy256, %function
    .p2align 4
// x0 = dst, x1 = src, x2 = number of 256-byte blocks (> 0). Uses x9..x11 and q0..q15, which it
// saves and restores when they hold the running thread's live FP state.
zx_simd_copy256:
    mrs     x9, cpacr_el1
    and     x10, x9, #(3 << 20)
    cmp     x10, #(3 << 20)
    b.eq    3f
    // FP trapped: the registers hold no live state. Enable FP/SIMD at EL1 (EL0 still traps).
    bic     x10, x9, #(3 << 20)
    orr     x10, x10, #(1 << 20)
    msr     cpacr_el1, x10
    isb
    mov     x11, x30
    bl      1f
    msr     cpacr_el1, x9
    isb
    ret     x11
3:  // Live FP state: keep q0..q15 on the stack around the copy.
    sub     sp, sp, #256
    stp     q0, q1, [sp]
    stp     q2, q3, [sp, #32]
    stp     q4, q5, [sp, #64]
    stp     q6, q7, [sp, #96]
    stp     q8, q9, [sp, #128]
    stp     q10, q11, [sp, #160]
    stp     q12, q13, [sp, #192]
    stp     q14, q15, [sp, #224]
    mov     x11, x30
    bl      1f
    ldp     q0, q1, [sp]
    ldp     q2, q3, [sp, #32]
    ldp     q4, q5, [sp, #64]
    ldp     q6, q7, [sp, #96]
    ldp     q8, q9, [sp, #128]
    ldp     q10, q11, [sp, #160]
    ldp     q12, q13, [sp, #192]
    ldp     q14, q15, [sp, #224]
    add     sp, sp, #256
    ret     x11
1:  ldp     q0, q1, [x1]
    ldp     q2, q3, [x1, #32]
    ldp     q4, q5, [x1, #64]
    ldp     q6, q7, [x1, #96]
    ldp     q8, q9, [x1, #128]
    ldp     q10, q11, [x1, #160]
    ldp     q12, q13, [x1, #192]
    ldp     q14, q15, [x1, #224]
    add     x1, x1, #256
    stp     q0, q1, [x0]
    stp     q2, q3, [x0, #32]
    stp     q4, q5, [x0, #64]
    stp     q6, q7, [x0, #96]
    stp     q8, q9, [x0, #128]
    stp     q10, q11, [x0, #160]
    stp     q12, q13, [x0, #192]
    stp     q14, q15, [x0, #224]
    add     x0, x0, #256
    subs    x2, x2, #1
    b.ne    1b
    ret
    .size zx_simd_copy256, . - zx_simd_copy256
"#
);

/// Copies below this size go to `memcpy`: enabling FP/SIMD costs an `isb` or two.
pub const BULK_MIN: usize = 1024;

/// Copies `n` bytes from `src` to `dst` like `memcpy`, through the SIMD registers from
/// [`BULK_MIN`] bytes up (see the module doc), leaving the FP/SIMD registers and CPACR_EL1 as
/// they were. Call with interrupts masked, as all kernel code runs (nothing else may use the
/// registers meanwhile).
///
/// # Safety
/// As for `core::ptr::copy_nonoverlapping`: both ranges valid, not overlapping.
#[inline(always)]
pub unsafe fn copy_bulk(dst: *mut u8, src: *const u8, n: usize) {
    #[cfg(all(target_arch = "aarch64", target_os = "none"))]
    if n >= BULK_MIN {
        // SAFETY: the caller's contract.
        unsafe { copy_simd(dst, src, n) };
        return;
    }
    if (16..=64).contains(&n) {
        // SAFETY: the caller's contract, and 16 <= n <= 64.
        unsafe { copy_16_to_64(dst, src, n) };
        return;
    }
    // SAFETY: the caller's contract.
    unsafe { core::ptr::copy_nonoverlapping(src, dst, n) };
}

/// A copy of 16 to 64 bytes (a small message, a syscall's argument record) made in line, with
/// no call: 16-byte pieces from both ends with `ldp`/`stp`, which overlap in the middle
/// (harmless: the two ranges do not overlap each other), so there is no loop and no byte tail.
/// `[0, 32)` and `[n - 32, n)` cover `[0, n)` for `n <= 64`; `[0, 16)` and `[n - 16, n)` do for
/// `n <= 32`. (In assembly: the target is built for strict alignment, so Rust's unaligned
/// reads would be made a byte at a time.)
///
/// # Safety
/// As for [`copy_bulk`], with `16 <= n <= 64`.
#[inline(always)]
unsafe fn copy_16_to_64(dst: *mut u8, src: *const u8, n: usize) {
    #[cfg(all(target_arch = "aarch64", target_os = "none"))]
    // SAFETY: every piece lies inside `src[..n]` / `dst[..n]` (16 <= n <= 64); unaligned
    // `ldp`/`stp` are allowed on Normal memory (module doc); only the named registers change.
    unsafe {
        let (se, de) = (src.add(n), dst.add(n));
        if n > 32 {
            core::arch::asm!(
                "ldp {a}, {b}, [{s}, #16]",
                "ldp {c}, {d}, [{se}, #-32]",
                "stp {a}, {b}, [{t}, #16]",
                "stp {c}, {d}, [{te}, #-32]",
                s = in(reg) src, se = in(reg) se, t = in(reg) dst, te = in(reg) de,
                a = out(reg) _, b = out(reg) _, c = out(reg) _, d = out(reg) _,
                options(nostack, preserves_flags),
            );
        }
        core::arch::asm!(
            "ldp {a}, {b}, [{s}]",
            "ldp {c}, {d}, [{se}, #-16]",
            "stp {a}, {b}, [{t}]",
            "stp {c}, {d}, [{te}, #-16]",
            s = in(reg) src, se = in(reg) se, t = in(reg) dst, te = in(reg) de,
            a = out(reg) _, b = out(reg) _, c = out(reg) _, d = out(reg) _,
            options(nostack, preserves_flags),
        );
    }
    #[cfg(not(all(target_arch = "aarch64", target_os = "none")))]
    // SAFETY: the caller's contract.
    unsafe {
        core::ptr::copy_nonoverlapping(src, dst, n)
    };
}

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
#[inline(never)]
unsafe fn copy_simd(dst: *mut u8, src: *const u8, n: usize) {
    extern "C" {
        fn zx_simd_copy256(dst: *mut u8, src: *const u8, blocks: usize);
    }
    let blocks = n / 256;
    let done = blocks * 256;
    // SAFETY: the caller's ranges cover `done <= n` bytes; the routine restores every register
    // and CPACR_EL1 it changes (module doc).
    unsafe { zx_simd_copy256(dst, src, blocks) };
    // SAFETY: the rest of the caller's ranges.
    unsafe { core::ptr::copy_nonoverlapping(src.add(done), dst.add(done), n - done) };
}

/// Checks `memcpy` and `memset` against plain byte loops: every size up to 40 and the sizes
/// around each loop boundary up to 300, with source and destination at seven alignments each,
/// and that nothing next to the destination changes. Returns whether all held. Cheap enough for
/// every boot (about two million instructions).
pub fn self_test() -> bool {
    const MAX: usize = 300;
    const PAD: usize = 16;
    const OFFSETS: [usize; 7] = [0, 1, 3, 7, 8, 9, 15];
    const LARGER: [usize; 19] = [
        47, 48, 63, 64, 65, 79, 80, 81, 127, 128, 129, 143, 191, 192, 193, 200, 255, 256, 300,
    ];
    let mut src = [0u8; MAX + PAD];
    let mut dst = [0u8; MAX + 3 * PAD];
    for (i, b) in src.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    let mut ok = true;
    for n in (0..=40).chain(LARGER) {
        for so in OFFSETS {
            for d in OFFSETS {
                let fill = (n as u8) ^ 0xa5;
                let do_ = PAD + d;
                // Only the destination and 16 bytes either side are looked at.
                let window = d..do_ + n + PAD;
                dst[window.clone()].iter_mut().for_each(|b| *b = fill);
                // SAFETY: both ranges lie inside the arrays (offsets < 16, PAD = 16) and do
                // not overlap (two arrays).
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        src.as_ptr().add(so),
                        dst.as_mut_ptr().add(do_),
                        n,
                    )
                };
                for i in window.clone() {
                    let want = if (do_..do_ + n).contains(&i) {
                        src[so + i - do_]
                    } else {
                        fill
                    };
                    ok &= dst[i] == want;
                }
                let v = so as u8 ^ 0x3c;
                // SAFETY: the range lies inside `dst`.
                unsafe { core::ptr::write_bytes(dst.as_mut_ptr().add(do_), v, n) };
                for i in window {
                    ok &= dst[i] == if (do_..do_ + n).contains(&i) { v } else { fill };
                }
            }
        }
    }
    ok & bulk_self_test()
}

/// Checks [`copy_bulk`] at every size up to 80 (its in-line small copies) and at sizes around
/// its threshold and block size, at several alignments, and that nothing next to the
/// destination changes.
fn bulk_self_test() -> bool {
    const MAX: usize = 1600;
    const PAD: usize = 16;
    let mut src = [0u8; MAX + PAD];
    let mut dst = [0u8; MAX + 3 * PAD];
    for (i, b) in src.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(29).wrapping_add(5);
    }
    let mut ok = true;
    for n in (0..=80).chain([1023, 1024, 1025, 1279, 1280, 1281, 1535, 1536, 1600]) {
        for (so, d) in [(0, 0), (1, 0), (0, 7), (3, 9), (15, 1)] {
            let fill = (n as u8) ^ 0x5a;
            let do_ = PAD + d;
            let window = d..do_ + n + PAD;
            dst[window.clone()].iter_mut().for_each(|b| *b = fill);
            // SAFETY: both ranges lie inside the arrays and do not overlap (two arrays).
            unsafe { copy_bulk(dst.as_mut_ptr().add(do_), src.as_ptr().add(so), n) };
            for i in window {
                let want = if (do_..do_ + n).contains(&i) {
                    src[so + i - do_]
                } else {
                    fill
                };
                ok &= dst[i] == want;
            }
        }
    }
    ok
}

//! `memcpy` and `memset` for the kernel, written for AArch64: every copy the kernel makes (user
//! memory in and out, messages, frames) goes through them. They replace the portable versions
//! from `compiler_builtins` (which the linker takes only when nothing else defines the
//! symbols), which move one 8-byte word per loop pass and fall back to bytes when source and
//! destination disagree in alignment.
//!
//! The kernel is built soft-float, so only general-purpose registers are used: `ldp`/`stp` of
//! two 8-byte registers, 64 bytes per loop pass. Unaligned `ldp`/`stp` are allowed on Normal
//! memory (`SCTLR_EL1.A` is 0), which is all these are ever used on, so source and destination
//! need no alignment and there is no byte loop: a size under 16 is two overlapping loads and
//! stores of 8, 4 or 1 byte(s), and a size over 16 ends with one 16-byte copy that ends exactly
//! at the end of the buffer (overlapping what the loop already copied, which is harmless for
//! `memcpy`: source and destination do not overlap).
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
    cmp     x2, #64
    b.lo    2f
1:  ldp     x6, x7, [x1]
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
    cmp     x2, #64
    b.hs    1b
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
    cmp     x2, #64
    b.lo    2f
1:  stp     x1, x1, [x3]
    stp     x1, x1, [x3, #16]
    stp     x1, x1, [x3, #32]
    stp     x1, x1, [x3, #48]
    add     x3, x3, #64
    sub     x2, x2, #64
    cmp     x2, #64
    b.hs    1b
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

/// Checks `memcpy` and `memset` against plain byte loops: every size up to 40 and the sizes
/// around each loop boundary up to 300, with source and destination at seven alignments each,
/// and that nothing next to the destination changes. Returns whether all held. Cheap enough for
/// every boot (about two million instructions).
pub fn self_test() -> bool {
    const MAX: usize = 300;
    const PAD: usize = 16;
    const OFFSETS: [usize; 7] = [0, 1, 3, 7, 8, 9, 15];
    const LARGER: [usize; 16] = [
        47, 48, 63, 64, 65, 79, 80, 81, 127, 128, 129, 200, 255, 256, 257, 300,
    ];
    let mut src = [0u8; MAX + PAD];
    // The window reaches PAD + 15 (largest offset) + MAX + PAD.
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
    ok
}

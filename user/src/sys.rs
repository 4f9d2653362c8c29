//! Raw syscall stubs: `svc #0`, number in x16, arguments in x0..x7, result in x0. The kernel
//! preserves everything but x0, x16 and x17 (docs/abi.md section 1).

use core::arch::asm;

macro_rules! svc {
    ($nr:expr $(, $name:ident = $val:expr)* $(,)?) => {{
        let r: u64;
        // SAFETY: a system call; the kernel checks every argument and clobbers only x0, x16, x17.
        unsafe { svc_impl!(r, $nr $(, $name = $val)*) };
        r
    }};
}

macro_rules! svc_impl {
    ($r:ident, $nr:expr) => { asm!("svc #0", in("x16") $nr, lateout("x0") $r, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr, a1 = $a1:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, in("x1") $a1, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr, a1 = $a1:expr, a2 = $a2:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, in("x1") $a1, in("x2") $a2, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr, a1 = $a1:expr, a2 = $a2:expr, a3 = $a3:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, in("x1") $a1, in("x2") $a2, in("x3") $a3, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr, a1 = $a1:expr, a2 = $a2:expr, a3 = $a3:expr, a4 = $a4:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, in("x1") $a1, in("x2") $a2, in("x3") $a3, in("x4") $a4, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr, a1 = $a1:expr, a2 = $a2:expr, a3 = $a3:expr, a4 = $a4:expr, a5 = $a5:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, in("x1") $a1, in("x2") $a2, in("x3") $a3, in("x4") $a4, in("x5") $a5, lateout("x17") _, options(nostack)) };
    ($r:ident, $nr:expr, a0 = $a0:expr, a1 = $a1:expr, a2 = $a2:expr, a3 = $a3:expr, a4 = $a4:expr, a5 = $a5:expr, a6 = $a6:expr, a7 = $a7:expr) => { asm!("svc #0", in("x16") $nr, inlateout("x0") $a0 => $r, in("x1") $a1, in("x2") $a2, in("x3") $a3, in("x4") $a4, in("x5") $a5, in("x6") $a6, in("x7") $a7, lateout("x17") _, options(nostack)) };
}

/// Any syscall by number with up to eight raw arguments (tests use it for hostile inputs).
#[inline(always)]
pub fn raw8(nr: u64, a: [u64; 8]) -> u64 {
    svc!(
        nr,
        a0 = a[0],
        a1 = a[1],
        a2 = a[2],
        a3 = a[3],
        a4 = a[4],
        a5 = a[5],
        a6 = a[6],
        a7 = a[7]
    )
}

#[inline(always)]
pub fn raw0(nr: u64) -> u64 {
    svc!(nr)
}
#[inline(always)]
pub fn raw1(nr: u64, a0: u64) -> u64 {
    svc!(nr, a0 = a0)
}
#[inline(always)]
pub fn raw2(nr: u64, a0: u64, a1: u64) -> u64 {
    svc!(nr, a0 = a0, a1 = a1)
}
#[inline(always)]
pub fn raw3(nr: u64, a0: u64, a1: u64, a2: u64) -> u64 {
    svc!(nr, a0 = a0, a1 = a1, a2 = a2)
}
#[inline(always)]
pub fn raw4(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64) -> u64 {
    svc!(nr, a0 = a0, a1 = a1, a2 = a2, a3 = a3)
}
#[inline(always)]
pub fn raw5(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64) -> u64 {
    svc!(nr, a0 = a0, a1 = a1, a2 = a2, a3 = a3, a4 = a4)
}
#[inline(always)]
pub fn raw6(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> u64 {
    svc!(nr, a0 = a0, a1 = a1, a2 = a2, a3 = a3, a4 = a4, a5 = a5)
}

/// The syscall `nr` with the `N` arguments `a`, through the stub for that many arguments.
#[inline(always)]
pub fn rawn<const N: usize>(nr: u64, a: [u64; N]) -> u64 {
    let x = |i: usize| if i < N { a[i] } else { 0 };
    match N {
        0 => raw0(nr),
        1 => raw1(nr, x(0)),
        2 => raw2(nr, x(0), x(1)),
        3 => raw3(nr, x(0), x(1), x(2)),
        4 => raw4(nr, x(0), x(1), x(2), x(3)),
        5 => raw5(nr, x(0), x(1), x(2), x(3), x(4)),
        6 => raw6(nr, x(0), x(1), x(2), x(3), x(4), x(5)),
        _ => raw8(nr, [x(0), x(1), x(2), x(3), x(4), x(5), x(6), x(7)]),
    }
}

//! Child of test_process: faults in the way the first byte of its bootstrap message says.
//!
//! It keeps every handle of that message open, writes `armed` back, then faults. If the fault
//! does not kill it, it exits with 55 (56 for the secondary-thread mode; 58 if a system call
//! made with a misaligned sp did not give the same sp back).
#![no_std]
#![no_main]

use core::arch::asm;
use core::ptr::{read_volatile, write_volatile};
use zx::test::fault::*;
use zx::*;

zx::entry!(main);

pub const EL1_SYSREG: u8 = 10;

/// `ret` (and padding): valid code, but in the RW data segment.
static mut DATA_CODE: [u32; 4] = [0xd65f_03c0, 0xd65f_03c0, 0xd65f_03c0, 0xd65f_03c0];
/// Read-only data.
static RODATA: [u64; 4] = [0x1111, 0x2222, 0x3333, 0x4444];

#[inline(never)]
fn recurse(n: u64) -> u64 {
    let mut buf = [0u8; 1024];
    buf[(n % 1024) as usize] = n as u8;
    let buf = core::hint::black_box(buf);
    if n == 0 {
        return buf[0] as u64;
    }
    recurse(n - 1).wrapping_add(buf[(n % 7) as usize] as u64)
}

fn fault_on_thread(_: usize) {
    // SAFETY: deliberately faults.
    unsafe { read_volatile(core::ptr::null::<u64>()) };
}

#[inline(never)]
fn fault(mode: u8) -> i64 {
    // SAFETY: every arm deliberately makes an access the kernel must refuse at EL0.
    unsafe {
        match mode {
            NULL_READ => {
                read_volatile(core::ptr::null::<u64>());
            }
            NULL_WRITE => write_volatile(core::ptr::null_mut::<u64>(), 1),
            WRITE_TEXT => write_volatile(fault as *const () as *mut u32, 0xd503_201f),
            EXEC_DATA => {
                let f: extern "C" fn() = core::mem::transmute(&raw const DATA_CODE as usize);
                f();
            }
            UDF => asm!("udf #0"),
            MISALIGNED_SP => {
                // A system call with the misaligned sp first: the kernel must give it back.
                let (before, after): (u64, u64);
                asm!(
                    "mov {t}, sp",
                    "sub sp, {t}, #4",
                    "mov {b}, sp",
                    "mov x16, #35",
                    "svc #0",
                    "mov {a}, sp",
                    "mov sp, {t}",
                    t = out(reg) _,
                    b = out(reg) before,
                    a = out(reg) after,
                    out("x0") _,
                    out("x16") _,
                    out("x17") _,
                );
                if before != after {
                    return 58;
                }
                asm!(
                    "mov {t}, sp",
                    "sub sp, {t}, #4",
                    "ldr {v}, [sp]",
                    "mov sp, {t}",
                    t = out(reg) _,
                    v = out(reg) _,
                );
            }
            STACK_OVERFLOW => {
                core::hint::black_box(recurse(core::hint::black_box(1 << 20)));
            }
            READ_KERNEL_LOW => {
                read_volatile(0xffff_0000_0000_0000usize as *const u64);
            }
            READ_KERNEL_IMAGE => {
                read_volatile(0xffff_ff80_0008_0000usize as *const u64);
            }
            BRK => asm!("brk #0"),
            EL1_SYSREG => {
                let v: u64;
                asm!("mrs {}, sctlr_el1", out(reg) v);
                core::hint::black_box(v);
            }
            JUMP_KERNEL => {
                let f: extern "C" fn() = core::mem::transmute(0xffff_ff80_0008_0000usize);
                f();
            }
            WRITE_RODATA => write_volatile(&raw const RODATA as *mut u64, 5),
            SECONDARY_THREAD => {
                if let Ok(t) = thread::spawn(fault_on_thread, 0) {
                    let _ = t.join(deadline_after(10_000_000_000));
                }
                return 56;
            }
            EXEC_STACK => {
                let code = [0xd65f_03c0u32; 4];
                let code = core::hint::black_box(code);
                let f: extern "C" fn() = core::mem::transmute(code.as_ptr());
                f();
            }
            JUMP_UNMAPPED => {
                let f: extern "C" fn() = core::mem::transmute(0x1000usize);
                f();
            }
            _ => return 57,
        }
    }
    55
}

fn main(a: StartArgs) -> i64 {
    let ch = Channel(Handle::from_raw(a.bootstrap));
    let m = match ch.read_wait(deadline_after(10_000_000_000)) {
        Ok(m) => m,
        Err(_) => return 90,
    };
    if m.num_bytes < 1 {
        return 91;
    }
    // The handles of the message stay open: the kernel must close them when we die.
    let _ = ch.write(b"armed", &[]);
    fault(m.bytes[0])
}

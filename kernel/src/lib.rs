//! The kernel core: objects and handles, channels, processes and threads, the scheduler, and the
//! syscall layer. Modules that touch no hardware (`boot` parsers, `object`, and the channel and
//! handle syscalls, which reach the caller only through their `syscall::ctx::Ctx`) build and are
//! tested on the host; the rest is built for `aarch64-unknown-none-softfloat` only.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod backtrace;
pub mod boot;
pub mod console;
pub mod mm;
pub mod object;
pub mod syscall;

#[cfg(target_os = "none")]
pub mod irq;
#[cfg(target_os = "none")]
pub mod sched;
#[cfg(target_os = "none")]
pub mod start;
#[cfg(target_os = "none")]
pub mod task;
#[cfg(target_os = "none")]
pub mod timer;
#[cfg(target_os = "none")]
pub mod trap;
pub mod vm;

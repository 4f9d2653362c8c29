//! The syscall layer: decodes `svc #0` (number in x16, arguments in x0..x7) into a typed call and
//! returns the status in x0. One module per family; every handler checks in the order the
//! manual pages and docs/abi.md section 4 give.
//!
//! The channel and handle handlers take an explicit [`ctx::Ctx`] (the caller's handle table,
//! address space and thread) and touch nothing else of the kernel, so they build and are tested
//! on the host against a fake address space ([`testing`]); `dispatch` and the other families are
//! built for the target only.

#![forbid(unsafe_code)]

pub mod channel;
pub mod ctx;
pub mod handle;
#[cfg(target_os = "none")]
mod info;
#[cfg(target_os = "none")]
mod object;
#[cfg(target_os = "none")]
mod task;
#[cfg(test)]
pub mod testing;

#[cfg(target_os = "none")]
use crate::object::{Handle, KernelObject};
#[cfg(target_os = "none")]
use crate::sched;
#[cfg(target_os = "none")]
use crate::task::Process;
#[cfg(target_os = "none")]
use alloc::sync::Arc;
#[cfg(target_os = "none")]
use bsp::cpu::exception::TrapFrame;
#[cfg(target_os = "none")]
use channel::{CallArgs, ReadArgs, WriteArgs};
#[cfg(target_os = "none")]
use ctx::with_current;
#[cfg(target_os = "none")]
use zx_abi::{nr, ObjType, Rights, Status};

/// Runs the syscall in `frame` and stores its result in x0.
///
/// The IPC syscalls each get a function of their own (out of line), so each pays only for the
/// registers and stack its own path needs; the null syscall's case returns before any of them.
#[cfg(target_os = "none")]
pub fn dispatch(frame: &mut TrapFrame) {
    let a = &frame.x;
    let n = a[16];
    let r: i64 = match n {
        nr::HANDLE_CLOSE if a[0] as u32 == zx_abi::HANDLE_INVALID => 0,
        nr::CHANNEL_READ | nr::CHANNEL_READ_ETC => sys_channel_read(a),
        nr::CHANNEL_WRITE | nr::CHANNEL_WRITE_ETC => sys_channel_write(a),
        nr::CHANNEL_CALL | nr::CHANNEL_CALL_ETC => sys_channel_call(a),
        nr::OBJECT_WAIT_ONE => sys_wait_one(a),
        nr::CLOCK_GET_MONOTONIC => crate::timer::monotonic_ns(),
        _ => dispatch_other(a),
    };
    frame.x[0] = r as u64;
}

/// `zx_channel_read` and `_read_etc`; arguments in x0..x7 (narrow ones use their low bits,
/// docs/abi.md section 1), the number in x16.
#[cfg(target_os = "none")]
#[inline(never)]
fn sys_channel_read(a: &[u64; 31]) -> i64 {
    let args = ReadArgs {
        handle: a[0] as u32,
        options: a[1] as u32,
        bytes: a[2],
        handles: a[3],
        num_bytes: a[4] as u32,
        num_handles: a[5] as u32,
        actual_bytes: a[6],
        actual_handles: a[7],
    };
    let etc = a[16] == nr::CHANNEL_READ_ETC;
    st(with_current(|cx| channel::read(cx, &args, etc)))
}

/// `zx_channel_write` and `_write_etc`.
#[cfg(target_os = "none")]
#[inline(never)]
fn sys_channel_write(a: &[u64; 31]) -> i64 {
    let args = WriteArgs {
        handle: a[0] as u32,
        options: a[1] as u32,
        bytes: a[2],
        num_bytes: a[3] as u32,
        handles: a[4],
        num_handles: a[5] as u32,
    };
    let etc = a[16] == nr::CHANNEL_WRITE_ETC;
    st(with_current(|cx| channel::write(cx, &args, etc)))
}

/// `zx_channel_call` and `_call_etc`.
#[cfg(target_os = "none")]
#[inline(never)]
fn sys_channel_call(a: &[u64; 31]) -> i64 {
    let args = CallArgs {
        handle: a[0] as u32,
        options: a[1] as u32,
        deadline: a[2] as i64,
        args: a[3],
        actual_bytes: a[4],
        actual_handles: a[5],
    };
    let etc = a[16] == nr::CHANNEL_CALL_ETC;
    st(with_current(|cx| channel::call(cx, &args, etc)))
}

/// `zx_object_wait_one`.
#[cfg(target_os = "none")]
#[inline(never)]
fn sys_wait_one(a: &[u64; 31]) -> i64 {
    st(object::wait_one(
        a[0] as u32,
        a[1] as u32,
        a[2] as i64,
        a[3],
    ))
}

/// Every other syscall.
#[cfg(target_os = "none")]
#[inline(never)]
fn dispatch_other(a: &[u64; 31]) -> i64 {
    let n = a[16];
    // Narrow arguments use only their low bits (docs/abi.md section 1).
    let u32a = |i: usize| a[i] as u32;
    match n {
        nr::HANDLE_CLOSE => st(with_current(|cx| handle::close(cx, u32a(0)))),
        nr::HANDLE_CLOSE_MANY => st(with_current(|cx| handle::close_many(cx, a[0], a[1]))),
        nr::HANDLE_DUPLICATE => st(with_current(|cx| {
            handle::duplicate(cx, u32a(0), u32a(1), a[2], false)
        })),
        nr::HANDLE_REPLACE => st(with_current(|cx| {
            handle::duplicate(cx, u32a(0), u32a(1), a[2], true)
        })),
        nr::OBJECT_GET_INFO => st(info::get_info(u32a(0), u32a(1), a[2], a[3], a[4], a[5])),
        nr::OBJECT_WAIT_MANY => st(object::wait_many(a[0], a[1], a[2] as i64)),
        nr::OBJECT_SIGNAL => st(object::signal(u32a(0), u32a(1), u32a(2), false)),
        nr::OBJECT_SIGNAL_PEER => st(object::signal(u32a(0), u32a(1), u32a(2), true)),
        nr::CHANNEL_CREATE => st(with_current(|cx| channel::create(cx, u32a(0), a[1], a[2]))),
        nr::EVENT_CREATE => st(object::event_create(u32a(0), a[1])),
        nr::EVENTPAIR_CREATE => st(object::eventpair_create(u32a(0), a[1], a[2])),
        nr::PROCESS_EXIT => task::process_exit(a[0] as i64),
        nr::THREAD_CREATE => st(task::thread_create(u32a(0), a[1], a[2], u32a(3), a[4])),
        nr::THREAD_START => st(task::thread_start(u32a(0), a[1], a[2], a[3], a[4])),
        nr::THREAD_EXIT => sched::exit_current(),
        nr::NANOSLEEP => st(task::nanosleep(a[0] as i64)),
        nr::DEBUG_WRITE => st(task::debug_write(a[0], a[1])),
        nr::PROCESS_SPAWN => st(task::process_spawn(a[0], a[1], u32a(2), a[3])),
        _ => Status::BAD_SYSCALL.raw() as i64,
    }
}

#[cfg(target_os = "none")]
fn st(r: Result<(), Status>) -> i64 {
    match r {
        Ok(()) => 0,
        Err(s) => s.raw() as i64,
    }
}

/// The calling process (borrowed: it outlives the syscall, which runs on one of its threads).
#[cfg(target_os = "none")]
fn me() -> Result<&'static Arc<Process>, Status> {
    sched::current_process_ref().ok_or(Status::BAD_STATE)
}

/// [`Ctx::lookup`](ctx::Ctx::lookup) for the handlers not yet given a context.
#[cfg(target_os = "none")]
fn lookup(h: u32) -> Result<(Arc<dyn KernelObject>, Rights, u64), Status> {
    with_current(|cx| cx.lookup(h))
}

/// [`Ctx::lookup_typed`](ctx::Ctx::lookup_typed) for the handlers not yet given a context.
#[cfg(target_os = "none")]
fn lookup_typed(h: u32, ty: ObjType, rights: Rights) -> Result<Arc<dyn KernelObject>, Status> {
    with_current(|cx| cx.lookup_typed(h, ty, rights))
}

/// [`Ctx::install_out`](ctx::Ctx::install_out) for the handlers not yet given a context.
#[cfg(target_os = "none")]
fn install_out(h: Handle, out: u64) -> Result<(), Status> {
    with_current(|cx| cx.install_out(h, out))
}

/// Converts a deadline in monotonic nanoseconds to counter ticks (`None`: infinite).
#[cfg(target_os = "none")]
fn deadline_ticks(deadline: i64) -> Option<u64> {
    if deadline == zx_abi::TIME_INFINITE {
        None
    } else if deadline <= 0 {
        Some(0)
    } else {
        Some(crate::timer::ns_to_ticks(deadline as u64))
    }
}

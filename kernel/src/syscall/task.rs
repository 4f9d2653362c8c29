//! `zx_process_exit`, `zx_thread_create`, `_start`, `zx_nanosleep`, `zx_debug_write`,
//! `zx_process_spawn`.

use super::{deadline_ticks, install_out, lookup_typed, me};
use crate::object::Handle;
use crate::sched::{self, WakeReason};
use crate::task::Process;
use crate::vm::usercopy::{check_writable, copy_in, UserPtr};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use zx_abi::*;

pub fn process_exit(code: i64) -> ! {
    if let Ok(p) = me() {
        p.kill(code);
    }
    sched::exit_current()
}

fn read_name(ptr: u64, len: u64, buf: &mut [u8; 64]) -> Result<usize, Status> {
    let n = (len as usize).min(buf.len());
    if n > 0 {
        copy_in(ptr, &mut buf[..n])?;
    }
    Ok(n)
}

pub fn thread_create(
    process: u32,
    name: u64,
    name_len: u64,
    options: u32,
    out: u64,
) -> Result<(), Status> {
    let o = lookup_typed(process, ObjType::PROCESS, Rights::MANAGE_THREAD)?;
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    let mut nm = [0u8; 64];
    let n = read_name(name, name_len, &mut nm)?;
    check_writable(out, 4)?;
    // Any process the handle names (with MANAGE_THREAD); BAD_STATE once it is ending.
    let any: Arc<dyn core::any::Any + Send + Sync> = o;
    let proc_arc: Arc<Process> = any.downcast::<Process>().map_err(|_| Status::WRONG_TYPE)?;
    let t = proc_arc.add_thread(&nm[..n])?;
    install_out(Handle::new(t, Rights::DEFAULT_THREAD), out)
}

pub fn thread_start(
    thread: u32,
    entry: u64,
    stack: u64,
    arg1: u64,
    arg2: u64,
) -> Result<(), Status> {
    let o = lookup_typed(thread, ObjType::THREAD, Rights::WRITE)?;
    let t = o
        .downcast_ref::<sched::Thread>()
        .ok_or(Status::WRONG_TYPE)?;
    let p = t.process.clone().ok_or(Status::BAD_STATE)?;
    p.start_thread(t, entry, stack, arg1, arg2)
}

pub fn nanosleep(deadline: i64) -> Result<(), Status> {
    let dl = deadline_ticks(deadline);
    let t = sched::current();
    loop {
        sched::prepare_wait();
        if sched::block(dl) == WakeReason::TimedOut || dl == Some(0) {
            return Ok(());
        }
        if t.killed.load(core::sync::atomic::Ordering::Acquire) {
            return Ok(());
        }
    }
}

/// Longest single `zx_debug_write`.
const DEBUG_WRITE_MAX: u64 = 64 * 1024;

pub fn debug_write(buf: u64, len: u64) -> Result<(), Status> {
    if len > DEBUG_WRITE_MAX {
        return Err(Status::INVALID_ARGS);
    }
    crate::mm::check_available(len)?;
    let mut v: Vec<u8> = Vec::new();
    v.try_reserve_exact(len as usize)
        .map_err(|_| Status::NO_MEMORY)?;
    v.resize(len as usize, 0);
    copy_in(buf, &mut v)?;
    // One writer at a time, so a call's bytes are never interleaved with another's; the bytes go
    // out a few at a time with preemption points between (a busy UART at 115200 baud takes
    // about 87 us a byte: 64 KiB in one piece would keep the core for seconds).
    while DEBUG_WRITER.swap(true, Ordering::Acquire) {
        sched::schedule(true);
        sched::preempt::maybe_preempt();
        core::hint::spin_loop();
    }
    for piece in v.chunks(DEBUG_WRITE_PIECE) {
        crate::console::write_bytes(piece);
        sched::preempt::maybe_preempt();
    }
    DEBUG_WRITER.store(false, Ordering::Release);
    Ok(())
}

/// Bytes of a `zx_debug_write` sent between two preemption points (8 bytes take about 0.7 ms
/// at 115200 baud once the UART's FIFO is full).
const DEBUG_WRITE_PIECE: usize = 8;

/// Held by the thread whose `zx_debug_write` is on the console.
static DEBUG_WRITER: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

pub fn process_spawn(
    name: u64,
    name_len: u64,
    bootstrap: u32,
    out_process: u64,
) -> Result<(), Status> {
    if name_len > 64 {
        return Err(Status::INVALID_ARGS);
    }
    let mut nm = [0u8; 64];
    let n = read_name(name, name_len, &mut nm)?;
    let name = core::str::from_utf8(&nm[..n]).map_err(|_| Status::INVALID_ARGS)?;
    check_writable(out_process, 4)?;
    let me = me()?;
    if bootstrap != HANDLE_INVALID {
        let t = me.handles.lock();
        let h = t.get(bootstrap)?;
        if !h.has(Rights::TRANSFER) {
            return Err(Status::ACCESS_DENIED);
        }
    }
    let image = crate::start::boot_program(name).ok_or(Status::NOT_FOUND)?;
    // The child is built but not started until every step that can fail is behind us: a failed
    // call has no effect (dropping `child` ends it before it ran), and the caller's table holds
    // the process handle before the child can run (a child measuring the kernel's counts must
    // not see them change under it).
    let child = crate::task::prepare(name, image, false, false)?;
    let mut t = me.handles.lock();
    t.reserve(1)?;
    if bootstrap != HANDLE_INVALID {
        // Checked above; looked at again under the lock in case another thread closed it.
        if !t.get(bootstrap)?.has(Rights::TRANSFER) {
            return Err(Status::ACCESS_DENIED);
        }
    }
    // Cannot fail: room was reserved.
    let v = t
        .add(Handle::new(
            child.process().clone(),
            Rights::DEFAULT_PROCESS,
        ))
        .map_err(|e| e.0)?;
    // Writable was checked first, and the mappings of a running process do not change; still,
    // a failed write undoes the install (lock order: handle table, then the address space).
    if let Err(s) = UserPtr::<u32>::new(out_process).write(&v) {
        let h = t.remove(v);
        drop(t);
        drop(h);
        return Err(s);
    }
    let b = if bootstrap == HANDLE_INVALID {
        None
    } else {
        t.remove(bootstrap).ok()
    };
    drop(t);
    child.start(b);
    Ok(())
}

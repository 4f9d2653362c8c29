//! The syscall layer: decodes `svc #0` (number in x16, arguments in x0..x7) into a typed call and
//! returns the status in x0. One module per family; every handler checks in the order the
//! manual pages and docs/abi.md section 4 give.

mod channel;
mod handle;
mod object;
mod task;

use crate::object::{Handle, KernelObject};
use crate::sched;
use crate::task::Process;
use crate::vm::usercopy::UserPtr;
use alloc::sync::Arc;
use bsp::cpu::exception::TrapFrame;
use zx_abi::{nr, ObjType, Rights, Status};

/// Runs the syscall in `frame` and stores its result in x0.
pub fn dispatch(frame: &mut TrapFrame) {
    let a = frame.x;
    let n = a[16];
    // Narrow arguments use only their low bits (docs/abi.md section 1).
    let u32a = |i: usize| a[i] as u32;
    let r: i64 = match n {
        nr::HANDLE_CLOSE => st(handle::close(u32a(0))),
        nr::HANDLE_CLOSE_MANY => st(handle::close_many(a[0], a[1])),
        nr::HANDLE_DUPLICATE => st(handle::duplicate(u32a(0), u32a(1), a[2], false)),
        nr::HANDLE_REPLACE => st(handle::duplicate(u32a(0), u32a(1), a[2], true)),
        nr::OBJECT_GET_INFO => st(handle::get_info(u32a(0), u32a(1), a[2], a[3], a[4], a[5])),
        nr::OBJECT_WAIT_ONE => st(object::wait_one(u32a(0), u32a(1), a[2] as i64, a[3])),
        nr::OBJECT_WAIT_MANY => st(object::wait_many(a[0], a[1], a[2] as i64)),
        nr::OBJECT_SIGNAL => st(object::signal(u32a(0), u32a(1), u32a(2), false)),
        nr::OBJECT_SIGNAL_PEER => st(object::signal(u32a(0), u32a(1), u32a(2), true)),
        nr::CHANNEL_CREATE => st(channel::create(u32a(0), a[1], a[2])),
        nr::CHANNEL_READ => st(channel::read(
            u32a(0),
            u32a(1),
            a[2],
            a[3],
            u32a(4),
            u32a(5),
            a[6],
            a[7],
            false,
        )),
        nr::CHANNEL_READ_ETC => st(channel::read(
            u32a(0),
            u32a(1),
            a[2],
            a[3],
            u32a(4),
            u32a(5),
            a[6],
            a[7],
            true,
        )),
        nr::CHANNEL_WRITE => st(channel::write(
            u32a(0),
            u32a(1),
            a[2],
            u32a(3),
            a[4],
            u32a(5),
            false,
        )),
        nr::CHANNEL_WRITE_ETC => st(channel::write(
            u32a(0),
            u32a(1),
            a[2],
            u32a(3),
            a[4],
            u32a(5),
            true,
        )),
        nr::CHANNEL_CALL => st(channel::call(
            u32a(0),
            u32a(1),
            a[2] as i64,
            a[3],
            a[4],
            a[5],
            false,
        )),
        nr::CHANNEL_CALL_ETC => st(channel::call(
            u32a(0),
            u32a(1),
            a[2] as i64,
            a[3],
            a[4],
            a[5],
            true,
        )),
        nr::EVENT_CREATE => st(object::event_create(u32a(0), a[1])),
        nr::EVENTPAIR_CREATE => st(object::eventpair_create(u32a(0), a[1], a[2])),
        nr::PROCESS_EXIT => task::process_exit(a[0] as i64),
        nr::THREAD_CREATE => st(task::thread_create(u32a(0), a[1], a[2], u32a(3), a[4])),
        nr::THREAD_START => st(task::thread_start(u32a(0), a[1], a[2], a[3], a[4])),
        nr::THREAD_EXIT => sched::exit_current(),
        nr::NANOSLEEP => st(task::nanosleep(a[0] as i64)),
        nr::CLOCK_GET_MONOTONIC => crate::timer::monotonic_ns(),
        nr::DEBUG_WRITE => st(task::debug_write(a[0], a[1])),
        nr::PROCESS_SPAWN => st(task::process_spawn(a[0], a[1], u32a(2), a[3])),
        _ => Status::BAD_SYSCALL.raw() as i64,
    };
    frame.x[0] = r as u64;
}

fn st(r: Result<(), Status>) -> i64 {
    match r {
        Ok(()) => 0,
        Err(s) => s.raw() as i64,
    }
}

/// The calling process (borrowed: it outlives the syscall, which runs on one of its threads).
fn me() -> Result<&'static Arc<Process>, Status> {
    sched::current_process_ref().ok_or(Status::BAD_STATE)
}

/// Looks up `h` in the caller's table: its object and rights (the table lock is not kept).
fn lookup(h: u32) -> Result<(Arc<dyn KernelObject>, Rights, u64), Status> {
    let p = me()?;
    let t = p.handles.lock();
    let hd = t.get(h)?;
    Ok((hd.object().clone(), hd.rights(), hd.serial()))
}

/// Looks up `h`, checking its type and `rights` (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED).
fn lookup_typed(h: u32, ty: ObjType, rights: Rights) -> Result<Arc<dyn KernelObject>, Status> {
    let (o, r, _) = lookup(h)?;
    if o.obj_type() != ty {
        return Err(Status::WRONG_TYPE);
    }
    if !r.contains(rights) {
        return Err(Status::ACCESS_DENIED);
    }
    Ok(o)
}

/// Installs `h` in the caller's table and writes its value to `out`. If `out` cannot be
/// written the handle is closed and the call fails with `INVALID_ARGS`.
fn install_out(h: Handle, out: u64) -> Result<(), Status> {
    let p = me()?;
    let v = {
        let mut t = p.handles.lock();
        t.add(h).map_err(|(s, h)| {
            drop(t);
            drop(h);
            s
        })?
    };
    if let Err(s) = UserPtr::<u32>::new(out).write(&v) {
        let h = p.handles.lock().remove(v);
        drop(h);
        return Err(s);
    }
    Ok(())
}

/// Converts a deadline in monotonic nanoseconds to counter ticks (`None`: infinite).
fn deadline_ticks(deadline: i64) -> Option<u64> {
    if deadline == zx_abi::TIME_INFINITE {
        None
    } else if deadline <= 0 {
        Some(0)
    } else {
        Some(crate::timer::ns_to_ticks(deadline as u64))
    }
}

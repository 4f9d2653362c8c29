//! `zx_object_get_info`.

use super::lookup;
use crate::object::stats;
use crate::task::{Process, RootResource};
use crate::vm::usercopy::UserPtr;
use core::sync::atomic::Ordering;
use zx_abi::*;

fn write_info<T: Pod>(rec: &T, buf: u64, size: u64, actual: u64, avail: u64) -> Result<(), Status> {
    if size < T::SIZE as u64 {
        UserPtr::<u64>::new(actual).write_opt(&0)?;
        UserPtr::<u64>::new(avail).write_opt(&1)?;
        return Err(Status::BUFFER_TOO_SMALL);
    }
    UserPtr::<T>::new(buf).write(rec)?;
    UserPtr::<u64>::new(actual).write_opt(&1)?;
    UserPtr::<u64>::new(avail).write_opt(&1)?;
    Ok(())
}

pub fn get_info(
    h: u32,
    topic: u32,
    buf: u64,
    size: u64,
    actual: u64,
    avail: u64,
) -> Result<(), Status> {
    let (obj, rights, _) = lookup(h)?;
    let need = |r: Rights| {
        if rights.contains(r) {
            Ok(())
        } else {
            Err(Status::ACCESS_DENIED)
        }
    };
    match topic {
        INFO_HANDLE_VALID => Ok(()),
        INFO_HANDLE_BASIC => {
            let rec = InfoHandleBasic {
                koid: obj.koid(),
                rights: rights.bits(),
                obj_type: obj.obj_type().raw(),
                related_koid: obj.related_koid(),
                ..Default::default()
            };
            write_info(&rec, buf, size, actual, avail)
        }
        INFO_PROCESS => {
            let p = obj.downcast_ref::<Process>().ok_or(Status::WRONG_TYPE)?;
            need(Rights::INSPECT)?;
            write_info(&p.info(), buf, size, actual, avail)
        }
        INFO_HANDLE_COUNT => {
            need(Rights::INSPECT)?;
            write_info(
                &InfoHandleCount {
                    handle_count: obj.header().handle_count(),
                },
                buf,
                size,
                actual,
                avail,
            )
        }
        INFO_PROCESS_HANDLE_STATS => {
            let p = obj.downcast_ref::<Process>().ok_or(Status::WRONG_TYPE)?;
            need(Rights::INSPECT)?;
            let mut rec = InfoProcessHandleStats::default();
            for hd in p.handles.lock().iter() {
                let t = hd.object().obj_type().raw() as usize;
                if let Some(c) = rec.handle_count.get_mut(t) {
                    *c += 1;
                }
            }
            write_info(&rec, buf, size, actual, avail)
        }
        INFO_KERNEL_STATS => {
            obj.downcast_ref::<RootResource>()
                .ok_or(Status::WRONG_TYPE)?;
            need(Rights::INSPECT)?;
            let rec = InfoKernelStats {
                total_bytes: crate::mm::total_bytes(),
                free_bytes: crate::mm::free_bytes(),
                // Message blocks waiting in the per-core pools are free memory kept close.
                heap_used_bytes: crate::mm::heap::used_bytes()
                    .saturating_sub(crate::object::channel::pooled_bytes()),
                ipc_bytes: stats::IPC_BYTES.load(Ordering::Relaxed),
                live_handles: stats::LIVE_HANDLES.load(Ordering::Relaxed),
                live_objects: stats::LIVE_OBJECTS.load(Ordering::Relaxed),
                live_messages: stats::LIVE_MESSAGES.load(Ordering::Relaxed),
                reserved: 0,
            };
            write_info(&rec, buf, size, actual, avail)
        }
        INFO_CPU_STATS | INFO_CPU_STATS_RESET => {
            obj.downcast_ref::<RootResource>()
                .ok_or(Status::WRONG_TYPE)?;
            need(Rights::INSPECT)?;
            let mut rec = InfoCpuStats {
                cpu_count: crate::sched::online_cpus() as u32,
                sched_lock_waits: crate::sched::SCHED_LOCK_WAITS
                    .load(Ordering::Relaxed)
                    .min(u64::from(u32::MAX)) as u32,
                ..Default::default()
            };
            for (i, c) in rec.per_cpu_switches.iter_mut().enumerate() {
                *c = crate::sched::USER_RUNS[i].load(Ordering::Relaxed);
            }
            for (i, c) in rec.per_cpu_longest_masked_ns.iter_mut().enumerate() {
                *c = crate::sched::preempt::longest_ns(i);
            }
            write_info(&rec, buf, size, actual, avail)?;
            if topic == INFO_CPU_STATS_RESET {
                crate::sched::preempt::reset();
            }
            Ok(())
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
}

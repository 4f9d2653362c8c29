//! `zx_object_wait_one`, `_wait_many`, `_signal`, `_signal_peer`, `zx_event_create`,
//! `zx_eventpair_create`.

use super::ctx::with_current;
use super::{deadline_ticks, install_out, lookup, me};
use crate::object::event::{Event, EventPairEnd};
use crate::object::{Handle, KernelObject};
use crate::sched::{self, WakeReason};
use crate::vm::usercopy::{check_writable, UserPtr};
use alloc::sync::Arc;
use alloc::vec::Vec;
use zx_abi::*;

/// Most items one `zx_object_wait_many` may wait on (Zircon's `ZX_WAIT_MANY_MAX_ITEMS`).
const WAIT_MANY_MAX: u64 = 64;

/// Is the handle with `serial` still the one at `h` in the caller's table?
fn still_open(h: u32, serial: u64) -> bool {
    me().ok()
        .is_some_and(|p| p.handles.lock().get(h).is_ok_and(|x| x.serial() == serial))
}

/// What a wait found at its first look at its handle.
enum FirstLook {
    /// The signals were met already: the wait is over.
    Met(Signals),
    /// The wait goes on: the object, the handle's serial, and the object's count of handle
    /// removals read while the handle was certainly in the table (see
    /// [`ObjHeader::removals`](crate::object::ObjHeader::removals)).
    Wait(Arc<dyn KernelObject>, u64, u64),
}

/// The first look of a wait for `mask` on handle `h`: the handle and its `WAIT` right are
/// checked, and the signals read, under the table lock. A wait met at once (a server finding
/// its request already queued) takes no reference and makes no waker.
fn first_look(h: u32, mask: Signals) -> Result<FirstLook, Status> {
    with_current(|cx| {
        let t = cx.handles.lock();
        let hd = t.get(h)?;
        if !hd.rights().contains(Rights::WAIT) {
            return Err(Status::ACCESS_DENIED);
        }
        let o = hd.object();
        let hdr = o.header();
        let now = hdr.signals();
        if now.intersects(mask) {
            return Ok(FirstLook::Met(now));
        }
        Ok(FirstLook::Wait(o.clone(), hd.serial(), hdr.removals()))
    })
}

/// Writes a wait's observed signals to user address `observed` (NULL: nowhere), through the
/// prepared out-parameter path (one translation, no staging buffer).
fn put_observed(observed: u64, s: Signals) -> Result<(), Status> {
    with_current(|cx| {
        let o = cx.out_u32(observed)?;
        cx.put_u32(&o, s.bits());
        Ok(())
    })
}

pub fn wait_one(h: u32, signals: u32, deadline: i64, observed: u64) -> Result<(), Status> {
    let mask = Signals(signals);
    // `seen`: the object's removal count at a moment the handle was known to be in the table.
    let (obj, serial, mut seen) = match first_look(h, mask)? {
        FirstLook::Met(now) => {
            put_observed(observed, now)?;
            return Ok(());
        }
        FirstLook::Wait(obj, serial, seen) => (obj, serial, seen),
    };
    let hdr = obj.header();
    let dl = deadline_ticks(deadline);
    // Borrowed: the waiting thread is the running one.
    let t = sched::current_ref();
    let waker = t.waker();
    loop {
        sched::prepare_wait();
        let now = hdr.observe(&waker, mask, serial)?;
        if now.intersects(mask) {
            put_observed(observed, now)?;
            return Ok(());
        }
        // A close of the handle before the registration woke nobody: if any handle to the
        // object left a table since `seen`, look in ours (a close after this wakes the wait).
        let reason = if hdr.removals() == seen || still_open(h, serial) {
            sched::block(dl)
        } else {
            WakeReason::Woken
        };
        let now = hdr.unobserve(&waker, serial);
        let count = hdr.removals();
        if count != seen && !still_open(h, serial) {
            // Zircon reports the cancellation in the observed signals too.
            put_observed(observed, now | Signals::SIGNAL_HANDLE_CLOSED)?;
            return Err(Status::CANCELED);
        }
        seen = count;
        if now.intersects(mask) {
            put_observed(observed, now)?;
            return Ok(());
        }
        if reason == WakeReason::TimedOut {
            put_observed(observed, now)?;
            return Err(Status::TIMED_OUT);
        }
        if t.killed.load(core::sync::atomic::Ordering::Acquire) {
            return Err(Status::CANCELED);
        }
    }
}

pub fn wait_many(items: u64, n: u64, deadline: i64) -> Result<(), Status> {
    if n > WAIT_MANY_MAX {
        return Err(Status::OUT_OF_RANGE);
    }
    let base = UserPtr::<WaitItem>::new(items);
    let mut list: Vec<(WaitItem, Arc<dyn KernelObject>, u64)> = Vec::new();
    list.try_reserve(n as usize)
        .map_err(|_| Status::NO_MEMORY)?;
    check_writable(items, n * WaitItem::SIZE as u64)?;
    for i in 0..n as usize {
        let it = base.at(i)?.read()?;
        let (obj, rights, serial) = lookup(it.handle)?;
        if !rights.contains(Rights::WAIT) {
            return Err(Status::ACCESS_DENIED);
        }
        list.push((it, obj, serial));
    }
    let dl = deadline_ticks(deadline);
    // Borrowed: the waiting thread is the running one.
    let t = sched::current_ref();
    let waker = t.waker();
    let result = loop {
        sched::prepare_wait();
        let mut any = false;
        let mut registered = 0;
        for (it, obj, serial) in list.iter() {
            match obj.header().observe(&waker, Signals(it.waitfor), *serial) {
                Ok(s) if s.intersects(Signals(it.waitfor)) => {
                    any = true;
                    break;
                }
                Ok(_) => registered += 1,
                Err(e) => {
                    for (_, o, s) in list.iter().take(registered) {
                        o.header().unobserve(&waker, *s);
                    }
                    return Err(e);
                }
            }
        }
        // As in `wait_one`: a close between the lookups and the registrations woke nobody.
        let reason = if any
            || list
                .iter()
                .any(|(it, _, serial)| !still_open(it.handle, *serial))
        {
            WakeReason::Woken
        } else {
            sched::block(dl)
        };
        let mut satisfied = false;
        let mut cancelled = false;
        for (idx, (it, obj, serial)) in list.iter_mut().enumerate() {
            let now = if idx < registered {
                obj.header().unobserve(&waker, *serial)
            } else {
                obj.header().signals()
            };
            it.pending = now.bits();
            satisfied |= now.intersects(Signals(it.waitfor));
            if !still_open(it.handle, *serial) {
                it.pending |= Signals::SIGNAL_HANDLE_CLOSED.bits();
                cancelled = true;
            }
        }
        if cancelled {
            break Err(Status::CANCELED);
        }
        if satisfied {
            break Ok(());
        }
        if reason == WakeReason::TimedOut {
            break Err(Status::TIMED_OUT);
        }
        if t.killed.load(core::sync::atomic::Ordering::Acquire) {
            break Err(Status::CANCELED);
        }
    };
    for (i, (it, _, _)) in list.iter().enumerate() {
        base.at(i)?.write(it)?;
    }
    result
}

pub fn signal(h: u32, clear: u32, set: u32, peer: bool) -> Result<(), Status> {
    let (obj, rights, _) = lookup(h)?;
    let need = if peer {
        Rights::SIGNAL_PEER
    } else {
        Rights::SIGNAL
    };
    if !rights.contains(need) {
        return Err(Status::ACCESS_DENIED);
    }
    let (c, s) = (Signals(clear), Signals(set));
    let allowed = if peer {
        Signals::USER_ALL
    } else {
        obj.user_signal_mask()
    };
    if (c | s).bits() & !allowed.bits() != 0 {
        return Err(Status::INVALID_ARGS);
    }
    if peer {
        obj.signal_peer(c, s)
    } else {
        obj.header().update_signals(c, s);
        Ok(())
    }
}

pub fn event_create(options: u32, out: u64) -> Result<(), Status> {
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    check_writable(out, 4)?;
    crate::mm::check_available(512)?;
    install_out(Handle::new(Event::new(), Rights::DEFAULT_EVENT), out)
}

pub fn eventpair_create(options: u32, out0: u64, out1: u64) -> Result<(), Status> {
    // zx_eventpair_create: "ZX_ERR_NOT_SUPPORTED options has an unsupported flag set".
    if options != 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    check_writable(out0, 4)?;
    check_writable(out1, 4)?;
    crate::mm::check_available(1024)?;
    let (a, b) = EventPairEnd::new_pair();
    super::ctx::with_current(|cx| {
        cx.install_pair(
            Handle::new(a, Rights::DEFAULT_EVENTPAIR),
            Handle::new(b, Rights::DEFAULT_EVENTPAIR),
            out0,
            out1,
        )
    })
}

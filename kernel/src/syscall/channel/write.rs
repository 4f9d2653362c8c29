//! `zx_channel_write` and `_write_etc`, and the request half of a call: the message's bytes
//! copied in, the handle array read in steps and every entry's fate applied (docs/abi.md
//! section 4), then the message queued.

use super::super::ctx::{Caller, Ctx, UserMemory};
use super::fast::{self, Fast};
use super::{channel_target, Target};
use crate::object::channel::{Message, Sink};
use crate::object::handle_table::HandleTable;
use crate::object::quota::Charge;
use crate::object::Handle;
use alloc::vec::Vec;
use zx_abi::*;

/// Where the handles of a write come from.
#[derive(Clone, Copy)]
pub(super) enum HandleSource {
    /// `zx_handle_t[]`.
    Plain(u64),
    /// `zx_handle_disposition_t[]` (results are written back into it).
    Dispositions(u64),
}

impl HandleSource {
    fn entry_size(self) -> u64 {
        match self {
            HandleSource::Plain(_) => 4,
            HandleSource::Dispositions(_) => HandleDisposition::SIZE as u64,
        }
    }
    fn addr(self) -> u64 {
        match self {
            HandleSource::Plain(a) | HandleSource::Dispositions(a) => a,
        }
    }
}

/// Charges the writer's account for a message of `bytes` bytes and `handles` handles (none
/// without an account). Done before the buffer is allocated: a writer past its quota gets
/// `NO_MEMORY` without the kernel allocating for it, as an allocation failure would.
pub(super) fn charge(
    cx: &Ctx<impl UserMemory, impl Caller>,
    bytes: u64,
    handles: u32,
) -> Result<Charge, Status> {
    match cx.caller.ipc_account() {
        Some(a) => a.charge(Message::cost(bytes as usize, handles as usize)),
        None => Ok(Charge::none()),
    }
}

/// Appends user `[va, va + n)` to the message being built (all or nothing).
pub(super) fn copy_in_to(
    mem: &impl UserMemory,
    va: u64,
    n: usize,
    msg: &mut Message,
) -> Result<(), Status> {
    match msg.sink(n) {
        Sink::Inline(dst) => mem.copy_in(va, dst)?,
        Sink::Large(v) => mem.copy_in_append(va, n, v)?,
    }
    msg.filled(n);
    Ok(())
}

/// Charges the message (see [`charge`]), makes it, and copies its bytes in: plain bytes or an
/// iovec array (all-or-nothing). The bytes go straight into the message (no zero-fill of
/// bytes about to be overwritten).
fn copy_bytes(
    cx: &Ctx<impl UserMemory, impl Caller>,
    bytes: u64,
    num_bytes: u32,
    iovec: bool,
    num_handles: u32,
) -> Result<Message, Status> {
    if !iovec {
        if num_bytes > CHANNEL_MAX_MSG_BYTES {
            return Err(Status::OUT_OF_RANGE);
        }
        let paid = charge(cx, u64::from(num_bytes), num_handles)?;
        cx.caller.check_available(u64::from(num_bytes))?;
        let mut msg = Message::with_capacity(num_bytes as usize, num_handles as usize)?;
        msg.set_charge(paid);
        copy_in_to(cx.mem, bytes, num_bytes as usize, &mut msg)?;
        return Ok(msg);
    }
    if num_bytes > CHANNEL_MAX_MSG_IOVEC {
        return Err(Status::OUT_OF_RANGE);
    }
    // The iovec array is copied in once, every entry checked, then every buffer copied.
    let n = num_bytes as usize;
    let mut raw = Vec::new();
    raw.try_reserve_exact(n * ChannelIovec::SIZE)
        .map_err(|_| Status::NO_MEMORY)?;
    raw.resize(n * ChannelIovec::SIZE, 0);
    if n > 0 {
        cx.mem.copy_in(bytes, &mut raw)?;
    }
    let iov = |i: usize| ChannelIovec::from_bytes(&raw[i * ChannelIovec::SIZE..]);
    let mut total: u64 = 0;
    for i in 0..n {
        let v = iov(i);
        if v.reserved != 0 {
            return Err(Status::INVALID_ARGS);
        }
        total += u64::from(v.capacity);
    }
    if total > u64::from(CHANNEL_MAX_MSG_BYTES) {
        return Err(Status::OUT_OF_RANGE);
    }
    let paid = charge(cx, total, num_handles)?;
    cx.caller.check_available(total)?;
    let mut msg = Message::with_capacity(total as usize, num_handles as usize)?;
    msg.set_charge(paid);
    for i in 0..n {
        let v = iov(i);
        let c = v.capacity as usize;
        if c == 0 {
            continue;
        }
        if v.buffer == 0 {
            return Err(Status::INVALID_ARGS);
        }
        copy_in_to(cx.mem, v.buffer, c, &mut msg)?;
    }
    Ok(msg)
}

/// Handles taken for a message, and the first error seen while taking them.
struct Taken {
    handles: Vec<Handle>,
    first_error: Option<Status>,
}

/// Entries read from user memory per step (bounded stack use, one copy per step).
const CHUNK: usize = 16;
/// The step for arrays of at most this many entries (most messages carry one or two handles):
/// the stack buffers are cleared for what the array can hold, not for a full step.
const SMALL: usize = 4;

/// Reads the handle array (`CHUNK` entries at a time) and applies every entry's fate: plain
/// and MOVE entries leave the caller's table whatever happens; DUPLICATE sources stay. With
/// `target` None (an earlier check failed) the entries are only consumed. The handles kept go
/// into `into` (the message's own array, with room reserved). Per-entry results are written
/// back for dispositions. `Err` only when the array itself cannot be read (or, for
/// dispositions, written): then no handle was touched.
fn take_handles(
    cx: &Ctx<impl UserMemory, impl Caller>,
    src: HandleSource,
    num: u32,
    target: Option<&Target>,
    into: Vec<Handle>,
) -> Result<Taken, Status> {
    if num as usize <= SMALL {
        take_handles_in::<SMALL, SMALL>(cx, src, num, target, into)
    } else {
        take_handles_in::<CHUNK, { CHANNEL_MAX_MSG_HANDLES as usize }>(cx, src, num, target, into)
    }
}

/// [`take_handles`] in steps of `C` entries, finding repeats among the first `S` (every entry
/// a message may keep).
fn take_handles_in<const C: usize, const S: usize>(
    cx: &Ctx<impl UserMemory, impl Caller>,
    src: HandleSource,
    num: u32,
    target: Option<&Target>,
    into: Vec<Handle>,
) -> Result<Taken, Status> {
    let mut taken = Taken {
        handles: into,
        first_error: None,
    };
    if num == 0 {
        return Ok(taken);
    }
    let esz = src.entry_size();
    let total = u64::from(num) * esz;
    // An array that fits one step is checked by that step's copy (which copies nothing unless
    // every page is readable), before any handle is touched.
    if num as usize > C {
        cx.check_long(src.addr(), total, false)?;
    }
    if let HandleSource::Dispositions(a) = src {
        cx.check_long(a, total, true)?;
    }
    // Past 64 entries the write fails with OUT_OF_RANGE: the entries are only consumed.
    let keep = target.is_some() && num <= CHANNEL_MAX_MSG_HANDLES;
    if keep && taken.handles.try_reserve_exact(num as usize).is_err() {
        taken.first_error = Some(Status::NO_MEMORY);
    }
    // Values seen so far, to find repeats (only needed while keeping: at most 64).
    let mut seen = [0u32; S];
    let mut nseen = 0usize;
    // One step's entries, and the handles it consumed, to be closed outside the table lock
    // (each slot is emptied again after every step).
    let mut raw = [[0u8; HandleDisposition::SIZE]; C];
    let buf = raw.as_flattened_mut();
    let mut discard: [Option<Handle>; C] = core::array::from_fn(|_| None);
    let mut done = 0u32;
    while done < num {
        let k = (num - done).min(C as u32) as usize;
        cx.mem.copy_in(
            src.addr() + u64::from(done) * esz,
            &mut buf[..k * esz as usize],
        )?;
        let mut results = [Status::OK; C];
        {
            let mut table = cx.handles.lock();
            for i in 0..k {
                let (v, op, want_type, want_rights) = match src {
                    HandleSource::Plain(_) => {
                        let v = u32::from_le_bytes([
                            buf[i * 4],
                            buf[i * 4 + 1],
                            buf[i * 4 + 2],
                            buf[i * 4 + 3],
                        ]);
                        (v, HANDLE_OP_MOVE, ObjType::NONE, Rights::SAME_RIGHTS)
                    }
                    HandleSource::Dispositions(_) => {
                        let d = HandleDisposition::from_bytes(&buf[i * HandleDisposition::SIZE..]);
                        (d.handle, d.operation, ObjType(d.obj_type), Rights(d.rights))
                    }
                };
                let repeated = seen[..nseen].contains(&v);
                if nseen < seen.len() {
                    seen[nseen] = v;
                    nseen += 1;
                }
                let r = entry_check(&table, v, repeated, op, want_type, want_rights, target);
                // Fate: everything but DUPLICATE leaves the table, success or not.
                let removed = if op != HANDLE_OP_DUPLICATE {
                    table.remove(v).ok()
                } else {
                    None
                };
                match (r, removed) {
                    (Ok(rights), Some(h)) if keep => {
                        let h = if rights == h.rights() {
                            h
                        } else {
                            h.with_rights(rights)
                        };
                        taken.push_or_discard(h, &mut discard[i]);
                    }
                    (Ok(rights), None) if keep => match table.get(v) {
                        Ok(src_h) => {
                            taken.push_or_discard(src_h.duplicate(rights), &mut discard[i])
                        }
                        Err(e) => results[i] = e,
                    },
                    (Ok(_), removed) => discard[i] = removed,
                    (Err(e), removed) => {
                        results[i] = e;
                        discard[i] = removed;
                    }
                }
            }
        }
        // Consumed handles are closed here, outside the table lock (in place: the slots are
        // reused by the next step).
        for d in &mut discard[..k] {
            drop(d.take());
        }
        for (i, e) in results.iter().enumerate().take(k) {
            if *e == Status::OK {
                continue;
            }
            taken.first_error.get_or_insert(*e);
            if let HandleSource::Dispositions(a) = src {
                // `result` is at offset 16; the array was checked writable above.
                let at = a + (u64::from(done) + i as u64) * esz + 16;
                let _ = cx.write(at, &e.raw());
            }
        }
        done += k as u32;
        // Past 64 entries every one is still consumed (OUT_OF_RANGE): millions of them take
        // long, in steps that let others run.
        cx.caller.preempt_point();
    }
    Ok(taken)
}

impl Taken {
    /// Keeps `h` for the message (room was reserved), or parks it to be closed.
    fn push_or_discard(&mut self, h: Handle, slot: &mut Option<Handle>) {
        if self.handles.len() < self.handles.capacity() {
            self.handles.push(h);
        } else {
            *slot = Some(h);
        }
    }
}

/// The per-entry checks of docs/abi.md section 4, in order. Returns the rights the message's handle
/// gets.
fn entry_check(
    table: &HandleTable,
    v: u32,
    repeated: bool,
    op: u32,
    want_type: ObjType,
    want_rights: Rights,
    target: Option<&Target>,
) -> Result<Rights, Status> {
    if repeated {
        return Err(Status::BAD_HANDLE);
    }
    let h = table.get(v)?;
    if !h.has(Rights::TRANSFER) {
        return Err(Status::ACCESS_DENIED);
    }
    if let Some(t) = target {
        if t.endpoint().same_channel(h.object().as_ref()) {
            return Err(Status::NOT_SUPPORTED);
        }
    }
    if want_type != ObjType::NONE && h.object().obj_type() != want_type {
        return Err(Status::WRONG_TYPE);
    }
    let rights = h.derive_rights(want_rights)?;
    match op {
        HANDLE_OP_MOVE => {}
        HANDLE_OP_DUPLICATE => {
            if !h.has(Rights::DUPLICATE) {
                return Err(Status::ACCESS_DENIED);
            }
        }
        _ => return Err(Status::INVALID_ARGS),
    }
    // A disposition's `result` is output only: whatever the caller left in it is neither
    // checked nor (for a good entry) overwritten.
    Ok(rights)
}

/// What a write (or a call's request) asks for, decoded from the syscall's arguments.
pub(super) struct Request {
    pub h: u32,
    /// The options passed their syscall's check (`INVALID_ARGS` otherwise, in its turn).
    pub options_ok: bool,
    pub iovec: bool,
    pub bytes: u64,
    pub num_bytes: u32,
    pub src: HandleSource,
    pub num_handles: u32,
    /// Rights the channel handle must have.
    pub need: Rights,
    /// Least the assembled message may hold (4 for a call's txid).
    pub min_bytes: usize,
}

/// Builds the message of a write: every check in order, handles' fate applied. On error the
/// handles were already consumed as documented. Fewer than `min_bytes` is `INVALID_ARGS`, found
/// once the bytes (or iovecs) were copied in, so after their own size and pointer checks.
#[inline(always)]
pub(super) fn prepare_write(
    cx: &Ctx<impl UserMemory, impl Caller>,
    r: &Request,
) -> Result<(Target, Message), Status> {
    let Request {
        h,
        options_ok,
        iovec,
        bytes,
        num_bytes,
        src,
        num_handles,
        need,
        min_bytes,
    } = *r;
    let mut err: Option<Status> = None;
    if !options_ok {
        err = Some(Status::INVALID_ARGS);
    }
    let target = if err.is_none() {
        match channel_target(cx, h, need) {
            Ok(t) => Some(t),
            Err(e) => {
                err = Some(e);
                None
            }
        }
    } else {
        None
    };
    if err.is_none() && num_handles > CHANNEL_MAX_MSG_HANDLES {
        err = Some(Status::OUT_OF_RANGE);
    }
    let mut data = if err.is_none() {
        match copy_bytes(cx, bytes, num_bytes, iovec, num_handles) {
            Ok(m) if m.bytes().len() < min_bytes => {
                err = Some(Status::INVALID_ARGS);
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                err = Some(e);
                None
            }
        }
    } else {
        None
    };
    // The handles go straight into the message's own array (reserved with it).
    let into = data
        .as_mut()
        .map_or_else(Vec::new, |m| m.take_handle_array());
    let taken = take_handles(
        cx,
        src,
        num_handles,
        if err.is_none() { target.as_ref() } else { None },
        into,
    );
    let taken = match taken {
        Ok(t) => t,
        Err(e) => return Err(err.unwrap_or(e)),
    };
    if let Some(e) = err.or(taken.first_error) {
        drop(taken);
        return Err(e);
    }
    let (Some(target), Some(mut msg)) = (target, data) else {
        return Err(Status::INTERNAL);
    };
    let mut taken = taken;
    msg.set_handles(core::mem::take(&mut taken.handles));
    Ok((target, msg))
}

impl Drop for Taken {
    fn drop(&mut self) {
        while let Some(h) = self.handles.pop() {
            drop(h);
        }
    }
}

/// The arguments of `zx_channel_write` and `_write_etc`, as the syscall passed them.
#[derive(Clone, Copy)]
pub struct WriteArgs {
    /// `handle` (x0): the channel to write to.
    pub handle: u32,
    /// `options` (x1): 0, or `ZX_CHANNEL_WRITE_USE_IOVEC` (not for `_etc`).
    pub options: u32,
    /// `bytes` (x2): user address of the payload (with `ZX_CHANNEL_WRITE_USE_IOVEC`, of an
    /// array of `zx_channel_iovec_t`s).
    pub bytes: u64,
    /// `num_bytes` (x3): payload length in bytes (with `ZX_CHANNEL_WRITE_USE_IOVEC`, the number
    /// of iovecs).
    pub num_bytes: u32,
    /// `handles` (x4): user address of the handle values to send (`_etc`: of
    /// `zx_handle_disposition_t`s).
    pub handles: u64,
    /// `num_handles` (x5): how many entries `handles` holds.
    pub num_handles: u32,
}

/// `zx_channel_write` (`etc == false`: handle values, iovecs allowed) and `_write_etc`
/// (dispositions, no options).
// Inlined into `dispatch`, with `prepare_write`: the arguments stay in registers.
#[inline(always)]
pub fn write(
    cx: &Ctx<impl UserMemory, impl Caller>,
    a: &WriteArgs,
    etc: bool,
) -> Result<(), Status> {
    if fast::write_applies(a.options, a.num_bytes, a.num_handles) {
        if let Fast::Done(r) = fast::write(cx, a.handle, a.bytes, a.num_bytes) {
            return r;
        }
    }
    let (options_ok, iovec, src) = if etc {
        (a.options == 0, false, HandleSource::Dispositions(a.handles))
    } else {
        (
            a.options & !CHANNEL_WRITE_USE_IOVEC == 0,
            a.options & CHANNEL_WRITE_USE_IOVEC != 0,
            HandleSource::Plain(a.handles),
        )
    };
    let (target, msg) = prepare_write(
        cx,
        &Request {
            h: a.handle,
            options_ok,
            iovec,
            bytes: a.bytes,
            num_bytes: a.num_bytes,
            src,
            num_handles: a.num_handles,
            need: Rights::WRITE,
            min_bytes: 0,
        },
    )?;
    target.endpoint().write_checked(msg).map_err(|(s, m)| {
        drop(m);
        s
    })
}

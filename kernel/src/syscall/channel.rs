//! `zx_channel_create`, `_write`, `_write_etc`, `_read`, `_read_etc`, `_call`, `_call_etc`:
//! the sentences of `docs/manual/` and the rules of docs/abi.md section 4, in their order.

use super::{deadline_ticks, lookup, me, object::install_pair};
use crate::object::channel::{CallPoll, Endpoint, Message, ReadError};
use crate::object::{Handle, KernelObject};
use crate::sched::{self, WakeReason};
use crate::vm::usercopy::{check_long, check_writable, copy_in, copy_out, OutU32, UserPtr};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use zx_abi::*;

pub fn create(options: u32, out0: u64, out1: u64) -> Result<(), Status> {
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    check_writable(out0, 4)?;
    check_writable(out1, 4)?;
    crate::mm::check_available(1024)?;
    let (a, b) = Endpoint::new_pair();
    install_pair(
        Handle::new(a, Rights::DEFAULT_CHANNEL),
        Handle::new(b, Rights::DEFAULT_CHANNEL),
        out0,
        out1,
    )
}

/// Where the handles of a write come from.
#[derive(Clone, Copy)]
enum HandleSource {
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

/// The channel being written, once its handle passed the checks.
struct Target {
    ep: Arc<dyn KernelObject>,
}

impl Target {
    fn endpoint(&self) -> &Endpoint {
        self.ep
            .downcast_ref::<Endpoint>()
            .expect("checked to be a channel")
    }
}

/// Checks the channel handle: BAD_HANDLE, WRONG_TYPE, then ACCESS_DENIED without `need`.
fn channel_target(h: u32, need: Rights) -> Result<Target, Status> {
    let (o, r, _) = lookup(h)?;
    if o.obj_type() != ObjType::CHANNEL {
        return Err(Status::WRONG_TYPE);
    }
    if !r.contains(need) {
        return Err(Status::ACCESS_DENIED);
    }
    Ok(Target { ep: o })
}

/// Copies the message bytes in: plain bytes or an iovec array (all-or-nothing).
fn copy_bytes(bytes: u64, num_bytes: u32, iovec: bool) -> Result<Vec<u8>, Status> {
    let mut out = Vec::new();
    if !iovec {
        if num_bytes > CHANNEL_MAX_MSG_BYTES {
            return Err(Status::OUT_OF_RANGE);
        }
        crate::mm::check_available(u64::from(num_bytes))?;
        out.try_reserve_exact(num_bytes as usize)
            .map_err(|_| Status::NO_MEMORY)?;
        out.resize(num_bytes as usize, 0);
        if num_bytes > 0 {
            copy_in(bytes, &mut out)?;
        }
        return Ok(out);
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
        copy_in(bytes, &mut raw)?;
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
    crate::mm::check_available(total)?;
    out.try_reserve_exact(total as usize)
        .map_err(|_| Status::NO_MEMORY)?;
    out.resize(total as usize, 0);
    let mut off = 0usize;
    for i in 0..n {
        let v = iov(i);
        let c = v.capacity as usize;
        if c == 0 {
            continue;
        }
        if v.buffer == 0 {
            return Err(Status::INVALID_ARGS);
        }
        copy_in(v.buffer, &mut out[off..off + c])?;
        off += c;
    }
    Ok(out)
}

/// Handles taken for a message, and the first error seen while taking them.
struct Taken {
    handles: Vec<Handle>,
    first_error: Option<Status>,
}

/// Entries read from user memory per step (bounded stack use, one copy per step).
const CHUNK: usize = 16;

/// Reads the handle array (`CHUNK` entries at a time) and applies every entry's fate: plain
/// and MOVE entries leave the caller's table whatever happens; DUPLICATE sources stay. With
/// `target` None (an earlier check failed) the entries are only consumed. Per-entry results are
/// written back for dispositions. `Err` only when the array itself cannot be read (or, for
/// dispositions, written): then no handle was touched.
fn take_handles(src: HandleSource, num: u32, target: Option<&Target>) -> Result<Taken, Status> {
    let mut taken = Taken {
        handles: Vec::new(),
        first_error: None,
    };
    if num == 0 {
        return Ok(taken);
    }
    let esz = src.entry_size();
    let total = u64::from(num) * esz;
    // An array that fits one step is checked by that step's copy (which copies nothing unless
    // every page is readable), before any handle is touched.
    if num as usize > CHUNK {
        check_long(src.addr(), total, false)?;
    }
    if let HandleSource::Dispositions(a) = src {
        check_long(a, total, true)?;
    }
    let p = me()?;
    // Past 64 entries the write fails with OUT_OF_RANGE: the entries are only consumed.
    let keep = target.is_some() && num <= CHANNEL_MAX_MSG_HANDLES;
    if keep && taken.handles.try_reserve_exact(num as usize).is_err() {
        taken.first_error = Some(Status::NO_MEMORY);
    }
    // Values seen so far, to find repeats (only needed while keeping: at most 64).
    let mut seen = [0u32; CHANNEL_MAX_MSG_HANDLES as usize];
    let mut nseen = 0usize;
    let mut done = 0u32;
    while done < num {
        let k = (num - done).min(CHUNK as u32) as usize;
        let mut buf = [0u8; CHUNK * HandleDisposition::SIZE];
        copy_in(
            src.addr() + u64::from(done) * esz,
            &mut buf[..k * esz as usize],
        )?;
        let mut results = [Status::OK; CHUNK];
        let mut discard: [Option<Handle>; CHUNK] = [const { None }; CHUNK];
        {
            let mut table = p.handles.lock();
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
        // Consumed handles are closed here, outside the table lock.
        drop(discard);
        for (i, e) in results.iter().enumerate().take(k) {
            if *e == Status::OK {
                continue;
            }
            taken.first_error.get_or_insert(*e);
            if let HandleSource::Dispositions(a) = src {
                // `result` is at offset 16; the array was checked writable above.
                let at = a + (u64::from(done) + i as u64) * esz + 16;
                let _ = UserPtr::<i32>::new(at).write(&e.raw());
            }
        }
        done += k as u32;
        // Past 64 entries every one is still consumed (OUT_OF_RANGE): millions of them take
        // long, in steps that let others run.
        crate::sched::preempt::maybe_preempt();
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
    table: &crate::object::handle_table::HandleTable,
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

/// Builds the message of a write: every check in order, handles' fate applied. On error the
/// handles were already consumed as documented. `min_bytes` is the least the assembled
/// message may hold (4 for a call's txid): fewer is `INVALID_ARGS`, found once the bytes (or
/// iovecs) were copied in, so after their own size and pointer checks.
#[allow(clippy::too_many_arguments)]
fn prepare_write(
    h: u32,
    options_ok: bool,
    iovec: bool,
    bytes: u64,
    num_bytes: u32,
    src: HandleSource,
    num_handles: u32,
    need: Rights,
    min_bytes: usize,
) -> Result<(Target, Message), Status> {
    let mut err: Option<Status> = None;
    if !options_ok {
        err = Some(Status::INVALID_ARGS);
    }
    let target = if err.is_none() {
        match channel_target(h, need) {
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
    let data = if err.is_none() {
        match copy_bytes(bytes, num_bytes, iovec) {
            Ok(d) if d.len() < min_bytes => {
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
    let taken = take_handles(
        src,
        num_handles,
        if err.is_none() { target.as_ref() } else { None },
    );
    let taken = match taken {
        Ok(t) => t,
        Err(e) => return Err(err.unwrap_or(e)),
    };
    if let Some(e) = err.or(taken.first_error) {
        drop(taken);
        return Err(e);
    }
    let (Some(target), Some(data)) = (target, data) else {
        return Err(Status::INTERNAL);
    };
    let mut taken = taken;
    let handles = core::mem::take(&mut taken.handles);
    let mut msg = Message::new(data, handles);
    // The writer pays for the message while it exists; over its limit the write fails, the
    // message (and so its handles) is dropped: consumed, nothing sent.
    if let Some(p) = sched::current_process_ref() {
        msg.charge_to(&p.ipc_account)?;
    }
    Ok((target, msg))
}

impl Drop for Taken {
    fn drop(&mut self) {
        while let Some(h) = self.handles.pop() {
            drop(h);
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn write(
    h: u32,
    options: u32,
    bytes: u64,
    num_bytes: u32,
    handles: u64,
    num_handles: u32,
    etc: bool,
) -> Result<(), Status> {
    let (options_ok, iovec, src) = if etc {
        (options == 0, false, HandleSource::Dispositions(handles))
    } else {
        (
            options & !CHANNEL_WRITE_USE_IOVEC == 0,
            options & CHANNEL_WRITE_USE_IOVEC != 0,
            HandleSource::Plain(handles),
        )
    };
    let (target, msg) = prepare_write(
        h,
        options_ok,
        iovec,
        bytes,
        num_bytes,
        src,
        num_handles,
        Rights::WRITE,
        0,
    )?;
    target.endpoint().write_checked(msg).map_err(|(s, m)| {
        drop(m);
        s
    })
}

/// Copies a message out to a reader: bytes, then handles installed (only once every byte is
/// out), then the actual sizes. On `Err` the message comes back untouched.
fn deliver(
    msg: Message,
    bytes: u64,
    handles: u64,
    actual_bytes: u64,
    actual_handles: u64,
    etc: bool,
) -> Result<(), (Status, Message)> {
    let nb = msg.bytes().len() as u64;
    let nh = msg.num_handles() as u64;
    if nh == 0 {
        // Fast path: bytes and sizes only. Every output is checked before the first write.
        let outs =
            OutU32::prepare(actual_bytes).and_then(|ab| Ok((ab, OutU32::prepare(actual_handles)?)));
        let (ab, ah) = match outs {
            Ok(o) => o,
            Err(s) => return Err((s, msg)),
        };
        if let Err(s) = copy_out(bytes, msg.bytes()) {
            return Err((s, msg));
        }
        if let Some(o) = ab {
            o.write(nb as u32);
        }
        if let Some(o) = ah {
            o.write(0);
        }
        return Ok(());
    }
    let hsz = if etc { HandleInfo::SIZE as u64 } else { 4 };
    // Check every output before the first write.
    let outs = OutU32::prepare(actual_bytes)
        .and_then(|ab| Ok((ab, OutU32::prepare(actual_handles)?)))
        .and_then(|o| check_writable(handles, nh * hsz).map(|_| o));
    let (ab, ah) = match outs {
        Ok(o) => o,
        Err(s) => return Err((s, msg)),
    };
    let p = match me() {
        Ok(p) => p,
        Err(s) => return Err((s, msg)),
    };
    // The table stays locked from the reservation to the last install, so no other thread of
    // ours can use up the room (lock order: handle table, then the address space in usercopy).
    let mut t = p.handles.lock();
    if let Err(s) = t.reserve(nh as usize) {
        drop(t);
        return Err((s, msg));
    }
    // Bytes first: handles are installed only once every byte is out (and a failed copy writes
    // nothing: usercopy checks every page first).
    if let Err(s) = copy_out(bytes, msg.bytes()) {
        drop(t);
        return Err((s, msg));
    }
    let mut msg = msg;
    let hs = msg.take_handles();
    let mut out = [0u8; 64 * 16];
    {
        for (i, h) in hs.into_iter().enumerate() {
            let ty = h.object().obj_type().raw();
            let rights = h.rights().bits();
            // Cannot fail: room was reserved above and the table stayed locked since.
            let v = t.add(h).unwrap_or_else(|(_, h)| {
                drop(h);
                0
            });
            if etc {
                HandleInfo {
                    handle: v,
                    obj_type: ty,
                    rights,
                    unused: 0,
                }
                .to_bytes(&mut out[i * 16..]);
            } else {
                out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
    drop(t);
    // Checked writable above; the mappings of a running process do not change.
    let _ = copy_out(handles, &out[..(nh * hsz) as usize]);
    if let Some(o) = ab {
        o.write(nb as u32);
    }
    if let Some(o) = ah {
        o.write(nh as u32);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn read(
    h: u32,
    options: u32,
    bytes: u64,
    handles: u64,
    num_bytes: u32,
    num_handles: u32,
    actual_bytes: u64,
    actual_handles: u64,
    etc: bool,
) -> Result<(), Status> {
    let t = channel_target(h, Rights::READ)?;
    if options & !CHANNEL_READ_MAY_DISCARD != 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    let ep = t.endpoint();
    match ep.read(
        num_bytes,
        num_handles,
        options & CHANNEL_READ_MAY_DISCARD != 0,
    ) {
        Ok(msg) => {
            deliver(msg, bytes, handles, actual_bytes, actual_handles, etc).map_err(|(s, m)| {
                ep.unread(m);
                s
            })
        }
        Err((ReadError::ShouldWait, _)) => Err(Status::SHOULD_WAIT),
        Err((ReadError::PeerClosed, _)) => Err(Status::PEER_CLOSED),
        Err((
            ReadError::TooSmall {
                bytes: b,
                handles: hn,
            },
            discarded,
        )) => {
            drop(discarded);
            UserPtr::<u32>::new(actual_bytes).write_opt(&b)?;
            UserPtr::<u32>::new(actual_handles).write_opt(&hn)?;
            Err(Status::BUFFER_TOO_SMALL)
        }
    }
}

static NEXT_TXID: AtomicU32 = AtomicU32::new(0);

fn new_txid() -> u32 {
    NEXT_TXID.fetch_add(1, Ordering::Relaxed) | CALL_TXID_MIN
}

/// The read half of a call, once the reply with our txid arrived. The reply is consumed
/// whatever happens: on any error it is dropped and the handles it carries are closed, and no
/// output of the caller's is written (nothing at all: the checks of `deliver` come before its
/// first write). Zircon's order: a reply too large is `BUFFER_TOO_SMALL` (before any pointer is
/// looked at); then `actual_bytes`/`actual_handles`, which a call must have (NULL is
/// `INVALID_ARGS` here, not at the start: the request was sent and the reply received, as in
/// Zircon, which finds it when it copies the counts out); then the buffers.
fn call_receive(
    m: Message,
    a: &ChannelCallArgs,
    actual_bytes: u64,
    actual_handles: u64,
    etc: bool,
) -> Result<(), Status> {
    if m.bytes().len() as u64 > u64::from(a.rd_num_bytes)
        || m.num_handles() as u64 > u64::from(a.rd_num_handles)
    {
        drop(m);
        return Err(Status::BUFFER_TOO_SMALL);
    }
    if actual_bytes == 0 || actual_handles == 0 {
        drop(m);
        return Err(Status::INVALID_ARGS);
    }
    deliver(
        m,
        a.rd_bytes,
        a.rd_handles,
        actual_bytes,
        actual_handles,
        etc,
    )
    .map_err(|(s, m)| {
        drop(m);
        s
    })
}

pub fn call(
    h: u32,
    options: u32,
    deadline: i64,
    args: u64,
    actual_bytes: u64,
    actual_handles: u64,
    etc: bool,
) -> Result<(), Status> {
    // If the arguments cannot be read nothing is consumed.
    let a = UserPtr::<ChannelCallArgs>::new(args).read()?;
    let src = if etc {
        HandleSource::Dispositions(a.wr_handles)
    } else {
        HandleSource::Plain(a.wr_handles)
    };
    // The request is written as by `zx_channel_write`, iovecs included (for `_etc` too: the
    // call pages allow ZX_CHANNEL_WRITE_USE_IOVEC, unlike `zx_channel_write_etc`'s), and must
    // hold at least the 4 bytes of the txid once assembled.
    let (target, mut msg) = prepare_write(
        h,
        options & !CHANNEL_WRITE_USE_IOVEC == 0,
        options & CHANNEL_WRITE_USE_IOVEC != 0,
        a.wr_bytes,
        a.wr_num_bytes,
        src,
        a.wr_num_handles,
        Rights::READ | Rights::WRITE,
        4,
    )?;
    let ep = target.endpoint();
    let txid = new_txid();
    msg.set_txid(txid);
    let t = sched::current();
    ep.call_begin(txid, t.waker())?;
    if let Err((s, m)) = ep.write_checked(msg) {
        drop(ep.call_end(txid));
        drop(m);
        return Err(s);
    }
    let dl = deadline_ticks(deadline);
    loop {
        sched::prepare_wait();
        match ep.call_poll(txid) {
            CallPoll::Reply(m) => return call_receive(m, &a, actual_bytes, actual_handles, etc),
            CallPoll::PeerClosed => return Err(Status::PEER_CLOSED),
            CallPoll::Cancelled => return Err(Status::CANCELED),
            CallPoll::Pending => {}
        }
        if t.killed.load(Ordering::Acquire) {
            drop(ep.call_end(txid));
            return Err(Status::CANCELED);
        }
        if sched::block(dl) == WakeReason::TimedOut {
            // The deadline passed, but the reply, the peer's closing or our own endpoint's may
            // have come first: those end the call as they would have without a deadline.
            return match ep.call_poll(txid) {
                CallPoll::Reply(m) => call_receive(m, &a, actual_bytes, actual_handles, etc),
                CallPoll::PeerClosed => Err(Status::PEER_CLOSED),
                CallPoll::Cancelled => Err(Status::CANCELED),
                CallPoll::Pending => {
                    drop(ep.call_end(txid));
                    Err(Status::TIMED_OUT)
                }
            };
        }
    }
}

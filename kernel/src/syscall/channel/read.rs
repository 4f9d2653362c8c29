//! `zx_channel_read` and `_read_etc`, and the reply half of a call: a message copied out to
//! its reader, bytes first, handles installed only once every byte is out.

use super::super::ctx::{Caller, Ctx, UserMemory};
use super::borrow_channel;
use crate::object::channel::{Message, ReadError};
use crate::object::handle_table::HandleTable;
use core::ops::DerefMut;
use zx_abi::*;

/// Copies a message out to a reader: bytes, then handles installed (only once every byte is
/// out), then the actual sizes. On `Err` the message comes back untouched. `table` gives the
/// locked handle table, only when the message carries handles: a read already holds the lock, a
/// call's reply takes it.
// The syscall's own arguments, passed as they came (kept in registers).
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver<G: DerefMut<Target = HandleTable>>(
    cx: &Ctx<impl UserMemory, impl Caller>,
    table: impl FnOnce() -> G,
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
        let outs = cx
            .out_u32(actual_bytes)
            .and_then(|ab| Ok((ab, cx.out_u32(actual_handles)?)));
        let (ab, ah) = match outs {
            Ok(o) => o,
            Err(s) => return Err((s, msg)),
        };
        if let Err(s) = cx.mem.copy_out(bytes, msg.bytes()) {
            return Err((s, msg));
        }
        cx.put_u32(&ab, nb as u32);
        cx.put_u32(&ah, 0);
        return Ok(());
    }
    deliver_handles(
        cx,
        table,
        msg,
        bytes,
        handles,
        actual_bytes,
        actual_handles,
        etc,
    )
}

/// [`deliver`] of a message that carries handles (out of line: the handle-less path stays
/// small).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn deliver_handles<G: DerefMut<Target = HandleTable>>(
    cx: &Ctx<impl UserMemory, impl Caller>,
    table: impl FnOnce() -> G,
    msg: Message,
    bytes: u64,
    handles: u64,
    actual_bytes: u64,
    actual_handles: u64,
    etc: bool,
) -> Result<(), (Status, Message)> {
    let nb = msg.bytes().len() as u64;
    let nh = msg.num_handles() as u64;
    let hsz = if etc { HandleInfo::SIZE as u64 } else { 4 };
    // Check every output before the first write.
    let outs = cx
        .out_u32(actual_bytes)
        .and_then(|ab| Ok((ab, cx.out_u32(actual_handles)?)))
        .and_then(|o| cx.mem.check(handles, nh * hsz, true).map(|_| o));
    let (ab, ah) = match outs {
        Ok(o) => o,
        Err(s) => return Err((s, msg)),
    };
    // The table stays locked from the reservation to the last install, so no other thread of
    // ours can use up the room (lock order: handle table, then the address space in usercopy).
    let mut t = table();
    if let Err(s) = t.reserve(nh as usize) {
        drop(t);
        return Err((s, msg));
    }
    // Bytes first: handles are installed only once every byte is out (and a failed copy writes
    // nothing: usercopy checks every page first).
    if let Err(s) = cx.mem.copy_out(bytes, msg.bytes()) {
        drop(t);
        return Err((s, msg));
    }
    let mut msg = msg;
    with_zeroed((nh * hsz) as usize, |out| {
        for (i, h) in msg.drain_handles().enumerate() {
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
        drop(t);
        // Checked writable above; the mappings of a running process do not change.
        let _ = cx.mem.copy_out(handles, out);
    });
    cx.put_u32(&ab, nb as u32);
    cx.put_u32(&ah, nh as u32);
    Ok(())
}

/// Runs `f` on a zeroed stack buffer of exactly `len` bytes (at most 1 KiB: 64 handle infos),
/// clearing only a small size class above `len` (`zx_abi::with_buf`'s, up to 256 bytes): a
/// message usually carries a handle or two, not the 64 the buffer must be able to hold.
#[inline(always)]
fn with_zeroed<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    if len <= MAX_POD_SIZE {
        with_buf(len, f)
    } else {
        f(&mut [0u8; 1024][..len.min(1024)])
    }
}

/// The arguments of `zx_channel_read` and `_read_etc`, as the syscall passed them.
#[derive(Clone, Copy)]
pub struct ReadArgs {
    /// `handle` (x0): the channel to read from.
    pub handle: u32,
    /// `options` (x1): 0 or `ZX_CHANNEL_READ_MAY_DISCARD`.
    pub options: u32,
    /// `bytes` (x2): user address of the byte buffer.
    pub bytes: u64,
    /// `handles` (x3): user address of the handle buffer (`_etc`: of `zx_handle_info_t`s).
    pub handles: u64,
    /// `num_bytes` (x4): size of the byte buffer.
    pub num_bytes: u32,
    /// `num_handles` (x5): how many entries the handle buffer holds.
    pub num_handles: u32,
    /// `actual_bytes` (x6): user address the message's byte count is written to (may be NULL).
    pub actual_bytes: u64,
    /// `actual_handles` (x7): user address the message's handle count is written to (may be
    /// NULL).
    pub actual_handles: u64,
}

/// `zx_channel_read` (`etc == false`: handle values) and `_read_etc` (`zx_handle_info_t`s).
// Inlined into `dispatch`: the arguments stay in registers (no `ReadArgs` in memory).
#[inline(always)]
pub fn read(cx: &Ctx<impl UserMemory, impl Caller>, a: &ReadArgs, etc: bool) -> Result<(), Status> {
    let ReadArgs {
        handle: h,
        options,
        bytes,
        handles,
        num_bytes,
        num_handles,
        actual_bytes,
        actual_handles,
    } = *a;
    // The channel is borrowed from the table, which stays locked until the message is
    // delivered (no reference count; lock order: handle table, then channel state). `deliver`
    // installs the message's handles under the same lock.
    let mut table = cx.handles.lock();
    let ep = borrow_channel(&table, h, Rights::READ)?;
    if options & !CHANNEL_READ_MAY_DISCARD != 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    match ep.read(
        num_bytes,
        num_handles,
        options & CHANNEL_READ_MAY_DISCARD != 0,
    ) {
        Ok(msg) => {
            let r = deliver(
                cx,
                || &mut *table,
                msg,
                bytes,
                handles,
                actual_bytes,
                actual_handles,
                etc,
            );
            let Err((s, m)) = r else {
                return Ok(());
            };
            // Put back, outside the table lock (putting back endpoints may walk the channels
            // they hold, preemptibly); the endpoint is kept alive for it.
            let keep = table.get(h).map(|hd| hd.object().clone());
            drop(table);
            if let Some(ep) = keep.as_ref().ok().and_then(|o| o.as_endpoint()) {
                ep.unread(m);
            }
            Err(s)
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
            // A discarded message's handles are closed outside every lock.
            drop(table);
            drop(discarded);
            cx.write_opt(actual_bytes, &b)?;
            cx.write_opt(actual_handles, &hn)?;
            Err(Status::BUFFER_TOO_SMALL)
        }
    }
}

//! The fast path of `zx_channel_write`: a message of no handles whose bytes fit inside its
//! block ([`INLINE_BYTES`]). That is every message of an echo server, and most protocols'
//! small requests and replies.
//!
//! What makes it fast: the channel is borrowed from the handle table under the table's lock for
//! the enqueue (no reference count taken and dropped, no downcast through `dyn Any`; the lock
//! order is handle table -> channel state), no handle array is looked at, and no cycle check is
//! needed (the message carries no endpoint). The read side needs no separate path:
//! `zx_channel_read` borrows the channel the same way whatever it reads.
//!
//! The fast path either completes the write exactly as the general path would, or returns
//! [`Fast::General`] having changed nothing anywhere (the message it built is dropped, which
//! gives back its block and its charge). The caller then runs the general path from the start,
//! which finds the answer it would have found without the attempt. `cargo test` runs writes
//! that take it and writes that cannot, and checks both against the manual pages' results.

use super::super::ctx::{Caller, Ctx, UserMemory};
use super::write::{charge, copy_in_to};
use super::{borrow_channel, channel_target, Target};
use crate::object::channel::{Message, INLINE_BYTES};
use zx_abi::{Rights, Status};

/// What a fast path did.
pub(super) enum Fast<T> {
    /// The operation is complete (or, for a call's request, its first half): this is its
    /// result.
    Done(Result<T, Status>),
    /// Nothing happened: run the general path.
    General,
}

/// Whether a write of `num_bytes` bytes, `num_handles` handles and `options` may take the fast
/// path.
#[inline(always)]
pub(super) fn write_applies(options: u32, num_bytes: u32, num_handles: u32) -> bool {
    options == 0 && num_handles == 0 && num_bytes as usize <= INLINE_BYTES
}

/// The message of a fast write: charged, allocated and filled in the general path's order
/// (charge, memory check, block, bytes). `None` if any step failed; dropping what was built
/// undid the steps before it.
#[inline(always)]
fn build(cx: &Ctx<impl UserMemory, impl Caller>, bytes: u64, num_bytes: u32) -> Option<Message> {
    let paid = charge(cx, u64::from(num_bytes), 0).ok()?;
    cx.caller.check_available(u64::from(num_bytes)).ok()?;
    let mut msg = Message::with_capacity(num_bytes as usize, 0).ok()?;
    msg.set_charge(paid);
    copy_in_to(cx.mem, bytes, num_bytes as usize, &mut msg).ok()?;
    msg.seal();
    Some(msg)
}

/// `zx_channel_write` of `num_bytes <= INLINE_BYTES` bytes and no handles, options 0.
#[inline(always)]
pub(super) fn write(
    cx: &Ctx<impl UserMemory, impl Caller>,
    h: u32,
    bytes: u64,
    num_bytes: u32,
) -> Fast<()> {
    let Some(msg) = build(cx, bytes, num_bytes) else {
        return Fast::General;
    };
    let table = cx.handles.lock();
    // The general path's first check (options 0 passed its own): its result is the write's.
    let ep = match borrow_channel(&table, h, Rights::WRITE) {
        Ok(ep) => ep,
        Err(s) => {
            drop(table);
            drop(msg);
            return Fast::Done(Err(s));
        }
    };
    // Every other check of the general path passed too; what the channel answers now (queued,
    // PEER_CLOSED, SHOULD_WAIT) is the write's result.
    let r = ep.write(msg);
    drop(table);
    Fast::Done(r.map_err(|(s, m)| {
        // No handles: dropping it only returns its block and its charge.
        drop(m);
        s
    }))
}

/// The request of a `zx_channel_call` with no handles and `4..=INLINE_BYTES` bytes, options 0:
/// the channel (counted: the call keeps it while it waits) and the message, as
/// `prepare_write` would return them.
#[inline(always)]
pub(super) fn call_request(
    cx: &Ctx<impl UserMemory, impl Caller>,
    h: u32,
    bytes: u64,
    num_bytes: u32,
) -> Fast<(Target, Message)> {
    let Some(msg) = build(cx, bytes, num_bytes) else {
        return Fast::General;
    };
    Fast::Done(channel_target(cx, h, Rights::READ | Rights::WRITE).map(|t| (t, msg)))
}

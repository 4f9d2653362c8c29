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
use super::borrow_channel;
use crate::object::channel::{Message, INLINE_BYTES};
use alloc::vec::Vec;
use zx_abi::{Rights, Status};

/// What a fast path did.
pub(super) enum Fast {
    /// The operation is complete: this is its result.
    Done(Result<(), Status>),
    /// Nothing happened: run the general path.
    General,
}

/// Whether a write of `num_bytes` bytes, `num_handles` handles and `options` may take the fast
/// path.
#[inline(always)]
pub(super) fn write_applies(options: u32, num_bytes: u32, num_handles: u32) -> bool {
    options == 0 && num_handles == 0 && num_bytes as usize <= INLINE_BYTES
}

/// `zx_channel_write` of `num_bytes <= INLINE_BYTES` bytes and no handles, options 0.
#[inline(always)]
pub(super) fn write(
    cx: &Ctx<impl UserMemory, impl Caller>,
    h: u32,
    bytes: u64,
    num_bytes: u32,
) -> Fast {
    // The message is built before the table is locked (the same steps as the general path's,
    // in its order: charge, memory check, block, bytes). Dropping it undoes all of them.
    let Ok(paid) = charge(cx, u64::from(num_bytes), 0) else {
        return Fast::General;
    };
    if cx.caller.check_available(u64::from(num_bytes)).is_err() {
        return Fast::General;
    }
    let Ok(mut msg) = Message::with_capacity(num_bytes as usize) else {
        return Fast::General;
    };
    msg.set_charge(paid);
    if copy_in_to(cx.mem, bytes, num_bytes as usize, &mut msg).is_err() {
        return Fast::General;
    }
    msg.set_handles(Vec::new());
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

//! `zx_channel_call` and `_call_etc`: the request written as by `zx_channel_write`, a wait
//! for the reply with our txid, the reply read as by `zx_channel_read`.

use super::super::ctx::{Caller, Ctx, UserMemory, Woke};
use super::fast::{self, Fast};
use super::read::deliver;
use super::write::{prepare_write, HandleSource, Request};
use crate::object::channel::{CallPoll, Message, INLINE_BYTES};
use core::sync::atomic::{AtomicU32, Ordering};
use zx_abi::*;

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
    cx: &Ctx<impl UserMemory, impl Caller>,
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
        cx,
        || cx.handles.lock(),
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

/// The arguments of `zx_channel_call` and `_call_etc`, as the syscall passed them.
#[derive(Clone, Copy)]
pub struct CallArgs {
    /// `handle` (x0): the channel to call through.
    pub handle: u32,
    /// `options` (x1): 0 or `ZX_CHANNEL_WRITE_USE_IOVEC`.
    pub options: u32,
    /// `deadline` (x2): when the wait for the reply ends with `TIMED_OUT` (monotonic
    /// nanoseconds; `ZX_TIME_INFINITE`: never).
    pub deadline: i64,
    /// `args` (x3): user address of the `zx_channel_call_args_t` (`_etc`:
    /// `zx_channel_call_etc_args_t`).
    pub args: u64,
    /// `actual_bytes` (x4): user address the reply's byte count is written to (NULL is
    /// `INVALID_ARGS`, found once the reply arrived).
    pub actual_bytes: u64,
    /// `actual_handles` (x5): user address the reply's handle count is written to (NULL as for
    /// `actual_bytes`).
    pub actual_handles: u64,
}

/// `zx_channel_call` (`etc == false`: handle values) and `_call_etc` (dispositions out,
/// `zx_handle_info_t`s back).
pub fn call(
    cx: &Ctx<impl UserMemory, impl Caller>,
    args: &CallArgs,
    etc: bool,
) -> Result<(), Status> {
    let CallArgs {
        handle: h,
        options,
        deadline,
        args,
        actual_bytes,
        actual_handles,
    } = *args;
    // If the arguments cannot be read nothing is consumed.
    let a: ChannelCallArgs = cx.read(args)?;
    let src = if etc {
        HandleSource::Dispositions(a.wr_handles)
    } else {
        HandleSource::Plain(a.wr_handles)
    };
    // The request is written as by `zx_channel_write`, iovecs included (for `_etc` too: the
    // call pages allow ZX_CHANNEL_WRITE_USE_IOVEC, unlike `zx_channel_write_etc`'s), and must
    // hold at least the 4 bytes of the txid once assembled.
    let fast = if options == 0
        && a.wr_num_handles == 0
        && (4..=INLINE_BYTES).contains(&(a.wr_num_bytes as usize))
    {
        fast::call_request(cx, h, a.wr_bytes, a.wr_num_bytes)
    } else {
        Fast::General
    };
    let (target, mut msg) = match fast {
        Fast::Done(r) => r?,
        Fast::General => prepare_write(
            cx,
            &Request {
                h,
                options_ok: options & !CHANNEL_WRITE_USE_IOVEC == 0,
                iovec: options & CHANNEL_WRITE_USE_IOVEC != 0,
                bytes: a.wr_bytes,
                num_bytes: a.wr_num_bytes,
                src,
                num_handles: a.wr_num_handles,
                need: Rights::READ | Rights::WRITE,
                min_bytes: 4,
            },
        )?,
    };
    let ep = target.endpoint();
    let txid = new_txid();
    msg.set_txid(txid);
    // Cleared before the call is registered: a reply that comes before the block below makes
    // the block return at once.
    cx.caller.prepare_wait();
    // A server blocked waiting for this request runs next, here (the direct call switch).
    cx.caller.handoff_next_wake();
    // The request is sent and the call registered in one step (nothing registered if it fails).
    match ep.call_write(msg, txid, cx.caller.waker()) {
        Ok(true) => {}
        // Sent, but our own endpoint lost its last handle meanwhile: cancelled.
        Ok(false) => return Err(Status::CANCELED),
        Err((s, m)) => {
            drop(m);
            return Err(s);
        }
    }
    loop {
        if cx.caller.killed() {
            drop(ep.call_end(txid));
            return Err(Status::CANCELED);
        }
        if cx.caller.block(deadline) == Woke::TimedOut {
            // The deadline passed, but the reply, the peer's closing or our own endpoint's may
            // have come first: those end the call as they would have without a deadline.
            return match ep.call_poll(txid) {
                CallPoll::Reply(m) => call_receive(cx, m, &a, actual_bytes, actual_handles, etc),
                CallPoll::PeerClosed => Err(Status::PEER_CLOSED),
                CallPoll::Cancelled => Err(Status::CANCELED),
                // Ending the call is what decides: a reply that came in after that look
                // still belongs to it (dropping it would lose it; once the call has ended, a
                // late reply is queued as an ordinary message instead).
                CallPoll::Pending => match ep.call_end(txid) {
                    Some(m) => call_receive(cx, m, &a, actual_bytes, actual_handles, etc),
                    None => Err(Status::TIMED_OUT),
                },
            };
        }
        // Cleared before the look, so a wake after it is not lost.
        cx.caller.prepare_wait();
        match ep.call_poll(txid) {
            CallPoll::Reply(m) => {
                return call_receive(cx, m, &a, actual_bytes, actual_handles, etc)
            }
            CallPoll::PeerClosed => return Err(Status::PEER_CLOSED),
            CallPoll::Cancelled => return Err(Status::CANCELED),
            CallPoll::Pending => {}
        }
    }
}

//! Channels: a pair of endpoints, each with a FIFO of messages (bytes and handles) waiting to be
//! read on its side, the signals `READABLE`, `WRITABLE`, `PEER_CLOSED`, and the replies that
//! `zx_channel_call` waits for.
//!
//! Both endpoints share one lock (`ChannelShared::state`). Messages never hold a lock while
//! being dropped: everything removed under the lock is handed back to the caller, and teardown
//! of a closed endpoint's queue goes through the [`reaper`](super::reaper).

mod cycle;
mod message;

pub use message::{pooled_bytes, Message, Sink, HANDLES_KEPT, INLINE_BYTES};

use super::{reaper, KernelObject, Koid, ObjHeader, Wake};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use cycle::Carried;

use spin::Mutex;
use zx_abi::{ObjType, Signals, Status, CHANNEL_MAX_PENDING};

/// A `zx_channel_call` waiting on its own endpoint for the reply with `txid`.
struct PendingCall {
    txid: u32,
    waker: Arc<dyn Wake>,
    reply: Option<Message>,
}

#[derive(Default)]
struct Side {
    /// Messages waiting to be read by the holder of this side.
    queue: VecDeque<Message>,
    /// The last handle to this side is gone.
    closed: bool,
    calls: Vec<PendingCall>,
}

struct ChannelState {
    sides: [Side; 2],
}

struct ChannelShared {
    state: Mutex<ChannelState>,
    headers: [ObjHeader; 2],
    /// Per side: the side whose queue (or parked call reply) holds the message carrying this
    /// side's handle, while one does. A channel handle cannot be duplicated, so each side has
    /// at most one handle and at most one container. Set under `TRANSFER` (with the container's
    /// state lock), cleared by whoever takes the message out. Lock order: state -> link (leaf).
    links: [Mutex<Option<Link>>; 2],
}

/// A side of a channel, weakly (a container may be destroyed while its link is stale).
type Link = (alloc::sync::Weak<ChannelShared>, usize);

/// One end of a channel.
pub struct Endpoint {
    shared: Arc<ChannelShared>,
    side: usize,
    /// Link in the reaper's stack of closed endpoints.
    pub(super) next_dead: Mutex<Option<Arc<Endpoint>>>,
}

/// Why a read returned no message.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Nothing queued and the peer is open.
    ShouldWait,
    /// Nothing queued and the peer is closed.
    PeerClosed,
    /// The next message needs these sizes; it stays queued (or, with may-discard, is returned to
    /// be dropped by the caller outside the lock).
    TooSmall {
        /// The next message's payload size in bytes.
        bytes: u32,
        /// How many handles the next message carries.
        handles: u32,
    },
}

/// What became of a `zx_channel_call` so far.
pub enum CallPoll {
    /// The reply arrived; the call is over.
    Reply(Message),
    /// No reply yet and both endpoints are open: the call goes on.
    Pending,
    /// The peer closed without replying; the call is over.
    PeerClosed,
    /// Our own endpoint lost its last handle during the call.
    Cancelled,
}

impl Endpoint {
    /// A new channel: two endpoints, both `WRITABLE`.
    pub fn new_pair() -> (Arc<Endpoint>, Arc<Endpoint>) {
        let k = super::new_koid_pair();
        let shared = Arc::new(ChannelShared {
            state: Mutex::new(ChannelState {
                sides: [Side::default(), Side::default()],
            }),
            headers: [
                ObjHeader::with_koid(k, Signals::CHANNEL_WRITABLE),
                ObjHeader::with_koid(k + 1, Signals::CHANNEL_WRITABLE),
            ],
            links: [Mutex::new(None), Mutex::new(None)],
        });
        (
            Arc::new(Endpoint {
                shared: shared.clone(),
                side: 0,
                next_dead: Mutex::new(None),
            }),
            Arc::new(Endpoint {
                shared,
                side: 1,
                next_dead: Mutex::new(None),
            }),
        )
    }

    fn peer(&self) -> usize {
        1 - self.side
    }

    fn peer_header(&self) -> &ObjHeader {
        &self.shared.headers[self.peer()]
    }

    /// True if `obj` is this endpoint or its peer (a channel may not carry either end of itself).
    pub fn same_channel(&self, obj: &dyn KernelObject) -> bool {
        obj.as_endpoint()
            .is_some_and(|e| Arc::ptr_eq(&e.shared, &self.shared))
    }

    /// Queues `msg` for the peer (or hands it to the peer's waiting call with that txid). On
    /// failure the message comes back so the caller drops it, closing its handles, outside the
    /// lock: `PEER_CLOSED`, or `SHOULD_WAIT` when the peer already has
    /// [`CHANNEL_MAX_PENDING`] unread messages.
    pub fn write(&self, msg: Message) -> Result<(), (Status, Message)> {
        self.write_as(msg, None).map(|_| ())
    }

    /// [`write`](Self::write), and with `call` (a `zx_channel_call`'s txid and waker) the call
    /// registered on this endpoint in the same critical section, once the message is sent
    /// (`NO_MEMORY` first if there is no room to register it). `Ok(true)`: the call is
    /// registered; `Ok(false)` with a call: the message was sent but this endpoint has lost its
    /// last handle, so there is no call to wait for (the call is cancelled). Inlined into both
    /// callers, so a plain write carries no trace of the call's case.
    #[inline(always)]
    pub(super) fn write_as(
        &self,
        msg: Message,
        call: Option<(u32, Arc<dyn Wake>)>,
    ) -> Result<bool, (Status, Message)> {
        let peer = self.peer();
        let mut st = self.shared.state.lock();
        if call.is_some() && st.sides[self.side].calls.try_reserve(1).is_err() {
            return Err((Status::NO_MEMORY, msg));
        }
        if st.sides[peer].closed {
            return Err((Status::PEER_CLOSED, msg));
        }
        // A reply for a call waiting on the peer goes straight to it, never into the queue.
        let waiting = msg.txid().and_then(|txid| {
            st.sides[peer]
                .calls
                .iter()
                .position(|c| c.txid == txid && c.reply.is_none())
        });
        if let Some(i) = waiting {
            msg.link_into(&self.shared, peer);
            let c = &mut st.sides[peer].calls[i];
            c.reply = Some(msg);
            c.waker.wake_caller();
        } else {
            let q = &mut st.sides[peer].queue;
            if q.len() >= CHANNEL_MAX_PENDING {
                return Err((Status::SHOULD_WAIT, msg));
            }
            if q.try_reserve(1).is_err() {
                return Err((Status::NO_MEMORY, msg));
            }
            msg.link_into(&self.shared, peer);
            q.push_back(msg);
            let full = q.len() >= CHANNEL_MAX_PENDING;
            let first = q.len() == 1;
            // Signals change under the channel lock, so they always agree with the queues (a
            // concurrent read on the other side cannot reorder its clear before our set).
            if first {
                self.peer_header()
                    .update_signals(Signals::NONE, Signals::CHANNEL_READABLE);
            }
            if full {
                self.header()
                    .update_signals(Signals::CHANNEL_WRITABLE, Signals::NONE);
            }
        }
        let mut registered = false;
        if let Some((txid, waker)) = call {
            // A side whose last handle is gone was woken for its calls already: a call
            // registered now would wait for nothing.
            if !st.sides[self.side].closed {
                // Room was reserved above.
                st.sides[self.side].calls.push(PendingCall {
                    txid,
                    waker,
                    reply: None,
                });
                registered = true;
            }
        }
        drop(st);
        Ok(registered)
    }

    /// Size of the next message on this side, if any.
    pub fn peek_size(&self) -> Option<(u32, u32)> {
        let st = self.shared.state.lock();
        st.sides[self.side]
            .queue
            .front()
            .map(|m| (m.bytes().len() as u32, m.num_handles() as u32))
    }

    /// Takes the next message if it fits `max_bytes`/`max_handles`. With `may_discard`, a message
    /// too large is removed and returned inside `Err((TooSmall, Some(msg)))` to be dropped.
    pub fn read(
        &self,
        max_bytes: u32,
        max_handles: u32,
        may_discard: bool,
    ) -> Result<Message, (ReadError, Option<Message>)> {
        let mut st = self.shared.state.lock();
        let peer_closed = st.sides[self.peer()].closed;
        let side = &mut st.sides[self.side];
        let Some(front) = side.queue.front() else {
            return Err((
                if peer_closed {
                    ReadError::PeerClosed
                } else {
                    ReadError::ShouldWait
                },
                None,
            ));
        };
        let (nb, nh) = (front.bytes().len() as u32, front.num_handles() as u32);
        if nb > max_bytes || nh > max_handles {
            let discarded = if may_discard {
                side.queue.pop_front()
            } else {
                None
            };
            if let Some(m) = &discarded {
                m.unlink();
            }
            let now_empty = side.queue.is_empty();
            let was_full = discarded.is_some() && side.queue.len() + 1 == CHANNEL_MAX_PENDING;
            if discarded.is_some() {
                self.after_pop(&st, now_empty, was_full);
            }
            drop(st);
            return Err((
                ReadError::TooSmall {
                    bytes: nb,
                    handles: nh,
                },
                discarded,
            ));
        }
        let msg = self.take_front(&mut st);
        drop(st);
        msg.ok_or((ReadError::ShouldWait, None))
    }

    /// Pops the next message of this side and updates the signals (with the lock held).
    #[inline(always)]
    fn take_front(&self, st: &mut ChannelState) -> Option<Message> {
        let side = &mut st.sides[self.side];
        let msg = side.queue.pop_front()?;
        msg.unlink();
        let now_empty = side.queue.is_empty();
        let was_full = side.queue.len() + 1 == CHANNEL_MAX_PENDING;
        self.after_pop(st, now_empty, was_full);
        Some(msg)
    }

    /// Signal changes after a message left this side's queue (called with the lock held).
    fn after_pop(&self, st: &ChannelState, now_empty: bool, was_full: bool) {
        if now_empty {
            self.header()
                .update_signals(Signals::CHANNEL_READABLE, Signals::NONE);
        }
        // The peer may write again, unless this side is closed (then it stays PEER_CLOSED).
        if was_full && !st.sides[self.side].closed {
            self.peer_header()
                .update_signals(Signals::NONE, Signals::CHANNEL_WRITABLE);
        }
    }

    /// Puts back, at the front, a message whose copy-out to the reader failed.
    pub fn unread(&self, msg: Message) {
        // Putting back endpoints is a transfer too: while the message was out, a write may have
        // made this side reachable from them; then the message is dropped, not made a cycle.
        let carries = msg.carries_channels();
        let _serial = if carries {
            match self.walk_up_and_claim(self.side, &Carried::of(&msg)) {
                Some(g) => Some(g),
                None => {
                    drop(msg);
                    return;
                }
            }
        } else {
            None
        };
        let mut st = self.shared.state.lock();
        let side = &mut st.sides[self.side];
        // Usually the slot the message came from is still free; a concurrent write may have
        // taken it, and if no memory is left for another the message is dropped (closing its
        // handles) rather than lost half-way.
        if side.closed || side.queue.try_reserve(1).is_err() {
            drop(st);
            drop(msg);
            return;
        }
        msg.link_into(&self.shared, self.side);
        side.queue.push_front(msg);
        let len = side.queue.len();
        // Under the lock, like every other signal change of a channel.
        self.header()
            .update_signals(Signals::NONE, Signals::CHANNEL_READABLE);
        if len >= CHANNEL_MAX_PENDING {
            self.peer_header()
                .update_signals(Signals::CHANNEL_WRITABLE, Signals::NONE);
        }
        drop(st);
    }

    /// Registers a call waiting on this endpoint for the reply with `txid` (the kernel does
    /// this with the request, [`call_write`](Self::call_write); tests register one alone).
    #[cfg(test)]
    pub fn call_begin(&self, txid: u32, waker: Arc<dyn Wake>) -> Result<(), Status> {
        let mut st = self.shared.state.lock();
        let side = &mut st.sides[self.side];
        side.calls.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        side.calls.push(PendingCall {
            txid,
            waker,
            reply: None,
        });
        Ok(())
    }

    /// Checks on a call: its reply (which ends the call), or why there is none.
    pub fn call_poll(&self, txid: u32) -> CallPoll {
        let mut st = self.shared.state.lock();
        let peer_closed = st.sides[self.peer()].closed;
        let side = &mut st.sides[self.side];
        let Some(i) = side.calls.iter().position(|c| c.txid == txid) else {
            return CallPoll::Cancelled;
        };
        if side.calls[i].reply.is_some() {
            let c = side.calls.swap_remove(i);
            if let Some(m) = &c.reply {
                m.unlink();
            }
            return c.reply.map_or(CallPoll::Pending, CallPoll::Reply);
        }
        if side.closed {
            side.calls.swap_remove(i);
            CallPoll::Cancelled
        } else if peer_closed {
            side.calls.swap_remove(i);
            CallPoll::PeerClosed
        } else {
            CallPoll::Pending
        }
    }

    /// Ends a call that gave up (deadline): any reply that raced in is returned to be dropped.
    pub fn call_end(&self, txid: u32) -> Option<Message> {
        let mut st = self.shared.state.lock();
        let side = &mut st.sides[self.side];
        let i = side.calls.iter().position(|c| c.txid == txid)?;
        let reply = side.calls.swap_remove(i).reply;
        if let Some(m) = &reply {
            m.unlink();
        }
        reply
    }

    /// Number of unread messages on this side.
    pub fn queued(&self) -> usize {
        self.shared.state.lock().sides[self.side].queue.len()
    }

    /// Teardown: the next message queued to this (closed) side.
    pub(super) fn take_dead_message(&self) -> Option<Message> {
        let mut st = self.shared.state.lock();
        let side = &mut st.sides[self.side];
        // Replies parked for calls on this side are torn down too.
        let m = side
            .queue
            .pop_front()
            .or_else(|| side.calls.iter_mut().find_map(|c| c.reply.take()));
        if let Some(m) = &m {
            m.unlink();
        }
        m
    }
}

impl KernelObject for Endpoint {
    fn header(&self) -> &ObjHeader {
        &self.shared.headers[self.side]
    }
    fn obj_type(&self) -> ObjType {
        ObjType::CHANNEL
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_endpoint(&self) -> Option<&Endpoint> {
        Some(self)
    }
    fn related_koid(&self) -> Koid {
        self.peer_header().koid()
    }
    fn signal_peer(&self, clear: Signals, set: Signals) -> Result<(), Status> {
        if self.shared.state.lock().sides[self.peer()].closed {
            return Err(Status::PEER_CLOSED);
        }
        self.peer_header().update_signals(clear, set);
        Ok(())
    }
    fn on_zero_handles(self: Arc<Self>) {
        {
            let mut st = self.shared.state.lock();
            st.sides[self.side].closed = true;
            // Under the lock, so no read on the peer can set WRITABLE again after this.
            self.peer_header()
                .update_signals(Signals::CHANNEL_WRITABLE, Signals::CHANNEL_PEER_CLOSED);
            // Calls waiting on either side re-poll: the peer's end with PEER_CLOSED, ours are
            // cancelled (lock order channel -> scheduler allows waking here).
            for side in &st.sides {
                for c in &side.calls {
                    c.waker.wake();
                }
            }
        }
        reaper::bury(self);
    }
}

#[cfg(test)]
mod tests;

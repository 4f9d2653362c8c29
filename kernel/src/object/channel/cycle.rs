//! The cycle check: a message may not put an endpoint behind itself (in its own queue, or in the
//! queue of an endpoint it holds, at any depth). Such a cycle would keep every endpoint in it
//! alive after the last process handle is gone. The check looks down from the carried endpoints
//! for a bounded number of handles under `TRANSFER`, and otherwise walks up from the destination
//! through the container links, without a lock and preemptibly, validated by `LINK_GEN`.

use super::{ChannelShared, Endpoint, Message};
use crate::object::Handle;
use crate::object::Wake;
use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use spin::Mutex;
use zx_abi::{Status, CHANNEL_MAX_MSG_HANDLES};

/// Serialises the enqueue of messages that carry channel endpoints with the validation of their
/// cycle check, so two concurrent writes cannot each pass the check and together close a
/// cycle. It is held for a moment, never across the check's walk. Lock order: taken before any
/// channel-state lock.
pub(super) static TRANSFER: Mutex<()> = Mutex::new(());

/// Bumped (under `TRANSFER`) whenever a message carrying endpoints is queued or parked: a cycle
/// check that walked without the lock is valid only if no link was added meanwhile.
static LINK_GEN: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// Steps of the cycle check's walk between preemption points.
const WALK_STEP: usize = 256;

/// Carried handles the cycle check looks at below the carried endpoints (under `TRANSFER`)
/// before it walks up from the destination instead.
const DOWN_BUDGET: usize = 1024;

/// Endpoints waiting to be looked into during the downward check.
const DOWN_STACK: usize = 64;

impl Endpoint {
    /// [`write`](Self::write), refusing with `NOT_SUPPORTED` a message that would make a cycle:
    /// an endpoint queued inside its own queue, directly or through the queues of endpoints it
    /// holds. Such a cycle keeps every endpoint in it alive after the last process handle is
    /// closed, and the kernel could never free it (Zircon leaks it; docs/abi.md section 6).
    ///
    /// A cycle would close if the destination is held, through a chain of queues, by one of the
    /// carried endpoints: it is in one of their subtrees, or one of them is among its
    /// containers. The check looks down first, for at most [`DOWN_BUDGET`] handles, under
    /// `TRANSFER` (building a nest at its bottom carries fresh endpoints: nothing below them).
    /// If that is not enough it walks up from the destination instead, without a lock and
    /// preemptibly (its cost is the destination's depth, paid by the caller); the walk counts
    /// only if no endpoint was queued anywhere meanwhile, which the enqueue verifies under
    /// `TRANSFER`, else it walks again. Links that a concurrent read removes only remove cycles.
    pub fn write_checked(&self, msg: Message) -> Result<(), (Status, Message)> {
        self.write_checked_as(msg, None).map(|_| ())
    }

    /// [`write_checked`](Self::write_checked) for a `zx_channel_call`'s request: the call (its
    /// txid and waker) is registered on this endpoint as the request is sent, under the same
    /// lock, and only if it is sent. `Ok(false)`: sent, but this endpoint has lost its last
    /// handle, so the call is cancelled (see `write_as`).
    pub fn call_write(
        &self,
        msg: Message,
        txid: u32,
        waker: Arc<dyn Wake>,
    ) -> Result<bool, (Status, Message)> {
        self.write_checked_as(msg, Some((txid, waker)))
    }

    fn write_checked_as(
        &self,
        msg: Message,
        call: Option<(u32, Arc<dyn Wake>)>,
    ) -> Result<bool, (Status, Message)> {
        if !msg.carries_channels() {
            return self.write_as(msg, call);
        }
        {
            let _serial = TRANSFER.lock();
            match self.reaches_down(self.peer(), &msg) {
                Some(true) => return Err((Status::NOT_SUPPORTED, msg)),
                Some(false) => {
                    LINK_GEN.fetch_add(1, Ordering::Release);
                    return self.write_as(msg, call);
                }
                None => {}
            }
        }
        match self.walk_up_and_claim(self.peer(), &Carried::of(&msg)) {
            Some(_serial) => self.write_as(msg, call),
            None => Err((Status::NOT_SUPPORTED, msg)),
        }
    }

    /// The check's slow half: walks up from side `dest_side` without a lock until a walk
    /// finds no carried endpoint while no link was added anywhere (else walks again). Returns
    /// `TRANSFER`, held, with the link generation bumped for the enqueue the caller makes under
    /// it; `None` if the enqueue would close a cycle.
    pub(super) fn walk_up_and_claim(
        &self,
        dest_side: usize,
        carried: &Carried,
    ) -> Option<spin::MutexGuard<'static, ()>> {
        loop {
            let seen = LINK_GEN.load(Ordering::Acquire);
            if self.reaches(dest_side, carried) {
                return None;
            }
            let g = TRANSFER.lock();
            if LINK_GEN.load(Ordering::Acquire) == seen {
                LINK_GEN.fetch_add(1, Ordering::Release);
                return Some(g);
            }
        }
    }

    /// Is side `dest_side` of this channel among the endpoints `msg` carries or below them (in
    /// their queues, and their queues' endpoints' queues...)? `None` if that takes more than
    /// [`DOWN_BUDGET`] handles to find out. Called under `TRANSFER`; locks one channel at a time.
    fn reaches_down(&self, dest_side: usize, msg: &Message) -> Option<bool> {
        let dest = Carried::key(&self.shared, dest_side);
        let mut stack: [Option<Arc<ChannelShared>>; DOWN_STACK] = [const { None }; DOWN_STACK];
        let mut sides = [0usize; DOWN_STACK];
        let mut n = 0;
        let mut budget = DOWN_BUDGET;
        let mut push = |h: &Handle,
                        n: &mut usize,
                        stack: &mut [Option<Arc<ChannelShared>>],
                        sides: &mut [usize]|
         -> Option<bool> {
            budget = budget.checked_sub(1)?;
            if let Some(e) = h.object().as_endpoint() {
                if Carried::key(&e.shared, e.side) == dest {
                    return Some(true);
                }
                if *n == DOWN_STACK {
                    return None;
                }
                stack[*n] = Some(e.shared.clone());
                sides[*n] = e.side;
                *n += 1;
            }
            Some(false)
        };
        for h in msg.handles() {
            if push(h, &mut n, &mut stack, &mut sides)? {
                return Some(true);
            }
        }
        while n > 0 {
            n -= 1;
            let shared = stack[n].take()?;
            let st = shared.state.lock();
            let side = &st.sides[sides[n]];
            let parked = side.calls.iter().filter_map(|c| c.reply.as_ref());
            for m in side.queue.iter().chain(parked) {
                for h in m.handles() {
                    if push(h, &mut n, &mut stack, &mut sides)? {
                        return Some(true);
                    }
                }
            }
        }
        Some(false)
    }

    /// Is side `dest_side` of this channel one of `carried`, or held (through a chain of
    /// containers) by one of them? Walks up from the destination, container by container.
    fn reaches(&self, dest_side: usize, carried: &Carried) -> bool {
        if carried.contains(&self.shared, dest_side) {
            return true;
        }
        let mut up = self.shared.links[dest_side].lock().clone();
        let mut steps = 0;
        while let Some((weak, side)) = up {
            let Some(shared) = weak.upgrade() else {
                return false;
            };
            if carried.contains(&shared, side) {
                return true;
            }
            up = shared.links[side].lock().clone();
            steps += 1;
            if steps % WALK_STEP == 0 {
                drop(shared);
                crate::object::preempt_point();
            }
        }
        false
    }
}

/// The sides a message carries, sorted, for the cycle check's membership test.
pub(super) struct Carried {
    keys: [usize; CHANNEL_MAX_MSG_HANDLES as usize],
    n: usize,
}

impl Carried {
    fn key(shared: &Arc<ChannelShared>, side: usize) -> usize {
        // `ChannelShared` is at least 8-aligned: the low bit is free for the side.
        Arc::as_ptr(shared) as usize | side
    }

    pub(super) fn of(msg: &Message) -> Carried {
        let mut c = Carried {
            keys: [0; CHANNEL_MAX_MSG_HANDLES as usize],
            n: 0,
        };
        for h in msg.handles() {
            if let Some(e) = h.object().as_endpoint() {
                if c.n < c.keys.len() {
                    c.keys[c.n] = Self::key(&e.shared, e.side);
                    c.n += 1;
                }
            }
        }
        c.keys[..c.n].sort_unstable();
        c
    }

    fn contains(&self, shared: &Arc<ChannelShared>, side: usize) -> bool {
        self.keys[..self.n]
            .binary_search(&Self::key(shared, side))
            .is_ok()
    }
}

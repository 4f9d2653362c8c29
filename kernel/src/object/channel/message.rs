//! A message in flight: its bytes, the handles it carries, and what its writer's account pays
//! for it until it is gone.
//!
//! A message is one pointer to a block from the per-core pool (`mm::pool`): queues, parked
//! replies and `Result`s move eight bytes, never the message. Up to [`INLINE_BYTES`] of payload
//! live inside the block, so a small message costs no heap allocation at all once the pool is
//! warm, and a recycled block's buffer is not zeroed again (the writer's bytes overwrite it).
//! Larger payloads get a buffer of their own (from whole frames from 16 KiB up, `mm::heap`).
//! A block that carried up to [`HANDLES_KEPT`] handles keeps its handle array and waits in a
//! pool of its own, so the next message with a few handles allocates nothing either.

use super::ChannelShared;
use crate::mm::pool::{Pool, Poolable, Pooled};
use crate::object::quota::Charge;
use crate::object::{stats, Handle};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use zx_abi::{ObjType, Status};

/// Payload bytes kept inside the message's own block (which is then 256 bytes).
pub const INLINE_BYTES: usize = 184;

/// Handle slots of the array a block keeps between messages: a message with 1 to this many
/// handles gets an array of exactly this size (and is charged for it).
pub const HANDLES_KEPT: usize = 4;

/// The block behind a [`Message`].
pub struct Body {
    /// Payload length when it is inline.
    len: u32,
    /// What this message added to `stats::IPC_BYTES` (taken back when it is dropped).
    counted: u32,
    /// The handles it carries: it owns them (they are in no process's table).
    handles: Vec<Handle>,
    /// The payload when it is larger than [`INLINE_BYTES`] (empty, unallocated, otherwise).
    large: Vec<u8>,
    /// What the writer's account pays for this message while it exists.
    charge: Charge,
    inline: [u8; INLINE_BYTES],
}

/// Blocks with no handle array.
static POOL: Pool<Body> = Pool::new();
/// Blocks that keep an array of [`HANDLES_KEPT`] handle slots.
static HANDLE_POOL: Pool<Body> = Pool::keeping(HANDLES_KEPT * core::mem::size_of::<Handle>());

// One block is 256 bytes: the heap's size class, with nothing wasted.
const _: () = assert!(core::mem::size_of::<Body>() == 256);

/// Heap bytes held by message blocks waiting in the per-core pools, with the handle arrays they
/// keep (not counted as in use in `heap_used_bytes`).
pub fn pooled_bytes() -> u64 {
    POOL.cached_bytes() + HANDLE_POOL.cached_bytes()
}

impl Poolable for Body {
    fn fresh() -> Body {
        Body {
            len: 0,
            counted: 0,
            handles: Vec::new(),
            large: Vec::new(),
            charge: Charge::none(),
            inline: [0; INLINE_BYTES],
        }
    }
    fn recycle(&mut self) -> &'static Pool<Body> {
        self.len = 0;
        self.counted = 0;
        self.large = Vec::new();
        self.charge = Charge::none();
        // The handles were closed (`Message::drop`). Nothing but the block, and a handle array
        // of exactly `HANDLES_KEPT` slots, waits in a pool (`pooled_bytes` counts exactly that
        // much; `heap_used_bytes` counts the rest as in use).
        if self.handles.capacity() == HANDLES_KEPT {
            self.handles.clear();
            &HANDLE_POOL
        } else {
            self.handles = Vec::new();
            &POOL
        }
    }
}

/// A message in flight (one pointer; see the module doc).
pub struct Message(Pooled<Body>);

/// Where the next bytes of a message being built go (see [`Message::sink`]).
pub enum Sink<'a> {
    /// Inside the block: exactly the bytes to fill.
    Inline(&'a mut [u8]),
    /// A buffer of its own, with room reserved: append to it.
    Large(&'a mut Vec<u8>),
}

impl Message {
    /// An empty message with room for `bytes` payload bytes and `handles` handles (an array of
    /// [`HANDLES_KEPT`] slots for fewer). `NO_MEMORY` if the kernel has none.
    #[inline(always)]
    pub fn with_capacity(bytes: usize, handles: usize) -> Result<Message, Status> {
        if handles == 0 {
            // Folds away for the fast write's constant 0.
            return Self::from_pool(&POOL, bytes);
        }
        Self::with_handles(bytes, handles)
    }

    #[inline(never)]
    fn with_handles(bytes: usize, handles: usize) -> Result<Message, Status> {
        let few = handles <= HANDLES_KEPT;
        let mut m = Self::from_pool(if few { &HANDLE_POOL } else { &POOL }, bytes)?;
        let slots = if few { HANDLES_KEPT } else { handles };
        let a = &mut m.0.handles;
        if a.capacity() < slots {
            // Dropping `m` on failure gives its block back.
            a.try_reserve_exact(slots).map_err(|_| Status::NO_MEMORY)?;
        }
        Ok(m)
    }

    /// A block from `pool` (or the heap) with room for `bytes` payload bytes.
    fn from_pool(pool: &'static Pool<Body>, bytes: usize) -> Result<Message, Status> {
        let mut b = Pooled::<Body>::try_new_in(pool).ok_or(Status::NO_MEMORY)?;
        if bytes > INLINE_BYTES {
            b.large
                .try_reserve_exact(bytes)
                .map_err(|_| Status::NO_MEMORY)?;
        }
        stats::LIVE_MESSAGES.fetch_add(1, Ordering::Relaxed);
        Ok(Message(b))
    }

    /// Builds a message from its parts (the kernel's own messages); `NO_MEMORY` if the kernel
    /// has none (the handles are then dropped).
    pub fn try_new(bytes: &[u8], handles: Vec<Handle>) -> Result<Message, Status> {
        let mut m = Message::with_capacity(bytes.len(), handles.len())?;
        match m.sink(bytes.len()) {
            Sink::Inline(s) => s.copy_from_slice(bytes),
            Sink::Large(v) => v.extend_from_slice(bytes),
        }
        m.filled(bytes.len());
        // Into the array reserved above (no allocation: it has room for them all).
        let mut array = m.take_handle_array();
        array.extend(handles);
        m.set_handles(array);
        Ok(m)
    }

    /// [`Message::try_new`] for tests, where memory does not run out.
    #[cfg(test)]
    pub fn new(bytes: Vec<u8>, handles: Vec<Handle>) -> Message {
        Message::try_new(&bytes, handles).expect("memory for a test message")
    }

    /// Where the next `n` payload bytes go; call [`Message::filled`] once they are there.
    pub fn sink(&mut self, n: usize) -> Sink<'_> {
        let b = &mut *self.0;
        if b.large.capacity() != 0 {
            Sink::Large(&mut b.large)
        } else {
            let at = b.len as usize;
            Sink::Inline(&mut b.inline[at..at + n])
        }
    }

    /// `n` more payload bytes were written through [`Message::sink`].
    pub fn filled(&mut self, n: usize) {
        if self.0.large.capacity() == 0 {
            self.0.len += n as u32;
        }
    }

    /// The message's own (empty) handle array, with the room [`with_capacity`](Self::with_capacity)
    /// reserved: a write fills it and gives it back with [`set_handles`](Self::set_handles).
    pub fn take_handle_array(&mut self) -> Vec<Handle> {
        core::mem::take(&mut self.0.handles)
    }

    /// Gives the message its handles (the last step of building it) and counts it in the kernel
    /// stats.
    pub fn set_handles(&mut self, handles: Vec<Handle>) {
        self.0.handles = handles;
        let f = self.footprint();
        stats::IPC_BYTES.fetch_add(u64::from(f - self.0.counted), Ordering::Relaxed);
        self.0.counted = f;
    }

    /// [`set_handles`](Self::set_handles) for a message that carries none (the fast write):
    /// counts it in the kernel stats.
    pub fn seal(&mut self) {
        debug_assert!(self.0.handles.is_empty());
        let f = self.bytes().len() as u32;
        stats::IPC_BYTES.fetch_add(u64::from(f - self.0.counted), Ordering::Relaxed);
        self.0.counted = f;
    }

    /// What a message of `bytes` bytes and `handles` handles costs its writer's account: its
    /// block, a buffer of its own if the bytes do not fit the block, and its handle array (at
    /// least [`HANDLES_KEPT`] slots when it has one). Known before anything is allocated, so a
    /// write can be refused first.
    pub fn cost(bytes: usize, handles: usize) -> usize {
        let own = if bytes > INLINE_BYTES { bytes } else { 0 };
        let slots = if handles == 0 {
            0
        } else {
            handles.max(HANDLES_KEPT)
        };
        core::mem::size_of::<Body>() + own + slots * core::mem::size_of::<Handle>()
    }

    /// Attaches a charge taken before the message was built; it is given back when the message
    /// is dropped, wherever it is then.
    pub fn set_charge(&mut self, charge: Charge) {
        self.0.charge = charge;
    }

    /// Bytes charged for this message (0 if uncharged).
    #[cfg(test)]
    pub fn charged(&self) -> usize {
        self.0.charge.bytes()
    }

    /// Payload bytes plus handles, as `stats::IPC_BYTES` counts them.
    fn footprint(&self) -> u32 {
        (self.bytes().len() + self.0.handles.len() * core::mem::size_of::<Handle>()) as u32
    }

    /// The payload.
    pub fn bytes(&self) -> &[u8] {
        let b = &*self.0;
        if b.large.capacity() != 0 {
            &b.large
        } else {
            &b.inline[..b.len as usize]
        }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        let b = &mut *self.0;
        if b.large.capacity() != 0 {
            &mut b.large
        } else {
            &mut b.inline[..b.len as usize]
        }
    }

    /// How many handles it carries.
    pub fn num_handles(&self) -> usize {
        self.0.handles.len()
    }

    pub(super) fn handles(&self) -> &[Handle] {
        &self.0.handles
    }

    /// The handles, in order, leaving the message with none (the reader installs them); the
    /// array stays with the message's block for the next message.
    pub fn drain_handles(&mut self) -> alloc::vec::Drain<'_, Handle> {
        let f = self.bytes().len() as u32;
        stats::IPC_BYTES.fetch_sub(u64::from(self.0.counted - f), Ordering::Relaxed);
        self.0.counted = f;
        self.0.handles.drain(..)
    }

    /// Overwrites the first four bytes with a call's transaction id (the caller checked there
    /// are at least four).
    pub fn set_txid(&mut self, txid: u32) {
        if let Some(b) = self.bytes_mut().get_mut(..4) {
            b.copy_from_slice(&txid.to_le_bytes());
        }
    }

    /// Records, for every channel endpoint this message carries, that it is now held by side
    /// `side` of `container` (the message was queued or parked there).
    #[inline]
    pub(super) fn link_into(&self, container: &Arc<ChannelShared>, side: usize) {
        if self.0.handles.is_empty() {
            return;
        }
        self.link_each(container, side);
    }

    #[inline(never)]
    fn link_each(&self, container: &Arc<ChannelShared>, side: usize) {
        for h in &self.0.handles {
            if let Some(e) = h.object().as_endpoint() {
                *e.shared.links[e.side].lock() = Some((Arc::downgrade(container), side));
            }
        }
    }

    /// The message left the queue or parking slot that held it: its endpoints are held by no
    /// side any more.
    #[inline]
    pub(super) fn unlink(&self) {
        if self.0.handles.is_empty() {
            return;
        }
        self.unlink_each();
    }

    #[inline(never)]
    fn unlink_each(&self) {
        for h in &self.0.handles {
            if let Some(e) = h.object().as_endpoint() {
                *e.shared.links[e.side].lock() = None;
            }
        }
    }

    pub(super) fn carries_channels(&self) -> bool {
        self.0
            .handles
            .iter()
            .any(|h| h.object().obj_type() == ObjType::CHANNEL)
    }

    /// The transaction id of a call message or reply (its first four bytes).
    pub fn txid(&self) -> Option<u32> {
        let b = self.bytes().get(..4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        stats::LIVE_MESSAGES.fetch_sub(1, Ordering::Relaxed);
        stats::IPC_BYTES.fetch_sub(u64::from(self.0.counted), Ordering::Relaxed);
        // Close carried handles one at a time (the reaper keeps nested teardown iterative); the
        // block then goes back to this core's pool (`Body::recycle`).
        while let Some(h) = self.0.handles.pop() {
            drop(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_a_few_handles_gets_an_array_of_exactly_handles_kept_slots() {
        let slot = core::mem::size_of::<Handle>();
        for n in 1..=HANDLES_KEPT {
            let mut m = Message::with_capacity(8, n).unwrap();
            assert_eq!(
                m.take_handle_array().capacity(),
                HANDLES_KEPT,
                "{} handles",
                n
            );
            // Charged for the array it has, so a block that keeps one is paid for.
            assert_eq!(Message::cost(8, n), 256 + HANDLES_KEPT * slot);
        }
        let mut m = Message::with_capacity(8, HANDLES_KEPT + 1).unwrap();
        assert_eq!(m.take_handle_array().capacity(), HANDLES_KEPT + 1);
        assert_eq!(
            Message::cost(8, HANDLES_KEPT + 1),
            256 + (HANDLES_KEPT + 1) * slot
        );
        let mut m = Message::with_capacity(8, 0).unwrap();
        assert_eq!(m.take_handle_array().capacity(), 0);
        assert_eq!(Message::cost(8, 0), 256);
    }

    #[test]
    fn a_recycled_block_keeps_only_an_array_of_handles_kept_slots_and_says_where_it_goes() {
        let mut b = Body::fresh();
        b.handles.try_reserve_exact(HANDLES_KEPT).unwrap();
        b.large.try_reserve_exact(INLINE_BYTES + 1).unwrap();
        b.len = 9;
        assert!(core::ptr::eq(b.recycle(), &HANDLE_POOL));
        assert_eq!(b.handles.capacity(), HANDLES_KEPT);
        assert_eq!((b.large.capacity(), b.len), (0, 0));
        for cap in [1, HANDLES_KEPT - 1, HANDLES_KEPT + 1] {
            b.handles = Vec::new();
            b.handles.try_reserve_exact(cap).unwrap();
            assert!(core::ptr::eq(b.recycle(), &POOL), "{} slots", cap);
            assert_eq!(b.handles.capacity(), 0);
        }
    }
}

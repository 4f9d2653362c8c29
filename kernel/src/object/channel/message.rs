//! A message in flight: its bytes, the handles it carries, and what its writer's account pays
//! for it until it is gone.

use super::ChannelShared;
use crate::object::quota::Charge;
use crate::object::{stats, Handle};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use zx_abi::ObjType;

/// A message in flight: it owns its handles (they are in no process's table).
pub struct Message {
    pub(super) bytes: Vec<u8>,
    pub(super) handles: Vec<Handle>,
    /// What the writer's account pays for this message while it exists.
    charge: Charge,
}

impl Message {
    /// Builds a message, accounting its memory in the kernel stats.
    pub fn new(bytes: Vec<u8>, handles: Vec<Handle>) -> Message {
        stats::LIVE_MESSAGES.fetch_add(1, Ordering::Relaxed);
        let m = Message {
            bytes,
            handles,
            charge: Charge::none(),
        };
        stats::IPC_BYTES.fetch_add(m.footprint(), Ordering::Relaxed);
        m
    }

    /// What a message of `bytes` bytes and `handles` handles costs its writer's account: its
    /// bytes, its handle slots and the message itself. Known before anything is allocated, so a
    /// write can be refused first.
    pub fn cost(bytes: usize, handles: usize) -> usize {
        core::mem::size_of::<Message>() + bytes + handles * core::mem::size_of::<Handle>()
    }

    /// Attaches a charge taken before the message was built; it is given back when the message
    /// is dropped, wherever it is then.
    pub fn set_charge(&mut self, charge: Charge) {
        self.charge = charge;
    }

    /// Bytes charged for this message (0 if uncharged).
    #[cfg(test)]
    pub fn charged(&self) -> usize {
        self.charge.bytes()
    }

    fn footprint(&self) -> u64 {
        (self.bytes.capacity() + self.handles.capacity() * core::mem::size_of::<Handle>()) as u64
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn num_handles(&self) -> usize {
        self.handles.len()
    }

    /// The handles, leaving the message with none (the reader installs them).
    pub fn take_handles(&mut self) -> Vec<Handle> {
        let before = self.footprint();
        let h = core::mem::take(&mut self.handles);
        stats::IPC_BYTES.fetch_sub(before - self.footprint(), Ordering::Relaxed);
        h
    }

    /// Overwrites the first four bytes with a call's transaction id (the caller checked there
    /// are at least four).
    pub fn set_txid(&mut self, txid: u32) {
        if let Some(b) = self.bytes.get_mut(..4) {
            b.copy_from_slice(&txid.to_le_bytes());
        }
    }

    /// Records, for every channel endpoint this message carries, that it is now held by side
    /// `side` of `container` (the message was queued or parked there).
    #[inline]
    pub(super) fn link_into(&self, container: &Arc<ChannelShared>, side: usize) {
        if self.handles.is_empty() {
            return;
        }
        self.link_each(container, side);
    }

    #[inline(never)]
    fn link_each(&self, container: &Arc<ChannelShared>, side: usize) {
        for h in &self.handles {
            if let Some(e) = h.object().as_endpoint() {
                *e.shared.links[e.side].lock() = Some((Arc::downgrade(container), side));
            }
        }
    }

    /// The message left the queue or parking slot that held it: its endpoints are held by no
    /// side any more.
    #[inline]
    pub(super) fn unlink(&self) {
        if self.handles.is_empty() {
            return;
        }
        self.unlink_each();
    }

    #[inline(never)]
    fn unlink_each(&self) {
        for h in &self.handles {
            if let Some(e) = h.object().as_endpoint() {
                *e.shared.links[e.side].lock() = None;
            }
        }
    }

    pub(super) fn carries_channels(&self) -> bool {
        self.handles
            .iter()
            .any(|h| h.object().obj_type() == ObjType::CHANNEL)
    }

    /// The transaction id of a call message or reply (its first four bytes).
    pub fn txid(&self) -> Option<u32> {
        let b = self.bytes.get(..4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        stats::LIVE_MESSAGES.fetch_sub(1, Ordering::Relaxed);
        stats::IPC_BYTES.fetch_sub(self.footprint(), Ordering::Relaxed);
        // Close carried handles one at a time (the reaper keeps nested teardown iterative).
        while let Some(h) = self.handles.pop() {
            drop(h);
        }
    }
}

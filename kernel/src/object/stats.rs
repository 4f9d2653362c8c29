//! Counters behind `ZX_INFO_KERNEL_STATS`: live handles, objects and queued messages.

use core::sync::atomic::AtomicU64;

/// [`Handle`](super::Handle)s that exist, wherever they are: process tables, messages, or a
/// syscall in progress.
pub static LIVE_HANDLES: AtomicU64 = AtomicU64::new(0);
/// Kernel objects that exist (one per [`ObjHeader`](super::ObjHeader); a pair counts two).
pub static LIVE_OBJECTS: AtomicU64 = AtomicU64::new(0);
/// Messages that exist: queued, parked as a call's reply, or being written or read.
pub static LIVE_MESSAGES: AtomicU64 = AtomicU64::new(0);
/// Bytes queued messages carry: their payloads and their handles (32 bytes each), counted by
/// what a message holds, not by the room reserved for it.
pub static IPC_BYTES: AtomicU64 = AtomicU64::new(0);

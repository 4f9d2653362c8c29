//! Counters behind `ZX_INFO_KERNEL_STATS`: live handles, objects and queued messages.

use core::sync::atomic::AtomicU64;

pub static LIVE_HANDLES: AtomicU64 = AtomicU64::new(0);
pub static LIVE_OBJECTS: AtomicU64 = AtomicU64::new(0);
pub static LIVE_MESSAGES: AtomicU64 = AtomicU64::new(0);
/// Bytes of kernel memory held by queued messages (byte buffers and handle arrays).
pub static IPC_BYTES: AtomicU64 = AtomicU64::new(0);

//! The user-kernel contract of the Zircon-compatible kernel: numbers, bit sets and record layouts.
//!
//! This crate is the single source of truth for everything `docs/abi.md` fixes
//! (sections 1-5): syscall numbers ([`nr`]), status codes ([`Status`]), rights ([`Rights`]),
//! object types ([`ObjType`]), signals ([`Signals`]), constants, and the `#[repr(C)]`
//! records that cross the user boundary, each with compile-time layout checks.
//!
//! The kernel never transmutes user memory into these records: it copies bytes and decodes
//! them with [`Pod::from_bytes`] (and encodes with [`Pod::to_bytes`]), which is plain
//! little-endian field-by-field code, so every byte pattern is a valid value.
//!
//! Handles, koids, times and options are plain integers (`u32`, `u64`, `i64`, `u32`), as in
//! the C ABI.

#![no_std]
// Library code never needs `unsafe`; only one host test reads raw struct memory to prove that
// `Pod::to_bytes` produces exactly the in-memory (C) representation.
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(test, deny(unsafe_code))]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod layout;
pub mod meta;
pub mod nr;
pub mod obj_type;
pub mod pod;
pub mod rights;
pub mod signals;
pub mod status;

#[cfg(test)]
mod tests;

pub use layout::{
    ChannelCallArgs, ChannelIovec, HandleDisposition, HandleInfo, InfoCpuStats, InfoHandleBasic,
    InfoHandleCount, InfoKernelStats, InfoProcess, InfoProcessHandleStats, WaitItem,
};
pub use obj_type::ObjType;
pub use pod::{with_buf, Pod, MAX_POD_SIZE};
pub use rights::Rights;
pub use signals::Signals;
pub use status::Status;

// ---------------------------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------------------------

/// `ZX_HANDLE_INVALID`: the value that never names a handle.
pub const HANDLE_INVALID: u32 = 0;
/// `ZX_HANDLE_FIXED_BITS_MASK`: every valid handle value has these (the two low) bits set.
pub const HANDLE_FIXED_BITS_MASK: u32 = 0x3;

// ---------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------

/// `ZX_CHANNEL_MAX_MSG_BYTES`: largest message payload in bytes.
pub const CHANNEL_MAX_MSG_BYTES: u32 = 65536;
/// `ZX_CHANNEL_MAX_MSG_HANDLES`: most handles one message may carry.
pub const CHANNEL_MAX_MSG_HANDLES: u32 = 64;
/// `ZX_CHANNEL_MAX_MSG_IOVEC`: most `zx_channel_iovec_t` entries one write may use.
pub const CHANNEL_MAX_MSG_IOVEC: u32 = 8192;
/// `ZX_CHANNEL_READ_MAY_DISCARD`: drop a message that does not fit the read buffers.
pub const CHANNEL_READ_MAY_DISCARD: u32 = 1;
/// `ZX_CHANNEL_WRITE_USE_IOVEC`: `bytes` points at an array of [`ChannelIovec`].
pub const CHANNEL_WRITE_USE_IOVEC: u32 = 2;
/// `ZX_HANDLE_OP_MOVE`: a [`HandleDisposition`] that moves its handle into the message.
pub const HANDLE_OP_MOVE: u32 = 0;
/// `ZX_HANDLE_OP_DUPLICATE`: a [`HandleDisposition`] that sends a duplicate of its handle.
pub const HANDLE_OP_DUPLICATE: u32 = 1;
/// `ZXK_CHANNEL_MAX_PENDING`: unread messages one endpoint holds before writes get
/// `ZX_ERR_SHOULD_WAIT` (project limit, docs/abi.md section 4).
pub const CHANNEL_MAX_PENDING: usize = 3500;
/// `ZX_WAIT_MANY_MAX_ITEMS`: most items one `zx_object_wait_many` takes (`ZX_ERR_OUT_OF_RANGE`
/// beyond).
pub const WAIT_MANY_MAX_ITEMS: usize = 64;
/// Transaction ids that `zx_channel_call` writes into bytes 0..3 are `>=` this value.
pub const CALL_TXID_MIN: u32 = 0x8000_0000;

// ---------------------------------------------------------------------------------------------
// Time and tasks
// ---------------------------------------------------------------------------------------------

/// `ZX_TIME_INFINITE`: a deadline that never passes (`zx_time_t` is i64 nanoseconds).
pub const TIME_INFINITE: i64 = i64::MAX;
/// `ZX_TASK_RETCODE_EXCEPTION_KILL`: return code of a process killed by an unhandled fault.
pub const TASK_RETCODE_EXCEPTION_KILL: i64 = -1028;

// ---------------------------------------------------------------------------------------------
// zx_object_get_info topics
// ---------------------------------------------------------------------------------------------

/// `ZX_INFO_HANDLE_VALID`: no buffer; `OK` or `BAD_HANDLE`.
pub const INFO_HANDLE_VALID: u32 = 1;
/// `ZX_INFO_HANDLE_BASIC`: one [`InfoHandleBasic`].
pub const INFO_HANDLE_BASIC: u32 = 2;
/// `ZX_INFO_PROCESS`: one [`InfoProcess`].
pub const INFO_PROCESS: u32 = 3;
/// `ZX_INFO_HANDLE_COUNT`: one [`InfoHandleCount`].
pub const INFO_HANDLE_COUNT: u32 = 19;
/// `ZX_INFO_PROCESS_HANDLE_STATS`: one [`InfoProcessHandleStats`].
pub const INFO_PROCESS_HANDLE_STATS: u32 = 21;
/// `ZX_INFO_KERNEL_STATS` (project topic, on the root resource): one [`InfoKernelStats`].
pub const INFO_KERNEL_STATS: u32 = 0x0F00_0001;
/// `ZX_INFO_CPU_STATS` (project topic, on the root resource): one [`InfoCpuStats`].
pub const INFO_CPU_STATS: u32 = 0x0F00_0002;
/// `ZX_INFO_CPU_STATS_RESET` (project topic, on the root resource): the same record as
/// [`INFO_CPU_STATS`], after which every CPU's longest masked stretch starts again from 0.
pub const INFO_CPU_STATS_RESET: u32 = 0x0F00_0003;

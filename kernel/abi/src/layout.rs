//! The `#[repr(C)]` records of docs/abi.md section 3, with compile-time layout checks.
//!
//! Pointers are stored as `u64` user addresses, handles as `u32`, so kernel and user agree on
//! every byte. Sizes and offsets are for LP64 little-endian (AArch64).

use crate::pod::impl_pod_struct;
use core::mem::{align_of, offset_of, size_of};

/// Asserts size, alignment and every field offset of a record at compile time.
macro_rules! assert_layout {
    ($ty:ty, size = $size:expr, align = $align:expr, { $($field:ident @ $off:expr),* $(,)? }) => {
        const _: () = assert!(size_of::<$ty>() == $size);
        const _: () = assert!(align_of::<$ty>() == $align);
        $( const _: () = assert!(offset_of!($ty, $field) == $off); )*
    };
}

/// `zx_channel_iovec_t`: one slice of a `ZX_CHANNEL_WRITE_USE_IOVEC` write (16 B).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct ChannelIovec {
    /// User address of the bytes (`const void*`); may be 0 only if `capacity` is 0.
    pub buffer: u64,
    /// Number of bytes.
    pub capacity: u32,
    /// Must be 0.
    pub reserved: u32,
}
assert_layout!(ChannelIovec, size = 16, align = 8, {
    buffer @ 0, capacity @ 8, reserved @ 12,
});
impl_pod_struct!(ChannelIovec {
    buffer: u64,
    capacity: u32,
    reserved: u32
});

/// `zx_handle_disposition_t`: one handle of a `zx_channel_write_etc` (20 B, align 4).
///
/// Field order is Zircon's header (`type` before `rights`), not the older man page.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct HandleDisposition {
    /// `ZX_HANDLE_OP_MOVE` or `ZX_HANDLE_OP_DUPLICATE`.
    pub operation: u32,
    /// The source handle.
    pub handle: u32,
    /// Expected object type, or `ZX_OBJ_TYPE_NONE` for no check (`type` in C).
    pub obj_type: u32,
    /// Rights of the sent handle, or `ZX_RIGHT_SAME_RIGHTS`.
    pub rights: u32,
    /// In: must be `ZX_OK`. Out: this entry's error, if it failed.
    pub result: i32,
}
assert_layout!(HandleDisposition, size = 20, align = 4, {
    operation @ 0, handle @ 4, obj_type @ 8, rights @ 12, result @ 16,
});
impl_pod_struct!(HandleDisposition {
    operation: u32,
    handle: u32,
    obj_type: u32,
    rights: u32,
    result: i32,
});

/// `zx_handle_info_t`: one handle received by `zx_channel_read_etc` (16 B).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct HandleInfo {
    /// The handle installed in the reader's table.
    pub handle: u32,
    /// Its object type (`type` in C).
    pub obj_type: u32,
    /// Its rights.
    pub rights: u32,
    /// Always 0.
    pub unused: u32,
}
assert_layout!(HandleInfo, size = 16, align = 4, {
    handle @ 0, obj_type @ 4, rights @ 8, unused @ 12,
});
impl_pod_struct!(HandleInfo {
    handle: u32,
    obj_type: u32,
    rights: u32,
    unused: u32
});

/// `zx_channel_call_args_t` and `zx_channel_call_etc_args_t` (same layout, 48 B).
///
/// For `zx_channel_call_etc`, `wr_handles` points at [`HandleDisposition`]s and `rd_handles`
/// at [`HandleInfo`]s; for `zx_channel_call`, both point at plain `u32` handles.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct ChannelCallArgs {
    /// User address of the request bytes.
    pub wr_bytes: u64,
    /// User address of the request handles (or dispositions).
    pub wr_handles: u64,
    /// User address of the reply byte buffer.
    pub rd_bytes: u64,
    /// User address of the reply handle buffer (or handle infos).
    pub rd_handles: u64,
    /// Request length in bytes (at least 4: the txid).
    pub wr_num_bytes: u32,
    /// Number of request handles.
    pub wr_num_handles: u32,
    /// Capacity of the reply byte buffer.
    pub rd_num_bytes: u32,
    /// Capacity of the reply handle buffer.
    pub rd_num_handles: u32,
}
assert_layout!(ChannelCallArgs, size = 48, align = 8, {
    wr_bytes @ 0, wr_handles @ 8, rd_bytes @ 16, rd_handles @ 24,
    wr_num_bytes @ 32, wr_num_handles @ 36, rd_num_bytes @ 40, rd_num_handles @ 44,
});
impl_pod_struct!(ChannelCallArgs {
    wr_bytes: u64,
    wr_handles: u64,
    rd_bytes: u64,
    rd_handles: u64,
    wr_num_bytes: u32,
    wr_num_handles: u32,
    rd_num_bytes: u32,
    rd_num_handles: u32,
});

/// `zx_wait_item_t`: one entry of `zx_object_wait_many` (12 B, align 4).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct WaitItem {
    /// The handle to wait on.
    pub handle: u32,
    /// Signals to wait for.
    pub waitfor: u32,
    /// Out: the signals observed.
    pub pending: u32,
}
assert_layout!(WaitItem, size = 12, align = 4, {
    handle @ 0, waitfor @ 4, pending @ 8,
});
impl_pod_struct!(WaitItem {
    handle: u32,
    waitfor: u32,
    pending: u32
});

/// `zx_info_handle_basic_t`, the `ZX_INFO_HANDLE_BASIC` record (32 B).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct InfoHandleBasic {
    /// The object's koid.
    pub koid: u64,
    /// The handle's rights.
    pub rights: u32,
    /// The object's type (`type` in C).
    pub obj_type: u32,
    /// Koid of the peer (channel, eventpair) or owner, else 0.
    pub related_koid: u64,
    /// 0.
    pub reserved: u32,
    /// Explicit tail padding (0).
    pub padding: [u8; 4],
}
assert_layout!(InfoHandleBasic, size = 32, align = 8, {
    koid @ 0, rights @ 8, obj_type @ 12, related_koid @ 16, reserved @ 24, padding @ 28,
});
impl_pod_struct!(InfoHandleBasic {
    koid: u64,
    rights: u32,
    obj_type: u32,
    related_koid: u64,
    reserved: u32,
    padding: [u8; 4],
});

/// `zx_info_process_t`, the `ZX_INFO_PROCESS` record (16 B). The C `bool`s are `u8` here
/// (0 or 1 when the kernel writes them), so any byte pattern decodes.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct InfoProcess {
    /// Return code; meaningful once `exited` is 1.
    pub return_code: i64,
    /// 1 once the process has started.
    pub started: u8,
    /// 1 once the process has ended.
    pub exited: u8,
    /// Always 0 here.
    pub debugger_attached: u8,
    /// Explicit tail padding (0).
    pub padding: [u8; 5],
}
assert_layout!(InfoProcess, size = 16, align = 8, {
    return_code @ 0, started @ 8, exited @ 9, debugger_attached @ 10, padding @ 11,
});
impl_pod_struct!(InfoProcess {
    return_code: i64,
    started: u8,
    exited: u8,
    debugger_attached: u8,
    padding: [u8; 5],
});

/// `zx_info_handle_count_t`, the `ZX_INFO_HANDLE_COUNT` record (4 B): every handle to the
/// object, including those inside queued messages.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct InfoHandleCount {
    /// Number of handles.
    pub handle_count: u32,
}
assert_layout!(InfoHandleCount, size = 4, align = 4, { handle_count @ 0 });
impl_pod_struct!(InfoHandleCount { handle_count: u32 });

/// `zx_info_process_handle_stats_t`, the `ZX_INFO_PROCESS_HANDLE_STATS` record (256 B).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
#[repr(C)]
pub struct InfoProcessHandleStats {
    /// Handles in the process, indexed by [`crate::ObjType`] value.
    pub handle_count: [u32; 64],
}
impl InfoProcessHandleStats {
    /// Number of `handle_count` slots (object type values `0..64`).
    pub const OBJ_TYPE_SLOTS: usize = 64;
}
impl Default for InfoProcessHandleStats {
    fn default() -> Self {
        Self {
            handle_count: [0; 64],
        }
    }
}
assert_layout!(InfoProcessHandleStats, size = 256, align = 4, { handle_count @ 0 });
impl_pod_struct!(InfoProcessHandleStats {
    handle_count: [u32; 64]
});

/// The project's `ZX_INFO_KERNEL_STATS` record (64 B), on the root resource.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct InfoKernelStats {
    /// Bytes of RAM the kernel manages.
    pub total_bytes: u64,
    /// Bytes of RAM not in use.
    pub free_bytes: u64,
    /// Bytes handed out by the kernel heap.
    pub heap_used_bytes: u64,
    /// Bytes held by queued channel messages.
    pub ipc_bytes: u64,
    /// Live handles, all processes and messages.
    pub live_handles: u64,
    /// Live kernel objects.
    pub live_objects: u64,
    /// Queued channel messages.
    pub live_messages: u64,
    /// 0.
    pub reserved: u64,
}
assert_layout!(InfoKernelStats, size = 64, align = 8, {
    total_bytes @ 0, free_bytes @ 8, heap_used_bytes @ 16, ipc_bytes @ 24,
    live_handles @ 32, live_objects @ 40, live_messages @ 48, reserved @ 56,
});
impl_pod_struct!(InfoKernelStats {
    total_bytes: u64,
    free_bytes: u64,
    heap_used_bytes: u64,
    ipc_bytes: u64,
    live_handles: u64,
    live_objects: u64,
    live_messages: u64,
    reserved: u64,
});

/// The project's `ZX_INFO_CPU_STATS` record (136 B), on the root resource: per-CPU run counts
/// and longest masked stretches.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[repr(C)]
pub struct InfoCpuStats {
    /// Number of CPUs online (entries of `per_cpu_switches` past it are 0).
    pub cpu_count: u32,
    /// Times a core found the scheduler's run-queue lock held by another core (saturating): the
    /// measure of whether one shared run queue is enough.
    pub sched_lock_waits: u32,
    /// Switches to a user thread performed on each CPU, indexed by CPU number.
    pub per_cpu_switches: [u64; 8],
    /// The longest stretch each CPU ran with interrupts masked (unable to take an interrupt or
    /// switch threads) since boot or the last `ZX_INFO_CPU_STATS_RESET`, in nanoseconds.
    pub per_cpu_longest_masked_ns: [u64; 8],
}
impl InfoCpuStats {
    /// Number of `per_cpu_switches` slots.
    pub const MAX_CPUS: usize = 8;
}
assert_layout!(InfoCpuStats, size = 136, align = 8, {
    cpu_count @ 0, sched_lock_waits @ 4, per_cpu_switches @ 8, per_cpu_longest_masked_ns @ 72,
});
impl_pod_struct!(InfoCpuStats {
    cpu_count: u32,
    sched_lock_waits: u32,
    per_cpu_switches: [u64; 8],
    per_cpu_longest_masked_ns: [u64; 8],
});

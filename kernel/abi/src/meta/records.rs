//! Records that cross the user boundary: C names, sizes, alignments and fields (offsets from
//! `offset_of!`).

use crate::layout::{
    ChannelCallArgs, ChannelIovec, HandleDisposition, HandleInfo, InfoCpuStats, InfoHandleBasic,
    InfoHandleCount, InfoKernelStats, InfoProcess, InfoProcessHandleStats, WaitItem,
};
use core::mem::{align_of, offset_of, size_of};

/// One field of a record, as C declares it.
#[derive(Copy, Clone, Debug)]
pub struct Field {
    /// C type of one element (`"zx_handle_t"`, `"const void*"`, ...).
    pub c_type: &'static str,
    /// C field name.
    pub name: &'static str,
    /// Array length, or 0 for a scalar.
    pub array: usize,
    /// Byte offset (from the Rust record, by `offset_of!`).
    pub offset: usize,
    /// Size in bytes of the whole field.
    pub size: usize,
}

/// One record that crosses the user boundary.
#[derive(Copy, Clone, Debug)]
pub struct Record {
    /// C struct tag without `_t`, e.g. `"zx_channel_iovec"` (the typedef adds `_t`).
    pub c_name: &'static str,
    /// Header that defines it: `"types"` (`<zircon/types.h>`) or `"object"`
    /// (`<zircon/syscalls/object.h>`).
    pub header: &'static str,
    /// Size in bytes (from the Rust record).
    pub size: usize,
    /// Alignment in bytes (from the Rust record).
    pub align: usize,
    /// Fields in order.
    pub fields: &'static [Field],
    /// `true` for this project's own records.
    pub project: bool,
}

macro_rules! field {
    ($ty:ty, $rust:ident, $c_type:expr, $c_name:expr, $size:expr) => {
        Field {
            c_type: $c_type,
            name: $c_name,
            array: 0,
            offset: offset_of!($ty, $rust),
            size: $size,
        }
    };
    ($ty:ty, $rust:ident, $c_type:expr, $c_name:expr, $size:expr, [$n:expr]) => {
        Field {
            c_type: $c_type,
            name: $c_name,
            array: $n,
            offset: offset_of!($ty, $rust),
            size: $size * $n,
        }
    };
}

macro_rules! record {
    ($ty:ty, $c_name:expr, $header:expr, $project:expr, [$($f:expr),* $(,)?]) => {
        Record {
            c_name: $c_name,
            header: $header,
            size: size_of::<$ty>(),
            align: align_of::<$ty>(),
            fields: &[$($f),*],
            project: $project,
        }
    };
}

/// Every record, in the order the headers define them.
pub const RECORDS: [Record; 12] = [
    record!(
        ChannelIovec,
        "zx_channel_iovec",
        "types",
        false,
        [
            field!(ChannelIovec, buffer, "const void*", "buffer", 8),
            field!(ChannelIovec, capacity, "uint32_t", "capacity", 4),
            field!(ChannelIovec, reserved, "uint32_t", "reserved", 4),
        ]
    ),
    record!(
        HandleDisposition,
        "zx_handle_disposition",
        "types",
        false,
        [
            field!(
                HandleDisposition,
                operation,
                "zx_handle_op_t",
                "operation",
                4
            ),
            field!(HandleDisposition, handle, "zx_handle_t", "handle", 4),
            field!(HandleDisposition, obj_type, "zx_obj_type_t", "type", 4),
            field!(HandleDisposition, rights, "zx_rights_t", "rights", 4),
            field!(HandleDisposition, result, "zx_status_t", "result", 4),
        ]
    ),
    record!(
        HandleInfo,
        "zx_handle_info",
        "types",
        false,
        [
            field!(HandleInfo, handle, "zx_handle_t", "handle", 4),
            field!(HandleInfo, obj_type, "zx_obj_type_t", "type", 4),
            field!(HandleInfo, rights, "zx_rights_t", "rights", 4),
            field!(HandleInfo, unused, "uint32_t", "unused", 4),
        ]
    ),
    record!(
        ChannelCallArgs,
        "zx_channel_call_args",
        "types",
        false,
        [
            field!(ChannelCallArgs, wr_bytes, "const void*", "wr_bytes", 8),
            field!(
                ChannelCallArgs,
                wr_handles,
                "const zx_handle_t*",
                "wr_handles",
                8
            ),
            field!(ChannelCallArgs, rd_bytes, "void*", "rd_bytes", 8),
            field!(ChannelCallArgs, rd_handles, "zx_handle_t*", "rd_handles", 8),
            field!(ChannelCallArgs, wr_num_bytes, "uint32_t", "wr_num_bytes", 4),
            field!(
                ChannelCallArgs,
                wr_num_handles,
                "uint32_t",
                "wr_num_handles",
                4
            ),
            field!(ChannelCallArgs, rd_num_bytes, "uint32_t", "rd_num_bytes", 4),
            field!(
                ChannelCallArgs,
                rd_num_handles,
                "uint32_t",
                "rd_num_handles",
                4
            ),
        ]
    ),
    record!(
        ChannelCallArgs,
        "zx_channel_call_etc_args",
        "types",
        false,
        [
            field!(ChannelCallArgs, wr_bytes, "const void*", "wr_bytes", 8),
            field!(
                ChannelCallArgs,
                wr_handles,
                "zx_handle_disposition_t*",
                "wr_handles",
                8
            ),
            field!(ChannelCallArgs, rd_bytes, "void*", "rd_bytes", 8),
            field!(
                ChannelCallArgs,
                rd_handles,
                "zx_handle_info_t*",
                "rd_handles",
                8
            ),
            field!(ChannelCallArgs, wr_num_bytes, "uint32_t", "wr_num_bytes", 4),
            field!(
                ChannelCallArgs,
                wr_num_handles,
                "uint32_t",
                "wr_num_handles",
                4
            ),
            field!(ChannelCallArgs, rd_num_bytes, "uint32_t", "rd_num_bytes", 4),
            field!(
                ChannelCallArgs,
                rd_num_handles,
                "uint32_t",
                "rd_num_handles",
                4
            ),
        ]
    ),
    record!(
        WaitItem,
        "zx_wait_item",
        "types",
        false,
        [
            field!(WaitItem, handle, "zx_handle_t", "handle", 4),
            field!(WaitItem, waitfor, "zx_signals_t", "waitfor", 4),
            field!(WaitItem, pending, "zx_signals_t", "pending", 4),
        ]
    ),
    record!(
        InfoHandleBasic,
        "zx_info_handle_basic",
        "object",
        false,
        [
            field!(InfoHandleBasic, koid, "zx_koid_t", "koid", 8),
            field!(InfoHandleBasic, rights, "zx_rights_t", "rights", 4),
            field!(InfoHandleBasic, obj_type, "zx_obj_type_t", "type", 4),
            field!(
                InfoHandleBasic,
                related_koid,
                "zx_koid_t",
                "related_koid",
                8
            ),
            field!(InfoHandleBasic, reserved, "uint32_t", "reserved", 4),
            field!(InfoHandleBasic, padding, "uint8_t", "padding1", 1, [4]),
        ]
    ),
    record!(
        InfoProcess,
        "zx_info_process",
        "object",
        false,
        [
            field!(InfoProcess, return_code, "int64_t", "return_code", 8),
            field!(InfoProcess, started, "bool", "started", 1),
            field!(InfoProcess, exited, "bool", "exited", 1),
            field!(
                InfoProcess,
                debugger_attached,
                "bool",
                "debugger_attached",
                1
            ),
            field!(InfoProcess, padding, "uint8_t", "padding1", 1, [5]),
        ]
    ),
    record!(
        InfoHandleCount,
        "zx_info_handle_count",
        "object",
        false,
        [field!(
            InfoHandleCount,
            handle_count,
            "uint32_t",
            "handle_count",
            4
        ),]
    ),
    record!(
        InfoProcessHandleStats,
        "zx_info_process_handle_stats",
        "object",
        false,
        [field!(
            InfoProcessHandleStats,
            handle_count,
            "uint32_t",
            "handle_count",
            4,
            [InfoProcessHandleStats::OBJ_TYPE_SLOTS]
        ),]
    ),
    record!(
        InfoKernelStats,
        "zx_info_kernel_stats",
        "object",
        true,
        [
            field!(InfoKernelStats, total_bytes, "uint64_t", "total_bytes", 8),
            field!(InfoKernelStats, free_bytes, "uint64_t", "free_bytes", 8),
            field!(
                InfoKernelStats,
                heap_used_bytes,
                "uint64_t",
                "heap_used_bytes",
                8
            ),
            field!(InfoKernelStats, ipc_bytes, "uint64_t", "ipc_bytes", 8),
            field!(InfoKernelStats, live_handles, "uint64_t", "live_handles", 8),
            field!(InfoKernelStats, live_objects, "uint64_t", "live_objects", 8),
            field!(
                InfoKernelStats,
                live_messages,
                "uint64_t",
                "live_messages",
                8
            ),
            field!(InfoKernelStats, reserved, "uint64_t", "reserved", 8),
        ]
    ),
    record!(
        InfoCpuStats,
        "zx_info_cpu_stats",
        "object",
        true,
        [
            field!(InfoCpuStats, cpu_count, "uint32_t", "cpu_count", 4),
            field!(
                InfoCpuStats,
                sched_lock_waits,
                "uint32_t",
                "sched_lock_waits",
                4
            ),
            field!(
                InfoCpuStats,
                per_cpu_switches,
                "uint64_t",
                "per_cpu_switches",
                8,
                [InfoCpuStats::MAX_CPUS]
            ),
            field!(
                InfoCpuStats,
                per_cpu_longest_masked_ns,
                "uint64_t",
                "per_cpu_longest_masked_ns",
                8,
                [InfoCpuStats::MAX_CPUS]
            ),
        ]
    ),
];

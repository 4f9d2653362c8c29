//! Constants with their C types, and the `zx_object_get_info` topics.

use crate::layout::InfoProcessHandleStats;

/// A named constant with its C type.
#[derive(Copy, Clone, Debug)]
pub struct Constant {
    /// C name.
    pub name: &'static str,
    /// C type of the value (used for the cast in the header).
    pub c_type: &'static str,
    /// The value.
    pub value: i64,
    /// One line of explanation.
    pub doc: &'static str,
}

const fn k(name: &'static str, c_type: &'static str, value: i64, doc: &'static str) -> Constant {
    Constant {
        name,
        c_type,
        value,
        doc,
    }
}

/// Handle, channel, time and task constants (`<zircon/types.h>`).
pub const CONSTANTS: [Constant; 15] = [
    k(
        "ZX_HANDLE_INVALID",
        "zx_handle_t",
        crate::HANDLE_INVALID as i64,
        "never a handle",
    ),
    k(
        "ZX_HANDLE_FIXED_BITS_MASK",
        "uint32_t",
        crate::HANDLE_FIXED_BITS_MASK as i64,
        "set in every valid handle value",
    ),
    k(
        "ZX_CHANNEL_MAX_MSG_BYTES",
        "uint32_t",
        crate::CHANNEL_MAX_MSG_BYTES as i64,
        "largest message payload",
    ),
    k(
        "ZX_CHANNEL_MAX_MSG_HANDLES",
        "uint32_t",
        crate::CHANNEL_MAX_MSG_HANDLES as i64,
        "most handles in one message",
    ),
    k(
        "ZX_CHANNEL_MAX_MSG_IOVEC",
        "uint32_t",
        crate::CHANNEL_MAX_MSG_IOVEC as i64,
        "most iovecs in one write",
    ),
    k(
        "ZX_CHANNEL_READ_MAY_DISCARD",
        "uint32_t",
        crate::CHANNEL_READ_MAY_DISCARD as i64,
        "read option: drop a message that does not fit",
    ),
    k(
        "ZX_CHANNEL_WRITE_USE_IOVEC",
        "uint32_t",
        crate::CHANNEL_WRITE_USE_IOVEC as i64,
        "write/call option: bytes is an array of zx_channel_iovec_t",
    ),
    k(
        "ZX_HANDLE_OP_MOVE",
        "zx_handle_op_t",
        crate::HANDLE_OP_MOVE as i64,
        "disposition: move the handle into the message",
    ),
    k(
        "ZX_HANDLE_OP_DUPLICATE",
        "zx_handle_op_t",
        crate::HANDLE_OP_DUPLICATE as i64,
        "disposition: send a duplicate, keep the source",
    ),
    k(
        "ZXK_CHANNEL_MAX_PENDING",
        "uint32_t",
        crate::CHANNEL_MAX_PENDING as i64,
        "unread messages an endpoint holds (project limit)",
    ),
    k(
        "ZXK_CHANNEL_CALL_TXID_MIN",
        "uint32_t",
        crate::CALL_TXID_MIN as i64,
        "transaction ids of zx_channel_call are at least this (project name)",
    ),
    k(
        "ZX_WAIT_MANY_MAX_ITEMS",
        "size_t",
        crate::WAIT_MANY_MAX_ITEMS as i64,
        "most items of one zx_object_wait_many",
    ),
    k(
        "ZX_TIME_INFINITE",
        "zx_time_t",
        crate::TIME_INFINITE,
        "a deadline that never passes",
    ),
    k(
        "ZX_TASK_RETCODE_EXCEPTION_KILL",
        "int64_t",
        crate::TASK_RETCODE_EXCEPTION_KILL,
        "return code of a process killed by a fault",
    ),
    k(
        "ZX_OBJ_TYPE_UPPER_BOUND",
        "uint32_t",
        InfoProcessHandleStats::OBJ_TYPE_SLOTS as i64,
        "slots of zx_info_process_handle_stats_t",
    ),
];

/// One `zx_object_get_info` topic.
#[derive(Copy, Clone, Debug)]
pub struct Topic {
    /// C name.
    pub name: &'static str,
    /// Topic number.
    pub value: u32,
    /// C name of the record it returns (empty for none).
    pub record: &'static str,
    /// `true` for this project's own topics.
    pub project: bool,
    /// One line of explanation.
    pub doc: &'static str,
}

/// The `zx_object_get_info` topics (`<zircon/syscalls/object.h>`).
pub const TOPICS: [Topic; 8] = [
    Topic {
        name: "ZX_INFO_HANDLE_VALID",
        value: crate::INFO_HANDLE_VALID,
        record: "",
        project: false,
        doc: "no buffer; ZX_OK or ZX_ERR_BAD_HANDLE",
    },
    Topic {
        name: "ZX_INFO_HANDLE_BASIC",
        value: crate::INFO_HANDLE_BASIC,
        record: "zx_info_handle_basic_t",
        project: false,
        doc: "koid, rights, type, related koid",
    },
    Topic {
        name: "ZX_INFO_PROCESS",
        value: crate::INFO_PROCESS,
        record: "zx_info_process_t",
        project: false,
        doc: "return code and state of a process",
    },
    Topic {
        name: "ZX_INFO_HANDLE_COUNT",
        value: crate::INFO_HANDLE_COUNT,
        record: "zx_info_handle_count_t",
        project: false,
        doc: "handles to the object, queued ones included",
    },
    Topic {
        name: "ZX_INFO_PROCESS_HANDLE_STATS",
        value: crate::INFO_PROCESS_HANDLE_STATS,
        record: "zx_info_process_handle_stats_t",
        project: false,
        doc: "a process's handles by object type",
    },
    Topic {
        name: "ZX_INFO_KERNEL_STATS",
        value: crate::INFO_KERNEL_STATS,
        record: "zx_info_kernel_stats_t",
        project: true,
        doc: "memory and live counts (root resource only)",
    },
    Topic {
        name: "ZX_INFO_CPU_STATS",
        value: crate::INFO_CPU_STATS,
        record: "zx_info_cpu_stats_t",
        project: true,
        doc: "per-CPU switch counts and longest masked stretches (root resource only)",
    },
    Topic {
        name: "ZX_INFO_CPU_STATS_RESET",
        value: crate::INFO_CPU_STATS_RESET,
        record: "zx_info_cpu_stats_t",
        project: true,
        doc: "as ZX_INFO_CPU_STATS, then resets the longest masked stretches",
    },
];

//! Names, C types and signatures of the ABI, as data: what `docs/abi.md`'s tables and the C
//! SDK's headers (`sdk/include/zircon/`) are generated from (`kernel/abi/tests/generated.rs`).
//!
//! Every value here is taken from the constants and records of this crate (offsets with
//! `offset_of!`), so the generated files cannot disagree with the code the kernel is built from.

use crate::layout::{
    ChannelCallArgs, ChannelIovec, HandleDisposition, HandleInfo, InfoCpuStats, InfoHandleBasic,
    InfoHandleCount, InfoKernelStats, InfoProcess, InfoProcessHandleStats, WaitItem,
};
use crate::{nr, ObjType, Rights, Signals, Status};
use core::mem::{align_of, offset_of, size_of};

/// One parameter of a system call, as Zircon's headers declare it.
#[derive(Copy, Clone, Debug)]
pub struct Param {
    /// C type, e.g. `"const zx_handle_t*"`.
    pub c_type: &'static str,
    /// Parameter name.
    pub name: &'static str,
}

/// One system call: number and C signature.
#[derive(Copy, Clone, Debug)]
pub struct Syscall {
    /// The number that goes into `x16`.
    pub nr: u64,
    /// C name, e.g. `"zx_channel_write"`.
    pub name: &'static str,
    /// C return type (`"zx_status_t"`, `"zx_time_t"` or `"void"`).
    pub ret: &'static str,
    /// Parameters in register order (`x0`, `x1`, ...).
    pub params: &'static [Param],
    /// `true` for calls that never return.
    pub noreturn: bool,
    /// `true` for this project's own calls (not in Zircon).
    pub project: bool,
}

const fn p(c_type: &'static str, name: &'static str) -> Param {
    Param { c_type, name }
}

const fn call(nr: u64, name: &'static str, params: &'static [Param]) -> Syscall {
    Syscall {
        nr,
        name,
        ret: "zx_status_t",
        params,
        noreturn: false,
        project: false,
    }
}

const H: Param = p("zx_handle_t", "handle");
const OPT: Param = p("uint32_t", "options");

/// Every system call with its C signature, in number order (the rows of [`nr::ALL`]).
pub const SYSCALLS: [Syscall; 26] = [
    call(nr::HANDLE_CLOSE, "zx_handle_close", &[H]),
    call(
        nr::HANDLE_CLOSE_MANY,
        "zx_handle_close_many",
        &[
            p("const zx_handle_t*", "handles"),
            p("size_t", "num_handles"),
        ],
    ),
    call(
        nr::HANDLE_DUPLICATE,
        "zx_handle_duplicate",
        &[H, p("zx_rights_t", "rights"), p("zx_handle_t*", "out")],
    ),
    call(
        nr::HANDLE_REPLACE,
        "zx_handle_replace",
        &[H, p("zx_rights_t", "rights"), p("zx_handle_t*", "out")],
    ),
    call(
        nr::OBJECT_GET_INFO,
        "zx_object_get_info",
        &[
            H,
            p("uint32_t", "topic"),
            p("void*", "buffer"),
            p("size_t", "buffer_size"),
            p("size_t*", "actual"),
            p("size_t*", "avail"),
        ],
    ),
    call(
        nr::OBJECT_WAIT_ONE,
        "zx_object_wait_one",
        &[
            H,
            p("zx_signals_t", "signals"),
            p("zx_time_t", "deadline"),
            p("zx_signals_t*", "observed"),
        ],
    ),
    call(
        nr::OBJECT_WAIT_MANY,
        "zx_object_wait_many",
        &[
            p("zx_wait_item_t*", "items"),
            p("size_t", "num_items"),
            p("zx_time_t", "deadline"),
        ],
    ),
    call(
        nr::OBJECT_SIGNAL,
        "zx_object_signal",
        &[H, p("uint32_t", "clear_mask"), p("uint32_t", "set_mask")],
    ),
    call(
        nr::OBJECT_SIGNAL_PEER,
        "zx_object_signal_peer",
        &[H, p("uint32_t", "clear_mask"), p("uint32_t", "set_mask")],
    ),
    call(
        nr::CHANNEL_CREATE,
        "zx_channel_create",
        &[OPT, p("zx_handle_t*", "out0"), p("zx_handle_t*", "out1")],
    ),
    call(
        nr::CHANNEL_READ,
        "zx_channel_read",
        &[
            H,
            OPT,
            p("void*", "bytes"),
            p("zx_handle_t*", "handles"),
            p("uint32_t", "num_bytes"),
            p("uint32_t", "num_handles"),
            p("uint32_t*", "actual_bytes"),
            p("uint32_t*", "actual_handles"),
        ],
    ),
    call(
        nr::CHANNEL_READ_ETC,
        "zx_channel_read_etc",
        &[
            H,
            OPT,
            p("void*", "bytes"),
            p("zx_handle_info_t*", "handles"),
            p("uint32_t", "num_bytes"),
            p("uint32_t", "num_handles"),
            p("uint32_t*", "actual_bytes"),
            p("uint32_t*", "actual_handles"),
        ],
    ),
    call(
        nr::CHANNEL_WRITE,
        "zx_channel_write",
        &[
            H,
            OPT,
            p("const void*", "bytes"),
            p("uint32_t", "num_bytes"),
            p("const zx_handle_t*", "handles"),
            p("uint32_t", "num_handles"),
        ],
    ),
    call(
        nr::CHANNEL_WRITE_ETC,
        "zx_channel_write_etc",
        &[
            H,
            OPT,
            p("const void*", "bytes"),
            p("uint32_t", "num_bytes"),
            p("zx_handle_disposition_t*", "handles"),
            p("uint32_t", "num_handles"),
        ],
    ),
    call(
        nr::CHANNEL_CALL,
        "zx_channel_call",
        &[
            H,
            OPT,
            p("zx_time_t", "deadline"),
            p("const zx_channel_call_args_t*", "args"),
            p("uint32_t*", "actual_bytes"),
            p("uint32_t*", "actual_handles"),
        ],
    ),
    call(
        nr::CHANNEL_CALL_ETC,
        "zx_channel_call_etc",
        &[
            H,
            OPT,
            p("zx_time_t", "deadline"),
            p("zx_channel_call_etc_args_t*", "args"),
            p("uint32_t*", "actual_bytes"),
            p("uint32_t*", "actual_handles"),
        ],
    ),
    call(
        nr::EVENT_CREATE,
        "zx_event_create",
        &[OPT, p("zx_handle_t*", "out")],
    ),
    call(
        nr::EVENTPAIR_CREATE,
        "zx_eventpair_create",
        &[OPT, p("zx_handle_t*", "out0"), p("zx_handle_t*", "out1")],
    ),
    Syscall {
        ret: "void",
        noreturn: true,
        ..call(
            nr::PROCESS_EXIT,
            "zx_process_exit",
            &[p("int64_t", "retcode")],
        )
    },
    call(
        nr::THREAD_CREATE,
        "zx_thread_create",
        &[
            p("zx_handle_t", "process"),
            p("const char*", "name"),
            p("size_t", "name_size"),
            OPT,
            p("zx_handle_t*", "out"),
        ],
    ),
    call(
        nr::THREAD_START,
        "zx_thread_start",
        &[
            H,
            p("zx_vaddr_t", "thread_entry"),
            p("zx_vaddr_t", "stack"),
            p("uintptr_t", "arg1"),
            p("uintptr_t", "arg2"),
        ],
    ),
    Syscall {
        ret: "void",
        noreturn: true,
        ..call(nr::THREAD_EXIT, "zx_thread_exit", &[])
    },
    call(nr::NANOSLEEP, "zx_nanosleep", &[p("zx_time_t", "deadline")]),
    Syscall {
        ret: "zx_time_t",
        ..call(nr::CLOCK_GET_MONOTONIC, "zx_clock_get_monotonic", &[])
    },
    call(
        nr::DEBUG_WRITE,
        "zx_debug_write",
        &[p("const char*", "buffer"), p("size_t", "buffer_size")],
    ),
    Syscall {
        project: true,
        ..call(
            nr::PROCESS_SPAWN,
            "zx_process_spawn",
            &[
                p("const char*", "name"),
                p("size_t", "name_len"),
                p("zx_handle_t", "bootstrap"),
                p("zx_handle_t*", "out_process"),
            ],
        )
    },
];

/// A named value of a bit set or enumeration.
#[derive(Copy, Clone, Debug)]
pub struct Named {
    /// C name, e.g. `"ZX_RIGHT_READ"`.
    pub name: &'static str,
    /// The value.
    pub value: i64,
    /// One line of explanation (may be empty).
    pub doc: &'static str,
}

const fn n(name: &'static str, value: i64, doc: &'static str) -> Named {
    Named { name, value, doc }
}

const fn st(s: Status, doc: &'static str) -> Named {
    n("", s.0 as i64, doc)
}

/// The status codes this kernel returns, with what they generally mean here. Names come from
/// [`Status::name`].
pub const STATUSES: [Named; 18] = [
    st(Status::OK, "success"),
    st(Status::INTERNAL, "a kernel bug; never returned on purpose"),
    st(
        Status::NOT_SUPPORTED,
        "the operation is refused for this object or argument",
    ),
    st(
        Status::NO_RESOURCES,
        "a handle table or other kernel resource is full",
    ),
    st(Status::NO_MEMORY, "the kernel is out of memory"),
    st(
        Status::INVALID_ARGS,
        "bad argument, unreadable or unwritable pointer",
    ),
    st(
        Status::BAD_HANDLE,
        "the value names no handle of the caller",
    ),
    st(Status::WRONG_TYPE, "the handle's object has the wrong type"),
    st(Status::BAD_SYSCALL, "no such call number"),
    st(Status::OUT_OF_RANGE, "a size or count above its limit"),
    st(
        Status::BUFFER_TOO_SMALL,
        "the output buffer cannot hold the result",
    ),
    st(
        Status::BAD_STATE,
        "the object is in the wrong state (e.g. thread already started)",
    ),
    st(Status::TIMED_OUT, "the deadline passed"),
    st(
        Status::SHOULD_WAIT,
        "nothing to read yet, or the peer's queue is full",
    ),
    st(Status::CANCELED, "the wait was canceled"),
    st(Status::PEER_CLOSED, "the other end is closed"),
    st(Status::NOT_FOUND, "no such program or object"),
    st(Status::ACCESS_DENIED, "the handle lacks a needed right"),
];

/// Status codes Zircon defines that this kernel never returns. The C SDK defines them too, so
/// that code written for Zircon compiles.
pub const ZIRCON_ONLY_STATUSES: [Named; 29] = [
    n("ZX_ERR_INTERNAL_INTR_RETRY", -6, ""),
    n("ZX_ERR_ALREADY_EXISTS", -26, ""),
    n("ZX_ERR_ALREADY_BOUND", -27, ""),
    n("ZX_ERR_UNAVAILABLE", -28, ""),
    n("ZX_ERR_IO", -40, ""),
    n("ZX_ERR_IO_REFUSED", -41, ""),
    n("ZX_ERR_IO_DATA_INTEGRITY", -42, ""),
    n("ZX_ERR_IO_DATA_LOSS", -43, ""),
    n("ZX_ERR_IO_NOT_PRESENT", -44, ""),
    n("ZX_ERR_IO_OVERRUN", -45, ""),
    n("ZX_ERR_IO_MISSED_DEADLINE", -46, ""),
    n("ZX_ERR_IO_INVALID", -47, ""),
    n("ZX_ERR_BAD_PATH", -50, ""),
    n("ZX_ERR_NOT_DIR", -51, ""),
    n("ZX_ERR_NOT_FILE", -52, ""),
    n("ZX_ERR_FILE_BIG", -53, ""),
    n("ZX_ERR_NO_SPACE", -54, ""),
    n("ZX_ERR_NOT_EMPTY", -55, ""),
    n("ZX_ERR_STOP", -60, ""),
    n("ZX_ERR_NEXT", -61, ""),
    n("ZX_ERR_ASYNC", -62, ""),
    n("ZX_ERR_PROTOCOL_NOT_SUPPORTED", -70, ""),
    n("ZX_ERR_ADDRESS_UNREACHABLE", -71, ""),
    n("ZX_ERR_ADDRESS_IN_USE", -72, ""),
    n("ZX_ERR_NOT_CONNECTED", -73, ""),
    n("ZX_ERR_CONNECTION_REFUSED", -74, ""),
    n("ZX_ERR_CONNECTION_RESET", -75, ""),
    n("ZX_ERR_CONNECTION_ABORTED", -76, ""),
    n("ZX_ERR_INTERNAL_INTR_KILLED", -502, ""),
];

const fn r(name: &'static str, v: Rights, doc: &'static str) -> Named {
    n(name, v.0 as i64, doc)
}

/// Rights: the single bits, then Zircon's groups and the default rights of new handles.
pub const RIGHTS: [Named; 21] = [
    r("ZX_RIGHT_NONE", Rights::NONE, "no right"),
    r("ZX_RIGHT_DUPLICATE", Rights::DUPLICATE, "may be duplicated"),
    r(
        "ZX_RIGHT_TRANSFER",
        Rights::TRANSFER,
        "may be sent over a channel",
    ),
    r("ZX_RIGHT_READ", Rights::READ, "read (channel messages)"),
    r("ZX_RIGHT_WRITE", Rights::WRITE, "write (channel messages)"),
    r("ZX_RIGHT_EXECUTE", Rights::EXECUTE, ""),
    r("ZX_RIGHT_MAP", Rights::MAP, ""),
    r("ZX_RIGHT_GET_PROPERTY", Rights::GET_PROPERTY, ""),
    r("ZX_RIGHT_SET_PROPERTY", Rights::SET_PROPERTY, ""),
    r("ZX_RIGHT_ENUMERATE", Rights::ENUMERATE, ""),
    r("ZX_RIGHT_DESTROY", Rights::DESTROY, ""),
    r("ZX_RIGHT_SET_POLICY", Rights::SET_POLICY, ""),
    r("ZX_RIGHT_GET_POLICY", Rights::GET_POLICY, ""),
    r("ZX_RIGHT_SIGNAL", Rights::SIGNAL, "zx_object_signal"),
    r(
        "ZX_RIGHT_SIGNAL_PEER",
        Rights::SIGNAL_PEER,
        "zx_object_signal_peer",
    ),
    r("ZX_RIGHT_WAIT", Rights::WAIT, "zx_object_wait_*"),
    r("ZX_RIGHT_INSPECT", Rights::INSPECT, "zx_object_get_info"),
    r("ZX_RIGHT_MANAGE_JOB", Rights::MANAGE_JOB, ""),
    r("ZX_RIGHT_MANAGE_PROCESS", Rights::MANAGE_PROCESS, ""),
    r("ZX_RIGHT_MANAGE_THREAD", Rights::MANAGE_THREAD, ""),
    r(
        "ZX_RIGHT_SAME_RIGHTS",
        Rights::SAME_RIGHTS,
        "keep the source's rights (duplicate, replace, write_etc)",
    ),
];

/// Zircon's right groups and the default rights of new handles.
pub const RIGHT_GROUPS: [Named; 10] = [
    r(
        "ZX_RIGHTS_BASIC",
        Rights::BASIC,
        "TRANSFER, DUPLICATE, WAIT, INSPECT",
    ),
    r("ZX_RIGHTS_IO", Rights::IO, "READ, WRITE"),
    r(
        "ZX_RIGHTS_PROPERTY",
        Rights::PROPERTY,
        "GET_PROPERTY, SET_PROPERTY",
    ),
    r("ZX_RIGHTS_POLICY", Rights::POLICY, "GET_POLICY, SET_POLICY"),
    r(
        "ZX_DEFAULT_CHANNEL_RIGHTS",
        Rights::DEFAULT_CHANNEL,
        "a new channel endpoint (no DUPLICATE)",
    ),
    r(
        "ZX_DEFAULT_EVENT_RIGHTS",
        Rights::DEFAULT_EVENT,
        "a new event",
    ),
    r(
        "ZX_DEFAULT_EVENTPAIR_RIGHTS",
        Rights::DEFAULT_EVENTPAIR,
        "a new eventpair end",
    ),
    r(
        "ZX_DEFAULT_PROCESS_RIGHTS",
        Rights::DEFAULT_PROCESS,
        "a process handle",
    ),
    r(
        "ZX_DEFAULT_THREAD_RIGHTS",
        Rights::DEFAULT_THREAD,
        "a thread handle",
    ),
    r(
        "ZX_DEFAULT_RESOURCE_RIGHTS",
        Rights::DEFAULT_RESOURCE,
        "the root resource (Zircon's value plus WAIT)",
    ),
];

const fn o(t: ObjType, doc: &'static str) -> Named {
    n("", t.0 as i64, doc)
}

/// Object types. Names come from [`ObjType::name`].
pub const OBJ_TYPES: [Named; 11] = [
    o(ObjType::NONE, "in a disposition: do not check the type"),
    o(ObjType::PROCESS, ""),
    o(ObjType::THREAD, ""),
    o(ObjType::VMO, "value only"),
    o(ObjType::CHANNEL, ""),
    o(ObjType::EVENT, ""),
    o(ObjType::PORT, "value only"),
    o(ObjType::SOCKET, "value only"),
    o(ObjType::RESOURCE, "the root resource"),
    o(ObjType::EVENTPAIR, ""),
    o(ObjType::JOB, "value only"),
];

const fn s(name: &'static str, v: Signals, doc: &'static str) -> Named {
    n(name, v.0 as i64, doc)
}

/// Signals, with Zircon's aliases.
pub const SIGNALS: [Named; 20] = [
    s("ZX_SIGNAL_NONE", Signals::NONE, ""),
    s(
        "ZX_CHANNEL_READABLE",
        Signals::CHANNEL_READABLE,
        "a message is queued",
    ),
    s(
        "ZX_CHANNEL_WRITABLE",
        Signals::CHANNEL_WRITABLE,
        "the peer is open and its queue below the limit",
    ),
    s(
        "ZX_CHANNEL_PEER_CLOSED",
        Signals::CHANNEL_PEER_CLOSED,
        "the other endpoint is gone",
    ),
    s("ZX_EVENT_SIGNALED", Signals::EVENT_SIGNALED, ""),
    s("ZX_EVENTPAIR_SIGNALED", Signals::EVENT_SIGNALED, ""),
    s(
        "ZX_EVENTPAIR_PEER_CLOSED",
        Signals::EVENTPAIR_PEER_CLOSED,
        "",
    ),
    s(
        "ZX_TASK_TERMINATED",
        Signals::TASK_TERMINATED,
        "the process or thread ended",
    ),
    s("ZX_PROCESS_TERMINATED", Signals::TASK_TERMINATED, ""),
    s("ZX_THREAD_TERMINATED", Signals::TASK_TERMINATED, ""),
    s(
        "ZX_SIGNAL_HANDLE_CLOSED",
        Signals::SIGNAL_HANDLE_CLOSED,
        "a waited-on handle was closed during the wait",
    ),
    s("ZX_USER_SIGNAL_0", Signals::USER_0, ""),
    s("ZX_USER_SIGNAL_1", Signals::USER_1, ""),
    s("ZX_USER_SIGNAL_2", Signals::USER_2, ""),
    s("ZX_USER_SIGNAL_3", Signals::USER_3, ""),
    s("ZX_USER_SIGNAL_4", Signals::USER_4, ""),
    s("ZX_USER_SIGNAL_5", Signals::USER_5, ""),
    s("ZX_USER_SIGNAL_6", Signals::USER_6, ""),
    s("ZX_USER_SIGNAL_7", Signals::USER_7, ""),
    s(
        "ZX_USER_SIGNAL_ALL",
        Signals::USER_ALL,
        "the only bits zx_object_signal may change",
    ),
];

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

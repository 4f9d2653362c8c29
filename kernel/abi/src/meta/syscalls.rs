//! System calls: number, name and C signature of each.

use crate::nr;

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

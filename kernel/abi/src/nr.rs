//! System call numbers (docs/abi.md section 2): the value user code puts in `x16` before `svc #0`.
//!
//! Numbers not listed are reserved and return `ZX_ERR_BAD_SYSCALL`; a number never changes
//! meaning.

/// `zx_handle_close(h)`.
pub const HANDLE_CLOSE: u64 = 0;
/// `zx_handle_close_many(handles, n)`.
pub const HANDLE_CLOSE_MANY: u64 = 1;
/// `zx_handle_duplicate(h, rights, out)`.
pub const HANDLE_DUPLICATE: u64 = 2;
/// `zx_handle_replace(h, rights, out)`.
pub const HANDLE_REPLACE: u64 = 3;
/// `zx_object_get_info(h, topic, buf, buf_size, actual, avail)`.
pub const OBJECT_GET_INFO: u64 = 4;
/// `zx_object_wait_one(h, signals, deadline, observed)`.
pub const OBJECT_WAIT_ONE: u64 = 5;
/// `zx_object_wait_many(items, n, deadline)`.
pub const OBJECT_WAIT_MANY: u64 = 6;
/// `zx_object_signal(h, clear_mask, set_mask)`.
pub const OBJECT_SIGNAL: u64 = 7;
/// `zx_object_signal_peer(h, clear_mask, set_mask)`.
pub const OBJECT_SIGNAL_PEER: u64 = 8;
/// `zx_channel_create(options, out0, out1)`.
pub const CHANNEL_CREATE: u64 = 10;
/// `zx_channel_read(h, options, bytes, handles, num_bytes, num_handles, actual_bytes, actual_handles)`.
pub const CHANNEL_READ: u64 = 11;
/// `zx_channel_read_etc(h, options, bytes, handle_infos, num_bytes, num_handles, actual_bytes, actual_handles)`.
pub const CHANNEL_READ_ETC: u64 = 12;
/// `zx_channel_write(h, options, bytes, num_bytes, handles, num_handles)`.
pub const CHANNEL_WRITE: u64 = 13;
/// `zx_channel_write_etc(h, options, bytes, num_bytes, dispositions, num_handles)`.
pub const CHANNEL_WRITE_ETC: u64 = 14;
/// `zx_channel_call(h, options, deadline, args, actual_bytes, actual_handles)`.
pub const CHANNEL_CALL: u64 = 16;
/// `zx_channel_call_etc(h, options, deadline, args, actual_bytes, actual_handles)`.
pub const CHANNEL_CALL_ETC: u64 = 17;
/// `zx_event_create(options, out)`.
pub const EVENT_CREATE: u64 = 20;
/// `zx_eventpair_create(options, out0, out1)`.
pub const EVENTPAIR_CREATE: u64 = 21;
/// `zx_process_exit(retcode)`; never returns.
pub const PROCESS_EXIT: u64 = 30;
/// `zx_thread_create(process, name, name_len, options, out)`.
pub const THREAD_CREATE: u64 = 31;
/// `zx_thread_start(thread, entry, stack, arg1, arg2)`.
pub const THREAD_START: u64 = 32;
/// `zx_thread_exit()`; never returns.
pub const THREAD_EXIT: u64 = 33;
/// `zx_nanosleep(deadline)`.
pub const NANOSLEEP: u64 = 34;
/// `zx_clock_get_monotonic()`; returns `zx_time_t` in `x0`.
pub const CLOCK_GET_MONOTONIC: u64 = 35;
/// `zx_debug_write(buf, len)`.
pub const DEBUG_WRITE: u64 = 40;
/// `zx_process_spawn(name, name_len, bootstrap, out_process)` (project extension).
pub const PROCESS_SPAWN: u64 = 41;

/// Every defined call as `(number, C name)`, in number order.
pub const ALL: [(u64, &str); 26] = [
    (HANDLE_CLOSE, "zx_handle_close"),
    (HANDLE_CLOSE_MANY, "zx_handle_close_many"),
    (HANDLE_DUPLICATE, "zx_handle_duplicate"),
    (HANDLE_REPLACE, "zx_handle_replace"),
    (OBJECT_GET_INFO, "zx_object_get_info"),
    (OBJECT_WAIT_ONE, "zx_object_wait_one"),
    (OBJECT_WAIT_MANY, "zx_object_wait_many"),
    (OBJECT_SIGNAL, "zx_object_signal"),
    (OBJECT_SIGNAL_PEER, "zx_object_signal_peer"),
    (CHANNEL_CREATE, "zx_channel_create"),
    (CHANNEL_READ, "zx_channel_read"),
    (CHANNEL_READ_ETC, "zx_channel_read_etc"),
    (CHANNEL_WRITE, "zx_channel_write"),
    (CHANNEL_WRITE_ETC, "zx_channel_write_etc"),
    (CHANNEL_CALL, "zx_channel_call"),
    (CHANNEL_CALL_ETC, "zx_channel_call_etc"),
    (EVENT_CREATE, "zx_event_create"),
    (EVENTPAIR_CREATE, "zx_eventpair_create"),
    (PROCESS_EXIT, "zx_process_exit"),
    (THREAD_CREATE, "zx_thread_create"),
    (THREAD_START, "zx_thread_start"),
    (THREAD_EXIT, "zx_thread_exit"),
    (NANOSLEEP, "zx_nanosleep"),
    (CLOCK_GET_MONOTONIC, "zx_clock_get_monotonic"),
    (DEBUG_WRITE, "zx_debug_write"),
    (PROCESS_SPAWN, "zx_process_spawn"),
];

/// The C name of call `nr` (e.g. `"zx_channel_write"`), or `None` for a reserved number.
pub fn name(nr: u64) -> Option<&'static str> {
    ALL.iter().find(|(n, _)| *n == nr).map(|(_, s)| *s)
}

//! Named values: status codes, rights and their groups, object types, signals.

use crate::{ObjType, Rights, Signals, Status};

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

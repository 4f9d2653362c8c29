//! Host unit tests: values against docs/abi.md, bit-set semantics, and the byte encoding of records.

use crate::*;
use core::fmt::Debug;
use core::mem::{offset_of, size_of};
use std::vec::Vec;

// ------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------

const STATUS_TABLE: [(Status, i32, &str); 18] = [
    (Status::OK, 0, "ZX_OK"),
    (Status::INTERNAL, -1, "ZX_ERR_INTERNAL"),
    (Status::NOT_SUPPORTED, -2, "ZX_ERR_NOT_SUPPORTED"),
    (Status::NO_RESOURCES, -3, "ZX_ERR_NO_RESOURCES"),
    (Status::NO_MEMORY, -4, "ZX_ERR_NO_MEMORY"),
    (Status::INVALID_ARGS, -10, "ZX_ERR_INVALID_ARGS"),
    (Status::BAD_HANDLE, -11, "ZX_ERR_BAD_HANDLE"),
    (Status::WRONG_TYPE, -12, "ZX_ERR_WRONG_TYPE"),
    (Status::BAD_SYSCALL, -13, "ZX_ERR_BAD_SYSCALL"),
    (Status::OUT_OF_RANGE, -14, "ZX_ERR_OUT_OF_RANGE"),
    (Status::BUFFER_TOO_SMALL, -15, "ZX_ERR_BUFFER_TOO_SMALL"),
    (Status::BAD_STATE, -20, "ZX_ERR_BAD_STATE"),
    (Status::TIMED_OUT, -21, "ZX_ERR_TIMED_OUT"),
    (Status::SHOULD_WAIT, -22, "ZX_ERR_SHOULD_WAIT"),
    (Status::CANCELED, -23, "ZX_ERR_CANCELED"),
    (Status::PEER_CLOSED, -24, "ZX_ERR_PEER_CLOSED"),
    (Status::NOT_FOUND, -25, "ZX_ERR_NOT_FOUND"),
    (Status::ACCESS_DENIED, -30, "ZX_ERR_ACCESS_DENIED"),
];

#[test]
fn status_values_match_abi_md() {
    for (s, raw, _) in STATUS_TABLE {
        assert_eq!(s.raw(), raw, "{s}");
        assert_eq!(i32::from(s), raw);
    }
}

#[test]
fn status_names_use_zircon_spelling() {
    for (s, _, name) in STATUS_TABLE {
        assert_eq!(s.name(), name);
    }
}

#[test]
fn unknown_status_is_named_zx_err_unknown() {
    for raw in [1, -5, -9, -16, -19, -26, -29, -31, i32::MIN, i32::MAX] {
        assert_eq!(Status(raw).name(), "ZX_ERR_UNKNOWN", "{raw}");
    }
}

#[test]
fn status_display_prints_the_name() {
    assert_eq!(std::format!("{}", Status::BAD_HANDLE), "ZX_ERR_BAD_HANDLE");
    assert_eq!(std::format!("{}", Status::OK), "ZX_OK");
    assert_eq!(std::format!("{}", Status(-999)), "ZX_ERR_UNKNOWN");
}

#[test]
fn status_ok_helpers_and_default() {
    assert_eq!(Status::default(), Status::OK);
    assert!(Status::OK.is_ok());
    assert!(!Status::PEER_CLOSED.is_ok());
    assert_eq!(Status::OK.ok(), Ok(()));
    assert_eq!(Status::TIMED_OUT.ok(), Err(Status::TIMED_OUT));
}

#[test]
fn rights_bits_match_abi_md() {
    let table = [
        (Rights::DUPLICATE, 0),
        (Rights::TRANSFER, 1),
        (Rights::READ, 2),
        (Rights::WRITE, 3),
        (Rights::EXECUTE, 4),
        (Rights::MAP, 5),
        (Rights::GET_PROPERTY, 6),
        (Rights::SET_PROPERTY, 7),
        (Rights::ENUMERATE, 8),
        (Rights::DESTROY, 9),
        (Rights::SET_POLICY, 10),
        (Rights::GET_POLICY, 11),
        (Rights::SIGNAL, 12),
        (Rights::SIGNAL_PEER, 13),
        (Rights::WAIT, 14),
        (Rights::INSPECT, 15),
        (Rights::MANAGE_JOB, 16),
        (Rights::MANAGE_PROCESS, 17),
        (Rights::MANAGE_THREAD, 18),
        (Rights::SAME_RIGHTS, 31),
    ];
    for (r, bit) in table {
        assert_eq!(r.bits(), 1u32 << bit);
    }
    assert_eq!(Rights::NONE.bits(), 0);
    assert_eq!(Rights::default(), Rights::NONE);
}

#[test]
fn default_rights_match_abi_md() {
    assert_eq!(Rights::DEFAULT_CHANNEL.bits(), 0xF00E);
    assert_eq!(Rights::DEFAULT_EVENT.bits(), 0xD003);
    assert_eq!(Rights::DEFAULT_EVENTPAIR.bits(), 0xF003);
    assert_eq!(Rights::DEFAULT_PROCESS.bits(), 0x6D3CF);
    assert_eq!(Rights::DEFAULT_THREAD.bits(), 0x4D2CF);
    assert_eq!(Rights::DEFAULT_RESOURCE.bits(), 0xC00B);
    assert!(!Rights::DEFAULT_CHANNEL.contains(Rights::DUPLICATE));
    for r in [
        Rights::DEFAULT_CHANNEL,
        Rights::DEFAULT_EVENT,
        Rights::DEFAULT_EVENTPAIR,
        Rights::DEFAULT_PROCESS,
        Rights::DEFAULT_THREAD,
        Rights::DEFAULT_RESOURCE,
    ] {
        assert!(r.contains(Rights::TRANSFER | Rights::INSPECT | Rights::WAIT));
        assert!(!r.contains(Rights::SAME_RIGHTS));
    }
}

#[test]
fn rights_contains_needs_every_bit_and_subset_is_its_converse() {
    let rw = Rights::READ | Rights::WRITE;
    assert!(rw.contains(Rights::READ));
    assert!(rw.contains(rw));
    assert!(rw.contains(Rights::NONE));
    assert!(!rw.contains(Rights::READ | Rights::TRANSFER));
    assert!(Rights::READ.is_subset_of(rw));
    assert!(Rights::NONE.is_subset_of(Rights::NONE));
    assert!(!(Rights::READ | Rights::TRANSFER).is_subset_of(rw));
    assert!(Rights::DEFAULT_EVENT.is_subset_of(Rights::DEFAULT_EVENTPAIR));
}

#[test]
fn rights_operators_combine_bits() {
    let mut r = Rights::READ;
    r |= Rights::WRITE;
    assert_eq!(r, Rights::IO);
    assert_eq!(r & Rights::WRITE, Rights::WRITE);
    assert_eq!((!Rights::READ) & r, Rights::WRITE);
    r &= Rights::READ;
    assert_eq!(r, Rights::READ);
    assert_eq!(Rights::IO.difference(Rights::READ), Rights::WRITE);
    assert_eq!(Rights::IO.intersection(Rights::WRITE), Rights::WRITE);
    assert!(Rights::NONE.is_empty());
}

#[test]
fn signals_match_abi_md() {
    assert_eq!(Signals::NONE.bits(), 0);
    assert_eq!(Signals::CHANNEL_READABLE.bits(), 1 << 0);
    assert_eq!(Signals::CHANNEL_WRITABLE.bits(), 1 << 1);
    assert_eq!(Signals::CHANNEL_PEER_CLOSED.bits(), 1 << 2);
    assert_eq!(Signals::EVENT_SIGNALED.bits(), 1 << 3);
    assert_eq!(Signals::EVENTPAIR_PEER_CLOSED.bits(), 1 << 2);
    assert_eq!(Signals::TASK_TERMINATED.bits(), 1 << 3);
    assert_eq!(Signals::SIGNAL_HANDLE_CLOSED.bits(), 1 << 23);
    let users = [
        Signals::USER_0,
        Signals::USER_1,
        Signals::USER_2,
        Signals::USER_3,
        Signals::USER_4,
        Signals::USER_5,
        Signals::USER_6,
        Signals::USER_7,
    ];
    let mut all = Signals::NONE;
    for (i, s) in users.iter().enumerate() {
        assert_eq!(s.bits(), 1 << (24 + i));
        all |= *s;
    }
    assert_eq!(all, Signals::USER_ALL);
    assert_eq!(Signals::USER_ALL.bits(), 0xff00_0000);
}

#[test]
fn signals_contains_and_intersects_differ() {
    let s = Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED;
    assert!(s.contains(Signals::CHANNEL_READABLE));
    assert!(!s.contains(Signals::CHANNEL_READABLE | Signals::CHANNEL_WRITABLE));
    assert!(s.intersects(Signals::CHANNEL_READABLE | Signals::CHANNEL_WRITABLE));
    assert!(!s.intersects(Signals::CHANNEL_WRITABLE));
    assert!(!s.intersects(Signals::NONE));
    assert_eq!(s & !Signals::CHANNEL_READABLE, Signals::CHANNEL_PEER_CLOSED);
    let mut t = s;
    t &= Signals::CHANNEL_PEER_CLOSED;
    assert_eq!(t, Signals::CHANNEL_PEER_CLOSED);
    assert_eq!(Signals::default(), Signals::NONE);
}

#[test]
fn object_types_match_abi_md() {
    let table = [
        (ObjType::NONE, 0, "ZX_OBJ_TYPE_NONE"),
        (ObjType::PROCESS, 1, "ZX_OBJ_TYPE_PROCESS"),
        (ObjType::THREAD, 2, "ZX_OBJ_TYPE_THREAD"),
        (ObjType::VMO, 3, "ZX_OBJ_TYPE_VMO"),
        (ObjType::CHANNEL, 4, "ZX_OBJ_TYPE_CHANNEL"),
        (ObjType::EVENT, 5, "ZX_OBJ_TYPE_EVENT"),
        (ObjType::PORT, 6, "ZX_OBJ_TYPE_PORT"),
        (ObjType::SOCKET, 14, "ZX_OBJ_TYPE_SOCKET"),
        (ObjType::RESOURCE, 15, "ZX_OBJ_TYPE_RESOURCE"),
        (ObjType::EVENTPAIR, 16, "ZX_OBJ_TYPE_EVENTPAIR"),
        (ObjType::JOB, 17, "ZX_OBJ_TYPE_JOB"),
    ];
    for (t, raw, name) in table {
        assert_eq!(t.raw(), raw);
        assert_eq!(t.name(), name);
        assert!((raw as usize) < InfoProcessHandleStats::OBJ_TYPE_SLOTS);
    }
    assert_eq!(ObjType(7).name(), "ZX_OBJ_TYPE_UNKNOWN");
}

#[test]
fn syscall_numbers_match_abi_md() {
    let expected: [(u64, u64); 26] = [
        (nr::HANDLE_CLOSE, 0),
        (nr::HANDLE_CLOSE_MANY, 1),
        (nr::HANDLE_DUPLICATE, 2),
        (nr::HANDLE_REPLACE, 3),
        (nr::OBJECT_GET_INFO, 4),
        (nr::OBJECT_WAIT_ONE, 5),
        (nr::OBJECT_WAIT_MANY, 6),
        (nr::OBJECT_SIGNAL, 7),
        (nr::OBJECT_SIGNAL_PEER, 8),
        (nr::CHANNEL_CREATE, 10),
        (nr::CHANNEL_READ, 11),
        (nr::CHANNEL_READ_ETC, 12),
        (nr::CHANNEL_WRITE, 13),
        (nr::CHANNEL_WRITE_ETC, 14),
        (nr::CHANNEL_CALL, 16),
        (nr::CHANNEL_CALL_ETC, 17),
        (nr::EVENT_CREATE, 20),
        (nr::EVENTPAIR_CREATE, 21),
        (nr::PROCESS_EXIT, 30),
        (nr::THREAD_CREATE, 31),
        (nr::THREAD_START, 32),
        (nr::THREAD_EXIT, 33),
        (nr::NANOSLEEP, 34),
        (nr::CLOCK_GET_MONOTONIC, 35),
        (nr::DEBUG_WRITE, 40),
        (nr::PROCESS_SPAWN, 41),
    ];
    for ((got, want), (table_nr, _)) in expected.iter().zip(nr::ALL.iter()) {
        assert_eq!(got, want);
        assert_eq!(table_nr, want, "nr::ALL is in number order");
    }
}

#[test]
fn syscall_table_is_unique_and_names_resolve() {
    for w in nr::ALL.windows(2) {
        assert!(w[0].0 < w[1].0, "strictly increasing, hence unique");
    }
    assert_eq!(nr::name(nr::CHANNEL_WRITE), Some("zx_channel_write"));
    assert_eq!(nr::name(nr::PROCESS_SPAWN), Some("zx_process_spawn"));
    for reserved in [9, 15, 18, 19, 22, 29, 36, 39, 42, u64::MAX] {
        assert_eq!(nr::name(reserved), None, "{reserved}");
    }
}

#[test]
fn constants_match_abi_md() {
    assert_eq!(HANDLE_INVALID, 0);
    assert_eq!(HANDLE_FIXED_BITS_MASK, 3);
    assert_eq!(CHANNEL_MAX_MSG_BYTES, 65536);
    assert_eq!(CHANNEL_MAX_MSG_HANDLES, 64);
    assert_eq!(CHANNEL_MAX_MSG_IOVEC, 8192);
    assert_eq!(CHANNEL_READ_MAY_DISCARD, 1);
    assert_eq!(CHANNEL_WRITE_USE_IOVEC, 2);
    assert_eq!(HANDLE_OP_MOVE, 0);
    assert_eq!(HANDLE_OP_DUPLICATE, 1);
    assert_eq!(CHANNEL_MAX_PENDING, 3500);
    assert_eq!(TIME_INFINITE, i64::MAX);
    assert_eq!(TASK_RETCODE_EXCEPTION_KILL, -1028);
    assert_eq!(CALL_TXID_MIN, 0x8000_0000);
    assert_eq!(INFO_HANDLE_VALID, 1);
    assert_eq!(INFO_HANDLE_BASIC, 2);
    assert_eq!(INFO_PROCESS, 3);
    assert_eq!(INFO_HANDLE_COUNT, 19);
    assert_eq!(INFO_PROCESS_HANDLE_STATS, 21);
    assert_eq!(INFO_KERNEL_STATS, 0x0F00_0001);
    assert_eq!(INFO_CPU_STATS, 0x0F00_0002);
    assert_eq!(INFO_CPU_STATS_RESET, 0x0F00_0003);
    assert_eq!(InfoCpuStats::MAX_CPUS, 8);
}

// ------------------------------------------------------------------------------------------
// Byte encoding
// ------------------------------------------------------------------------------------------

/// One distinctive value of every record: every field nonzero in every byte where possible.
fn samples() -> (
    ChannelIovec,
    HandleDisposition,
    HandleInfo,
    ChannelCallArgs,
    WaitItem,
    InfoHandleBasic,
    InfoProcess,
    InfoHandleCount,
    InfoProcessHandleStats,
    InfoKernelStats,
    InfoCpuStats,
) {
    (
        ChannelIovec {
            buffer: 0x0000_7fff_1234_5678,
            capacity: 0x1122_3344,
            reserved: 0x5566_7788,
        },
        HandleDisposition {
            operation: HANDLE_OP_DUPLICATE,
            handle: 0xabcd_ef13,
            obj_type: ObjType::CHANNEL.raw(),
            rights: Rights::DEFAULT_CHANNEL.bits(),
            result: Status::ACCESS_DENIED.raw(),
        },
        HandleInfo {
            handle: 0x1357_9bdf,
            obj_type: 0x0102_0304,
            rights: 0x0506_0708,
            unused: 0x090a_0b0c,
        },
        ChannelCallArgs {
            wr_bytes: 0x1111_1111_1111_1111,
            wr_handles: 0x2222_2222_2222_2222,
            rd_bytes: 0x3333_3333_3333_3333,
            rd_handles: 0x4444_4444_4444_4444,
            wr_num_bytes: 0x5555_5555,
            wr_num_handles: 0x6666_6666,
            rd_num_bytes: 0x7777_7777,
            rd_num_handles: 0x8888_8888,
        },
        WaitItem {
            handle: 0xdead_beef,
            waitfor: 0xff00_0001,
            pending: 0x0080_0004,
        },
        InfoHandleBasic {
            koid: 0x0102_0304_0506_0708,
            rights: 0x090a_0b0c,
            obj_type: 0x0d0e_0f10,
            related_koid: 0x1112_1314_1516_1718,
            reserved: 0x191a_1b1c,
            padding: [0x1d, 0x1e, 0x1f, 0x20],
        },
        InfoProcess {
            return_code: TASK_RETCODE_EXCEPTION_KILL,
            started: 1,
            exited: 2,
            debugger_attached: 3,
            padding: [4, 5, 6, 7, 8],
        },
        InfoHandleCount {
            handle_count: 0x8765_4321,
        },
        InfoProcessHandleStats {
            handle_count: core::array::from_fn(|i| 0x0101_0101 * (i as u32 + 1)),
        },
        InfoKernelStats {
            total_bytes: 0x0101_0101_0101_0101,
            free_bytes: 0x0202_0202_0202_0202,
            heap_used_bytes: 0x0303_0303_0303_0303,
            ipc_bytes: 0x0404_0404_0404_0404,
            live_handles: 0x0505_0505_0505_0505,
            live_objects: 0x0606_0606_0606_0606,
            live_messages: 0x0707_0707_0707_0707,
            reserved: 0x0808_0808_0808_0808,
        },
        InfoCpuStats {
            cpu_count: 0x0403_0201,
            sched_lock_waits: 0x0807_0605,
            per_cpu_switches: core::array::from_fn(|i| 0x1010_1010_1010_1010 * (i as u64 + 1)),
            per_cpu_longest_masked_ns: core::array::from_fn(|i| 0x2020_2020_2020_2020 + i as u64),
        },
    )
}

/// Runs `$check!(value)` for the sample of every record type.
macro_rules! for_each_sample {
    ($check:ident) => {{
        let (a, b, c, d, e, f, g, h, i, j, k) = samples();
        $check(a);
        $check(b);
        $check(c);
        $check(d);
        $check(e);
        $check(f);
        $check(g);
        $check(h);
        $check(i);
        $check(j);
        $check(k);
    }};
}

fn round_trip<T: Pod + PartialEq + Debug>(v: T) {
    let mut buf = [0u8; MAX_POD_SIZE];
    v.to_bytes(&mut buf);
    assert_eq!(T::from_bytes(&buf), v);
    assert_eq!(T::try_from_bytes(&buf[..T::SIZE]), Some(v));
}

#[test]
fn every_record_round_trips_through_bytes() {
    for_each_sample!(round_trip);
}

#[test]
fn primitives_and_newtypes_round_trip() {
    round_trip(0xa5u8);
    round_trip(0x1234u16);
    round_trip(0xdead_beefu32);
    round_trip(-2i32);
    round_trip(0x0123_4567_89ab_cdefu64);
    round_trip(i64::MIN);
    round_trip(TIME_INFINITE);
    round_trip(Status::PEER_CLOSED);
    round_trip(Rights::DEFAULT_PROCESS);
    round_trip(Signals::USER_ALL | Signals::CHANNEL_READABLE);
    round_trip(ObjType::EVENTPAIR);
    round_trip([1u32, 2, 3]);
}

fn size_is_size_of<T: Pod>(_: T) {
    assert_eq!(T::SIZE, size_of::<T>());
    assert!(T::SIZE <= MAX_POD_SIZE);
}

#[test]
fn encoded_size_equals_size_of_for_every_record() {
    for_each_sample!(size_is_size_of);
    assert_eq!(<u32 as Pod>::SIZE, 4);
    assert_eq!(<u64 as Pod>::SIZE, 8);
    assert_eq!(<i64 as Pod>::SIZE, 8);
    assert_eq!(<[u64; 8] as Pod>::SIZE, 64);
    assert_eq!(InfoProcessHandleStats::SIZE, MAX_POD_SIZE);
}

/// Sets only `$field` to `$value`, encodes, and checks that exactly the bytes at
/// `offset_of!($ty, $field)` hold `$value`'s encoding and every other byte is 0.
macro_rules! check_field_offset {
    ($ty:ident, $field:ident, $value:expr) => {{
        let value = $value;
        let mut rec = $ty::default();
        rec.$field = value;
        let mut got = [0u8; <$ty as Pod>::SIZE];
        rec.to_bytes(&mut got);
        let mut want = [0u8; <$ty as Pod>::SIZE];
        value.to_bytes(&mut want[offset_of!($ty, $field)..]);
        assert_eq!(got, want, concat!(stringify!($ty), ".", stringify!($field)));
    }};
}

#[test]
fn every_field_is_encoded_at_its_offset_of() {
    const W: u32 = 0x8182_8384;
    const D: u64 = 0x9192_9394_9596_9798;

    check_field_offset!(ChannelIovec, buffer, D);
    check_field_offset!(ChannelIovec, capacity, W);
    check_field_offset!(ChannelIovec, reserved, W);

    check_field_offset!(HandleDisposition, operation, W);
    check_field_offset!(HandleDisposition, handle, W);
    check_field_offset!(HandleDisposition, obj_type, W);
    check_field_offset!(HandleDisposition, rights, W);
    check_field_offset!(HandleDisposition, result, -0x7e7d_7c7c_i32);

    check_field_offset!(HandleInfo, handle, W);
    check_field_offset!(HandleInfo, obj_type, W);
    check_field_offset!(HandleInfo, rights, W);
    check_field_offset!(HandleInfo, unused, W);

    check_field_offset!(ChannelCallArgs, wr_bytes, D);
    check_field_offset!(ChannelCallArgs, wr_handles, D);
    check_field_offset!(ChannelCallArgs, rd_bytes, D);
    check_field_offset!(ChannelCallArgs, rd_handles, D);
    check_field_offset!(ChannelCallArgs, wr_num_bytes, W);
    check_field_offset!(ChannelCallArgs, wr_num_handles, W);
    check_field_offset!(ChannelCallArgs, rd_num_bytes, W);
    check_field_offset!(ChannelCallArgs, rd_num_handles, W);

    check_field_offset!(WaitItem, handle, W);
    check_field_offset!(WaitItem, waitfor, W);
    check_field_offset!(WaitItem, pending, W);

    check_field_offset!(InfoHandleBasic, koid, D);
    check_field_offset!(InfoHandleBasic, rights, W);
    check_field_offset!(InfoHandleBasic, obj_type, W);
    check_field_offset!(InfoHandleBasic, related_koid, D);
    check_field_offset!(InfoHandleBasic, reserved, W);
    check_field_offset!(InfoHandleBasic, padding, [0xa1u8, 0xa2, 0xa3, 0xa4]);

    check_field_offset!(InfoProcess, return_code, D as i64);
    check_field_offset!(InfoProcess, started, 0xb1u8);
    check_field_offset!(InfoProcess, exited, 0xb2u8);
    check_field_offset!(InfoProcess, debugger_attached, 0xb3u8);
    check_field_offset!(InfoProcess, padding, [0xc1u8, 0xc2, 0xc3, 0xc4, 0xc5]);

    check_field_offset!(InfoHandleCount, handle_count, W);

    check_field_offset!(
        InfoProcessHandleStats,
        handle_count,
        core::array::from_fn::<u32, 64, _>(|i| W ^ i as u32)
    );

    check_field_offset!(InfoKernelStats, total_bytes, D);
    check_field_offset!(InfoKernelStats, free_bytes, D);
    check_field_offset!(InfoKernelStats, heap_used_bytes, D);
    check_field_offset!(InfoKernelStats, ipc_bytes, D);
    check_field_offset!(InfoKernelStats, live_handles, D);
    check_field_offset!(InfoKernelStats, live_objects, D);
    check_field_offset!(InfoKernelStats, live_messages, D);
    check_field_offset!(InfoKernelStats, reserved, D);

    check_field_offset!(InfoCpuStats, cpu_count, W);
    check_field_offset!(InfoCpuStats, sched_lock_waits, W);
    check_field_offset!(
        InfoCpuStats,
        per_cpu_switches,
        core::array::from_fn::<u64, 8, _>(|i| D ^ i as u64)
    );
    check_field_offset!(
        InfoCpuStats,
        per_cpu_longest_masked_ns,
        core::array::from_fn::<u64, 8, _>(|i| D ^ (i as u64 + 8))
    );
}

#[test]
fn encoding_is_little_endian() {
    let w = WaitItem {
        handle: 0x0403_0201,
        waitfor: 0x0807_0605,
        pending: 0x0c0b_0a09,
    };
    let mut b = [0u8; WaitItem::SIZE];
    w.to_bytes(&mut b);
    assert_eq!(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    let mut r = [0u8; 8];
    (-2i64).to_bytes(&mut r);
    assert_eq!(r, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
}

/// The raw in-memory bytes of `v`. Sound because every record here has no implicit padding
/// (the encoded size, a sum of field sizes, equals `size_of`), so all its bytes are initialised.
#[allow(unsafe_code)]
fn memory_bytes<T: Pod>(v: &T) -> Vec<u8> {
    assert_eq!(T::SIZE, size_of::<T>());
    // SAFETY: `v` is a valid reference to `size_of::<T>()` initialised bytes (no padding, see
    // above); the slice lives no longer than `v` and is only read.
    let raw = unsafe { core::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()) };
    raw.to_vec()
}

fn encoding_is_memory<T: Pod>(v: T) {
    let mut buf = [0u8; MAX_POD_SIZE];
    v.to_bytes(&mut buf);
    assert_eq!(&buf[..T::SIZE], &memory_bytes(&v)[..]);
}

#[cfg(target_endian = "little")]
#[test]
fn encoding_equals_the_c_memory_representation() {
    for_each_sample!(encoding_is_memory);
}

fn any_bytes_decode_and_reencode_identically<T: Pod>(_: T) {
    for pattern in [0x00u8, 0xff, 0x5a] {
        let mut src = [0u8; MAX_POD_SIZE];
        for (i, b) in src.iter_mut().enumerate() {
            *b = pattern ^ (i as u8).wrapping_mul(37);
        }
        let v = T::from_bytes(&src[..T::SIZE]);
        let mut out = [0u8; MAX_POD_SIZE];
        v.to_bytes(&mut out);
        assert_eq!(&out[..T::SIZE], &src[..T::SIZE]);
    }
}

#[test]
fn every_byte_pattern_is_a_valid_record() {
    for_each_sample!(any_bytes_decode_and_reencode_identically);
}

fn short_buffers_are_refused<T: Pod>(v: T) {
    let mut out = [0xeeu8; MAX_POD_SIZE];
    assert_eq!(v.try_to_bytes(&mut out[..T::SIZE - 1]), None);
    assert!(out.iter().all(|&b| b == 0xee), "nothing written");
    assert!(T::try_from_bytes(&out[..T::SIZE - 1]).is_none());
    assert!(T::try_from_bytes(&[]).is_none());
}

#[test]
fn try_variants_refuse_short_buffers_without_writing() {
    for_each_sample!(short_buffers_are_refused);
}

fn trailing_bytes_are_left_alone<T: Pod + PartialEq + Debug>(v: T) {
    let mut out = [0xeeu8; MAX_POD_SIZE + 8];
    assert_eq!(v.try_to_bytes(&mut out), Some(()));
    assert!(out[T::SIZE..].iter().all(|&b| b == 0xee), "tail untouched");
    assert_eq!(T::from_bytes(&out), v, "tail ignored");
}

#[test]
fn bytes_past_size_are_untouched_and_ignored() {
    for_each_sample!(trailing_bytes_are_left_alone);
}

#[test]
#[should_panic]
fn from_bytes_panics_on_a_short_buffer() {
    let _ = InfoKernelStats::from_bytes(&[0u8; 63]);
}

#[test]
#[should_panic]
fn to_bytes_panics_on_a_short_buffer() {
    ChannelCallArgs::default().to_bytes(&mut [0u8; 47]);
}

#[test]
fn records_default_to_all_zero_bytes() {
    fn zero<T: Pod + Default>() {
        let mut out = [0xeeu8; MAX_POD_SIZE];
        T::default().to_bytes(&mut out);
        assert!(out[..T::SIZE].iter().all(|&b| b == 0));
    }
    zero::<ChannelIovec>();
    zero::<HandleDisposition>();
    zero::<HandleInfo>();
    zero::<ChannelCallArgs>();
    zero::<WaitItem>();
    zero::<InfoHandleBasic>();
    zero::<InfoProcess>();
    zero::<InfoHandleCount>();
    zero::<InfoProcessHandleStats>();
    zero::<InfoKernelStats>();
    zero::<InfoCpuStats>();
}

// ------------------------------------------------------------------------------------------
// Debug names the bits
// ------------------------------------------------------------------------------------------

#[test]
fn rights_and_signals_debug_print_flag_names() {
    use std::format;
    assert_eq!(format!("{:?}", Rights::NONE), "Rights(NONE)");
    assert_eq!(
        format!("{:?}", Rights::READ | Rights::WRITE),
        "Rights(READ | WRITE)"
    );
    assert_eq!(
        format!("{:?}", Rights::DEFAULT_CHANNEL),
        "Rights(TRANSFER | READ | WRITE | SIGNAL | SIGNAL_PEER | WAIT | INSPECT)"
    );
    assert_eq!(format!("{:?}", Rights::SAME_RIGHTS), "Rights(SAME_RIGHTS)");
    assert_eq!(
        format!("{:?}", Rights(1 << 20 | 1)),
        "Rights(DUPLICATE | 0x100000)"
    );
    assert_eq!(format!("{:?}", Signals::NONE), "Signals(NONE)");
    assert_eq!(
        format!(
            "{:?}",
            Signals::CHANNEL_READABLE | Signals::CHANNEL_PEER_CLOSED
        ),
        "Signals(CHANNEL_READABLE | PEER_CLOSED)"
    );
    assert_eq!(
        format!("{:?}", Signals::TASK_TERMINATED | Signals::USER_7),
        "Signals(EVENT_SIGNALED/TASK_TERMINATED | USER_7)"
    );
    assert_eq!(format!("{:?}", Signals(1 << 22)), "Signals(0x400000)");
}

#[test]
fn with_buf_gives_exactly_the_size_asked_zeroed() {
    for size in [0, 1, 4, 8, 9, 32, 33, 64, 65, 200, MAX_POD_SIZE] {
        let (len, zero) = crate::with_buf(size, |b| (b.len(), b.iter().all(|&x| x == 0)));
        assert_eq!((len, zero), (size, true), "{size}");
    }
}

// Generated from the zx-abi crate (kernel/abi) by kernel/abi/tests/generated.rs.
// Do not edit: change kernel/abi and run
//   ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated
// Names, types, values and layouts are Zircon's; see docs/abi.md.
#ifndef ZIRCON_TYPES_H_
#define ZIRCON_TYPES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/errors.h>
#include <zircon/rights.h>

#ifdef __cplusplus
#define ZX_SDK_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define ZX_SDK_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t zx_handle_t;
typedef int32_t zx_status_t;
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef int64_t zx_ticks_t;
typedef uint64_t zx_koid_t;
typedef uint32_t zx_signals_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_handle_op_t;
typedef uintptr_t zx_vaddr_t;
typedef uintptr_t zx_paddr_t;
typedef uint64_t zx_off_t;

// Constants.
#define ZX_HANDLE_INVALID ((zx_handle_t)0u)
#define ZX_HANDLE_FIXED_BITS_MASK ((uint32_t)3u)
#define ZX_CHANNEL_MAX_MSG_BYTES ((uint32_t)0x10000u)
#define ZX_CHANNEL_MAX_MSG_HANDLES ((uint32_t)0x40u)
#define ZX_CHANNEL_MAX_MSG_IOVEC ((uint32_t)0x2000u)
#define ZX_CHANNEL_READ_MAY_DISCARD ((uint32_t)1u)
#define ZX_CHANNEL_WRITE_USE_IOVEC ((uint32_t)2u)
#define ZX_HANDLE_OP_MOVE ((zx_handle_op_t)0u)
#define ZX_HANDLE_OP_DUPLICATE ((zx_handle_op_t)1u)
#define ZXK_CHANNEL_MAX_PENDING ((uint32_t)0xdacu)
#define ZXK_CHANNEL_CALL_TXID_MIN ((uint32_t)0x80000000u)
#define ZX_WAIT_MANY_MAX_ITEMS ((size_t)0x40u)
#define ZX_TIME_INFINITE ((zx_time_t)INT64_MAX)
#define ZX_TASK_RETCODE_EXCEPTION_KILL ((int64_t)-1028ll)
#define ZX_OBJ_TYPE_UPPER_BOUND ((uint32_t)0x40u)
#define ZX_TIME_INFINITE_PAST ((zx_time_t)0)

// Durations.
#define ZX_NSEC(n) ((zx_duration_t)(1ll * (n)))
#define ZX_USEC(n) ((zx_duration_t)(1000ll * (n)))
#define ZX_MSEC(n) ((zx_duration_t)(1000000ll * (n)))
#define ZX_SEC(n) ((zx_duration_t)(1000000000ll * (n)))
#define ZX_MIN(n) (ZX_SEC(n) * 60ll)
#define ZX_HOUR(n) (ZX_MIN(n) * 60ll)

// Signals (several names share a bit; the object type decides).
#define ZX_SIGNAL_NONE ((zx_signals_t)0u)
#define ZX_CHANNEL_READABLE ((zx_signals_t)1u)
#define ZX_CHANNEL_WRITABLE ((zx_signals_t)2u)
#define ZX_CHANNEL_PEER_CLOSED ((zx_signals_t)4u)
#define ZX_EVENT_SIGNALED ((zx_signals_t)8u)
#define ZX_EVENTPAIR_SIGNALED ((zx_signals_t)8u)
#define ZX_EVENTPAIR_PEER_CLOSED ((zx_signals_t)4u)
#define ZX_TASK_TERMINATED ((zx_signals_t)8u)
#define ZX_PROCESS_TERMINATED ((zx_signals_t)8u)
#define ZX_THREAD_TERMINATED ((zx_signals_t)8u)
#define ZX_SIGNAL_HANDLE_CLOSED ((zx_signals_t)0x800000u)
#define ZX_USER_SIGNAL_0 ((zx_signals_t)0x1000000u)
#define ZX_USER_SIGNAL_1 ((zx_signals_t)0x2000000u)
#define ZX_USER_SIGNAL_2 ((zx_signals_t)0x4000000u)
#define ZX_USER_SIGNAL_3 ((zx_signals_t)0x8000000u)
#define ZX_USER_SIGNAL_4 ((zx_signals_t)0x10000000u)
#define ZX_USER_SIGNAL_5 ((zx_signals_t)0x20000000u)
#define ZX_USER_SIGNAL_6 ((zx_signals_t)0x40000000u)
#define ZX_USER_SIGNAL_7 ((zx_signals_t)0x80000000u)
#define ZX_USER_SIGNAL_ALL ((zx_signals_t)0xff000000u)

// Object types.
#define ZX_OBJ_TYPE_NONE ((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_PROCESS ((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD ((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO ((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_CHANNEL ((zx_obj_type_t)4u)
#define ZX_OBJ_TYPE_EVENT ((zx_obj_type_t)5u)
#define ZX_OBJ_TYPE_PORT ((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_SOCKET ((zx_obj_type_t)0xeu)
#define ZX_OBJ_TYPE_RESOURCE ((zx_obj_type_t)0xfu)
#define ZX_OBJ_TYPE_EVENTPAIR ((zx_obj_type_t)0x10u)
#define ZX_OBJ_TYPE_JOB ((zx_obj_type_t)0x11u)

typedef struct zx_channel_iovec {
    const void* buffer;
    uint32_t capacity;
    uint32_t reserved;
} zx_channel_iovec_t;
ZX_SDK_ASSERT(sizeof(zx_channel_iovec_t) == 16, "size of zx_channel_iovec_t");
ZX_SDK_ASSERT(_Alignof(zx_channel_iovec_t) == 8, "alignment of zx_channel_iovec_t");
ZX_SDK_ASSERT(offsetof(zx_channel_iovec_t, buffer) == 0, "offset of zx_channel_iovec_t.buffer");
ZX_SDK_ASSERT(sizeof(((zx_channel_iovec_t*)0)->buffer) == 8, "size of zx_channel_iovec_t.buffer");
ZX_SDK_ASSERT(offsetof(zx_channel_iovec_t, capacity) == 8, "offset of zx_channel_iovec_t.capacity");
ZX_SDK_ASSERT(sizeof(((zx_channel_iovec_t*)0)->capacity) == 4, "size of zx_channel_iovec_t.capacity");
ZX_SDK_ASSERT(offsetof(zx_channel_iovec_t, reserved) == 12, "offset of zx_channel_iovec_t.reserved");
ZX_SDK_ASSERT(sizeof(((zx_channel_iovec_t*)0)->reserved) == 4, "size of zx_channel_iovec_t.reserved");

typedef struct zx_handle_disposition {
    zx_handle_op_t operation;
    zx_handle_t handle;
    zx_obj_type_t type;
    zx_rights_t rights;
    zx_status_t result;
} zx_handle_disposition_t;
ZX_SDK_ASSERT(sizeof(zx_handle_disposition_t) == 20, "size of zx_handle_disposition_t");
ZX_SDK_ASSERT(_Alignof(zx_handle_disposition_t) == 4, "alignment of zx_handle_disposition_t");
ZX_SDK_ASSERT(offsetof(zx_handle_disposition_t, operation) == 0, "offset of zx_handle_disposition_t.operation");
ZX_SDK_ASSERT(sizeof(((zx_handle_disposition_t*)0)->operation) == 4, "size of zx_handle_disposition_t.operation");
ZX_SDK_ASSERT(offsetof(zx_handle_disposition_t, handle) == 4, "offset of zx_handle_disposition_t.handle");
ZX_SDK_ASSERT(sizeof(((zx_handle_disposition_t*)0)->handle) == 4, "size of zx_handle_disposition_t.handle");
ZX_SDK_ASSERT(offsetof(zx_handle_disposition_t, type) == 8, "offset of zx_handle_disposition_t.type");
ZX_SDK_ASSERT(sizeof(((zx_handle_disposition_t*)0)->type) == 4, "size of zx_handle_disposition_t.type");
ZX_SDK_ASSERT(offsetof(zx_handle_disposition_t, rights) == 12, "offset of zx_handle_disposition_t.rights");
ZX_SDK_ASSERT(sizeof(((zx_handle_disposition_t*)0)->rights) == 4, "size of zx_handle_disposition_t.rights");
ZX_SDK_ASSERT(offsetof(zx_handle_disposition_t, result) == 16, "offset of zx_handle_disposition_t.result");
ZX_SDK_ASSERT(sizeof(((zx_handle_disposition_t*)0)->result) == 4, "size of zx_handle_disposition_t.result");

typedef struct zx_handle_info {
    zx_handle_t handle;
    zx_obj_type_t type;
    zx_rights_t rights;
    uint32_t unused;
} zx_handle_info_t;
ZX_SDK_ASSERT(sizeof(zx_handle_info_t) == 16, "size of zx_handle_info_t");
ZX_SDK_ASSERT(_Alignof(zx_handle_info_t) == 4, "alignment of zx_handle_info_t");
ZX_SDK_ASSERT(offsetof(zx_handle_info_t, handle) == 0, "offset of zx_handle_info_t.handle");
ZX_SDK_ASSERT(sizeof(((zx_handle_info_t*)0)->handle) == 4, "size of zx_handle_info_t.handle");
ZX_SDK_ASSERT(offsetof(zx_handle_info_t, type) == 4, "offset of zx_handle_info_t.type");
ZX_SDK_ASSERT(sizeof(((zx_handle_info_t*)0)->type) == 4, "size of zx_handle_info_t.type");
ZX_SDK_ASSERT(offsetof(zx_handle_info_t, rights) == 8, "offset of zx_handle_info_t.rights");
ZX_SDK_ASSERT(sizeof(((zx_handle_info_t*)0)->rights) == 4, "size of zx_handle_info_t.rights");
ZX_SDK_ASSERT(offsetof(zx_handle_info_t, unused) == 12, "offset of zx_handle_info_t.unused");
ZX_SDK_ASSERT(sizeof(((zx_handle_info_t*)0)->unused) == 4, "size of zx_handle_info_t.unused");

typedef struct zx_channel_call_args {
    const void* wr_bytes;
    const zx_handle_t* wr_handles;
    void* rd_bytes;
    zx_handle_t* rd_handles;
    uint32_t wr_num_bytes;
    uint32_t wr_num_handles;
    uint32_t rd_num_bytes;
    uint32_t rd_num_handles;
} zx_channel_call_args_t;
ZX_SDK_ASSERT(sizeof(zx_channel_call_args_t) == 48, "size of zx_channel_call_args_t");
ZX_SDK_ASSERT(_Alignof(zx_channel_call_args_t) == 8, "alignment of zx_channel_call_args_t");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, wr_bytes) == 0, "offset of zx_channel_call_args_t.wr_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->wr_bytes) == 8, "size of zx_channel_call_args_t.wr_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, wr_handles) == 8, "offset of zx_channel_call_args_t.wr_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->wr_handles) == 8, "size of zx_channel_call_args_t.wr_handles");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, rd_bytes) == 16, "offset of zx_channel_call_args_t.rd_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->rd_bytes) == 8, "size of zx_channel_call_args_t.rd_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, rd_handles) == 24, "offset of zx_channel_call_args_t.rd_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->rd_handles) == 8, "size of zx_channel_call_args_t.rd_handles");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, wr_num_bytes) == 32, "offset of zx_channel_call_args_t.wr_num_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->wr_num_bytes) == 4, "size of zx_channel_call_args_t.wr_num_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, wr_num_handles) == 36, "offset of zx_channel_call_args_t.wr_num_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->wr_num_handles) == 4, "size of zx_channel_call_args_t.wr_num_handles");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, rd_num_bytes) == 40, "offset of zx_channel_call_args_t.rd_num_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->rd_num_bytes) == 4, "size of zx_channel_call_args_t.rd_num_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_args_t, rd_num_handles) == 44, "offset of zx_channel_call_args_t.rd_num_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_args_t*)0)->rd_num_handles) == 4, "size of zx_channel_call_args_t.rd_num_handles");

typedef struct zx_channel_call_etc_args {
    const void* wr_bytes;
    zx_handle_disposition_t* wr_handles;
    void* rd_bytes;
    zx_handle_info_t* rd_handles;
    uint32_t wr_num_bytes;
    uint32_t wr_num_handles;
    uint32_t rd_num_bytes;
    uint32_t rd_num_handles;
} zx_channel_call_etc_args_t;
ZX_SDK_ASSERT(sizeof(zx_channel_call_etc_args_t) == 48, "size of zx_channel_call_etc_args_t");
ZX_SDK_ASSERT(_Alignof(zx_channel_call_etc_args_t) == 8, "alignment of zx_channel_call_etc_args_t");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, wr_bytes) == 0, "offset of zx_channel_call_etc_args_t.wr_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->wr_bytes) == 8, "size of zx_channel_call_etc_args_t.wr_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, wr_handles) == 8, "offset of zx_channel_call_etc_args_t.wr_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->wr_handles) == 8, "size of zx_channel_call_etc_args_t.wr_handles");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, rd_bytes) == 16, "offset of zx_channel_call_etc_args_t.rd_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->rd_bytes) == 8, "size of zx_channel_call_etc_args_t.rd_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, rd_handles) == 24, "offset of zx_channel_call_etc_args_t.rd_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->rd_handles) == 8, "size of zx_channel_call_etc_args_t.rd_handles");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, wr_num_bytes) == 32, "offset of zx_channel_call_etc_args_t.wr_num_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->wr_num_bytes) == 4, "size of zx_channel_call_etc_args_t.wr_num_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, wr_num_handles) == 36, "offset of zx_channel_call_etc_args_t.wr_num_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->wr_num_handles) == 4, "size of zx_channel_call_etc_args_t.wr_num_handles");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, rd_num_bytes) == 40, "offset of zx_channel_call_etc_args_t.rd_num_bytes");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->rd_num_bytes) == 4, "size of zx_channel_call_etc_args_t.rd_num_bytes");
ZX_SDK_ASSERT(offsetof(zx_channel_call_etc_args_t, rd_num_handles) == 44, "offset of zx_channel_call_etc_args_t.rd_num_handles");
ZX_SDK_ASSERT(sizeof(((zx_channel_call_etc_args_t*)0)->rd_num_handles) == 4, "size of zx_channel_call_etc_args_t.rd_num_handles");

typedef struct zx_wait_item {
    zx_handle_t handle;
    zx_signals_t waitfor;
    zx_signals_t pending;
} zx_wait_item_t;
ZX_SDK_ASSERT(sizeof(zx_wait_item_t) == 12, "size of zx_wait_item_t");
ZX_SDK_ASSERT(_Alignof(zx_wait_item_t) == 4, "alignment of zx_wait_item_t");
ZX_SDK_ASSERT(offsetof(zx_wait_item_t, handle) == 0, "offset of zx_wait_item_t.handle");
ZX_SDK_ASSERT(sizeof(((zx_wait_item_t*)0)->handle) == 4, "size of zx_wait_item_t.handle");
ZX_SDK_ASSERT(offsetof(zx_wait_item_t, waitfor) == 4, "offset of zx_wait_item_t.waitfor");
ZX_SDK_ASSERT(sizeof(((zx_wait_item_t*)0)->waitfor) == 4, "size of zx_wait_item_t.waitfor");
ZX_SDK_ASSERT(offsetof(zx_wait_item_t, pending) == 8, "offset of zx_wait_item_t.pending");
ZX_SDK_ASSERT(sizeof(((zx_wait_item_t*)0)->pending) == 4, "size of zx_wait_item_t.pending");

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ZIRCON_TYPES_H_

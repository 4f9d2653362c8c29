// Generated from the zx-abi crate (kernel/abi) by kernel/abi/tests/generated.rs.
// Do not edit: change kernel/abi and run
//   ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated
// Names, types, values and layouts are Zircon's; see docs/abi.md.
#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t zx_object_info_topic_t;

// zx_object_get_info topics.
#define ZX_INFO_HANDLE_VALID ((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC ((zx_object_info_topic_t)2u)
#define ZX_INFO_PROCESS ((zx_object_info_topic_t)3u)
#define ZX_INFO_HANDLE_COUNT ((zx_object_info_topic_t)0x13u)
#define ZX_INFO_PROCESS_HANDLE_STATS ((zx_object_info_topic_t)0x15u)
#define ZX_INFO_KERNEL_STATS ((zx_object_info_topic_t)0xf000001u)  // this project's
#define ZX_INFO_CPU_STATS ((zx_object_info_topic_t)0xf000002u)  // this project's
#define ZX_INFO_CPU_STATS_RESET ((zx_object_info_topic_t)0xf000003u)  // this project's

typedef struct zx_info_handle_basic {
    zx_koid_t koid;
    zx_rights_t rights;
    zx_obj_type_t type;
    zx_koid_t related_koid;
    uint32_t reserved;
    uint8_t padding1[4];
} zx_info_handle_basic_t;
ZX_SDK_ASSERT(sizeof(zx_info_handle_basic_t) == 32, "size of zx_info_handle_basic_t");
ZX_SDK_ASSERT(_Alignof(zx_info_handle_basic_t) == 8, "alignment of zx_info_handle_basic_t");
ZX_SDK_ASSERT(offsetof(zx_info_handle_basic_t, koid) == 0, "offset of zx_info_handle_basic_t.koid");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_basic_t*)0)->koid) == 8, "size of zx_info_handle_basic_t.koid");
ZX_SDK_ASSERT(offsetof(zx_info_handle_basic_t, rights) == 8, "offset of zx_info_handle_basic_t.rights");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_basic_t*)0)->rights) == 4, "size of zx_info_handle_basic_t.rights");
ZX_SDK_ASSERT(offsetof(zx_info_handle_basic_t, type) == 12, "offset of zx_info_handle_basic_t.type");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_basic_t*)0)->type) == 4, "size of zx_info_handle_basic_t.type");
ZX_SDK_ASSERT(offsetof(zx_info_handle_basic_t, related_koid) == 16, "offset of zx_info_handle_basic_t.related_koid");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_basic_t*)0)->related_koid) == 8, "size of zx_info_handle_basic_t.related_koid");
ZX_SDK_ASSERT(offsetof(zx_info_handle_basic_t, reserved) == 24, "offset of zx_info_handle_basic_t.reserved");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_basic_t*)0)->reserved) == 4, "size of zx_info_handle_basic_t.reserved");
ZX_SDK_ASSERT(offsetof(zx_info_handle_basic_t, padding1) == 28, "offset of zx_info_handle_basic_t.padding1");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_basic_t*)0)->padding1) == 4, "size of zx_info_handle_basic_t.padding1");

typedef struct zx_info_process {
    int64_t return_code;
    bool started;
    bool exited;
    bool debugger_attached;
    uint8_t padding1[5];
} zx_info_process_t;
ZX_SDK_ASSERT(sizeof(zx_info_process_t) == 16, "size of zx_info_process_t");
ZX_SDK_ASSERT(_Alignof(zx_info_process_t) == 8, "alignment of zx_info_process_t");
ZX_SDK_ASSERT(offsetof(zx_info_process_t, return_code) == 0, "offset of zx_info_process_t.return_code");
ZX_SDK_ASSERT(sizeof(((zx_info_process_t*)0)->return_code) == 8, "size of zx_info_process_t.return_code");
ZX_SDK_ASSERT(offsetof(zx_info_process_t, started) == 8, "offset of zx_info_process_t.started");
ZX_SDK_ASSERT(sizeof(((zx_info_process_t*)0)->started) == 1, "size of zx_info_process_t.started");
ZX_SDK_ASSERT(offsetof(zx_info_process_t, exited) == 9, "offset of zx_info_process_t.exited");
ZX_SDK_ASSERT(sizeof(((zx_info_process_t*)0)->exited) == 1, "size of zx_info_process_t.exited");
ZX_SDK_ASSERT(offsetof(zx_info_process_t, debugger_attached) == 10, "offset of zx_info_process_t.debugger_attached");
ZX_SDK_ASSERT(sizeof(((zx_info_process_t*)0)->debugger_attached) == 1, "size of zx_info_process_t.debugger_attached");
ZX_SDK_ASSERT(offsetof(zx_info_process_t, padding1) == 11, "offset of zx_info_process_t.padding1");
ZX_SDK_ASSERT(sizeof(((zx_info_process_t*)0)->padding1) == 5, "size of zx_info_process_t.padding1");

typedef struct zx_info_handle_count {
    uint32_t handle_count;
} zx_info_handle_count_t;
ZX_SDK_ASSERT(sizeof(zx_info_handle_count_t) == 4, "size of zx_info_handle_count_t");
ZX_SDK_ASSERT(_Alignof(zx_info_handle_count_t) == 4, "alignment of zx_info_handle_count_t");
ZX_SDK_ASSERT(offsetof(zx_info_handle_count_t, handle_count) == 0, "offset of zx_info_handle_count_t.handle_count");
ZX_SDK_ASSERT(sizeof(((zx_info_handle_count_t*)0)->handle_count) == 4, "size of zx_info_handle_count_t.handle_count");

typedef struct zx_info_process_handle_stats {
    uint32_t handle_count[64];
} zx_info_process_handle_stats_t;
ZX_SDK_ASSERT(sizeof(zx_info_process_handle_stats_t) == 256, "size of zx_info_process_handle_stats_t");
ZX_SDK_ASSERT(_Alignof(zx_info_process_handle_stats_t) == 4, "alignment of zx_info_process_handle_stats_t");
ZX_SDK_ASSERT(offsetof(zx_info_process_handle_stats_t, handle_count) == 0, "offset of zx_info_process_handle_stats_t.handle_count");
ZX_SDK_ASSERT(sizeof(((zx_info_process_handle_stats_t*)0)->handle_count) == 256, "size of zx_info_process_handle_stats_t.handle_count");

// This project's own record (not in Zircon).
typedef struct zx_info_kernel_stats {
    uint64_t total_bytes;
    uint64_t free_bytes;
    uint64_t heap_used_bytes;
    uint64_t ipc_bytes;
    uint64_t live_handles;
    uint64_t live_objects;
    uint64_t live_messages;
    uint64_t reserved;
} zx_info_kernel_stats_t;
ZX_SDK_ASSERT(sizeof(zx_info_kernel_stats_t) == 64, "size of zx_info_kernel_stats_t");
ZX_SDK_ASSERT(_Alignof(zx_info_kernel_stats_t) == 8, "alignment of zx_info_kernel_stats_t");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, total_bytes) == 0, "offset of zx_info_kernel_stats_t.total_bytes");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->total_bytes) == 8, "size of zx_info_kernel_stats_t.total_bytes");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, free_bytes) == 8, "offset of zx_info_kernel_stats_t.free_bytes");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->free_bytes) == 8, "size of zx_info_kernel_stats_t.free_bytes");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, heap_used_bytes) == 16, "offset of zx_info_kernel_stats_t.heap_used_bytes");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->heap_used_bytes) == 8, "size of zx_info_kernel_stats_t.heap_used_bytes");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, ipc_bytes) == 24, "offset of zx_info_kernel_stats_t.ipc_bytes");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->ipc_bytes) == 8, "size of zx_info_kernel_stats_t.ipc_bytes");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, live_handles) == 32, "offset of zx_info_kernel_stats_t.live_handles");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->live_handles) == 8, "size of zx_info_kernel_stats_t.live_handles");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, live_objects) == 40, "offset of zx_info_kernel_stats_t.live_objects");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->live_objects) == 8, "size of zx_info_kernel_stats_t.live_objects");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, live_messages) == 48, "offset of zx_info_kernel_stats_t.live_messages");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->live_messages) == 8, "size of zx_info_kernel_stats_t.live_messages");
ZX_SDK_ASSERT(offsetof(zx_info_kernel_stats_t, reserved) == 56, "offset of zx_info_kernel_stats_t.reserved");
ZX_SDK_ASSERT(sizeof(((zx_info_kernel_stats_t*)0)->reserved) == 8, "size of zx_info_kernel_stats_t.reserved");

// This project's own record (not in Zircon).
typedef struct zx_info_cpu_stats {
    uint32_t cpu_count;
    uint32_t sched_lock_waits;
    uint64_t per_cpu_switches[8];
    uint64_t per_cpu_longest_masked_ns[8];
} zx_info_cpu_stats_t;
ZX_SDK_ASSERT(sizeof(zx_info_cpu_stats_t) == 136, "size of zx_info_cpu_stats_t");
ZX_SDK_ASSERT(_Alignof(zx_info_cpu_stats_t) == 8, "alignment of zx_info_cpu_stats_t");
ZX_SDK_ASSERT(offsetof(zx_info_cpu_stats_t, cpu_count) == 0, "offset of zx_info_cpu_stats_t.cpu_count");
ZX_SDK_ASSERT(sizeof(((zx_info_cpu_stats_t*)0)->cpu_count) == 4, "size of zx_info_cpu_stats_t.cpu_count");
ZX_SDK_ASSERT(offsetof(zx_info_cpu_stats_t, sched_lock_waits) == 4, "offset of zx_info_cpu_stats_t.sched_lock_waits");
ZX_SDK_ASSERT(sizeof(((zx_info_cpu_stats_t*)0)->sched_lock_waits) == 4, "size of zx_info_cpu_stats_t.sched_lock_waits");
ZX_SDK_ASSERT(offsetof(zx_info_cpu_stats_t, per_cpu_switches) == 8, "offset of zx_info_cpu_stats_t.per_cpu_switches");
ZX_SDK_ASSERT(sizeof(((zx_info_cpu_stats_t*)0)->per_cpu_switches) == 64, "size of zx_info_cpu_stats_t.per_cpu_switches");
ZX_SDK_ASSERT(offsetof(zx_info_cpu_stats_t, per_cpu_longest_masked_ns) == 72, "offset of zx_info_cpu_stats_t.per_cpu_longest_masked_ns");
ZX_SDK_ASSERT(sizeof(((zx_info_cpu_stats_t*)0)->per_cpu_longest_masked_ns) == 64, "size of zx_info_cpu_stats_t.per_cpu_longest_masked_ns");

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ZIRCON_SYSCALLS_OBJECT_H_

// Generated from the zx-abi crate (kernel/abi) by kernel/abi/tests/generated.rs.
// Do not edit: change kernel/abi and run
//   ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated
// Names, types, values and layouts are Zircon's; see docs/abi.md.
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

// System calls as inline `svc #0` stubs (docs/abi.md section 1): number in x16,
// arguments in x0..x7, result in x0; the kernel changes only x0, x16 and x17.

#include <zircon/types.h>
#include <zircon/syscalls/object.h>

#ifdef __cplusplus
extern "C" {
#endif

// Call numbers.
#define ZXK_SYSCALL_HANDLE_CLOSE 0
#define ZXK_SYSCALL_HANDLE_CLOSE_MANY 1
#define ZXK_SYSCALL_HANDLE_DUPLICATE 2
#define ZXK_SYSCALL_HANDLE_REPLACE 3
#define ZXK_SYSCALL_OBJECT_GET_INFO 4
#define ZXK_SYSCALL_OBJECT_WAIT_ONE 5
#define ZXK_SYSCALL_OBJECT_WAIT_MANY 6
#define ZXK_SYSCALL_OBJECT_SIGNAL 7
#define ZXK_SYSCALL_OBJECT_SIGNAL_PEER 8
#define ZXK_SYSCALL_CHANNEL_CREATE 10
#define ZXK_SYSCALL_CHANNEL_READ 11
#define ZXK_SYSCALL_CHANNEL_READ_ETC 12
#define ZXK_SYSCALL_CHANNEL_WRITE 13
#define ZXK_SYSCALL_CHANNEL_WRITE_ETC 14
#define ZXK_SYSCALL_CHANNEL_CALL 16
#define ZXK_SYSCALL_CHANNEL_CALL_ETC 17
#define ZXK_SYSCALL_EVENT_CREATE 20
#define ZXK_SYSCALL_EVENTPAIR_CREATE 21
#define ZXK_SYSCALL_PROCESS_EXIT 30
#define ZXK_SYSCALL_THREAD_CREATE 31
#define ZXK_SYSCALL_THREAD_START 32
#define ZXK_SYSCALL_THREAD_EXIT 33
#define ZXK_SYSCALL_NANOSLEEP 34
#define ZXK_SYSCALL_CLOCK_GET_MONOTONIC 35
#define ZXK_SYSCALL_DEBUG_WRITE 40
#define ZXK_SYSCALL_PROCESS_SPAWN 41

static inline zx_status_t zx_handle_close(zx_handle_t handle) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_HANDLE_CLOSE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) :  : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)handles;
    register uint64_t x1 __asm__("x1") = (uint64_t)num_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_HANDLE_CLOSE_MANY;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)rights;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)out;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_HANDLE_DUPLICATE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)rights;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)out;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_HANDLE_REPLACE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer, size_t buffer_size, size_t* actual, size_t* avail) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)topic;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)buffer;
    register uint64_t x3 __asm__("x3") = (uint64_t)buffer_size;
    register uint64_t x4 __asm__("x4") = (uint64_t)(uintptr_t)actual;
    register uint64_t x5 __asm__("x5") = (uint64_t)(uintptr_t)avail;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_OBJECT_GET_INFO;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline, zx_signals_t* observed) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)signals;
    register uint64_t x2 __asm__("x2") = (uint64_t)deadline;
    register uint64_t x3 __asm__("x3") = (uint64_t)(uintptr_t)observed;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_OBJECT_WAIT_ONE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items, zx_time_t deadline) {
    register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)items;
    register uint64_t x1 __asm__("x1") = (uint64_t)num_items;
    register uint64_t x2 __asm__("x2") = (uint64_t)deadline;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_OBJECT_WAIT_MANY;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)clear_mask;
    register uint64_t x2 __asm__("x2") = (uint64_t)set_mask;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_OBJECT_SIGNAL;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_object_signal_peer(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)clear_mask;
    register uint64_t x2 __asm__("x2") = (uint64_t)set_mask;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_OBJECT_SIGNAL_PEER;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1) {
    register uint64_t x0 __asm__("x0") = (uint64_t)options;
    register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)out0;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)out1;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_CREATE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_read(zx_handle_t handle, uint32_t options, void* bytes, zx_handle_t* handles, uint32_t num_bytes, uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)options;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)bytes;
    register uint64_t x3 __asm__("x3") = (uint64_t)(uintptr_t)handles;
    register uint64_t x4 __asm__("x4") = (uint64_t)num_bytes;
    register uint64_t x5 __asm__("x5") = (uint64_t)num_handles;
    register uint64_t x6 __asm__("x6") = (uint64_t)(uintptr_t)actual_bytes;
    register uint64_t x7 __asm__("x7") = (uint64_t)(uintptr_t)actual_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_READ;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x6), "r"(x7) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_read_etc(zx_handle_t handle, uint32_t options, void* bytes, zx_handle_info_t* handles, uint32_t num_bytes, uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)options;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)bytes;
    register uint64_t x3 __asm__("x3") = (uint64_t)(uintptr_t)handles;
    register uint64_t x4 __asm__("x4") = (uint64_t)num_bytes;
    register uint64_t x5 __asm__("x5") = (uint64_t)num_handles;
    register uint64_t x6 __asm__("x6") = (uint64_t)(uintptr_t)actual_bytes;
    register uint64_t x7 __asm__("x7") = (uint64_t)(uintptr_t)actual_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_READ_ETC;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x6), "r"(x7) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_write(zx_handle_t handle, uint32_t options, const void* bytes, uint32_t num_bytes, const zx_handle_t* handles, uint32_t num_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)options;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)bytes;
    register uint64_t x3 __asm__("x3") = (uint64_t)num_bytes;
    register uint64_t x4 __asm__("x4") = (uint64_t)(uintptr_t)handles;
    register uint64_t x5 __asm__("x5") = (uint64_t)num_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_WRITE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_write_etc(zx_handle_t handle, uint32_t options, const void* bytes, uint32_t num_bytes, zx_handle_disposition_t* handles, uint32_t num_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)options;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)bytes;
    register uint64_t x3 __asm__("x3") = (uint64_t)num_bytes;
    register uint64_t x4 __asm__("x4") = (uint64_t)(uintptr_t)handles;
    register uint64_t x5 __asm__("x5") = (uint64_t)num_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_WRITE_ETC;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_call(zx_handle_t handle, uint32_t options, zx_time_t deadline, const zx_channel_call_args_t* args, uint32_t* actual_bytes, uint32_t* actual_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)options;
    register uint64_t x2 __asm__("x2") = (uint64_t)deadline;
    register uint64_t x3 __asm__("x3") = (uint64_t)(uintptr_t)args;
    register uint64_t x4 __asm__("x4") = (uint64_t)(uintptr_t)actual_bytes;
    register uint64_t x5 __asm__("x5") = (uint64_t)(uintptr_t)actual_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_CALL;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_channel_call_etc(zx_handle_t handle, uint32_t options, zx_time_t deadline, zx_channel_call_etc_args_t* args, uint32_t* actual_bytes, uint32_t* actual_handles) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)options;
    register uint64_t x2 __asm__("x2") = (uint64_t)deadline;
    register uint64_t x3 __asm__("x3") = (uint64_t)(uintptr_t)args;
    register uint64_t x4 __asm__("x4") = (uint64_t)(uintptr_t)actual_bytes;
    register uint64_t x5 __asm__("x5") = (uint64_t)(uintptr_t)actual_handles;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CHANNEL_CALL_ETC;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_event_create(uint32_t options, zx_handle_t* out) {
    register uint64_t x0 __asm__("x0") = (uint64_t)options;
    register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)out;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_EVENT_CREATE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_eventpair_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1) {
    register uint64_t x0 __asm__("x0") = (uint64_t)options;
    register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)out0;
    register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)out1;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_EVENTPAIR_CREATE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2) : "x17", "memory");
    return (zx_status_t)x0;
}

__attribute__((noreturn)) static inline void zx_process_exit(int64_t retcode) {
    register uint64_t x0 __asm__("x0") = (uint64_t)retcode;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_PROCESS_EXIT;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) :  : "x17", "memory");
    (void)x0;
    __builtin_unreachable();
}

static inline zx_status_t zx_thread_create(zx_handle_t process, const char* name, size_t name_size, uint32_t options, zx_handle_t* out) {
    register uint64_t x0 __asm__("x0") = (uint64_t)process;
    register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)name;
    register uint64_t x2 __asm__("x2") = (uint64_t)name_size;
    register uint64_t x3 __asm__("x3") = (uint64_t)options;
    register uint64_t x4 __asm__("x4") = (uint64_t)(uintptr_t)out;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_THREAD_CREATE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_status_t zx_thread_start(zx_handle_t handle, zx_vaddr_t thread_entry, zx_vaddr_t stack, uintptr_t arg1, uintptr_t arg2) {
    register uint64_t x0 __asm__("x0") = (uint64_t)handle;
    register uint64_t x1 __asm__("x1") = (uint64_t)thread_entry;
    register uint64_t x2 __asm__("x2") = (uint64_t)stack;
    register uint64_t x3 __asm__("x3") = (uint64_t)arg1;
    register uint64_t x4 __asm__("x4") = (uint64_t)arg2;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_THREAD_START;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "x17", "memory");
    return (zx_status_t)x0;
}

__attribute__((noreturn)) static inline void zx_thread_exit(void) {
    register uint64_t x0 __asm__("x0");
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_THREAD_EXIT;
    __asm__ volatile("svc #0" : "=r"(x0), "+r"(x16) :  : "x17", "memory");
    (void)x0;
    __builtin_unreachable();
}

static inline zx_status_t zx_nanosleep(zx_time_t deadline) {
    register uint64_t x0 __asm__("x0") = (uint64_t)deadline;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_NANOSLEEP;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) :  : "x17", "memory");
    return (zx_status_t)x0;
}

static inline zx_time_t zx_clock_get_monotonic(void) {
    register uint64_t x0 __asm__("x0");
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_CLOCK_GET_MONOTONIC;
    __asm__ volatile("svc #0" : "=r"(x0), "+r"(x16) :  : "x17", "memory");
    return (zx_time_t)x0;
}

static inline zx_status_t zx_debug_write(const char* buffer, size_t buffer_size) {
    register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)buffer;
    register uint64_t x1 __asm__("x1") = (uint64_t)buffer_size;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_DEBUG_WRITE;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1) : "x17", "memory");
    return (zx_status_t)x0;
}

// This project's own call (docs/abi.md section 5).
static inline zx_status_t zx_process_spawn(const char* name, size_t name_len, zx_handle_t bootstrap, zx_handle_t* out_process) {
    register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)name;
    register uint64_t x1 __asm__("x1") = (uint64_t)name_len;
    register uint64_t x2 __asm__("x2") = (uint64_t)bootstrap;
    register uint64_t x3 __asm__("x3") = (uint64_t)(uintptr_t)out_process;
    register uint64_t x16 __asm__("x16") = ZXK_SYSCALL_PROCESS_SPAWN;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x16) : "r"(x1), "r"(x2), "r"(x3) : "x17", "memory");
    return (zx_status_t)x0;
}

// A deadline `nanoseconds` from now, saturating at ZX_TIME_INFINITE.
static inline zx_time_t zx_deadline_after(zx_duration_t nanoseconds) {
    zx_time_t now = zx_clock_get_monotonic();
    if (nanoseconds > 0 && now > ZX_TIME_INFINITE - nanoseconds) {
        return ZX_TIME_INFINITE;
    }
    return now + nanoseconds;
}

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ZIRCON_SYSCALLS_H_

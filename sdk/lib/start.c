// Program entry for tools/zxcc programs: `_start` receives the start-up handles in x0..x3
// (docs/abi.md section 5), keeps them for zx_take_startup_handle, runs `int main(void)` and
// ends the process with main's return value as its return code.
#include <zircon/process.h>
#include <zircon/syscalls.h>

int main(void);

static zx_handle_t startup[4];

zx_handle_t zx_take_startup_handle(uint32_t which) {
    if (which >= 4) {
        return ZX_HANDLE_INVALID;
    }
    zx_handle_t h = startup[which];
    startup[which] = ZX_HANDLE_INVALID;
    return h;
}

static zx_handle_t self[2];

zx_handle_t zx_process_self(void) { return self[0]; }
zx_handle_t zx_thread_self(void) { return self[1]; }

__attribute__((noreturn, used)) void __zxsdk_start(zx_handle_t bootstrap, zx_handle_t process,
                                                   zx_handle_t root, zx_handle_t thread) {
    startup[0] = bootstrap;
    startup[1] = process;
    startup[2] = root;
    startup[3] = thread;
    self[0] = process;
    self[1] = thread;
    zx_process_exit(main());
}

// sp is 16-byte aligned and x0..x3 hold the handles; clear the frame chain and go to C.
__asm__(
    ".section .text._start, \"ax\"\n"
    ".global _start\n"
    ".type _start, %function\n"
    "_start:\n"
    "    mov x29, #0\n"
    "    mov x30, #0\n"
    "    b __zxsdk_start\n"
    ".size _start, . - _start\n");

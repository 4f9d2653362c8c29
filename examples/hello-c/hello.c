// hello-c: a C program written against Zircon's headers, built with tools/zxcc:
//   tools/zxcc examples/hello-c/*.c -o build/hello-c
// It prints a line and returns 42, which becomes its process's return code (and, booted with
// exit=semihosting, QEMU's exit code).
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

int main(void) {
    const char* msg = "hello from C\n";
    zx_debug_write(msg, strlen(msg));
    zx_handle_t a, b;
    if (zx_channel_create(0, &a, &b) != ZX_OK) {
        return 1;
    }
    zx_status_t st = zx_channel_write(a, 0, "ping", 4, NULL, 0);
    char buf[8];
    uint32_t actual_bytes = 0, actual_handles = 0;
    if (st == ZX_OK) {
        st = zx_channel_read(b, 0, buf, NULL, sizeof buf, 0, &actual_bytes, &actual_handles);
    }
    printf("hello-c: channel round trip %s (%u bytes), process handle 0x%x\n",
           st == ZX_OK && actual_bytes == 4 && memcmp(buf, "ping", 4) == 0 ? "ok" : "FAILED",
           actual_bytes, zx_process_self());
    zx_handle_close(a);
    zx_handle_close(b);
    return st == ZX_OK ? 42 : 2;
}

// Start-up handles of a program built with tools/zxcc (hand-written, not generated).
#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// Which start-up handle (docs/abi.md section 5: the kernel passes them in x0..x3).
#define ZXK_STARTUP_BOOTSTRAP ((uint32_t)0)      // x0: the bootstrap channel, or 0
#define ZXK_STARTUP_PROCESS ((uint32_t)1)        // x1: this process
#define ZXK_STARTUP_ROOT_RESOURCE ((uint32_t)2)  // x2: the root resource (boot programs only)
#define ZXK_STARTUP_THREAD ((uint32_t)3)         // x3: the first thread

// Returns start-up handle `which` and gives up the start file's claim to it: the caller now
// owns it (and closes it when done). A second call for the same `which`, an absent handle or an
// unknown `which` returns ZX_HANDLE_INVALID.
zx_handle_t zx_take_startup_handle(uint32_t which);

// This process and the first thread, borrowed: valid for the whole run unless taken with
// zx_take_startup_handle and closed.
zx_handle_t zx_process_self(void);
zx_handle_t zx_thread_self(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ZIRCON_PROCESS_H_

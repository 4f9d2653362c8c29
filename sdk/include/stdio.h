// A small printf to the kernel console through zx_debug_write (sdk/lib/printf.c).
// Conversions: %d %i %u %x %X %p %s %c %%, with the length modifiers l, ll, z and a field width
// (optionally 0-padded). One call is one zx_debug_write of at most 1024 bytes (longer output is
// cut), so lines from different processes do not interleave.
#ifndef ZXSDK_STDIO_H_
#define ZXSDK_STDIO_H_
#include <stdarg.h>
#include <stddef.h>
int printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char* fmt, va_list ap);
int snprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);
int puts(const char* s);
#endif

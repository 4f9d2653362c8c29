// A small vsnprintf and printf over zx_debug_write.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>

struct out {
    char* buf;
    size_t size;
    size_t len;  // characters produced, even past size
};

static void put(struct out* o, char c) {
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void put_num(struct out* o, uint64_t v, int neg, unsigned base, int upper, int width,
                    char pad) {
    char tmp[24];
    int n = 0;
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    int total = n + neg;
    if (neg && pad == '0') {
        put(o, '-');
    }
    for (; width > total; width--) {
        put(o, pad);
    }
    if (neg && pad != '0') {
        put(o, '-');
    }
    while (n) {
        put(o, tmp[--n]);
    }
}

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
    struct out o = {buf, size, 0};
    for (const char* p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        char pad = ' ';
        int width = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (*p++ - '0');
        }
        int lng = 0;
        while (*p == 'l' || *p == 'z') {
            lng++;
            p++;
        }
        switch (*p) {
            case 'd':
            case 'i': {
                int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
                uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
                put_num(&o, m, v < 0, 10, 0, width, pad);
                break;
            }
            case 'u':
            case 'x':
            case 'X': {
                uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
                put_num(&o, v, 0, *p == 'u' ? 10 : 16, *p == 'X', width, pad);
                break;
            }
            case 'p':
                put(&o, '0');
                put(&o, 'x');
                put_num(&o, (uintptr_t)va_arg(ap, void*), 0, 16, 0, width, pad);
                break;
            case 's': {
                const char* s = va_arg(ap, const char*);
                if (!s) {
                    s = "(null)";
                }
                for (int n = (int)strlen(s); width > n; width--) {
                    put(&o, ' ');
                }
                while (*s) {
                    put(&o, *s++);
                }
                break;
            }
            case 'c':
                put(&o, (char)va_arg(ap, int));
                break;
            case '%':
                put(&o, '%');
                break;
            case '\0':
                p--;
                break;
            default:
                put(&o, '%');
                put(&o, *p);
                break;
        }
    }
    if (size) {
        buf[o.len < size ? o.len : size - 1] = '\0';
    }
    return (int)o.len;
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char* fmt, va_list ap) {
    char buf[1024];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    size_t len = strlen(buf);
    zx_debug_write(buf, len);
    return n;
}

int printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char* s) {
    return printf("%s\n", s);
}

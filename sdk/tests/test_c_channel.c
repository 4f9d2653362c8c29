// test_c_channel: every channel call through the C SDK (create, write, write_etc with MOVE and
// DUPLICATE, read, read_etc, call, call_etc) with exact statuses and handle fates, from a
// program that only includes Zircon's headers. init runs it like the Rust test programs: exit
// code 0 means every check passed, and every handle it made must be closed by then.
//
// Deliberately not asserted (another change owns these corners): a NULL actual_bytes in
// zx_channel_call, ZX_CHANNEL_WRITE_USE_IOVEC in calls, and the input value of a disposition's
// `result`.
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

static int failures;
static int checks;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        checks++;                                                                       \
        if (!(cond)) {                                                                  \
            failures++;                                                                 \
            printf("test_c_channel: FAIL line %d: %s\n", __LINE__, #cond);             \
        }                                                                               \
    } while (0)

#define CHECK_ST(expr, want)                                                                    \
    do {                                                                                        \
        zx_status_t got_ = (expr);                                                              \
        checks++;                                                                               \
        if (got_ != (want)) {                                                                   \
            failures++;                                                                         \
            printf("test_c_channel: FAIL line %d: %s = %d, want %s (%d)\n", __LINE__, #expr,    \
                   got_, #want, (want));                                                        \
        }                                                                                       \
    } while (0)

static bool valid(zx_handle_t h) {
    return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

static zx_info_handle_basic_t basic(zx_handle_t h) {
    zx_info_handle_basic_t info;
    memset(&info, 0, sizeof info);
    zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL);
    return info;
}

static zx_handle_t event(void) {
    zx_handle_t e = ZX_HANDLE_INVALID;
    CHECK_ST(zx_event_create(0, &e), ZX_OK);
    return e;
}

static void test_create(void) {
    zx_handle_t a = 0, b = 0;
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    CHECK(a != ZX_HANDLE_INVALID && b != ZX_HANDLE_INVALID && a != b);
    CHECK((a & ZX_HANDLE_FIXED_BITS_MASK) == ZX_HANDLE_FIXED_BITS_MASK);
    zx_info_handle_basic_t ia = basic(a), ib = basic(b);
    CHECK(ia.type == ZX_OBJ_TYPE_CHANNEL);
    CHECK(ia.rights == ZX_DEFAULT_CHANNEL_RIGHTS);
    CHECK(ia.related_koid == ib.koid && ib.related_koid == ia.koid);
    zx_signals_t seen = 0;
    CHECK_ST(zx_object_wait_one(a, ZX_CHANNEL_WRITABLE, 0, &seen), ZX_OK);
    CHECK(seen == ZX_CHANNEL_WRITABLE);
    CHECK_ST(zx_handle_close(a), ZX_OK);
    CHECK_ST(zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, 0, &seen), ZX_OK);
    CHECK(seen & ZX_CHANNEL_PEER_CLOSED);
    CHECK(!(seen & ZX_CHANNEL_WRITABLE));
    CHECK_ST(zx_handle_close(b), ZX_OK);
    zx_handle_t c = 0, d = 0;
    CHECK_ST(zx_channel_create(1, &c, &d), ZX_ERR_INVALID_ARGS);
}

static void test_write_read(void) {
    zx_handle_t a, b;
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    zx_handle_t e = event();
    zx_koid_t ekoid = basic(e).koid;
    CHECK_ST(zx_channel_write(a, 0, "hello", 5, &e, 1), ZX_OK);
    CHECK(!valid(e));  // moved into the message
    zx_signals_t seen = 0;
    CHECK_ST(zx_object_wait_one(b, ZX_CHANNEL_READABLE, 0, &seen), ZX_OK);

    // Too small: BUFFER_TOO_SMALL with the needed sizes; the message stays queued.
    char small[2];
    uint32_t ab = 0, ah = 0;
    zx_handle_t got = ZX_HANDLE_INVALID;
    CHECK_ST(zx_channel_read(b, 0, small, &got, sizeof small, 1, &ab, &ah),
             ZX_ERR_BUFFER_TOO_SMALL);
    CHECK(ab == 5 && ah == 1);
    CHECK_ST(zx_channel_read(b, 0, small, NULL, 5, 0, &ab, &ah), ZX_ERR_BUFFER_TOO_SMALL);

    char buf[16];
    ab = ah = 0;
    CHECK_ST(zx_channel_read(b, 0, buf, &got, sizeof buf, 1, &ab, &ah), ZX_OK);
    CHECK(ab == 5 && ah == 1 && memcmp(buf, "hello", 5) == 0);
    CHECK(valid(got) && basic(got).koid == ekoid && basic(got).type == ZX_OBJ_TYPE_EVENT);
    CHECK(basic(got).rights == ZX_DEFAULT_EVENT_RIGHTS);
    CHECK_ST(zx_handle_close(got), ZX_OK);

    // Empty queue, unknown option, wrong type.
    CHECK_ST(zx_channel_read(b, 0, buf, NULL, sizeof buf, 0, &ab, &ah), ZX_ERR_SHOULD_WAIT);
    CHECK_ST(zx_channel_read(b, 0x100, buf, NULL, sizeof buf, 0, &ab, &ah),
             ZX_ERR_NOT_SUPPORTED);
    zx_handle_t e2 = event();
    CHECK_ST(zx_channel_read(e2, 0, buf, NULL, sizeof buf, 0, &ab, &ah), ZX_ERR_WRONG_TYPE);

    // READ_MAY_DISCARD drops a message that does not fit, with its handle.
    zx_handle_t e3 = event();
    CHECK_ST(zx_channel_write(a, 0, "0123456789", 10, &e3, 1), ZX_OK);
    CHECK_ST(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, buf, NULL, 4, 0, &ab, &ah),
             ZX_ERR_BUFFER_TOO_SMALL);
    CHECK(ab == 10 && ah == 1);
    CHECK_ST(zx_channel_read(b, 0, buf, NULL, sizeof buf, 0, &ab, &ah), ZX_ERR_SHOULD_WAIT);

    // Errors of write, and the fate of the handles sent along: consumed on every failure.
    zx_handle_t ev = event();
    CHECK_ST(zx_channel_write(e2, 0, "x", 1, &ev, 1), ZX_ERR_WRONG_TYPE);
    CHECK(!valid(ev));
    ev = event();
    CHECK_ST(zx_channel_write(a, 0x80, "x", 1, &ev, 1), ZX_ERR_INVALID_ARGS);
    CHECK(!valid(ev));
    ev = event();
    CHECK_ST(zx_channel_write(a, 0, "x", ZX_CHANNEL_MAX_MSG_BYTES + 1, &ev, 1),
             ZX_ERR_OUT_OF_RANGE);
    CHECK(!valid(ev));
    zx_handle_t many[ZX_CHANNEL_MAX_MSG_HANDLES + 1];
    memset(many, 0, sizeof many);
    CHECK_ST(zx_channel_write(a, 0, NULL, 0, many, ZX_CHANNEL_MAX_MSG_HANDLES + 1),
             ZX_ERR_OUT_OF_RANGE);
    // A handle without TRANSFER: ACCESS_DENIED, and it is consumed too.
    zx_handle_t weak = ZX_HANDLE_INVALID;
    ev = event();
    CHECK_ST(zx_handle_replace(ev, ZX_RIGHT_WAIT, &weak), ZX_OK);
    CHECK_ST(zx_channel_write(a, 0, "x", 1, &weak, 1), ZX_ERR_ACCESS_DENIED);
    CHECK(!valid(weak));
    // A handle value repeated in the array: BAD_HANDLE.
    zx_handle_t twice[2] = {event(), 0};
    twice[1] = twice[0];
    CHECK_ST(zx_channel_write(a, 0, "x", 1, twice, 2), ZX_ERR_BAD_HANDLE);
    CHECK(!valid(twice[0]));
    // A failed write leaves nothing on the peer.
    CHECK_ST(zx_object_wait_one(b, ZX_CHANNEL_READABLE, 0, &seen), ZX_ERR_TIMED_OUT);

    // Writing an endpoint into its own channel: NOT_SUPPORTED, and the endpoint is consumed.
    CHECK_ST(zx_channel_write(a, 0, "x", 1, &a, 1), ZX_ERR_NOT_SUPPORTED);
    CHECK(!valid(a));
    // Now b's peer is gone: writes fail with PEER_CLOSED (handles consumed), reads of the
    // empty queue with PEER_CLOSED.
    ev = event();
    CHECK_ST(zx_channel_write(b, 0, "x", 1, &ev, 1), ZX_ERR_PEER_CLOSED);
    CHECK(!valid(ev));
    CHECK_ST(zx_channel_read(b, 0, buf, NULL, sizeof buf, 0, &ab, &ah), ZX_ERR_PEER_CLOSED);
    CHECK_ST(zx_handle_close(b), ZX_OK);
    CHECK_ST(zx_handle_close(e2), ZX_OK);
    // A stale handle value.
    CHECK_ST(zx_channel_write(b, 0, "x", 1, NULL, 0), ZX_ERR_BAD_HANDLE);
}

static void test_write_etc_read_etc(void) {
    zx_handle_t a, b;
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    zx_handle_t mv = event(), dup = event();
    zx_koid_t mvk = basic(mv).koid, dupk = basic(dup).koid;
    zx_handle_disposition_t d[2] = {
        {.operation = ZX_HANDLE_OP_MOVE, .handle = mv, .type = ZX_OBJ_TYPE_EVENT,
         .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK},
        {.operation = ZX_HANDLE_OP_DUPLICATE, .handle = dup, .type = ZX_OBJ_TYPE_NONE,
         .rights = ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL, .result = ZX_OK},
    };
    CHECK_ST(zx_channel_write_etc(a, 0, "etc", 3, d, 2), ZX_OK);
    CHECK(!valid(mv));  // MOVE: gone from the caller
    CHECK(valid(dup));  // DUPLICATE: kept
    CHECK(d[0].result == ZX_OK && d[1].result == ZX_OK);

    zx_handle_info_t info[2];
    memset(info, 0xff, sizeof info);
    char buf[8];
    uint32_t ab = 0, ah = 0;
    CHECK_ST(zx_channel_read_etc(b, 0, buf, info, sizeof buf, 1, &ab, &ah),
             ZX_ERR_BUFFER_TOO_SMALL);
    CHECK(ab == 3 && ah == 2);
    CHECK_ST(zx_channel_read_etc(b, 0, buf, info, sizeof buf, 2, &ab, &ah), ZX_OK);
    CHECK(ab == 3 && ah == 2 && memcmp(buf, "etc", 3) == 0);
    CHECK(info[0].type == ZX_OBJ_TYPE_EVENT && info[0].rights == ZX_DEFAULT_EVENT_RIGHTS);
    CHECK(info[0].unused == 0 && basic(info[0].handle).koid == mvk);
    CHECK(info[1].type == ZX_OBJ_TYPE_EVENT);
    CHECK(info[1].rights == (ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL));
    CHECK(basic(info[1].handle).koid == dupk);
    CHECK(basic(info[1].handle).rights == (ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL));
    CHECK_ST(zx_handle_close(info[0].handle), ZX_OK);
    CHECK_ST(zx_handle_close(info[1].handle), ZX_OK);

    // Errors: every entry is checked and gets its own result; the first error is returned;
    // MOVE sources are consumed, DUPLICATE sources stay.
    zx_handle_t c, c2;
    CHECK_ST(zx_channel_create(0, &c, &c2), ZX_OK);  // channel endpoints lack DUPLICATE
    zx_handle_t wrong = event(), ok_dup = event();
    zx_handle_disposition_t e[3] = {
        {.operation = ZX_HANDLE_OP_MOVE, .handle = wrong, .type = ZX_OBJ_TYPE_CHANNEL,
         .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK},
        {.operation = ZX_HANDLE_OP_DUPLICATE, .handle = c, .type = ZX_OBJ_TYPE_NONE,
         .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK},
        {.operation = ZX_HANDLE_OP_DUPLICATE, .handle = ok_dup, .type = ZX_OBJ_TYPE_EVENT,
         .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK},
    };
    CHECK_ST(zx_channel_write_etc(a, 0, "x", 1, e, 3), ZX_ERR_WRONG_TYPE);
    CHECK(e[0].result == ZX_ERR_WRONG_TYPE);
    CHECK(e[1].result == ZX_ERR_ACCESS_DENIED);
    CHECK(e[2].result == ZX_OK);
    CHECK(!valid(wrong));
    CHECK(valid(c) && valid(ok_dup));
    // Rights that are not a subset: INVALID_ARGS for the entry.
    zx_handle_t weak;
    zx_handle_t ev = event();
    CHECK_ST(zx_handle_replace(ev, ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT, &weak),
             ZX_OK);
    zx_handle_disposition_t f = {.operation = ZX_HANDLE_OP_DUPLICATE, .handle = weak,
                                 .type = ZX_OBJ_TYPE_NONE, .rights = ZX_RIGHT_SIGNAL,
                                 .result = ZX_OK};
    CHECK_ST(zx_channel_write_etc(a, 0, NULL, 0, &f, 1), ZX_ERR_INVALID_ARGS);
    CHECK(f.result == ZX_ERR_INVALID_ARGS && valid(weak));
    // Options are refused (INVALID_ARGS): MOVE source consumed, DUPLICATE kept.
    zx_handle_t m2 = event();
    zx_handle_disposition_t g[2] = {
        {.operation = ZX_HANDLE_OP_MOVE, .handle = m2, .type = ZX_OBJ_TYPE_NONE,
         .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK},
        {.operation = ZX_HANDLE_OP_DUPLICATE, .handle = weak, .type = ZX_OBJ_TYPE_NONE,
         .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK},
    };
    CHECK_ST(zx_channel_write_etc(a, ZX_CHANNEL_WRITE_USE_IOVEC, "x", 1, g, 2),
             ZX_ERR_INVALID_ARGS);
    CHECK(!valid(m2) && valid(weak));
    // An unknown operation: INVALID_ARGS, and that handle is consumed.
    zx_handle_t m3 = event();
    zx_handle_disposition_t h = {.operation = 7, .handle = m3, .type = ZX_OBJ_TYPE_NONE,
                                 .rights = ZX_RIGHT_SAME_RIGHTS, .result = ZX_OK};
    CHECK_ST(zx_channel_write_etc(a, 0, NULL, 0, &h, 1), ZX_ERR_INVALID_ARGS);
    CHECK(h.result == ZX_ERR_INVALID_ARGS && !valid(m3));
    // The peer endpoint through its own channel: NOT_SUPPORTED (this kernel's rule), moved.
    zx_handle_disposition_t p = {.operation = ZX_HANDLE_OP_MOVE, .handle = c2,
                                 .type = ZX_OBJ_TYPE_CHANNEL, .rights = ZX_RIGHT_SAME_RIGHTS,
                                 .result = ZX_OK};
    CHECK_ST(zx_channel_write_etc(c, 0, NULL, 0, &p, 1), ZX_ERR_NOT_SUPPORTED);
    CHECK(p.result == ZX_ERR_NOT_SUPPORTED && !valid(c2));
    // Nothing of the failed writes reached b.
    CHECK_ST(zx_channel_read_etc(b, 0, buf, info, sizeof buf, 2, &ab, &ah), ZX_ERR_SHOULD_WAIT);

    CHECK_ST(zx_handle_close(c), ZX_OK);
    CHECK_ST(zx_handle_close(ok_dup), ZX_OK);
    CHECK_ST(zx_handle_close(weak), ZX_OK);
    CHECK_ST(zx_handle_close(dup), ZX_OK);
    CHECK_ST(zx_handle_close(a), ZX_OK);
    CHECK_ST(zx_handle_close(b), ZX_OK);
}

// --- zx_channel_call against a server thread -------------------------------------------------

enum { SERVE_ECHO = 1, SERVE_CLOSE = 2, SERVE_BIG = 3 };

static uint8_t server_stack[16384] __attribute__((aligned(16)));

// Serves one request on `ch` (then closes it and exits): ECHO replies with the request's bytes
// and handles, with a fresh event added; CLOSE closes without replying; BIG replies with more
// bytes than the caller can take.
__attribute__((noreturn)) static void server(uintptr_t ch_arg, uintptr_t mode) {
    zx_handle_t ch = (zx_handle_t)ch_arg;
    zx_signals_t seen;
    zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &seen);
    uint8_t buf[256];
    zx_handle_t hs[8];
    uint32_t ab = 0, ah = 0;
    if (zx_channel_read(ch, 0, buf, hs, sizeof buf, 7, &ab, &ah) == ZX_OK) {
        if (mode == SERVE_ECHO) {
            zx_event_create(0, &hs[ah]);
            zx_channel_write(ch, 0, buf, ab, hs, ah + 1);
        } else if (mode == SERVE_BIG) {
            memset(buf + 4, 'B', sizeof buf - 4);
            zx_channel_write(ch, 0, buf, sizeof buf, NULL, 0);
            zx_handle_close_many(hs, ah);
        } else {
            zx_handle_close_many(hs, ah);
        }
    }
    zx_handle_close(ch);
    zx_thread_exit();
}

static zx_handle_t start_server(zx_handle_t ch, uintptr_t mode) {
    zx_handle_t t = ZX_HANDLE_INVALID;
    CHECK_ST(zx_thread_create(zx_process_self(), "server", 6, 0, &t), ZX_OK);
    CHECK_ST(zx_thread_start(t, (zx_vaddr_t)server, (zx_vaddr_t)(server_stack + sizeof server_stack),
                             ch, mode),
             ZX_OK);
    return t;
}

static void join(zx_handle_t t) {
    zx_signals_t seen = 0;
    CHECK_ST(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(60)), &seen),
             ZX_OK);
    CHECK_ST(zx_handle_close(t), ZX_OK);
}

static void test_call(void) {
    zx_handle_t a, b;
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    zx_handle_t t = start_server(b, SERVE_ECHO);
    zx_handle_t ev = event();
    zx_koid_t evk = basic(ev).koid;
    uint8_t req[12] = {0, 0, 0, 0, 'r', 'e', 'q', 'u', 'e', 's', 't', '!'};
    uint8_t rep[64];
    zx_handle_t rh[4] = {0};
    zx_channel_call_args_t args = {
        .wr_bytes = req, .wr_handles = &ev, .rd_bytes = rep, .rd_handles = rh,
        .wr_num_bytes = sizeof req, .wr_num_handles = 1,
        .rd_num_bytes = sizeof rep, .rd_num_handles = 4,
    };
    uint32_t ab = 0, ah = 0;
    CHECK_ST(zx_channel_call(a, 0, zx_deadline_after(ZX_SEC(60)), &args, &ab, &ah), ZX_OK);
    CHECK(!valid(ev));
    CHECK(ab == sizeof req && ah == 2);
    uint32_t txid;
    memcpy(&txid, rep, 4);
    CHECK(txid >= ZXK_CHANNEL_CALL_TXID_MIN);
    CHECK(memcmp(rep + 4, "request!", 8) == 0);
    CHECK(basic(rh[0]).koid == evk && basic(rh[1]).type == ZX_OBJ_TYPE_EVENT);
    zx_handle_close_many(rh, 2);
    join(t);  // the server closed b
    CHECK_ST(zx_handle_close(a), ZX_OK);

    // call_etc: a DUPLICATE disposition stays with the caller; the reply comes as handle infos.
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    t = start_server(b, SERVE_ECHO);
    ev = event();
    zx_handle_disposition_t d = {.operation = ZX_HANDLE_OP_DUPLICATE, .handle = ev,
                                 .type = ZX_OBJ_TYPE_EVENT, .rights = ZX_RIGHT_SAME_RIGHTS,
                                 .result = ZX_OK};
    zx_handle_info_t infos[4];
    zx_channel_call_etc_args_t eargs = {
        .wr_bytes = req, .wr_handles = &d, .rd_bytes = rep, .rd_handles = infos,
        .wr_num_bytes = sizeof req, .wr_num_handles = 1,
        .rd_num_bytes = sizeof rep, .rd_num_handles = 4,
    };
    CHECK_ST(zx_channel_call_etc(a, 0, zx_deadline_after(ZX_SEC(60)), &eargs, &ab, &ah), ZX_OK);
    CHECK(valid(ev) && d.result == ZX_OK);
    CHECK(ab == sizeof req && ah == 2);
    CHECK(infos[0].type == ZX_OBJ_TYPE_EVENT && basic(infos[0].handle).koid == basic(ev).koid);
    CHECK(infos[1].type == ZX_OBJ_TYPE_EVENT && infos[1].rights == ZX_DEFAULT_EVENT_RIGHTS);
    CHECK_ST(zx_handle_close(infos[0].handle), ZX_OK);
    CHECK_ST(zx_handle_close(infos[1].handle), ZX_OK);
    CHECK_ST(zx_handle_close(ev), ZX_OK);
    join(t);
    CHECK_ST(zx_handle_close(a), ZX_OK);

    // The server closes without replying: PEER_CLOSED.
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    t = start_server(b, SERVE_CLOSE);
    args.wr_num_handles = 0;
    CHECK_ST(zx_channel_call(a, 0, zx_deadline_after(ZX_SEC(60)), &args, &ab, &ah),
             ZX_ERR_PEER_CLOSED);
    join(t);
    CHECK_ST(zx_handle_close(a), ZX_OK);

    // A reply larger than the buffer: BUFFER_TOO_SMALL.
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    t = start_server(b, SERVE_BIG);
    CHECK_ST(zx_channel_call(a, 0, zx_deadline_after(ZX_SEC(60)), &args, &ab, &ah),
             ZX_ERR_BUFFER_TOO_SMALL);
    join(t);
    CHECK_ST(zx_handle_close(a), ZX_OK);

    // Nobody answers: TIMED_OUT at the deadline; fewer than 4 bytes: INVALID_ARGS with the
    // handle consumed; an event is not a channel: WRONG_TYPE.
    CHECK_ST(zx_channel_create(0, &a, &b), ZX_OK);
    CHECK_ST(zx_channel_call(a, 0, zx_deadline_after(ZX_MSEC(20)), &args, &ab, &ah),
             ZX_ERR_TIMED_OUT);
    ev = event();
    args.wr_handles = &ev;
    args.wr_num_handles = 1;
    args.wr_num_bytes = 3;
    CHECK_ST(zx_channel_call(a, 0, zx_deadline_after(ZX_SEC(1)), &args, &ab, &ah),
             ZX_ERR_INVALID_ARGS);
    CHECK(!valid(ev));
    zx_handle_t e2 = event();
    args.wr_num_handles = 0;
    args.wr_num_bytes = sizeof req;
    CHECK_ST(zx_channel_call(e2, 0, zx_deadline_after(ZX_SEC(1)), &args, &ab, &ah),
             ZX_ERR_WRONG_TYPE);
    CHECK_ST(zx_handle_close(e2), ZX_OK);
    CHECK_ST(zx_handle_close(b), ZX_OK);
    CHECK_ST(zx_handle_close(a), ZX_OK);
}

int main(void) {
    // The bootstrap channel carries init's "root" message; close it (and its handle).
    zx_handle_close(zx_take_startup_handle(ZXK_STARTUP_BOOTSTRAP));
    test_create();
    test_write_read();
    test_write_etc_read_etc();
    test_call();
    printf("test_c_channel: %d checks, %d failed\n", checks, failures);
    return failures;
}

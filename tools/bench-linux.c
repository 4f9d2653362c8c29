// The Linux side of `make bench-linux` (tools/bench-linux.sh): the initramfs's /init, a static
// program that measures, the Linux way, the operations `make bench` measures on this kernel, then
// powers the machine off so that QEMU exits.
//
// QEMU runs it as `make bench` runs bench_ipc: `virt -cpu max -smp 1` under
// `-icount shift=0,align=off,sleep=off`, where the virtual counter (CNTVCT_EL0, readable at EL0
// on Linux arm64) advances one tick per guest instruction when it runs at 1 GHz. Each figure is
// the mean over ITERS iterations after a warm-up of ITERS/10+1, like bench_ipc. Output lines:
//   linux: counter at F Hz
//   linux: NAME INSTRUCTIONS
// and, if anything fails, "linux: error: ..." (the script then fails).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/reboot.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITERS 2000
#define BIG_ITERS 200
#define BIG 65536

static uint64_t freq;

static inline uint64_t ticks(void) {
  uint64_t t;
  __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t)::"memory");
  return t;
}

static void power_off(int code) {
  fflush(stdout);
  if (code) printf("linux: exit %d\n", code);
  fflush(stdout);
  sync();
  reboot(LINUX_REBOOT_CMD_POWER_OFF);
  for (;;) pause();
}

static void fail(const char *what) {
  printf("linux: error: %s: %s\n", what, strerror(errno));
  power_off(1);
}

// Ticks to instructions: at 1 GHz and icount shift=0 one tick is one instruction.
static uint64_t to_insns(uint64_t t, uint64_t iters) {
  return (uint64_t)((unsigned __int128)t * 1000000000u / freq / iters);
}

static void report(const char *name, uint64_t per_op) {
  printf("linux: %s %llu\n", name, (unsigned long long)per_op);
  fflush(stdout);
}

static void full_write(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) fail("write");
    p += w;
    n -= (size_t)w;
  }
}

static void full_read(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r <= 0) fail("read");
    p += r;
    n -= (size_t)r;
  }
}

static char msg[64];
static char buf[64];
static char big_src[BIG];
static char big_dst[BIG];
// For the unaligned row: used from 1 and 7 bytes past a page boundary, as bench_ipc does.
static char big_src_u[BIG + 4096] __attribute__((aligned(4096)));
static char big_dst_u[BIG + 4096] __attribute__((aligned(4096)));

typedef void (*op_fn)(void *);

// Runs `op` iters/10+1 times, then `iters` times timed; returns instructions per iteration.
static uint64_t measure(uint64_t iters, op_fn op, void *arg) {
  for (uint64_t i = 0; i < iters / 10 + 1; i++) op(arg);
  uint64_t t0 = ticks();
  for (uint64_t i = 0; i < iters; i++) op(arg);
  return to_insns(ticks() - t0, iters);
}

static void op_getppid(void *arg) {
  (void)arg;
  syscall(SYS_getppid);
}

static void op_pipe_64(void *arg) {
  int *p = arg;
  full_write(p[1], msg, sizeof msg);
  full_read(p[0], buf, sizeof buf);
}

static void op_pipe_big(void *arg) {
  int *p = arg;
  full_write(p[1], big_src, BIG);
  full_read(p[0], big_dst, BIG);
}

static void op_pipe_big_unaligned(void *arg) {
  int *p = arg;
  full_write(p[1], big_src_u + 1, BIG);
  full_read(p[0], big_dst_u + 7, BIG);
}

// Two-process ping-pong over a pair of fds: the client writes 64 B on `out` and reads the echo
// on `in`; the child echoes until EOF.
struct pp {
  int in, out;
};

static void op_round_trip(void *arg) {
  struct pp *c = arg;
  full_write(c->out, msg, sizeof msg);
  full_read(c->in, buf, sizeof buf);
}

static void echo_child(int in, int out, size_t n) {
  char b[64];
  for (;;) {
    ssize_t r = read(in, b, n);
    if (r == 0) _exit(0);
    if (r < 0) _exit(2);
    if ((size_t)r < n) {  // a pipe may deliver a message in pieces
      size_t got = (size_t)r;
      while (got < n) {
        r = read(in, b + got, n - got);
        if (r <= 0) _exit(3);
        got += (size_t)r;
      }
    }
    if (write(out, b, n) != (ssize_t)n) _exit(4);
  }
}

static void reap(pid_t pid) {
  int st;
  if (waitpid(pid, &st, 0) != pid) fail("waitpid");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    printf("linux: error: child ended with status %d\n", st);
    power_off(1);
  }
}

static void bench_pipe_ping_pong(void) {
  int a[2], b[2];
  if (pipe(a) || pipe(b)) fail("pipe");
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    close(a[1]);
    close(b[0]);
    echo_child(a[0], b[1], 64);
  }
  close(a[0]);
  close(b[1]);
  struct pp c = {b[0], a[1]};
  report("pipe_ping_pong_64", measure(ITERS, op_round_trip, &c));
  close(a[1]);
  reap(pid);
  close(b[0]);
}

static void bench_seqpacket_ping_pong(void) {
  int s[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s)) fail("socketpair");
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    close(s[0]);
    echo_child(s[1], s[1], 64);
  }
  close(s[1]);
  struct pp c = {s[0], s[0]};
  report("seqpacket_ping_pong_64", measure(ITERS, op_round_trip, &c));
  shutdown(s[0], SHUT_WR);
  reap(pid);
  close(s[0]);
}

// A 64 B message with one fd in SCM_RIGHTS on a unix seqpacket socket. The sender closes its
// fd after sending, so the descriptor moves as a handle does in a channel message.
static void send_fd(int s, int fd) {
  char ctl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {msg, sizeof msg};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  if (sendmsg(s, &m, 0) != (ssize_t)sizeof msg) fail("sendmsg");
  close(fd);
}

// Returns the received fd, -1 at end of stream.
static int recv_fd(int s) {
  char ctl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  ssize_t r = recvmsg(s, &m, 0);
  if (r == 0) return -1;
  if (r != (ssize_t)sizeof buf) fail("recvmsg");
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    fail("recvmsg: no fd");
  }
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

static int moving_fd;

static void op_fd_round_trip(void *arg) {
  int s = *(int *)arg;
  send_fd(s, moving_fd);
  moving_fd = recv_fd(s);
  if (moving_fd < 0) fail("recvmsg: end of stream");
}

static void bench_seqpacket_fd_ping_pong(void) {
  int s[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s)) fail("socketpair");
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    close(s[0]);
    for (;;) {
      int fd = recv_fd(s[1]);
      if (fd < 0) _exit(0);
      send_fd(s[1], fd);
    }
  }
  close(s[1]);
  int p[2];
  if (pipe(p)) fail("pipe");
  close(p[1]);
  moving_fd = p[0];
  report("seqpacket_fd_ping_pong_64", measure(ITERS, op_fd_round_trip, &s[0]));
  close(moving_fd);
  shutdown(s[0], SHUT_WR);
  reap(pid);
  close(s[0]);
}

// Futex ping-pong between two processes through a shared page: `turn` is 0 when the parent may
// go, 1 when the child may. Each side flips it, wakes the other, and sleeps until it flips back.
static volatile uint32_t *turn;
static volatile uint32_t *stop;

static long futex(volatile uint32_t *addr, int op, uint32_t val) {
  return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void op_futex(void *arg) {
  (void)arg;
  __atomic_store_n(turn, 1, __ATOMIC_SEQ_CST);
  futex(turn, FUTEX_WAKE, 1);
  while (__atomic_load_n(turn, __ATOMIC_SEQ_CST) == 1) futex(turn, FUTEX_WAIT, 1);
}

static void bench_futex_ping_pong(void) {
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) fail("mmap");
  turn = page;
  stop = (volatile uint32_t *)page + 1;
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    for (;;) {
      while (__atomic_load_n(turn, __ATOMIC_SEQ_CST) == 0) {
        if (__atomic_load_n(stop, __ATOMIC_SEQ_CST)) _exit(0);
        futex(turn, FUTEX_WAIT, 0);
      }
      __atomic_store_n(turn, 0, __ATOMIC_SEQ_CST);
      futex(turn, FUTEX_WAKE, 1);
    }
  }
  report("futex_ping_pong", measure(ITERS, op_futex, NULL));
  __atomic_store_n(stop, 1, __ATOMIC_SEQ_CST);
  futex(turn, FUTEX_WAKE, 1);
  reap(pid);
}

int main(void) {
  // An initramfs without /dev/console gives /init no console: make one.
  mkdir("/dev", 0755);
  mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
  int fd = open("/dev/console", O_RDWR);
  if (fd >= 0) {
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2) close(fd);
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
  printf("linux: counter at %llu Hz\n", (unsigned long long)freq);
  memset(msg, 7, sizeof msg);
  memset(big_src, 7, sizeof big_src);

  report("getppid", measure(ITERS, op_getppid, NULL));
  int p[2];
  if (pipe(p)) fail("pipe");
  report("pipe_write_read_64", measure(ITERS, op_pipe_64, p));
  report("pipe_write_read_64k", measure(BIG_ITERS, op_pipe_big, p));
  report("pipe_write_read_64k_unaligned", measure(BIG_ITERS, op_pipe_big_unaligned, p));
  close(p[0]);
  close(p[1]);
  bench_pipe_ping_pong();
  bench_seqpacket_ping_pong();
  bench_seqpacket_fd_ping_pong();
  bench_futex_ping_pong();
  printf("linux: done\n");
  power_off(0);
}

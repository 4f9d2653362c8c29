#!/usr/bin/env bash
# make bench-linux: the same IPC operations measured on this kernel and on Linux, in one run, on
# the same QEMU (`virt -cpu max -smp 1 -m 256M` under `-icount shift=0,align=off,sleep=off`, so
# every figure is instructions per operation), printed side by side.
#
# - This kernel: tools/bench.sh (bench_ipc and bench_smp; the bounds boot is skipped).
# - Linux: Debian's arm64 kernel (the package linux-image-arm64 depends on, fetched with a
#   private apt configuration by tools/debian-apt.sh, nothing installed) booted with a one-file
#   initramfs whose /init is tools/bench-linux.c, built static with Debian's
#   gcc-aarch64-linux-gnu (installed with apt-get here if missing and we are root).
#
# Repeatable to the instruction: besides icount, `-seed 1` makes the guest's random numbers
# (RNDR, which Linux seeds its RNG from) deterministic, `dtb-randomness=off` drops the DTB's random
# seeds, and the RTC follows virtual time from a fixed date.
#
# Downloads are cached in $LINUX_CACHE (default build/linux): the kernel image and its VERSION.
# Environment: LINUX_CACHE, DEBIAN_MIRROR, DEBIAN_SECURITY, DEBIAN_SUITE (tools/debian-apt.sh),
#   KERNEL_PKG (default: what linux-image-arm64 depends on), TIMEOUT (seconds per QEMU run,
#   default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
BUILD=${BUILD:-build}
cache=${LINUX_CACHE:-$BUILD/linux}
timeout_s=${TIMEOUT:-600}

die() {
  echo "bench-linux: $*" >&2
  exit 1
}

# The cross compiler (only bench-linux needs it).
cc=aarch64-linux-gnu-gcc
have_cc() {
  command -v "$cc" >/dev/null 2>&1 && [ -e /usr/aarch64-linux-gnu/lib/libc.a ]
}
if ! have_cc; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ]; then
    echo "bench-linux: installing gcc-aarch64-linux-gnu and libc6-dev-arm64-cross with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
  fi
  have_cc || die "needs $cc and a static arm64 glibc (Debian: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
fi
command -v qemu-system-aarch64 >/dev/null 2>&1 || die "qemu-system-aarch64 not found (run make setup)"

# Debian's arm64 kernel, cached.
mkdir -p "$cache"
kernel="$cache/vmlinuz"
if [ ! -s "$kernel" ] || [ ! -s "$cache/VERSION" ]; then
  # shellcheck source=tools/debian-apt.sh
  . tools/debian-apt.sh
  debapt_init bench-linux \
    "deb [arch=arm64 signed-by=$DEBAPT_KEYRING] $DEBAPT_MIRROR $DEBAPT_SUITE main" \
    "deb [arch=arm64 signed-by=$DEBAPT_KEYRING] $DEBAPT_SECURITY $DEBAPT_SUITE-security main"
  debapt_update '*_main_binary-arm64_Packages*'
  pkg=${KERNEL_PKG:-}
  [ -n "$pkg" ] || pkg=$(debapt_kernel_pkg)
  deb=$(debapt_download "$pkg")
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DEBAPT_TMP/x" --wildcards './boot/vmlinuz-*' ||
    die "$pkg has no boot/vmlinuz-*"
  img=$(ls "$DEBAPT_TMP"/x/boot/vmlinuz-* 2>/dev/null | head -1)
  [ -s "$img" ] || die "$pkg has no boot/vmlinuz-*"
  cp "$img" "$kernel.tmp" && mv "$kernel.tmp" "$kernel"
  echo "$pkg $(dpkg-deb -f "$deb" Version) (Debian $DEBAPT_SUITE, arm64): ${img#"$DEBAPT_TMP/x/"}" >"$cache/VERSION"
  rm -rf "$DEBAPT_TMP"
fi
echo "bench-linux: Linux kernel: $(cat "$cache/VERSION")"

# The initramfs: /init only.
"$cc" -O2 -static -Wall -Werror -o "$cache/init" tools/bench-linux.c
python3 tools/mkcpio.py "$cache/initramfs.cpio" "init=$cache/init"

# This kernel's figures (same session), then Linux's.
ours=$(mktemp)
linux_log=$(mktemp)
trap 'rm -f "$ours" "$linux_log"' EXIT
echo "bench-linux: make bench (this kernel)"
BENCH_BOUNDS=0 tools/bench.sh >"$ours"
echo "bench-linux: booting Linux (timeout ${timeout_s} s)"
timeout --foreground -k 5 "$timeout_s" qemu-system-aarch64 \
  -M virt,dtb-randomness=off -cpu max -smp 1 -m 256M -nographic -no-reboot \
  -icount shift=0,align=off,sleep=off -seed 1 -rtc base=2026-01-01T00:00:00,clock=vm \
  -kernel "$kernel" -initrd "$cache/initramfs.cpio" \
  -append "console=ttyAMA0 quiet nokaslr norandmaps panic=-1 rdinit=/init" \
  </dev/null >"$linux_log" 2>&1 || true
tr -d '\r' <"$linux_log" >"$linux_log.clean" && mv "$linux_log.clean" "$linux_log"
cp "$linux_log" "$cache/linux-console.log"
if grep -q '^linux: error' "$linux_log" || ! grep -q '^linux: done' "$linux_log"; then
  grep -E '^linux:' "$linux_log" >&2 || tail -20 "$linux_log" >&2
  die "the Linux run did not finish (console log: $cache/linux-console.log)"
fi

echo
echo "make bench (this kernel):"
cat "$ours"
echo
echo "Linux, instructions per operation:"
sed -n 's/^linux: \([a-z_0-9]*\) \([0-9]*\)$/  \1 \2/p' "$linux_log"
echo
echo "Side by side (the same QEMU, one run):"

# Combine: this kernel's row (by its bench_ipc label) against a Linux figure (by its name).
ours_fig() { # LABEL
  awk -F'|' -v l="$1" '{ n = $2; gsub(/^ +| +$/, "", n); v = $3; gsub(/ /, "", v) } n == l { print v; exit }' "$ours"
}
linux_fig() { sed -n "s/^linux: $1 \([0-9]*\)$/\1/p" "$linux_log" | head -1; }
printf '| %-68s | %11s | %9s | %7s |\n' "operation (this kernel vs Linux)" "this kernel" "Linux" "ratio"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..70})" "$(printf -- '-%.0s' {1..12}):" \
  "$(printf -- '-%.0s' {1..10}):" "$(printf -- '-%.0s' {1..8}):"
row() { # DESCRIPTION OUR_LABEL LINUX_NAME
  local a b r
  a=$(ours_fig "$2")
  b=$(linux_fig "$3")
  [ -n "$a" ] || die "no '$2' row in make bench's output"
  [ -n "$b" ] || die "no '$3' figure from the Linux run"
  r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", b / a }')
  printf '| %-68s | %11s | %9s | %7s |\n' "$1" "$a" "$b" "$r"
}
row "null syscall vs getppid" \
  "null syscall (zx_handle_close(ZX_HANDLE_INVALID))" getppid
row "channel write+read 64 B vs pipe write+read 64 B, one thread" \
  "channel write+read 64 B, same thread" pipe_write_read_64
row "channel write+read 64 KiB vs pipe write+read 64 KiB, one thread" \
  "channel write+read 64 KiB, same thread" pipe_write_read_64k
row "64 KiB at +1/+7 bytes: channel write+read vs pipe write+read" \
  "channel write+read 64 KiB, unaligned buffers (+1, +7)" pipe_write_read_64k_unaligned
row "ping-pong 64 B, two processes vs pipe ping-pong" \
  "ping-pong 64 B round trip, two processes" pipe_ping_pong_64
row "zx_channel_call 64 B vs unix seqpacket ping-pong, two processes" \
  "zx_channel_call 64 B round trip, two processes" seqpacket_ping_pong_64
row "call + 1 handle each way vs seqpacket + 1 fd each way (SCM_RIGHTS)" \
  "zx_channel_call 64 B + 1 handle each way, two processes" seqpacket_fd_ping_pong_64
row "ping-pong 64 B, two processes vs futex ping-pong (no data)" \
  "ping-pong 64 B round trip, two processes" futex_ping_pong
echo "ratio: Linux's instructions / this kernel's (above 1: this kernel runs fewer)"
echo "Linux: $(cat "$cache/VERSION"); counter: $(sed -n 's/^linux: counter at \([0-9]*\) Hz$/\1/p' "$linux_log") Hz"

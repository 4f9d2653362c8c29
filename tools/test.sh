#!/usr/bin/env bash
# make test: host unit tests, then the QEMU boot matrix (every EL0 test program on every board
# configuration), then boots that must fail with a clear message. One line per step, then
# "N passed, N failed"; exits non-zero on any failure. Logs: $BUILD/logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LOGS="$BUILD/logs"
mkdir -p "$LOGS"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
passed=0
failed=0

pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [ -n "${2:-}" ] && tail -n 30 "$2" | sed 's/^/      | /'; }

# 1. Host unit tests of the pure logic.
if cargo test --quiet -p zx-abi -p bsp -p kernel >"$LOGS/host.log" 2>&1; then
  pass "host: cargo test ($(grep -Eo '[0-9]+ passed' "$LOGS/host.log" | awk '{s+=$1} END {print s}') unit tests)"
else
  fail "host: cargo test" "$LOGS/host.log"
fi

# 2. The EL0 suite on each board configuration, two boots at a time: most of a boot runs on
# one host thread, so a pair shares a two-core host well (under 5 minutes instead of 8 here).
# Each boot has its own log and hard timeout (half as long again as a lone boot's: it shares
# the host), and the results are reported in order once both have ended.
PAIR_TIMEOUT=$((BOOT_TIMEOUT * 3 / 2))
# boot_bg CONFIG:NAME [BOOTARGS...]: boots tools/qemu.sh's CONFIG in the background, its
# console in $LOGS/NAME.log; QEMU's exit code and how long the boot took (seconds) go to
# $LOGS/NAME.rc. QEMU_EXTRA applies as for tools/qemu.sh.
boot_bg() {
  local cfg=$1
  shift
  rm -f "$LOGS/${cfg#*:}.rc"
  (
    t0=$(date +%s)
    TIMEOUT=$PAIR_TIMEOUT tools/qemu.sh "${cfg%%:*}" "$@" </dev/null >"$LOGS/${cfg#*:}.log" 2>&1
    echo "$? $(($(date +%s) - t0))" >"$LOGS/${cfg#*:}.rc"
  ) &
}
# suite_result NAME LOG RC T0: pass if the boot in LOG ran the EL0 suite to "0 failed".
suite_result() {
  local name=$1 log=$2 rc=$3 t0=$4 summary
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  # The boot self-tests: frames, heap, timer ticks, and the UART receive path (loopback).
  if [ "$rc" = 0 ] && grep -q 'init exited with return code 0' "$log" && [ -n "$summary" ] &&
    grep -q 'selftest frames+heap ok timer ok' "$log" && grep -q 'selftest uart loopback ok' "$log"; then
    pass "$name: EL0 suite $summary ($(( $(date +%s) - t0 )) s)"
  else
    fail "$name: exit code $rc${summary:+, $summary}" "$log"
  fi
}
# bg_result NAME: "RC T0" of a boot_bg, T0 made such that `now - T0` is the boot's own time.
bg_result() {
  local rc secs
  read -r rc secs <"$LOGS/$1.rc" || { rc=missing; secs=0; }
  echo "$rc $(($(date +%s) - secs))"
}
# report_suite CFG: the result of a boot_bg of CFG's EL0 suite.
report_suite() {
  local rc t0
  read -r rc t0 <<<"$(bg_result "$1")"
  suite_result "boot $1" "$LOGS/$1.log" "$rc" "$t0"
}
# rpi4-real (raspi4b with the real bcm2711-rpi-4-b.dtb) is booted from the SD image in 2c.
for pair in "virt virt-smp4" "virt-el2 virt-gicv3"; do
  read -r a b <<<"$pair"
  boot_bg "$a:$a" exit=semihosting
  boot_bg "$b:$b" exit=semihosting
  wait
  report_suite "$a"
  report_suite "$b"
done

# 2b. With rpi4's suite: the bound on every syscall (user/src/bin/bounds.rs): the worst case of
# each family, with the kernel's longest masked stretch under 1 ms and a watcher thread never
# kept waiting longer than a time slice plus that. Under -icount guest time counts
# instructions, so the figures do not depend on how busy the host is.
boot_bg rpi4:rpi4 exit=semihosting
QEMU_EXTRA="-icount shift=0,align=off,sleep=off" boot_bg virt-bench:bounds init=bounds exit=semihosting
wait
report_suite rpi4
log="$LOGS/bounds.log"
read -r rc t0 <<<"$(bg_result bounds)"
worst=$(grep -Eo 'longest masked +[0-9]+' "$log" | awk '{ if ($3 > m) m = $3 } END { print m + 0 }')
if [ "$rc" = 0 ] && grep -q 'init exited with return code 0' "$log" &&
  [ "$(grep -c '^bound:' "$log")" -ge 11 ]; then
  pass "bounds: $(grep -c '^bound:' "$log") worst cases, longest masked stretch $worst ns <= 1 ms ($(( $(date +%s) - t0 )) s)"
else
  fail "bounds: exit code $rc, longest masked stretch $worst ns" "$log"
fi

# 2c. The Raspberry Pi 4 SD-card image (make sdimage): partition, files, config.txt and
# cmdline.txt checked; then the kernel8.img, initrd and real DTB read back out of it boot the
# EL0 suite on raspi4b with cmdline.txt as the bootargs.
log="$LOGS/sdimage.log"
if tools/sdimage.sh "$BUILD/rpi4-sd.img" "$BUILD/kernel8.img" "$BUILD/initrd.cpio" >"$log" 2>&1 &&
  tools/sdimage-check.sh "$BUILD/rpi4-sd.img" >>"$log" 2>&1; then
  pass "sdimage: $(tail -1 "$log" | sed 's/^sdimage-check: //')"
  t0=$(date +%s)
  TIMEOUT=$BOOT_TIMEOUT tools/sdimage-check.sh "$BUILD/rpi4-sd.img" --boot "$LOGS/sdimage-boot.log" >/dev/null 2>&1
  suite_result "boot rpi4-sd.img (raspi4b, files read back out of the image)" "$LOGS/sdimage-boot.log" $? "$t0"
else
  fail "sdimage: build or check of $BUILD/rpi4-sd.img" "$log"
fi

# 2d. The serial chainloader (make chainboot): raspi4b boots it with its UART on a socket;
# tools/chainboot does the handshake, pushes the kernel and the full stripped initrd
# ($BUILD/initrd-small.cpio), and waits for the EL0 suite's result; every test program must
# report ok. Its TIMEOUT is twice the other boots' (a loaded host slows the emulated UART far
# more than it slows the suite: about 140 s quiet, 540 s at load average 7.5), and qemu-test.sh
# kills QEMU after 2 * TIMEOUT + 30 s. hwtest's parser is checked against recorded logs
# through a pty.
log="$LOGS/chainload.log"
t0=$(date +%s)
if tools/chainloader/build.sh >"$log" 2>&1 && cargo test --quiet -p chainloader >>"$log" 2>&1 &&
  TIMEOUT=$((2 * BOOT_TIMEOUT)) tools/chainloader/qemu-test.sh "$BUILD/kernel8.img" "$LOGS/chainload-boot.log" >>"$log" 2>&1; then
  sent=$(grep -Eo 'sent [0-9]+ \+ [0-9]+ bytes in [0-9.]+ s \([0-9.]+ KiB/s\)' "$LOGS/chainload-boot.log")
  pass "chainload: $sent over the PL011 socket, $(grep -Eo '^hwtest: PASS: .*' "$LOGS/chainload-boot.log") ($(( $(date +%s) - t0 )) s)"
else
  fail "chainload: exit code $?" "$LOGS/chainload-boot.log"
fi
if tools/hwtest --self-test >"$LOGS/hwtest.log" 2>&1; then
  pass "hwtest: verdicts from $(grep -c '^hwtest self-test ok' "$LOGS/hwtest.log") recorded consoles and lines"
else
  fail "hwtest --self-test" "$LOGS/hwtest.log"
fi

# 2b. A program written only from docs/abi.md (examples/hello-abi): its exit code becomes QEMU's.
log="$LOGS/hello-abi.log"
if (cd examples/hello-abi && cargo build --quiet --release --target aarch64-unknown-none) >"$log" 2>&1 &&
  python3 tools/mkcpio.py "$BUILD/hello.cpio" hello=examples/hello-abi/target/aarch64-unknown-none/release/hello-abi; then
  INITRD="$BUILD/hello.cpio" TIMEOUT=30 tools/qemu.sh virt init=hello exit=semihosting </dev/null >>"$log" 2>&1
  rc=$?
  if [ "$rc" = 42 ] && grep -q "hello from a program built against abi.md alone" "$log"; then
    pass "boot hello-abi: a program built from abi.md alone runs; QEMU exit code 42"
  else
    fail "boot hello-abi: exit code $rc, wanted 42" "$log"
  fi
else
  fail "build examples/hello-abi" "$log"
fi

# 2c. A C program built with the SDK (tools/zxcc examples/hello-c/*.c): its return code 42
# becomes QEMU's exit code.
log="$LOGS/hello-c.log"
if tools/zxcc examples/hello-c/*.c -o "$BUILD/hello-c" >"$log" 2>&1 &&
  python3 tools/mkcpio.py "$BUILD/hello-c.cpio" hello=$BUILD/hello-c; then
  INITRD="$BUILD/hello-c.cpio" TIMEOUT=30 tools/qemu.sh virt init=hello exit=semihosting </dev/null >>"$log" 2>&1
  rc=$?
  if [ "$rc" = 42 ] && grep -q "hello-c: channel round trip ok" "$log"; then
    pass "boot hello-c: a C program built with tools/zxcc runs; QEMU exit code 42"
  else
    fail "boot hello-c: exit code $rc, wanted 42" "$log"
  fi
else
  fail "build examples/hello-c with tools/zxcc" "$log"
fi

# 2c'. The out-of-tree template (examples/template): `cargo run` builds it against the zx crate
# and boots it as init through its runner; cargo's exit code is the program's (42).
log="$LOGS/template.log"
(cd examples/template && TIMEOUT=60 cargo run --quiet) </dev/null >"$log" 2>&1
rc=$?
if [ "$rc" = 42 ] && grep -q 'template: got "hello from the template" and a handle with Rights(' "$log"; then
  pass "boot template: cargo run in examples/template boots it; exit code 42"
else
  fail "boot template: cargo run exit code $rc, wanted 42" "$log"
fi

# 2d. Kernel backtraces: `selftest=fault` makes the kernel read an unmapped address, and
# `selftest=panic` panics on purpose; each report must name the function that stopped and its
# caller, in that order (kernel/src/backtrace.rs, symbols written in by tools/ksyms.py).
backtrace_boot() {
  local which=$1 want_rc=$2 first=$3 second=$4 log="$LOGS/backtrace-$1.log"
  TIMEOUT=30 tools/qemu.sh virt selftest="$which" exit=semihosting </dev/null >"$log" 2>&1
  local rc=$?
  local trace
  trace=$(sed -n '/^backtrace:/,$p' "$log" | grep -E '^  #[0-9]+ ')
  if [ "$rc" = "$want_rc" ] &&
    printf '%s\n' "$trace" | grep -A1 -E "^  #[0-9]+ +0x[0-9a-f]+ $first\+0x" | tail -1 |
    grep -qE "^  #[0-9]+ +0x[0-9a-f]+ $second\+0x" &&
    { [ "$which" != fault ] || printf '%s\n' "$trace" | grep -qE "^  #0 +0x[0-9a-f]+ $first\+0x"; }; then
    pass "boot selftest=$which: backtrace names $first, then $second"
  else
    fail "boot selftest=$which: exit code $rc (want $want_rc), backtrace without $first then $second" "$log"
  fi
}
backtrace_boot fault 250 kernel::backtrace::target::selftest_fault_leaf kernel::backtrace::target::selftest_fault_caller
backtrace_boot panic 251 kernel::backtrace::target::selftest_panic_leaf kernel::backtrace::target::selftest_panic_caller

# 3. Boots that must stop with a clear message (and never hang silently).
expect_message() {
  local name=$1 want_rc=$2 msg=$3 log="$LOGS/neg-$1.log"
  shift 3
  local cfg=virt bootargs=exit=semihosting limit=20 envs=() a
  for a in "$@"; do
    case "$a" in
      QEMU_CFG=*) cfg=${a#*=} ;;
      BOOTARGS=*) bootargs=${a#*=} ;;
      NEG_TIMEOUT=*) limit=${a#*=} ;;
      *) envs+=("$a") ;;
    esac
  done
  # shellcheck disable=SC2086
  env "${envs[@]}" TIMEOUT="$limit" tools/qemu.sh "$cfg" $bootargs </dev/null >"$log" 2>&1
  local rc=$?
  if grep -q "$msg" "$log" && { [ "$want_rc" = any ] || [ "$rc" = "$want_rc" ]; }; then
    pass "boot $name: stops with \"$msg\""
  else
    fail "boot $name: exit code $rc, wanted $want_rc and \"$msg\"" "$log"
  fi
}
head -c 4096 /dev/urandom >"$BUILD/corrupt.cpio"
printf 'this is not an ELF file\n' >"$BUILD/notelf"
python3 tools/mkcpio.py "$BUILD/badelf.cpio" init="$BUILD/notelf"
expect_message no-initrd 254 "no initrd" INITRD=none
expect_message corrupt-initrd 254 "not a valid cpio" INITRD="$BUILD/corrupt.cpio"
expect_message missing-init 254 "not found in the initrd" BOOTARGS="init=no_such_program exit=semihosting"
expect_message malformed-elf 254 "cannot start" INITRD="$BUILD/badelf.cpio"
# raspi4b without -dtb hands over an ATAG list, not a devicetree: the kernel must say so. It
# cannot know the bootargs, so it cannot exit: the timeout ends the run.
expect_message broken-dtb-pointer any "no valid devicetree" QEMU_CFG=rpi4-nodtb NEG_TIMEOUT=5

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

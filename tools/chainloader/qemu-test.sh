#!/usr/bin/env bash
# make test's chainloader step: QEMU raspi4b boots the chainloader ($BUILD/chainloader.img) with
# the real DTB and its PL011 on a TCP socket; tools/chainboot connects, does the handshake and
# baud switch (a no-op for QEMU, but the frames must cross), pushes KERNEL and INITRD, and then
# relays the console until the suite's result (--test). Writes the console to LOG; exits 0 only
# if the pusher saw "0 failed" and QEMU exited 0 (init's exit code, through semihosting).
#
# QEMU's PL011 takes one byte per main-loop turn from a socket (about 10 KB/s here), so the
# pushed initrd is a small one: init built to run test_smoke only (ZX_TESTS) and test_smoke,
# stripped. The full suite runs on raspi4b from the SD image (tools/sdimage-check.sh).
# Usage: tools/chainloader/qemu-test.sh KERNEL LOG   Environment: TIMEOUT (default 300).
set -uo pipefail
cd "$(dirname "$0")/../.."
kernel=$1 log=$2
BUILD=${BUILD:-build}
initrd="$BUILD/chainload-test.cpio"
tdir=target/chainload-test
ZX_TESTS=test_smoke CARGO_TARGET_DIR=$tdir cargo build --quiet --release -p zx --bin init \
  --target aarch64-unknown-none >"$log" 2>&1 || { cat "$log"; exit 1; }
objcopy=$(find "$(rustc --print sysroot)" -name llvm-objcopy -type f | head -1)
"$objcopy" --strip-all "$tdir/aarch64-unknown-none/release/init" "$BUILD/chainload-init"
"$objcopy" --strip-all "${CARGO_TARGET_DIR:-target}/aarch64-unknown-none/release/test_smoke" "$BUILD/chainload-smoke"
python3 tools/mkcpio.py "$initrd" init="$BUILD/chainload-init" test_smoke="$BUILD/chainload-smoke"
limit=${TIMEOUT:-300}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# wait=on: QEMU starts the guest only once the pusher is connected, so no output is lost.
timeout --foreground -k 5 "$limit" qemu-system-aarch64 -M raspi4b -display none -monitor none -semihosting \
  -dtb bsp/tests/data/bcm2711-rpi-4-b.dtb -kernel "$BUILD/chainloader.img" \
  -append "init=init exit=semihosting" \
  -serial "tcp:127.0.0.1:$port,server=on,wait=on" </dev/null >"$log.qemu" 2>&1 &
qemu=$!
timeout -k 5 "$limit" tools/chainboot "tcp:127.0.0.1:$port" --kernel "$kernel" --initrd "$initrd" \
  --timeout "$limit" --test --test-timeout "$limit" >>"$log" 2>"$log.pusher"
push_rc=$?
wait "$qemu"
qemu_rc=$?
cat "$log.pusher" >>"$log"
echo "chainload: pusher exit $push_rc, QEMU exit $qemu_rc" >>"$log"
[ "$push_rc" = 0 ] && [ "$qemu_rc" = 0 ]

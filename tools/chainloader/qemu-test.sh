#!/usr/bin/env bash
# make test's chainloader step: QEMU raspi4b boots the chainloader ($BUILD/chainloader.img) with
# the real DTB and its PL011 on a TCP socket; tools/chainboot connects, does the handshake and
# baud switch (a no-op for QEMU, but the frames must cross), pushes KERNEL and the full stripped
# initrd that `make chainboot` builds ($BUILD/initrd-small.cpio, about 4.8 MB), and then relays
# the console until the EL0 suite's result (--test). Writes the console to LOG; exits 0 only if
# the pusher saw "0 failed", every test program in the initrd reported "ok", and QEMU exited 0
# (init's exit code, through semihosting).
#
# Why -accel tcg,thread=single: QEMU's PL011 accepts one byte per main-loop turn (its
# can_receive answers 0 or 1), so the intake rate is however often the main-loop thread gets to
# run. On raspi4b the three secondary cores wait in QEMU's spin-table stub on WFE, and with one
# host thread per vCPU (the default) WFE is a no-op: three threads spin flat out and starve the
# main loop on a 2-core host (9.6-16 KiB/s measured). With all vCPUs on one thread, WFE yields to
# the next vCPU, so the guest takes one host core and the main loop has the other: 139-214 KiB/s
# on a quiet host, 15-89 KiB/s when other jobs load it, so the 5.2 MB push takes 25-340 s
# (docs/raspberry-pi.md has the measurements).
# Usage: tools/chainloader/qemu-test.sh KERNEL LOG
# Environment: TIMEOUT (seconds, default 300): how long the pusher waits for the loader, for its
# verdict once the data is sent, and for the suite; QEMU and the pusher are killed after
# 2 * TIMEOUT + 30 s whatever happens. INITRD overrides the initrd.
set -uo pipefail
cd "$(dirname "$0")/../.."
kernel=$1 log=$2
BUILD=${BUILD:-build}
initrd=${INITRD:-$BUILD/initrd-small.cpio}
[ -f "$initrd" ] || { echo "chainload: $initrd missing (tools/chainloader/build.sh builds it)" | tee "$log"; exit 1; }
# The test programs in the initrd: each must report "test NAME: ok" on the pushed kernel.
tests=$(python3 - "$initrd" <<'PY'
import sys
data, off = open(sys.argv[1], 'rb').read(), 0
while data[off:off + 6] == b'070701':
    f = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
    name = data[off + 110:off + 110 + f[11] - 1].decode()
    off = (off + 110 + f[11] + 3) & ~3
    off = (off + f[6] + 3) & ~3
    if name.startswith('test_'):
        print(name)
PY
)
[ -n "$tests" ] || { echo "chainload: no test programs in $initrd" | tee "$log"; exit 1; }
limit=${TIMEOUT:-300}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# wait=on: QEMU starts the guest only once the pusher is connected, so no output is lost.
timeout --foreground -k 5 $((2 * limit + 30)) qemu-system-aarch64 -M raspi4b -accel tcg,thread=single \
  -display none -monitor none -semihosting \
  -dtb bsp/tests/data/bcm2711-rpi-4-b.dtb -kernel "$BUILD/chainloader.img" \
  -append "init=init exit=semihosting" \
  -serial "tcp:127.0.0.1:$port,server=on,wait=on" </dev/null >"$log.qemu" 2>&1 &
qemu=$!
timeout -k 5 $((2 * limit + 30)) tools/chainboot "tcp:127.0.0.1:$port" --kernel "$kernel" --initrd "$initrd" \
  --timeout "$limit" --test --test-timeout "$limit" >"$log" 2>"$log.pusher"
push_rc=$?
wait "$qemu"
qemu_rc=$?
cat "$log.pusher" >>"$log"
missing=0
for t in $tests; do
  grep -q "^test $t: ok" "$log" || { echo "chainload: $t did not report ok" >>"$log"; missing=$((missing + 1)); }
done
echo "chainload: pusher exit $push_rc, QEMU exit $qemu_rc, $(wc -w <<<"$tests") test programs, $missing without ok" >>"$log"
[ "$push_rc" = 0 ] && [ "$qemu_rc" = 0 ] && [ "$missing" = 0 ]

#!/usr/bin/env bash
# make bench: boots `bench_ipc` as the first program on QEMU virt with -cpu max and
# -icount shift=0 (one guest instruction per counter tick: repeatable instruction counts) and
# prints its table; then boots `bounds` the same way and prints the longest masked stretch of
# each syscall family's worst case (docs/design.md, "Bounded syscalls"). RUNS=3 repeats the
# boots to show the spread.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tools/build.sh
for i in $(seq 1 "${RUNS:-1}"); do
  QEMU_EXTRA="-icount shift=0,align=off,sleep=off" TIMEOUT=600 \
    tools/qemu.sh virt-bench init=bench_ipc exit=semihosting </dev/null | grep -E '^(\||bench:)'
done
for i in $(seq 1 "${RUNS:-1}"); do
  QEMU_EXTRA="-icount shift=0,align=off,sleep=off" TIMEOUT=600 \
    tools/qemu.sh virt-bench init=bounds exit=semihosting </dev/null | grep -E '^bound:'
done

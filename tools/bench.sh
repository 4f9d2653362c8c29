#!/usr/bin/env bash
# make bench: boots `bench_ipc` as the first program on QEMU virt with -cpu max and
# -icount shift=0 (one guest instruction per counter tick: repeatable instruction counts) and
# prints its table; then `bench_smp` the same way on -smp 2 and -smp 4 (one call pair, and four
# pairs at once: under icount virtual time sums every core's instructions); then boots `bounds`
# and prints the longest masked stretch of each syscall family's worst case (docs/design.md,
# "Bounded syscalls"). RUNS=3 repeats the boots to show the spread; BENCH_BOUNDS=0 skips bounds
# (make bench-linux does). These are figures, not tests: nothing here passes or fails on them.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tools/build.sh
icount="-icount shift=0,align=off,sleep=off"
for i in $(seq 1 "${RUNS:-1}"); do
  QEMU_EXTRA="$icount" TIMEOUT=600 \
    tools/qemu.sh virt-bench init=bench_ipc exit=semihosting </dev/null | grep -E '^(\||bench:)'
  # virt-bench with more cores (a later -smp overrides the config's -smp 1).
  for smp in 2 4; do
    QEMU_EXTRA="$icount -smp $smp" TIMEOUT=600 \
      tools/qemu.sh virt-bench init=bench_smp exit=semihosting </dev/null | grep -E '^(\||bench:)'
  done
done
if [ "${BENCH_BOUNDS:-1}" != 0 ]; then
  for i in $(seq 1 "${RUNS:-1}"); do
    QEMU_EXTRA="$icount" TIMEOUT=600 \
      tools/qemu.sh virt-bench init=bounds exit=semihosting </dev/null | grep -E '^(bound:)'
  done
fi

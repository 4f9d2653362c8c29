#!/usr/bin/env bash
# make stress: boots the SMP stress program (test_smp_stress, and the chain and teardown
# programs) on 4 cores N times in a row (default 20), alternating GICv3 and GICv2; any failure
# or hang stops the run. Prints one line per boot and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
runs=${1:-20}
STRESS_BUILD="$BUILD/stress"
mkdir -p "$STRESS_BUILD/logs"
progs=${STRESS_TESTS:-test_smp_stress,test_threads,test_ipc_chain}
ZX_TESTS=$progs BUILD="$STRESS_BUILD" CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}/stress tools/build.sh
passed=0
failed=0
for i in $(seq 1 "$runs"); do
  cfg=virt-gicv3
  [ $((i % 2)) = 0 ] && cfg=virt-smp4
  log="$STRESS_BUILD/logs/run-$i.log"
  BUILD="$STRESS_BUILD" TIMEOUT=${BOOT_TIMEOUT:-300} tools/qemu.sh "$cfg" exit=semihosting </dev/null >"$log" 2>&1
  rc=$?
  if [ "$rc" = 0 ] && grep -q '^[0-9]* passed, 0 failed' "$log"; then
    passed=$((passed + 1))
    echo "ok    stress run $i ($cfg)"
  else
    failed=$((failed + 1))
    echo "FAIL  stress run $i ($cfg): exit code $rc (log: $log)"
    tail -n 20 "$log" | sed 's/^/      | /'
    break
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

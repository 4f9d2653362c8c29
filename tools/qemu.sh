#!/usr/bin/env bash
# Boots the kernel in one QEMU configuration: qemu.sh CONFIG [bootargs...]
# Configs: virt (GICv2, 1 core), virt-smp4 (GICv2, 4 cores), virt-gicv3 (-cpu max, 4 cores),
# virt-el2 (virtualization=on: entered at EL2), rpi4 (raspi4b, our devicetree),
# rpi4-real (raspi4b with the real bcm2711-rpi-4-b.dtb from Debian's arm64 kernel package,
# kept in bsp/tests/data; tools/fetch-rpi-dtb.sh refreshes it), rpi4-nodtb (no -dtb: x0 is no DTB).
# Environment: BUILD (default build), INITRD (default $BUILD/initrd.cpio, "none" for none),
# QEMU_EXTRA (more QEMU arguments), TIMEOUT (seconds, default: none, for interactive use).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cfg=${1:-virt}
shift || true
append="$*"
initrd=${INITRD:-$BUILD/initrd.cpio}
case "$cfg" in
  virt)       m=(-M virt -cpu cortex-a72 -smp 1 -m 256M) ;;
  virt-smp4)  m=(-M virt -cpu cortex-a72 -smp 4 -m 256M) ;;
  virt-gicv3) m=(-M virt,gic-version=3 -cpu max -smp 4 -m 256M) ;;
  virt-bench) m=(-M virt -cpu max -smp 1 -m 256M) ;;
  virt-el2)   m=(-M virt,virtualization=on -cpu cortex-a72 -smp 2 -m 256M) ;;
  rpi4)       m=(-M raspi4b -dtb "$BUILD/rpi4.dtb") ;;
  rpi4-real)  m=(-M raspi4b -dtb bsp/tests/data/bcm2711-rpi-4-b.dtb) ;;
  rpi4-nodtb) m=(-M raspi4b) ;;
  *) echo "qemu.sh: unknown config '$cfg'" >&2; exit 2 ;;
esac
args=("${m[@]}" -nographic -semihosting -kernel "$BUILD/kernel8.img" -append "$append")
[ "$initrd" != none ] && args+=(-initrd "$initrd")
# shellcheck disable=SC2206
[ -n "${QEMU_EXTRA:-}" ] && args+=(${QEMU_EXTRA})
if [ -n "${TIMEOUT:-}" ]; then
  exec timeout --foreground -k 5 "$TIMEOUT" qemu-system-aarch64 "${args[@]}"
else
  exec qemu-system-aarch64 "${args[@]}"
fi

#!/usr/bin/env bash
# Builds the kernel image, the EL0 programs, the initrd and the Raspberry Pi devicetree into
# $BUILD (default build/). ZX_TESTS=test_a,test_b limits which test programs init runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PROFILE=${PROFILE:-release}
mkdir -p "$BUILD"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --quiet --profile "$PROFILE" -p kernel --target aarch64-unknown-none-softfloat
cargo build --quiet --profile "$PROFILE" -p zx --bins --target aarch64-unknown-none
sysroot=$(rustc --print sysroot)
objcopy=$(find "$sysroot" -name llvm-objcopy -type f | head -1)
[ -n "$objcopy" ] || { echo "build: llvm-objcopy not found (rustup component add llvm-tools)" >&2; exit 1; }
kdir="$CARGO_TARGET_DIR/aarch64-unknown-none-softfloat/$PROFILE"
udir="$CARGO_TARGET_DIR/aarch64-unknown-none/$PROFILE"
"$objcopy" -O binary "$kdir/kernel" "$BUILD/kernel8.img"
cp "$kdir/kernel" "$BUILD/kernel.elf"
args=()
for f in "$udir"/*; do
  n=$(basename "$f")
  [ -f "$f" ] && [ -x "$f" ] && [[ "$n" != *.* ]] && args+=("$n=$f")
done
python3 tools/mkcpio.py "$BUILD/initrd.cpio" "${args[@]}"
dtc -q -I dts -O dtb -o "$BUILD/rpi4.dtb" bsp/dts/rpi4.dts

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
if [ -n "${ZX_TESTS:-}" ]; then
  # Only the named test programs (plus every helper program that is not a test).
  bins=()
  for f in user/src/bin/*.rs; do
    n=$(basename "$f" .rs)
    if [[ "$n" != test_* ]] || [[ ",$ZX_TESTS," == *",$n,"* ]]; then bins+=(--bin "$n"); fi
  done
  cargo build --quiet --profile "$PROFILE" -p zx "${bins[@]}" --target aarch64-unknown-none
else
  cargo build --quiet --profile "$PROFILE" -p zx --bins --target aarch64-unknown-none
fi
sysroot=$(rustc --print sysroot)
objcopy=$(find "$sysroot" -name llvm-objcopy -type f | head -1)
[ -n "$objcopy" ] || { echo "build: llvm-objcopy not found (rustup component add llvm-tools)" >&2; exit 1; }
kdir="$CARGO_TARGET_DIR/aarch64-unknown-none-softfloat/$PROFILE"
udir="$CARGO_TARGET_DIR/aarch64-unknown-none/$PROFILE"
# The kernel's symbol table (for its backtraces) goes into the bytes the image reserves for it
# (tools/ksyms.py; no address moves), then the raw image is cut from the patched ELF.
cp "$kdir/kernel" "$BUILD/kernel.elf"
python3 tools/ksyms.py "$BUILD/kernel.elf"
"$objcopy" -O binary "$BUILD/kernel.elf" "$BUILD/kernel8.img"
# User programs: the unstripped ELFs stay in $BUILD/user/ (for symbolizing and gdb); the
# initrd gets stripped copies.
strip=$(find "$sysroot" -name llvm-strip -type f | head -1)
[ -n "$strip" ] || { echo "build: llvm-strip not found (rustup component add llvm-tools)" >&2; exit 1; }
rm -rf "$BUILD/user" "$BUILD/initrd"
mkdir -p "$BUILD/user" "$BUILD/initrd"
args=()
add_program() { # NAME ELF
  cp "$2" "$BUILD/user/$1"
  "$strip" --strip-all -o "$BUILD/initrd/$1" "$2"
  args+=("$1=$BUILD/initrd/$1")
}
for src in user/src/bin/*.rs; do
  n=$(basename "$src" .rs)
  f="$udir/$n"
  if [ -n "${ZX_TESTS:-}" ] && [[ "$n" == test_* ]] && [[ ",$ZX_TESTS," != *",$n,"* ]]; then continue; fi
  [ -f "$f" ] && add_program "$n" "$f"
done
# C test programs (sdk/tests/test_*.c), built with the C SDK; init runs them with the others.
for src in sdk/tests/test_*.c; do
  n=$(basename "$src" .c)
  if [ -n "${ZX_TESTS:-}" ] && [[ ",$ZX_TESTS," != *",$n,"* ]]; then continue; fi
  tools/zxcc "$src" -o "$BUILD/user/$n.tmp"
  add_program "$n" "$BUILD/user/$n.tmp"
  rm -f "$BUILD/user/$n.tmp"
done
python3 tools/mkcpio.py "$BUILD/initrd.cpio" "${args[@]}"
dtc -q -I dts -O dtb -o "$BUILD/rpi4.dtb" bsp/dts/rpi4.dts

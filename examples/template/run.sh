#!/bin/sh
# Cargo runner: run.sh PROGRAM_ELF. Packs the program into a cpio as `init` (tools/mkcpio.py)
# and boots the kernel in QEMU virt with `exit=semihosting`, so this script's exit code (and
# `cargo run`'s) is the program's return code. ZX_ROOT: the kernel repository (default: two
# directories up); its build/kernel8.img is built with `make image` if missing. TIMEOUT: seconds
# (default 60).
set -eu
elf=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
root=$(realpath "${ZX_ROOT:-$here/../..}")
if [ ! -f "$root/build/kernel8.img" ]; then
  make -C "$root" image
fi
cpio="$(dirname "$elf")/$(basename "$elf").cpio"
python3 "$root/tools/mkcpio.py" "$cpio" "init=$elf"
set +e
INITRD="$cpio" TIMEOUT="${TIMEOUT:-60}" "$root/tools/qemu.sh" virt init=init exit=semihosting </dev/null
exit $?

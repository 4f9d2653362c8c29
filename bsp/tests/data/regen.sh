#!/usr/bin/env bash
# Regenerates the devicetree test fixtures in this directory (used by
# bsp/src/dt/tests.rs). Needs qemu-system-aarch64 (10.x was used), dtc and
# python3; the real Raspberry Pi DTB comes from tools/fetch-rpi-dtb.sh.
#
#   virt-gicv2.dtb   -M virt -cpu cortex-a72 -smp 1, with -initrd and -append
#   virt-gicv3.dtb   -M virt,gic-version=3 -cpu max -smp 4
#   virt-el2.dtb     -M virt,virtualization=on -cpu cortex-a72 -smp 2
#   rpi4.dtb         bsp/dts/rpi4.dts compiled with dtc
#   rpi4-qemu.dtb    rpi4.dtb as QEMU -M raspi4b passes it (with -initrd, -append)
#   bcm2711-rpi-4-b.dtb       the real Pi 4 DTB (Debian linux-image-*-arm64)
#   bcm2711-rpi-4-b-qemu.dtb  the real DTB as QEMU -M raspi4b passes it
#
# QEMU blobs are dumped with `-machine dumpdtb=` and then "packed": QEMU's
# virt DTB has totalsize 1 MiB (mostly free space at the end), so the free
# space after the strings block is cut off and totalsize adjusted. Nothing
# else is changed (in particular the FDT_NOP tokens QEMU leaves in raspi4b
# blobs, which the tests rely on, stay in place).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

head -c 4096 /dev/zero >"$tmp/kernel.bin"          # any file will do for -kernel
printf 'initrd!\n' >"$tmp/initrd.img"               # 8 bytes
q() { qemu-system-aarch64 -nographic -display none "$@" >/dev/null 2>&1 || true; }

pack() { # pack IN OUT
  python3 - "$1" "$2" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
magic, total, o_struct, o_str, o_rsv, ver, _, _, sz_str, sz_struct = struct.unpack('>10I', d[:40])
assert magic == 0xd00dfeed and ver >= 17
end = max(o_struct + sz_struct, o_str + sz_str)
assert o_rsv < o_struct and end <= total
struct.pack_into('>I', d, 4, end)
open(sys.argv[2], 'wb').write(d[:end])
EOF
}

q -M virt,dumpdtb="$tmp/a.dtb" -cpu cortex-a72 -smp 1 \
  -kernel "$tmp/kernel.bin" -initrd "$tmp/initrd.img" -append "init=x exit=semihosting"
pack "$tmp/a.dtb" "$here/virt-gicv2.dtb"
q -M virt,gic-version=3,dumpdtb="$tmp/b.dtb" -cpu max -smp 4
pack "$tmp/b.dtb" "$here/virt-gicv3.dtb"
q -M virt,virtualization=on,dumpdtb="$tmp/c.dtb" -cpu cortex-a72 -smp 2
pack "$tmp/c.dtb" "$here/virt-el2.dtb"

dtc -q -I dts -O dtb -o "$here/rpi4.dtb" "$root/bsp/dts/rpi4.dts"
q -M raspi4b,dumpdtb="$tmp/d.dtb" -dtb "$here/rpi4.dtb" \
  -kernel "$tmp/kernel.bin" -initrd "$tmp/initrd.img" -append "init=x exit=semihosting"
pack "$tmp/d.dtb" "$here/rpi4-qemu.dtb"

"$root/tools/fetch-rpi-dtb.sh"
cp "$root/build/dtb/bcm2711-rpi-4-b.dtb" "$here/bcm2711-rpi-4-b.dtb"
q -M raspi4b,dumpdtb="$tmp/e.dtb" -dtb "$here/bcm2711-rpi-4-b.dtb" \
  -kernel "$tmp/kernel.bin" -initrd "$tmp/initrd.img" -append "console=serial0 init=/bin/sh"
pack "$tmp/e.dtb" "$here/bcm2711-rpi-4-b-qemu.dtb"

ls -l "$here"/*.dtb

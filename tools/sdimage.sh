#!/usr/bin/env bash
# Writes a Raspberry Pi 4 SD-card image: an MBR with one FAT32 boot partition (type 0x0c,
# starting at 1 MiB) holding the firmware (start4.elf, fixup4.dat), the devicetree, config.txt,
# cmdline.txt, kernel8.img and (if given) the initrd. No root, no loop devices: the partition
# is formatted and filled with mtools in a file of its own, then placed behind an MBR that a
# few lines of Python write.
#
# Usage: tools/sdimage.sh OUT.img KERNEL8.IMG [INITRD.cpio]
#   (make sdimage: build/rpi4-sd.img with build/kernel8.img and build/initrd.cpio;
#    make chainboot: build/rpi4-chainboot-sd.img with the chainloader and no initrd.)
# Environment: CMDLINE (default "init=init"), SIZE_MIB (partition size, default 64).
#
# config.txt's init_uart_clock is read from bsp/src/board/rpi4.rs (UART_CLOCK_HZ), the
# same constant the kernel programs the PL011's baud-rate divisor with.
set -euo pipefail
cd "$(dirname "$0")/.."
die() {
  echo "sdimage: $*" >&2
  exit 1
}
[ $# -ge 2 ] || die "usage: tools/sdimage.sh OUT.img KERNEL8.IMG [INITRD.cpio]"
out=$1 kernel=$2 initrd=${3:-}
BUILD=${BUILD:-build}
size_mib=${SIZE_MIB:-64}
cmdline=${CMDLINE:-init=init}
dtb=bsp/tests/data/bcm2711-rpi-4-b.dtb
for t in mformat mcopy mdir python3; do
  command -v "$t" >/dev/null 2>&1 || die "'$t' not found: run tools/setup.sh (Debian: apt-get install mtools)"
done
[ -s "$kernel" ] || die "no kernel image '$kernel' (make image)"
[ -z "$initrd" ] || [ -s "$initrd" ] || die "no initrd '$initrd' (make image)"
FIRMWARE_DIR=${FIRMWARE_DIR:-$BUILD/firmware}
export FIRMWARE_DIR
tools/sdimage-firmware.sh >/dev/null || die "cannot get the Raspberry Pi firmware"

clock=$(sed -n 's/^pub const UART_CLOCK_HZ: u32 = \([0-9_]*\);.*/\1/p' bsp/src/board/rpi4.rs | tr -d _)
[ -n "$clock" ] || die "UART_CLOCK_HZ not found in bsp/src/board/rpi4.rs"

stage=$(mktemp -d "${TMPDIR:-/tmp}/sdimage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The kernel's .bss follows the file and is cleared at boot. The firmware puts a `followkernel`
# initramfs right after the loaded file, so pad kernel8.img to the Image header's image_size
# (offset 16): the initrd then starts past the .bss whatever the firmware makes of the header.
python3 - "$kernel" "$stage/kernel8.img" <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
size = len(data)
if len(data) >= 64 and data[56:60] == b'ARM\x64':
    size = max(size, struct.unpack_from('<Q', data, 16)[0])
size = (size + 4095) & ~4095
open(sys.argv[2], 'wb').write(data + bytes(size - len(data)))
EOF

{
  echo "# zircon-aarch64 on the Raspberry Pi 4 (written by tools/sdimage.sh; see docs/raspberry-pi.md)"
  echo "arm_64bit=1"
  echo "kernel=kernel8.img"
  echo "device_tree=bcm2711-rpi-4-b.dtb"
  [ -n "$initrd" ] && echo "initramfs initrd.cpio followkernel"
  echo "# The PL011 (UART0) is the console on GPIO 14/15; the kernel routes the pins itself,"
  echo "# so no dtoverlay is needed. Its reference clock must be what the kernel assumes:"
  echo "enable_uart=1"
  echo "init_uart_clock=$clock"
  echo "# The kernel drives the GIC-400 (the default on the Pi 4; stated for clarity)."
  echo "enable_gic=1"
} >"$stage/config.txt"
printf '%s\n' "$cmdline" >"$stage/cmdline.txt"
cp "$FIRMWARE_DIR/start4.elf" "$FIRMWARE_DIR/fixup4.dat" "$stage/"
cp "$dtb" "$stage/bcm2711-rpi-4-b.dtb"
files=(start4.elf fixup4.dat bcm2711-rpi-4-b.dtb config.txt cmdline.txt kernel8.img)
if [ -n "$initrd" ]; then
  cp "$initrd" "$stage/initrd.cpio"
  files+=(initrd.cpio)
fi

# The FAT32 partition, in a file of its own.
part_start=2048 # sectors: 1 MiB, the usual alignment
part_sectors=$((size_mib * 2048))
export MTOOLS_SKIP_CHECK=1
truncate -s 0 "$stage/part.fat"
truncate -s $((part_sectors * 512)) "$stage/part.fat"
mformat -i "$stage/part.fat" -F -v ZXBOOT -T "$part_sectors" -h 64 -s 32 -H "$part_start" :: ||
  die "mformat failed"
for f in "${files[@]}"; do
  mcopy -i "$stage/part.fat" "$stage/$f" "::$f" || die "mcopy $f failed (partition too small? SIZE_MIB=$size_mib)"
done

# The disk: MBR, gap, partition.
mkdir -p "$(dirname "$out")"
python3 - "$stage/disk.img" "$part_start" "$part_sectors" <<'EOF'
import struct, sys, zlib
path, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mbr = bytearray(512)
struct.pack_into('<I', mbr, 440, zlib.crc32(b'zircon-aarch64') & 0xffffffff)  # disk signature
# One partition: not active, CHS fields "use LBA", type 0x0c (FAT32, LBA).
struct.pack_into('<B3sB3sII', mbr, 446, 0x00, b'\xfe\xff\xff', 0x0c, b'\xfe\xff\xff', start, count)
mbr[510:512] = b'\x55\xaa'
with open(path, 'wb') as f:
    f.write(mbr)
    f.truncate(start * 512)
EOF
cat "$stage/part.fat" >>"$stage/disk.img"
mv "$stage/disk.img" "$out"
echo "sdimage: $out ($(($(stat -c %s "$out") >> 20)) MiB): ${files[*]}"
echo "sdimage: firmware $(cat "$FIRMWARE_DIR/VERSION")"

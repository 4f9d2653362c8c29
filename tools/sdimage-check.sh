#!/usr/bin/env bash
# Checks a Raspberry Pi 4 SD-card image written by tools/sdimage.sh, then boots what it holds.
#
# Usage: tools/sdimage-check.sh IMAGE [--boot LOG]
#   1. lists the FAT partition with `mdir` and requires every file the firmware and the kernel
#      need; reads config.txt and cmdline.txt back and checks what they say, including that
#      init_uart_clock equals the kernel's UART_CLOCK_HZ (bsp/src/board/rpi4.rs);
#   2. with --boot: copies kernel8.img, initrd.cpio, bcm2711-rpi-4-b.dtb and cmdline.txt back
#      out (mcopy) and boots them in QEMU raspi4b the way the firmware would: the kernel at
#      0x80000 entered at EL2 with the DTB in x0, the initrd range in /chosen (QEMU writes it),
#      cmdline.txt as the bootargs (-append), plus `exit=semihosting` so the run ends with
#      init's exit code (QEMU only). The console goes to LOG; QEMU's exit code is ours.
# Environment: TIMEOUT (seconds, default 300).
set -uo pipefail
cd "$(dirname "$0")/.."
img=${1:?usage: tools/sdimage-check.sh IMAGE [--boot LOG]}
boot_log=
[ "${2:-}" = --boot ] && boot_log=${3:?--boot needs a log file}
export MTOOLS_SKIP_CHECK=1
part="$img@@1M"
bad=0
err() {
  echo "sdimage-check: $*" >&2
  bad=1
}

[ -s "$img" ] || { echo "sdimage-check: no image '$img' (make sdimage)" >&2; exit 1; }
sig=$(od -An -tx1 -j510 -N2 "$img" | tr -d ' \n')
ptype=$(od -An -tx1 -j450 -N1 "$img" | tr -d ' \n')
[ "$sig" = 55aa ] || err "no MBR signature (got '$sig')"
[ "$ptype" = 0c ] || err "partition 1 is type '$ptype', want 0c (FAT32 LBA)"
listing=$(mdir -b -i "$part" :: 2>&1) || { echo "sdimage-check: mdir failed: $listing" >&2; exit 1; }
for f in start4.elf fixup4.dat bcm2711-rpi-4-b.dtb config.txt cmdline.txt kernel8.img initrd.cpio; do
  grep -qix "::/$f" <<<"$listing" || err "$f missing from the boot partition"
done

config=$(mtype -i "$part" ::config.txt 2>/dev/null | tr -d '\r')
clock=$(sed -n 's/^pub const UART_CLOCK_HZ: u32 = \([0-9_]*\);.*/\1/p' bsp/src/board/rpi4.rs | tr -d _)
for want in arm_64bit=1 enable_uart=1 kernel=kernel8.img "initramfs initrd.cpio followkernel" \
  device_tree=bcm2711-rpi-4-b.dtb "init_uart_clock=$clock"; do
  grep -qx "$want" <<<"$config" || err "config.txt does not say '$want'"
done
grep -q '^dtoverlay' <<<"$config" && err "config.txt loads an overlay; none is needed"
cmdline=$(mtype -i "$part" ::cmdline.txt 2>/dev/null | tr -d '\r' | head -1)
grep -Eq '(^| )init=[^ ]+' <<<"$cmdline" || err "cmdline.txt '$cmdline' names no init= program"
grep -q 'exit=semihosting' <<<"$cmdline" && err "cmdline.txt asks for semihosting, which stops a real board"
[ "$bad" = 0 ] || exit 1
echo "sdimage-check: $img: MBR + FAT32, all files present, config.txt and cmdline.txt as expected"
[ -n "$boot_log" ] || exit 0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdimage-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for f in kernel8.img initrd.cpio bcm2711-rpi-4-b.dtb; do
  mcopy -n -i "$part" "::$f" "$tmp/$f" || { echo "sdimage-check: cannot copy $f out" >&2; exit 1; }
done
echo "sdimage-check: booting kernel8.img + initrd.cpio + bcm2711-rpi-4-b.dtb from the image, bootargs \"$cmdline exit=semihosting\"" >"$boot_log"
timeout --foreground -k 5 "${TIMEOUT:-300}" qemu-system-aarch64 -M raspi4b -nographic -semihosting \
  -dtb "$tmp/bcm2711-rpi-4-b.dtb" -kernel "$tmp/kernel8.img" -initrd "$tmp/initrd.cpio" \
  -append "$cmdline exit=semihosting" </dev/null >>"$boot_log" 2>&1

#!/usr/bin/env bash
# Fetches the Raspberry Pi 4 boot firmware (start4.elf, fixup4.dat) from Debian's
# `raspi-firmware` package (component non-free-firmware, architecture arm64) and caches it in
# $FIRMWARE_DIR (default build/firmware), with the package name and version in VERSION.
#
# Same approach as tools/fetch-rpi-dtb.sh (both use tools/debian-apt.sh): apt runs with a
# private sources list, state and cache (architecture arm64) in a temporary directory that is
# removed afterwards; the system's apt setup is not touched and nothing is installed. Only the
# small non-free-firmware index and one .deb (~10 MB) are downloaded, once: later runs use the
# cache.
#
# Usage: tools/sdimage-firmware.sh [--force]
# Environment: FIRMWARE_DIR, DEBIAN_MIRROR (default http://deb.debian.org/debian),
#   DEBIAN_SUITE (default bookworm), FIRMWARE_PKG (default raspi-firmware).
set -euo pipefail

die() {
  echo "sdimage-firmware: $*" >&2
  exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${FIRMWARE_DIR:-$root/build/firmware}
files=(start4.elf fixup4.dat)
force=0
[ "${1:-}" = "--force" ] && force=1

cached() {
  local f
  for f in "${files[@]}"; do [ -s "$out/$f" ] || return 1; done
  [ -s "$out/VERSION" ]
}
if [ "$force" = 0 ] && cached; then
  echo "sdimage-firmware: cached: $out ($(cat "$out/VERSION"))"
  exit 0
fi

pkg=${FIRMWARE_PKG:-raspi-firmware}
# shellcheck source=tools/debian-apt.sh
. "$root/tools/debian-apt.sh"
debapt_init sdimage-firmware \
  "deb [arch=arm64 signed-by=$DEBAPT_KEYRING] $DEBAPT_MIRROR $DEBAPT_SUITE non-free-firmware"
tmp=$DEBAPT_TMP
debapt_update '*_non-free-firmware_binary-arm64_Packages*'
deb=$(debapt_download "$pkg")
version=$(dpkg-deb -f "$deb" Version)

dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" ||
  die "cannot unpack $(basename "$deb")"
mkdir -p "$out"
for f in "${files[@]}"; do
  src=$(find "$tmp/x" -name "$f" -type f | head -1)
  [ -n "$src" ] || die "$pkg $version has no $f"
  cp "$src" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"
done
# Its licence travels with the binaries.
lic=$(find "$tmp/x" -path '*/doc/*' -name copyright | head -1)
[ -n "$lic" ] && cp "$lic" "$out/LICENCE.broadcom"
echo "$pkg $version (Debian $DEBAPT_SUITE non-free-firmware, arm64, $DEBAPT_MIRROR)" >"$out/VERSION"
echo "sdimage-firmware: $out: ${files[*]} from $(cat "$out/VERSION")"

#!/usr/bin/env bash
# Fetches the real Raspberry Pi 4 devicetree blob (bcm2711-rpi-4-b.dtb) from
# Debian's arm64 Linux kernel package and caches it at
# build/dtb/bcm2711-rpi-4-b.dtb (relative to the repository root).
#
# The system's apt configuration is left untouched: apt runs with a private
# sources list, state and cache directory (architecture arm64) inside a
# temporary directory that is removed afterwards (tools/debian-apt.sh). Only the
# package index and one kernel .deb (~60 MB) are downloaded; nothing is installed.
#
# Usage: tools/fetch-rpi-dtb.sh [--force]
# Environment overrides:
#   DEBIAN_MIRROR   (default: http://deb.debian.org/debian)
#   DEBIAN_SECURITY (default: http://deb.debian.org/debian-security)
#   DEBIAN_SUITE    (default: bookworm)
#   KERNEL_PKG      (default: whatever linux-image-arm64 currently depends on)
# Exits non-zero with a message if the DTB cannot be obtained.
set -euo pipefail

die() {
  echo "fetch-rpi-dtb: $*" >&2
  exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/build/dtb/bcm2711-rpi-4-b.dtb"
force=0
[ "${1:-}" = "--force" ] && force=1

is_dtb() { [ -s "$1" ] && [ "$(od -An -tx1 -N4 "$1" | tr -d ' \n')" = "d00dfeed" ]; }

if [ "$force" = 0 ] && is_dtb "$out"; then
  echo "fetch-rpi-dtb: cached: $out"
  exit 0
fi

command -v od >/dev/null 2>&1 || die "'od' not found"
# shellcheck source=tools/debian-apt.sh
. "$root/tools/debian-apt.sh"
debapt_init fetch-rpi-dtb \
  "deb [arch=arm64 signed-by=$DEBAPT_KEYRING] $DEBAPT_MIRROR $DEBAPT_SUITE main" \
  "deb [arch=arm64 signed-by=$DEBAPT_KEYRING] $DEBAPT_SECURITY $DEBAPT_SUITE-security main"
tmp=$DEBAPT_TMP
debapt_update '*_main_binary-arm64_Packages*'
pkg=${KERNEL_PKG:-}
[ -n "$pkg" ] || pkg=$(debapt_kernel_pkg)
deb=$(debapt_download "$pkg")

dpkg-deb --fsys-tarfile "$deb" |
  tar -x -C "$tmp/x" --wildcards './usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb' 2>/dev/null ||
  die "$pkg has no usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb"
dtb=$(ls "$tmp"/x/usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb 2>/dev/null | head -1)
is_dtb "$dtb" || die "extracted file is not a devicetree blob"

mkdir -p "$(dirname "$out")"
cp "$dtb" "$out.tmp" && mv "$out.tmp" "$out"
echo "fetch-rpi-dtb: $out ($(wc -c <"$out") bytes, from $pkg: ${dtb#"$tmp/x/"})"

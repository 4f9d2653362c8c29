#!/usr/bin/env bash
# Fetches the Raspberry Pi 4 boot firmware (start4.elf, fixup4.dat) from Debian's
# `raspi-firmware` package (component non-free-firmware, architecture arm64) and caches it in
# $FIRMWARE_DIR (default build/firmware), with the package name and version in VERSION.
#
# Same approach as tools/fetch-rpi-dtb.sh: apt runs with a private sources list, state and cache
# (architecture arm64) in a temporary directory that is removed afterwards; the system's apt
# setup is not touched and nothing is installed. Only the small non-free-firmware index and one
# .deb (~10 MB) are downloaded, once: later runs use the cache.
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

for tool in apt-get dpkg-deb tar; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (needs a Debian-like system with apt and dpkg)"
done
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-bookworm}
pkg=${FIRMWARE_PKG:-raspi-firmware}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring not found (install debian-archive-keyring)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdimage-firmware.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/etc/sources.list.d" "$tmp/etc/preferences.d" \
  "$tmp/state/lists/partial" "$tmp/cache/archives/partial" "$tmp/deb" "$tmp/x"
: >"$tmp/state/status"
echo "deb [arch=arm64 signed-by=$keyring] $mirror $suite non-free-firmware" >"$tmp/etc/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$tmp/etc/sources.list"
  -o "Dir::Etc::sourceparts=$tmp/etc/sources.list.d"
  -o "Dir::Etc::preferencesparts=$tmp/etc/preferences.d"
  -o "Dir::State=$tmp/state"
  -o "Dir::State::status=$tmp/state/status"
  -o "Dir::Cache=$tmp/cache"
  -o "APT::Architecture=arm64"
  -o "APT::Architectures::=arm64"
  -o "Debug::NoLocking=1"
)
# As root, apt would drop privileges to _apt, which cannot write into our private temp dir.
[ "$(id -u)" = 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")

echo "sdimage-firmware: updating a private arm64 package index ($mirror $suite non-free-firmware)"
apt-get "${apt_opts[@]}" -qq update >"$tmp/update.log" 2>&1 ||
  { cat "$tmp/update.log" >&2; die "apt-get update failed (network or mirror problem?)"; }
if ! ls "$tmp"/state/lists/*_non-free-firmware_binary-arm64_Packages* >/dev/null 2>&1; then
  cat "$tmp/update.log" >&2
  die "no arm64 non-free-firmware index could be downloaded from $mirror (network or mirror problem?)"
fi

echo "sdimage-firmware: downloading $pkg"
(cd "$tmp/deb" && apt-get "${apt_opts[@]}" -qq download "$pkg") >"$tmp/download.log" 2>&1 ||
  { cat "$tmp/download.log" >&2; die "apt-get download $pkg failed"; }
deb=$(ls "$tmp"/deb/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "no .deb downloaded for $pkg"
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
echo "$pkg $version (Debian $suite non-free-firmware, arm64, $mirror)" >"$out/VERSION"
echo "sdimage-firmware: $out: ${files[*]} from $(cat "$out/VERSION")"

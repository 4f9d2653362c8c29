#!/usr/bin/env bash
# Fetches the real Raspberry Pi 4 devicetree blob (bcm2711-rpi-4-b.dtb) from
# Debian's arm64 Linux kernel package and caches it at
# build/dtb/bcm2711-rpi-4-b.dtb (relative to the repository root).
#
# The system's apt configuration is left untouched: apt runs with a private
# sources list, state and cache directory (architecture arm64) inside a
# temporary directory that is removed afterwards. Only the package index and
# one kernel .deb (~60 MB) are downloaded; nothing is installed.
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

for tool in apt-get apt-cache dpkg-deb tar od; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (needs a Debian-like system with apt and dpkg)"
done

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
suite=${DEBIAN_SUITE:-bookworm}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring not found (install debian-archive-keyring)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-rpi-dtb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/etc/sources.list.d" "$tmp/etc/preferences.d" \
  "$tmp/state/lists/partial" "$tmp/cache/archives/partial" "$tmp/deb" "$tmp/x"
: >"$tmp/state/status"
cat >"$tmp/etc/sources.list" <<EOF
deb [arch=arm64 signed-by=$keyring] $mirror $suite main
deb [arch=arm64 signed-by=$keyring] $security $suite-security main
EOF

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
# As root, apt would drop privileges to _apt, which cannot write into our
# private 0700 temp dir; download as the invoking user instead.
[ "$(id -u)" = 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")

echo "fetch-rpi-dtb: updating a private arm64 package index ($mirror $suite)"
apt-get "${apt_opts[@]}" -qq update >"$tmp/update.log" 2>&1 ||
  { cat "$tmp/update.log" >&2; die "apt-get update failed (network or mirror problem?)"; }
# apt-get update exits 0 even when every download failed: check for an index.
if ! ls "$tmp"/state/lists/*_main_binary-arm64_Packages* >/dev/null 2>&1; then
  cat "$tmp/update.log" >&2
  die "no arm64 package index could be downloaded from $mirror (network or mirror problem?)"
fi

pkg=${KERNEL_PKG:-}
if [ -z "$pkg" ]; then
  pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-arm64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -1)
  [ -n "$pkg" ] || die "could not find which kernel package linux-image-arm64 depends on"
fi

echo "fetch-rpi-dtb: downloading $pkg"
(cd "$tmp/deb" && apt-get "${apt_opts[@]}" -qq download "$pkg") >"$tmp/download.log" 2>&1 ||
  { cat "$tmp/download.log" >&2; die "apt-get download $pkg failed"; }
deb=$(ls "$tmp"/deb/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "no .deb downloaded for $pkg"

dpkg-deb --fsys-tarfile "$deb" |
  tar -x -C "$tmp/x" --wildcards './usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb' 2>/dev/null ||
  die "$pkg has no usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb"
dtb=$(ls "$tmp"/x/usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb 2>/dev/null | head -1)
is_dtb "$dtb" || die "extracted file is not a devicetree blob"

mkdir -p "$(dirname "$out")"
cp "$dtb" "$out.tmp" && mv "$out.tmp" "$out"
echo "fetch-rpi-dtb: $out ($(wc -c <"$out") bytes, from $pkg: ${dtb#"$tmp/x/"})"

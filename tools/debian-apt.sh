# Shared by the scripts that fetch files out of Debian arm64 packages (tools/fetch-rpi-dtb.sh,
# tools/sdimage-firmware.sh, tools/bench-linux.sh). Source it; it defines:
#
#   debapt_init NAME SOURCES_LINE...   a private apt setup (architecture arm64) in a temporary
#                                      directory removed on exit: its own sources list, state and
#                                      cache, so the system's apt configuration is not touched
#                                      and nothing is installed. Messages are prefixed "NAME: ".
#   debapt_update INDEX_GLOB           `apt-get update` with it; fails unless an index file
#                                      matching INDEX_GLOB (under the private lists dir) exists
#   debapt_kernel_pkg                  prints the package linux-image-arm64 depends on
#   debapt_download PKG                downloads PKG's .deb; prints its path
#   debapt_die MESSAGE                 prints "NAME: MESSAGE" and exits 1
#
# After debapt_init: DEBAPT_TMP (the temporary directory; $DEBAPT_TMP/x is free for unpacking),
# DEBAPT_KEYRING, DEBAPT_MIRROR, DEBAPT_SECURITY, DEBAPT_SUITE (from DEBIAN_MIRROR,
# DEBIAN_SECURITY, DEBIAN_SUITE; defaults http://deb.debian.org/debian,
# http://deb.debian.org/debian-security, bookworm), and the array debapt_opts for apt-get and
# apt-cache. SOURCES_LINE may use those variables (expand them before calling).

DEBAPT_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBAPT_SECURITY=${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
DEBAPT_SUITE=${DEBIAN_SUITE:-bookworm}
DEBAPT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
DEBAPT_NAME=debian-apt

debapt_die() {
  echo "$DEBAPT_NAME: $*" >&2
  exit 1
}

debapt_init() {
  DEBAPT_NAME=$1
  shift
  local tool
  for tool in apt-get apt-cache dpkg-deb tar; do
    command -v "$tool" >/dev/null 2>&1 ||
      debapt_die "'$tool' not found (needs a Debian-like system with apt and dpkg)"
  done
  [ -r "$DEBAPT_KEYRING" ] || debapt_die "$DEBAPT_KEYRING not found (install debian-archive-keyring)"
  DEBAPT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$DEBAPT_NAME.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$DEBAPT_TMP'" EXIT
  mkdir -p "$DEBAPT_TMP/etc/sources.list.d" "$DEBAPT_TMP/etc/preferences.d" \
    "$DEBAPT_TMP/state/lists/partial" "$DEBAPT_TMP/cache/archives/partial" \
    "$DEBAPT_TMP/deb" "$DEBAPT_TMP/x"
  : >"$DEBAPT_TMP/state/status"
  printf '%s\n' "$@" >"$DEBAPT_TMP/etc/sources.list"
  debapt_opts=(
    -o "Dir::Etc::sourcelist=$DEBAPT_TMP/etc/sources.list"
    -o "Dir::Etc::sourceparts=$DEBAPT_TMP/etc/sources.list.d"
    -o "Dir::Etc::preferencesparts=$DEBAPT_TMP/etc/preferences.d"
    -o "Dir::State=$DEBAPT_TMP/state"
    -o "Dir::State::status=$DEBAPT_TMP/state/status"
    -o "Dir::Cache=$DEBAPT_TMP/cache"
    -o "APT::Architecture=arm64"
    -o "APT::Architectures::=arm64"
    -o "Debug::NoLocking=1"
  )
  # As root, apt would drop privileges to _apt, which cannot write into our private 0700 temp
  # dir; download as the invoking user instead.
  if [ "$(id -u)" = 0 ]; then debapt_opts+=(-o "APT::Sandbox::User=root"); fi
}

debapt_update() {
  echo "$DEBAPT_NAME: updating a private arm64 package index ($DEBAPT_MIRROR $DEBAPT_SUITE)"
  apt-get "${debapt_opts[@]}" -qq update >"$DEBAPT_TMP/update.log" 2>&1 ||
    { cat "$DEBAPT_TMP/update.log" >&2; debapt_die "apt-get update failed (network or mirror problem?)"; }
  # apt-get update exits 0 even when every download failed: check for an index.
  # shellcheck disable=SC2086
  if ! ls "$DEBAPT_TMP"/state/lists/$1 >/dev/null 2>&1; then
    cat "$DEBAPT_TMP/update.log" >&2
    debapt_die "no arm64 package index ($1) could be downloaded from $DEBAPT_MIRROR (network or mirror problem?)"
  fi
}

debapt_kernel_pkg() {
  local pkg
  pkg=$(apt-cache "${debapt_opts[@]}" depends linux-image-arm64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -1)
  [ -n "$pkg" ] || debapt_die "could not find which kernel package linux-image-arm64 depends on"
  echo "$pkg"
}

debapt_download() {
  local deb
  echo "$DEBAPT_NAME: downloading $1" >&2
  (cd "$DEBAPT_TMP/deb" && apt-get "${debapt_opts[@]}" -qq download "$1") >"$DEBAPT_TMP/download.log" 2>&1 ||
    { cat "$DEBAPT_TMP/download.log" >&2; debapt_die "apt-get download $1 failed"; }
  deb=$(ls "$DEBAPT_TMP"/deb/"$1"_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || debapt_die "no .deb downloaded for $1"
  echo "$deb"
}

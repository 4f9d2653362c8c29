#!/usr/bin/env bash
# Installs what `make run` / `make test` need on a Debian machine, or says what to install.
# Idempotent: does nothing when everything is already present.
set -euo pipefail

need_qemu() {
  command -v qemu-system-aarch64 >/dev/null 2>&1 || return 0
  local v
  v=$(qemu-system-aarch64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1)
  [ "${v:-0}" -lt 9 ]
}
need_dtc() { ! command -v dtc >/dev/null 2>&1; }
# The C SDK (tools/zxcc): clang with the AArch64 target and ld.lld.
need_clang() { ! command -v clang >/dev/null 2>&1; }
need_lld() { ! command -v ld.lld >/dev/null 2>&1; }
# mtools builds the Raspberry Pi SD-card image (make sdimage) without root or loop devices.
need_mtools() { ! command -v mformat >/dev/null 2>&1 || ! command -v mcopy >/dev/null 2>&1; }
# Debugging: gdb-multiarch for `make gdb`; llvm-cxxfilt (tools/ksyms.py demangles the kernel's
# symbols with it) and llvm-symbolizer (tools/symbolize) from Debian's llvm.
need_gdb() { ! command -v gdb-multiarch >/dev/null 2>&1; }
need_llvm() {
  for t in llvm-cxxfilt llvm-symbolizer; do
    command -v "$t" >/dev/null 2>&1 || ls /usr/lib/llvm-*/bin/"$t" >/dev/null 2>&1 || return 0
  done
  return 1
}

missing=()
need_qemu && missing+=(qemu)
need_dtc && missing+=(dtc)
need_clang && missing+=(clang)
need_lld && missing+=(ld.lld)
need_mtools && missing+=(mtools)
need_llvm && missing+=(llvm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    if [ "$codename" = bookworm ] && need_qemu; then
      if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "setup: adding bookworm-backports to apt sources (QEMU 9+ lives there)"
        cat > /etc/apt/sources.list.d/bookworm-backports.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
      fi
    fi
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    pkgs=()
    need_dtc && pkgs+=(device-tree-compiler)
    need_clang && pkgs+=(clang)
    need_lld && pkgs+=(lld)
    need_mtools && pkgs+=(mtools)
    need_llvm && pkgs+=(llvm)
    [ ${#pkgs[@]} -gt 0 ] && apt-get install -y -qq "${pkgs[@]}" >/dev/null
    if need_qemu; then
      if [ "$codename" = bookworm ]; then
        apt-get install -y -qq -t bookworm-backports qemu-system-arm >/dev/null
      else
        apt-get install -y -qq qemu-system-arm >/dev/null
      fi
    fi
  else
    echo "setup: missing: ${missing[*]}." >&2
    echo "  Install QEMU 9 or newer (qemu-system-aarch64; Debian 12: 'apt-get install -t bookworm-backports qemu-system-arm')" >&2
    echo "  dtc (Debian: device-tree-compiler), mtools (Debian: mtools), clang and ld.lld for the C SDK" >&2
    echo "  (Debian: clang lld), llvm (llvm-cxxfilt, llvm-symbolizer) for the kernel's symbols and" >&2
    echo "  tools/symbolize, then run make again." >&2
    exit 1
  fi
fi
if need_qemu; then
  echo "setup: qemu-system-aarch64 9 or newer is still missing after install; install it by hand." >&2
  exit 1
fi
if need_dtc; then
  echo "setup: dtc is still missing; install device-tree-compiler." >&2
  exit 1
fi
if need_llvm; then
  echo "setup: llvm-cxxfilt or llvm-symbolizer is still missing (the kernel's symbol table needs them); install llvm." >&2
  exit 1
fi
# gdb-multiarch is only for `make gdb`: installed when we can, never a reason to stop.
if need_gdb; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ]; then
    echo "setup: installing gdb-multiarch with apt-get (make gdb)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb-multiarch >/dev/null ||
      echo "setup: could not install gdb-multiarch; make gdb needs it" >&2
  else
    echo "setup: note: gdb-multiarch is missing (only make gdb needs it; Debian: apt-get install gdb-multiarch)" >&2
  fi
fi
if need_clang || need_lld; then
  echo "setup: clang or ld.lld is still missing (tools/zxcc needs both); install clang and lld." >&2
  exit 1
fi
if need_mtools; then
  echo "setup: mtools (mformat, mcopy) is still missing; install mtools." >&2
  exit 1
fi

# Rust: the toolchain, targets and llvm-tools that rust-toolchain.toml lists.
if ! command -v rustup >/dev/null 2>&1; then
  echo "setup: rustup is missing: install Rust from https://rustup.rs (the toolchain file then installs the rest)." >&2
  exit 1
fi
if ! rustup target list --installed 2>/dev/null | grep -q aarch64-unknown-none-softfloat \
   || ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-none \
   || ! rustup component list --installed 2>/dev/null | grep -q llvm-tools; then
  echo "setup: installing the Rust toolchain pieces from rust-toolchain.toml"
  rustup toolchain install >/dev/null 2>&1 || true
  rustup target add aarch64-unknown-none aarch64-unknown-none-softfloat >/dev/null
  rustup component add llvm-tools rustfmt clippy >/dev/null
fi

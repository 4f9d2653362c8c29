#!/usr/bin/env bash
# make chainboot: builds the chainloader ($BUILD/chainloader.img), an SD-card image that boots it
# ($BUILD/rpi4-chainboot-sd.img: firmware, DTB, config.txt, the chainloader as kernel8.img, no
# initrd) and a smaller initrd for pushing ($BUILD/initrd-small.cpio: the same programs with
# their symbols and debug info stripped). Then: tools/chainboot DEVICE (docs/raspberry-pi.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
mkdir -p "$BUILD"
# The loader runs with the MMU off, where every data access is Device memory and must be
# aligned: the target's defaults include +strict-align.
cargo build --quiet --release -p chainloader --target aarch64-unknown-none-softfloat
objcopy=$(find "$(rustc --print sysroot)" -name llvm-objcopy -type f | head -1)
[ -n "$objcopy" ] || { echo "chainboot: llvm-objcopy not found (rustup component add llvm-tools)" >&2; exit 1; }
"$objcopy" -O binary "${CARGO_TARGET_DIR:-target}"/aarch64-unknown-none-softfloat/release/chainloader "$BUILD/chainloader.img"
python3 - "$BUILD/initrd.cpio" "$BUILD/initrd-small.cpio" "$objcopy" <<'PY'
import os, subprocess, sys, tempfile
src, dst, objcopy = sys.argv[1:4]
data = open(src, 'rb').read()
entries, off = [], 0
while True:
    h = data[off:off + 110]
    assert h[:6] == b'070701', 'not a newc cpio'
    f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    namesize, filesize = f[11], f[6]
    name = data[off + 110:off + 110 + namesize - 1].decode()
    off = (off + 110 + namesize + 3) & ~3
    body = data[off:off + filesize]
    off = (off + filesize + 3) & ~3
    if name == 'TRAILER!!!':
        break
    entries.append((name, body))
with tempfile.TemporaryDirectory() as t:
    args = []
    for name, body in entries:
        p = os.path.join(t, name.replace('/', '_'))
        open(p, 'wb').write(body)
        if body[:4] == b'\x7fELF':
            subprocess.check_call([objcopy, '--strip-all', p])
        args.append(f'{name}={p}')
    subprocess.check_call([sys.executable, 'tools/mkcpio.py', dst] + args)
PY
CMDLINE=${CMDLINE:-init=init} tools/sdimage.sh "$BUILD/rpi4-chainboot-sd.img" "$BUILD/chainloader.img" >/dev/null
echo "chainboot: $BUILD/chainloader.img ($(stat -c %s "$BUILD/chainloader.img") bytes), $BUILD/rpi4-chainboot-sd.img," \
  "$BUILD/initrd-small.cpio ($(($(stat -c %s "$BUILD/initrd-small.cpio") >> 10)) KiB)"

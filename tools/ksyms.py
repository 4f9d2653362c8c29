#!/usr/bin/env python3
"""Writes the kernel's symbol table into its own ELF, after the link.

    tools/ksyms.py KERNEL_ELF

The kernel reserves KSYMS_CAPACITY bytes of .rodata at the symbol `__ksyms`
(kernel/src/backtrace.rs). This script lists the function symbols of the ELF with llvm-nm,
demangles them (llvm-cxxfilt, then the escapes of Rust's legacy mangling that LLVM's demangler
leaves, and the `::h<hash>` suffix), and overwrites the reserved bytes in the file with the
table. No address changes, so `llvm-objcopy -O binary` of the patched ELF is the image whose
panics print names. Layout: see kernel/src/backtrace.rs.
"""
import glob
import os
import re
import shutil
import struct
import subprocess
import sys

MAGIC = b"ZXKSYMS1"
CAPACITY = 64 * 1024  # kernel/src/backtrace.rs KSYMS_CAPACITY


def tool(name):
    """An LLVM tool: rustup's llvm-tools, then PATH, then Debian's /usr/lib/llvm-*/bin."""
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True).stdout.strip()
    for path in glob.glob(os.path.join(sysroot, "lib/rustlib/*/bin", name)):
        return path
    found = shutil.which(name)
    if found:
        return found
    for path in sorted(glob.glob(f"/usr/lib/llvm-*/bin/{name}"), reverse=True):
        return path
    sys.exit(f"ksyms: {name} not found (rustup component add llvm-tools; Debian: apt-get install llvm)")


LEGACY = {"$SP$": "@", "$BP$": "*", "$RF$": "&", "$LT$": "<", "$GT$": ">", "$LP$": "(", "$RP$": ")", "$C$": ","}


def tidy(name):
    """Finishes what llvm-cxxfilt leaves of a Rust legacy symbol: `$..$` escapes, `..`, hash."""
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    if "$" in name or ".." in name:
        def esc(m):
            s = m.group(0)
            if s in LEGACY:
                return LEGACY[s]
            if s.startswith("$u"):
                return chr(int(s[2:-1], 16))
            return s
        name = re.sub(r"\$(?:SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{2,6})\$", esc, name)
        name = name.replace("..", "::")
        name = re.sub(r"(^|::)_(?=[<&*])", r"\1", name)
    return name


def demangle(names):
    cxxfilt = tool("llvm-cxxfilt")
    out = subprocess.run([cxxfilt], input="\n".join(names) + "\n", capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")[: len(names)]
    return [tidy(n) for n in lines]


def sections(data):
    """(addr, size, offset) of the allocated PROGBITS sections of an ELF64 LE file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("ksyms: not an ELF64 little-endian file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    out = []
    for i in range(shnum):
        _, typ, flags, addr, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        if typ == 1 and flags & 2:  # SHT_PROGBITS, SHF_ALLOC
            out.append((addr, size, off))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    elf = sys.argv[1]
    nm = tool("llvm-nm")
    listing = subprocess.run([nm, "-n", "--defined-only", elf], capture_output=True, text=True, check=True).stdout
    target = None
    syms = []
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        addr, kind, name = int(parts[0], 16), parts[1], parts[2]
        if name == "__ksyms":
            target = addr
        # Code symbols; skip the assembler's local labels and mapping symbols ($x, $d).
        if kind in "tTwW" and not name.startswith(("$", ".L")):
            syms.append((addr, name))
    if target is None:
        sys.exit("ksyms: the kernel has no __ksyms symbol (kernel/src/backtrace.rs)")
    # One name per address: prefer a Rust/C function over an assembly label at the same place.
    by_addr = {}
    for addr, name in syms:
        if addr not in by_addr or (name.startswith("_ZN") or name.startswith("_R")):
            by_addr[addr] = name
    addrs = sorted(by_addr)
    names = demangle([by_addr[a] for a in addrs])
    strings = bytearray()
    entries = bytearray()
    for addr, name in zip(addrs, names):
        b = name.encode()
        entries += struct.pack("<QII", addr, len(strings), len(b))
        strings += b
    table = MAGIC + struct.pack("<II", len(addrs), len(strings)) + entries + strings
    if len(table) > CAPACITY:
        sys.exit(f"ksyms: table is {len(table)} bytes, more than the {CAPACITY} reserved: raise KSYMS_CAPACITY")
    with open(elf, "r+b") as f:
        data = f.read()
        for addr, size, off in sections(data):
            if addr <= target and target + CAPACITY <= addr + size:
                f.seek(off + target - addr)
                f.write(table)
                break
        else:
            sys.exit("ksyms: __ksyms is not inside a loaded section of the file")
    print(f"ksyms: {len(addrs)} symbols, {len(table)} of {CAPACITY} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

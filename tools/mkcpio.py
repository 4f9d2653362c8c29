#!/usr/bin/env python3
"""Writes a cpio archive in the `newc` format: mkcpio.py OUT NAME=PATH [NAME=PATH ...]."""
import sys


def header(ino, mode, size, namesize):
    fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0]
    return b"070701" + b"".join(b"%08x" % f for f in fields)


def pad4(n):
    return (4 - n % 4) % 4


def main():
    out = bytearray()
    entries = [a.split("=", 1) for a in sys.argv[2:]]
    for ino, (name, path) in enumerate(entries + [["TRAILER!!!", None]], start=1):
        data = open(path, "rb").read() if path else b""
        nb = name.encode() + b"\0"
        mode = 0o100755 if path else 0
        out += header(ino if path else 0, mode, len(data), len(nb)) + nb
        out += b"\0" * pad4(110 + len(nb))
        out += data + b"\0" * pad4(len(data))
    open(sys.argv[1], "wb").write(out)


main()

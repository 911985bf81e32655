"""Unpack Qt binary resource files (.rcc) into a folder, with the standard library only.

GCompris (Debian package gcompris-qt-data) ships its activities' photos inside .rcc files;
scripts/fetch-datasets unpacks them to pick the labelled photos. Format (Qt's rcc, versions 1-3):
a "qres" header with the offsets of the tree, the data and the names; tree entries are folders
(child count, first child) or files (data offset), names are UTF-16; a file's data is
zlib-compressed when its flag says so (with its uncompressed length in front).

Usage: qt_resources.py OUT_DIR FILE.rcc...   (writes OUT_DIR/<rcc name>/<path inside>)
"""

import os
import struct
import sys
import zlib

COMPRESSED, DIRECTORY, COMPRESSED_ZSTD = 1, 2, 4


def entries(path):
    with open(path, "rb") as f:
        b = f.read()
    if b[:4] != b"qres":
        raise ValueError(f"{path}: not a Qt resource file")
    version, tree, data, names = struct.unpack(">IIII", b[4:20])
    entry_size = 22 if version >= 2 else 14

    def name(offset):
        (length,) = struct.unpack(">H", b[names + offset : names + offset + 2])
        return b[names + offset + 6 : names + offset + 6 + length * 2].decode("utf-16-be")

    def walk(index, prefix):
        at = tree + index * entry_size
        name_offset, flags = struct.unpack(">IH", b[at : at + 6])
        here = prefix + (name(name_offset) if index else "")
        if flags & DIRECTORY:
            count, first = struct.unpack(">II", b[at + 6 : at + 14])
            for child in range(first, first + count):
                yield from walk(child, here + "/")
            return
        (offset,) = struct.unpack(">I", b[at + 10 : at + 14])
        (length,) = struct.unpack(">I", b[data + offset : data + offset + 4])
        raw = b[data + offset + 4 : data + offset + 4 + length]
        if flags & COMPRESSED_ZSTD:
            raise ValueError(f"{path}: {here} is zstd-compressed, which this reader does not handle")
        yield here, zlib.decompress(raw[4:]) if flags & COMPRESSED else raw

    yield from walk(0, "")


def main(argv):
    if len(argv) < 3:
        sys.exit(f"usage: {argv[0]} OUT_DIR FILE.rcc...")
    for path in argv[2:]:
        base = os.path.join(argv[1], os.path.splitext(os.path.basename(path))[0])
        for inner, raw in entries(path):
            out = os.path.normpath(os.path.join(base, inner.lstrip("/")))
            if not out.startswith(base + os.sep):
                raise ValueError(f"{path}: entry {inner} escapes the output folder")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(raw)


if __name__ == "__main__":
    main(sys.argv)

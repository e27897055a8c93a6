"""Prints `pages coded_bytes` of a TIFF: the sum of its strips' byte counts (the coded data a fax
sends), without headers. Stdlib only; used by document.bench.sh."""
import struct
import sys


def coded_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    end = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack(end + "I", data[4:8])
    pages, total = 0, 0
    while offset:
        (count,) = struct.unpack(end + "H", data[offset:offset + 2])
        for i in range(count):
            tag, typ, n, value = struct.unpack(end + "HHII", data[offset + 2 + 12 * i: offset + 14 + 12 * i])
            if tag != 279:  # StripByteCounts
                continue
            fmt = {3: "H", 4: "I"}[typ]
            size = struct.calcsize(fmt)
            if n * size <= 4:
                raw = data[offset + 10 + 12 * i: offset + 10 + 12 * i + n * size]
            else:
                raw = data[value: value + n * size]
            total += sum(struct.unpack(end + fmt * n, raw))
        pages += 1
        (offset,) = struct.unpack(end + "I", data[offset + 2 + 12 * count: offset + 6 + 12 * count])
    return pages, total


if __name__ == "__main__":
    print(*coded_bytes(sys.argv[1]))

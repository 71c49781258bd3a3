#!/usr/bin/env python3
"""Reads a .safetensors file by its documented layout with numpy alone (the venv has no
`safetensors` package): 8-byte little-endian header length, JSON header, raw little-endian data.
Prints {name: {"dtype", "shape", "sum", "head"}} for dsprep's Training tests, and fails when the
layout is violated (header not 8-aligned, overlapping or out-of-range offsets)."""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F16": "<f2", "BF16": None, "I64": "<i8", "I32": "<i4"}


def main():
    with open(sys.argv[1], "rb") as file:
        blob = file.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    assert (8 + length) % 8 == 0, "data section is not 8-byte aligned"
    out, spans = {}, []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        assert 0 <= begin <= end <= len(data), name
        spans.append((begin, end))
        array = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        out[name] = {"dtype": entry["dtype"], "shape": list(array.shape),
                     "sum": float(array.astype(np.float64).sum()), "head": [float(v) for v in array.ravel()[:3]]}
    spans.sort()
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "overlapping tensors"
    assert spans[-1][1] == len(data), "trailing bytes after the last tensor"
    json.dump({"metadata": header.get("__metadata__", {}), "tensors": out}, sys.stdout)


if __name__ == "__main__":
    main()

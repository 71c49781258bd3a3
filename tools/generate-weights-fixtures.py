"""Writes the weights fixtures of TrainingTests (Tests/TrainingTests/Fixtures/weights/) with the real torch.

Run with the torch venv:  ~/.cache/dsprep-torch/bin/python tools/generate-weights-fixtures.py

Every readable fixture has a `<name>.expected.safetensors` beside it (or one per model) holding each
tensor made contiguous and converted to float32, and `expected.json` records each tensor's original
dtype, so the Swift test checks names, shapes, values and floating-point-ness exactly.

transformers 5 always saves safetensors, so the `pytorch_model.bin` folders are written the way
transformers 4 wrote them: `torch.save(model.state_dict())`, and for shards
`pytorch_model-0000k-of-0000n.bin` plus `pytorch_model.bin.index.json` ({"metadata", "weight_map"}).
"""

import collections
import json
import os
import pickle
import shutil
import struct
import sys
import zipfile

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TrainingTests", "Fixtures", "weights")


def expected(tensors, path):
    save_file({name: t.detach().to(torch.float32).contiguous() for name, t in tensors.items()}, path)
    return {name: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)} for name, t in tensors.items()}


def state_dict_fixture():
    """Every dtype and layout a state dict may hold, plus enough entries for LONG_BINPUT/LONG_BINGET."""
    g = torch.Generator().manual_seed(7)
    sd = collections.OrderedDict()
    sd["float32"] = torch.randn(2, 3, generator=g)
    sd["float16"] = torch.randn(3, 2, generator=g).to(torch.float16)
    sd["bfloat16"] = torch.randn(5, generator=g).to(torch.bfloat16)
    sd["float64"] = torch.randn(2, 2, generator=g, dtype=torch.float64)
    sd["int64"] = torch.arange(-3, 4)
    for dtype in [torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool]:
        sd[str(dtype).replace("torch.", "")] = torch.tensor([0, 1, 5, 100]).to(dtype)
    sd["transposed"] = torch.randn(3, 4, generator=g).t()  # stride (1, 4)
    sd["permuted"] = torch.randn(2, 3, 4, generator=g).permute(2, 0, 1)
    base = torch.randn(12, generator=g)
    sd["view.head"] = base[1:4]  # two views of one storage, at different offsets
    sd["view.tail"] = base.view(3, 4)[1:, ::2]  # offset 4, stride (4, 2)
    sd["expanded"] = torch.arange(5).expand(2, -1)  # stride (0, 1), like HF position_ids buffers
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    sd["parameter"] = torch.nn.Parameter(torch.randn(4, generator=g))  # torch._utils._rebuild_parameter
    sd["long"] = torch.randn(300, generator=g)  # BININT2 sizes
    for i in range(40):
        sd[f"many.{i}"] = torch.full((1,), float(i))
    torch.save(sd, os.path.join(OUT, "state_dict.bin"))
    zip64_copy(os.path.join(OUT, "state_dict.bin"), os.path.join(OUT, "state_dict-zip64.bin"))
    assert all(torch.equal(a, b) for a, b in zip(sd.values(), torch.load(os.path.join(OUT, "state_dict-zip64.bin")).values()))
    return expected(sd, os.path.join(OUT, "state_dict.expected.safetensors"))


def bert_fixtures():
    config = BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=16)
    torch.manual_seed(0)
    model = BertModel(config)
    state = model.state_dict()  # carries _metadata: pickled with BUILD

    folder = os.path.join(OUT, "bert-bin")
    os.makedirs(folder)
    torch.save(state, os.path.join(folder, "pytorch_model.bin"))

    folder = os.path.join(OUT, "bert-safetensors-sharded")
    model.save_pretrained(folder, max_shard_size="1KB")
    os.remove(os.path.join(folder, "config.json"))

    folder = os.path.join(OUT, "bert-bin-sharded")
    os.makedirs(folder)
    names = list(state.keys())
    shards = [names[i:i + 8] for i in range(0, len(names), 8)]
    weight_map = {}
    for k, shard in enumerate(shards):
        file = f"pytorch_model-{k + 1:05d}-of-{len(shards):05d}.bin"
        torch.save(collections.OrderedDict((n, state[n]) for n in shard), os.path.join(folder, file))
        weight_map.update({n: file for n in shard})
    total = sum(t.numel() * t.element_size() for t in state.values())
    with open(os.path.join(folder, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
    return expected(state, os.path.join(OUT, "bert.expected.safetensors"))


class Exploit:
    """What a malicious checkpoint does: unpickling calls os.system."""

    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/dsprep-weights-pwned",))


def torch_like_zip(path, pickle_bytes):
    """A zip laid out as torch.save lays it out (stored entries under archive/), around a given data.pkl."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in [("data.pkl", pickle_bytes), ("byteorder", b"little"), ("data/0", bytes(16)), ("version", b"3\n")]:
            z.writestr(zipfile.ZipInfo("archive/" + name, date_time=(2026, 1, 1, 0, 0, 0)), data)  # same bytes every run


def zip64_copy(source, destination):
    """Rewrites a torch.save archive with every size and offset in zip64 extra fields and 8-byte data
    descriptors: the layout torch writes for entries past 4 GB, at fixture size."""
    out, central = bytearray(), bytearray()
    with zipfile.ZipFile(source) as z:
        entries = [(info.filename.encode(), z.read(info), info.CRC) for info in z.infolist()]
    for name, data, crc in entries:
        offset = len(out)
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 8, 0, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra))
        out += name + extra + data + struct.pack("<IIQQ", 0x08074B50, crc, len(data), len(data))
        extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 8, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra
    start, count = len(out), len(entries)
    out += central
    end64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(central), start)
    out += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(destination, "wb") as f:
        f.write(out)


def hostile_fixtures():
    torch_like_zip(os.path.join(OUT, "exploit-os-system.bin"), pickle.dumps(Exploit(), protocol=2))
    # builtins.eval through the same REDUCE path, inside an otherwise ordinary state dict
    evil = (b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(X\x01\x00\x00\x00a"
            b"cbuiltins\neval\nX\x0b\x00\x00\x00print('hi')\x85Ru.")
    torch_like_zip(os.path.join(OUT, "exploit-eval.bin"), evil)
    # INST ('i'), an opcode torch never writes
    torch_like_zip(os.path.join(OUT, "unknown-opcode.bin"), b"\x80\x02(ios\nsystem\n.")
    # the legacy (pre-1.6) format: a bare pickle stream starting with the magic number
    with open(os.path.join(OUT, "legacy.bin"), "wb") as f:
        torch.save({"a": torch.ones(2)}, f, _use_new_zipfile_serialization=False)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    state_dict = state_dict_fixture()
    manifest = {"state_dict.bin": state_dict, "state_dict-zip64.bin": state_dict}
    bert = bert_fixtures()
    manifest.update({folder: bert for folder in ["bert-bin", "bert-bin-sharded", "bert-safetensors-sharded"]})
    hostile_fixtures()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "fixtures": manifest}, f, indent=1, sort_keys=True)
    for root, _, files in sorted(os.walk(OUT)):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.getsize(path):8d}  {os.path.relpath(path, OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

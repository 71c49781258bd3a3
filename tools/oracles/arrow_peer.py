"""Reference side of dsprep's Arrow / HF `save_to_disk` interop tests (run with $DSPREP_PYTHON).

Every command prints one JSON document on stdout that the Swift tests compare with what dsprep
reads or wrote:

  dump-stream PATH          read an Arrow IPC stream with pyarrow.ipc.open_stream
  dump-dataset DIR          read a save_to_disk folder (or DatasetDict folder) with datasets.load_from_disk
  make-dataset DIR          write a dataset with every supported type, nulls, ClassLabel, several
                            record batches and 3 shards with datasets' save_to_disk, then dump it
  make-dataset-dict DIR     write a DatasetDict (train/test) with save_to_disk, then dump it
  make-stream KIND PATH     write a stream dsprep must reject or read: timestamp, dictionary, struct,
                            zstd, uint32, multi (several batches with nulls), file (multi in
                            the random-access file format)
  make-bad-streams DIR      write DIR/KIND.arrow for every KIND dsprep must reject
  filter DIR COLUMN EXPR... datasets' Dataset.filter with each Python expression alone (the row's
                            columns are its names): the COLUMN values of the rows each keeps

Floats are printed as repr strings (see `exact`).
"""
import json
import os
import sys

import pyarrow as pa


def exact(value):
    """Floats as repr strings: JSON number parsers may round the last digit, strtod does not."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return [exact(v) for v in value]
    return value


def table_json(table):
    return {
        "schema": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in table.schema],
        "columns": {name: exact(table.column(name).to_pylist()) for name in table.column_names},
        "num_rows": table.num_rows,
    }


def dump_stream(path):
    with pa.ipc.open_stream(path) as reader:
        batches = list(reader)
        schema = reader.schema
    table = pa.Table.from_batches(batches, schema=schema)
    result = table_json(table)
    result["metadata"] = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
    result["batch_rows"] = [b.num_rows for b in batches]
    return result


def dataset_json(ds, folder):
    result = table_json(ds.data.table)
    result["features"] = ds.features.to_dict()
    result["split"] = None if ds.split is None else str(ds.split)
    if folder is not None:
        files = sorted(f for f in os.listdir(folder) if f.endswith(".arrow"))
        result["files"] = files
        result["file_batch_rows"] = [dump_stream(os.path.join(folder, f))["batch_rows"] for f in files]
    return result


def dump_dataset(folder):
    import datasets

    loaded = datasets.load_from_disk(folder)
    if isinstance(loaded, datasets.DatasetDict):
        return {"splits": {name: dataset_json(ds, os.path.join(folder, name)) for name, ds in loaded.items()}}
    return dataset_json(loaded, folder)


def sample_dataset(rows):
    """Every supported type, with nulls, empty lists and Korean text; deterministic."""
    import datasets

    features = datasets.Features({
        "text": datasets.Value("string"),
        "label": datasets.ClassLabel(names=["부정", "pos"]),
        "ids": datasets.List(datasets.Value("int32")),
        "score": datasets.Value("float32"),
        "weight": datasets.Value("float64"),
        "flag": datasets.Value("bool"),
        "small": datasets.Value("int8"),
        "mid": datasets.Value("int16"),
        "big": datasets.Value("large_string"),
        "nested": datasets.LargeList(datasets.Value("int64")),
        "lol": datasets.List(datasets.List(datasets.Value("int32"))),
        "floats": datasets.List(datasets.Value("float32")),
    })
    data = {
        "text": [None if i % 7 == 3 else f"리뷰 {i} \"quoted\"\n" * (i % 3) for i in range(rows)],
        "label": [i % 2 for i in range(rows)],
        "ids": [None if i % 11 == 5 else list(range(i, i + i % 4)) for i in range(rows)],
        "score": [None if i % 5 == 0 else i / 8 for i in range(rows)],
        "weight": [i * 0.1 for i in range(rows)],
        "flag": [None if i % 13 == 0 else i % 3 == 0 for i in range(rows)],
        "small": [i % 256 - 128 for i in range(rows)],
        "mid": [None if i % 9 == 1 else i * 7 - 30000 for i in range(rows)],
        "big": [f"large {i}" for i in range(rows)],
        "nested": [[i * 1_000_000_007, -i] if i % 4 else [] for i in range(rows)],
        "lol": [None if i % 17 == 2 else [[i], [], [i, i + 1]][: i % 4] for i in range(rows)],
        "floats": [[i + 0.5, None] if i % 6 == 0 else [i * 0.25] for i in range(rows)],
    }
    return datasets.Dataset.from_dict(data, features=features)


def make_dataset(folder):
    # HF writes record batches of 1000 rows: 3 shards of ~1167 rows hold two batches each.
    ds = sample_dataset(3500)
    ds.save_to_disk(folder, num_shards=3)
    return dump_dataset(folder)


def make_dataset_dict(folder):
    import datasets

    ds = sample_dataset(300)
    split = ds.train_test_split(test_size=0.25, seed=7)
    datasets.DatasetDict({"train": split["train"], "test": split["test"]}).save_to_disk(folder, max_shard_size="20KB")
    return dump_dataset(folder)


def make_stream(kind, path):
    options = pa.ipc.IpcWriteOptions()
    if kind == "timestamp":
        table = pa.table({"id": [1, 2], "when": pa.array([0, 1], pa.timestamp("s"))})
    elif kind == "dictionary":
        table = pa.table({"id": [1, 2], "city": pa.array(["a", "b"]).dictionary_encode()})
    elif kind == "struct":
        table = pa.table({"point": pa.array([{"x": 1}, {"x": 2}])})
    elif kind == "uint32":
        table = pa.table({"count": pa.array([1, 2], pa.uint32())})
    elif kind == "zstd":
        table = pa.table({"id": list(range(100))})
        options = pa.ipc.IpcWriteOptions(compression="zstd")
    elif kind in ("multi", "file"):
        table = pa.table({
            "id": pa.array([None if i % 3 == 0 else i for i in range(50)], pa.int64()),
            "name": pa.array([None if i % 4 == 0 else "이름" * (i % 3) for i in range(50)], pa.large_string()),
            "tokens": pa.array([None if i % 5 == 0 else list(range(i % 6)) for i in range(50)], pa.list_(pa.int32())),
        })
    else:
        raise SystemExit(f"unknown stream kind {kind}")
    if kind == "file":  # the random-access format: ARROW1 magic, the stream, a footer
        with pa.ipc.new_file(path, table.schema) as writer:
            for batch in table.to_batches(max_chunksize=16):
                writer.write_batch(batch)
        return table_json(table)
    with pa.ipc.new_stream(path, table.schema, options=options) as writer:
        for batch in table.to_batches(max_chunksize=16):
            writer.write_batch(batch)
    return dump_stream(path) if kind == "multi" else {}


BAD_STREAM_KINDS = ["timestamp", "dictionary", "struct", "uint32", "zstd"]


def make_bad_streams(folder):
    for kind in BAD_STREAM_KINDS:
        make_stream(kind, os.path.join(folder, kind + ".arrow"))
    return {"kinds": BAD_STREAM_KINDS}


def filter_dataset(folder, column, *expressions):
    import datasets

    loaded = datasets.load_from_disk(folder)
    kept = {}
    for expression in expressions:
        code = compile(expression, "<filter>", "eval")
        kept[expression] = list(loaded.filter(lambda row: eval(code, {"len": len}, dict(row)))[column])
    return {"kept": kept}


def main():
    command, *args = sys.argv[1:]
    commands = {
        "dump-stream": dump_stream, "dump-dataset": dump_dataset, "make-dataset": make_dataset,
        "make-dataset-dict": make_dataset_dict, "make-stream": make_stream, "make-bad-streams": make_bad_streams,
        "filter": filter_dataset,
    }
    result = commands[command](*args)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()

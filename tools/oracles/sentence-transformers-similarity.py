#!/usr/bin/env python3
"""Loads a dsprep bi-encoder checkpoint the way sentence-transformers users do, and prints what it computes.

    sentence-transformers-similarity.py FOLDER PAIRS.json [--train TRAINING.json EXPECTED.safetensors]

FOLDER is opened with SentenceTransformer(FOLDER) (modules.json, 1_Pooling, the tokenizer);
PAIRS.json is a list of [text, pair]. Prints one JSON object: the modules and pooling mode, the
similarity function, model.similarity_pairwise of each pair's encode() embeddings, the padded
batch model.preprocess makes of the first texts then the second ones (input_ids, attention_mask),
and every warning transformers logged while loading. With --train, it also fine-tunes the loaded
encoder on that batch as finetune_reference.BiEncoder (CosineSimilarityLoss against score /
dsprep_score_scale) with the labels, learning rate, weight decay and steps of TRAINING.json, and
writes what reference_training computes to EXPECTED.safetensors. PretrainedExportTests runs it
with the PyTorch venv (DSPREP_TORCH_PYTHON).
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from sentence_transformers import SentenceTransformer

from finetune_reference import BiEncoder, TransformersWarnings, reference_training


def main(folder, pairs_path, train=None):
    collect = TransformersWarnings()
    with open(pairs_path, encoding="utf-8") as f:
        pairs = json.load(f)
    model = SentenceTransformer(folder, device="cpu")
    model.eval()
    first, second = [p[0] for p in pairs], [p[1] for p in pairs]
    with torch.no_grad():
        similarity = model.similarity_pairwise(model.encode(first, convert_to_tensor=True),
                                               model.encode(second, convert_to_tensor=True))
    batch = model.preprocess(first + second)
    batch = {k: batch[k] for k in ("input_ids", "attention_mask")}
    if train:
        training_path, expected_path = train
        with open(training_path, encoding="utf-8") as f:
            setting = json.load(f)
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            scale = json.load(f)["dsprep_score_scale"]
        encoder = BiEncoder(model[0].auto_model, scale)
        encoder.eval()
        tensors, _, _ = reference_training(encoder, batch, torch.tensor(setting["labels"]), setting["learning_rate"],
                                           setting["weight_decay"], setting["steps"])
        save_file(tensors, expected_path)
    print(json.dumps({
        "modules": [type(m).__name__ for m in model],
        "pooling": model[1].pooling_mode,
        "similarity_fn_name": model.similarity_fn_name,
        "similarity": similarity.tolist(),
        "input_ids": batch["input_ids"].tolist(),
        "attention_mask": batch["attention_mask"].tolist(),
        "warnings": collect.messages,
    }, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 6) or (len(sys.argv) == 6 and sys.argv[3] != "--train"):
        sys.exit("usage: sentence-transformers-similarity.py FOLDER PAIRS.json [--train TRAINING.json EXPECTED.safetensors]")
    main(sys.argv[1], sys.argv[2], sys.argv[4:6] if len(sys.argv) == 6 else None)

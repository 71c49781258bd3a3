#!/usr/bin/env python3
"""Loads a model folder the way users of transformers do, and prints what it computes.

    transformers-logits.py FOLDER SENTENCES.json [--train LABELS.json EXPECTED.safetensors]

FOLDER is opened with AutoModelForSequenceClassification and AutoTokenizer (both from_pretrained);
SENTENCES.json is a list of texts or of [text, pair] lists. Prints one JSON object: the padded
batch the tokenizer made (input_ids, attention_mask, token_type_ids), the logits in eval mode, the
architecture class, and what loading reported (missing / unexpected / mismatched keys and every
warning logged). With --train, it also fine-tunes on that batch with LABELS.json (a list of
class ids or of numbers) and the learning rate, weight decay and steps given there
({"labels": [...], "learning_rate": .., "weight_decay": .., "steps": ..}), and writes what
finetune_reference.reference_training computes to EXPECTED.safetensors. PretrainedExportTests
runs it with the PyTorch venv (DSPREP_TORCH_PYTHON).
"""
import json
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from finetune_reference import TransformersWarnings, reference_training


def main(folder, sentences_path, train=None):
    collect = TransformersWarnings()
    with open(sentences_path, encoding="utf-8") as f:
        sentences = json.load(f)
    model, info = AutoModelForSequenceClassification.from_pretrained(folder, output_loading_info=True)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    texts = [s[0] if isinstance(s, list) else s for s in sentences]
    pairs = [s[1] for s in sentences] if sentences and isinstance(sentences[0], list) else None
    batch = tokenizer(texts, pairs, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits
    if train:
        labels_path, expected_path = train
        with open(labels_path, encoding="utf-8") as f:
            setting = json.load(f)
        labels = torch.tensor(setting["labels"])
        tensors, _, _ = reference_training(model, dict(batch), labels, setting["learning_rate"], setting["weight_decay"],
                                           setting["steps"])
        save_file(tensors, expected_path)
    print(json.dumps({
        "architecture": type(model).__name__,
        "input_ids": batch["input_ids"].tolist(),
        "attention_mask": batch["attention_mask"].tolist(),
        "token_type_ids": batch["token_type_ids"].tolist() if "token_type_ids" in batch else None,
        "logits": logits.tolist(),
        "missing": sorted(info.get("missing_keys", [])),
        "unexpected": sorted(info.get("unexpected_keys", [])),
        "mismatched": [list(map(str, m)) for m in info.get("mismatched_keys", [])],
        "warnings": collect.messages,
    }, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 6) or (len(sys.argv) == 6 and sys.argv[3] != "--train"):
        sys.exit("usage: transformers-logits.py FOLDER SENTENCES.json [--train LABELS.json EXPECTED.safetensors]")
    main(sys.argv[1], sys.argv[2], sys.argv[4:6] if len(sys.argv) == 6 else None)

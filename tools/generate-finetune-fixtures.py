#!/usr/bin/env python3
"""Writes Tests/TrainingTests/Fixtures/finetune/: tiny random transformers models of every
architecture dsprep fine-tunes, saved with save_pretrained (config.json + model.safetensors), each
with one padded batch of mixed lengths and what PyTorch computes on it: logits, loss, the gradient
of every parameter after one backward, and the parameters after 3 torch.optim.AdamW steps with the
HF Trainer's weight-decay groups. FinetuneParityTests.swift loads the same folders.

Run with the PyTorch venv (tools/setup-torch-peer.sh):
    ~/.cache/dsprep-torch/bin/python tools/generate-finetune-fixtures.py
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import save_file
import transformers
from transformers import (BertConfig, BertForSequenceClassification, ElectraConfig, ElectraForSequenceClassification,
                          RobertaConfig, RobertaForSequenceClassification, XLMRobertaConfig,
                          XLMRobertaForSequenceClassification)

from finetune_reference import reference_training

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TrainingTests", "Fixtures", "finetune")
VOCAB, HIDDEN, LAYERS, HEADS, FFN, POSITIONS = 100, 32, 2, 4, 64, 40
LEARNING_RATE, WEIGHT_DECAY, ADAM_STEPS = 1e-3, 0.01, 3

COMMON = dict(vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
              intermediate_size=FFN, hidden_act="gelu", layer_norm_eps=1e-12)

# name: (model class, config, pad id, uses token types)
CASES = {
    "bert-classification": (BertForSequenceClassification,
                            BertConfig(**COMMON, max_position_embeddings=POSITIONS, type_vocab_size=2, pad_token_id=0, num_labels=3),
                            0, True),
    "bert-regression": (BertForSequenceClassification,
                        BertConfig(**COMMON, max_position_embeddings=POSITIONS, type_vocab_size=2, pad_token_id=0, num_labels=1,
                                   problem_type="regression"),
                        0, True),
    "roberta-classification": (RobertaForSequenceClassification,
                               RobertaConfig(**COMMON, max_position_embeddings=POSITIONS + 2, type_vocab_size=1, pad_token_id=1,
                                             bos_token_id=0, eos_token_id=2, num_labels=3),
                               1, False),
    "xlm-roberta-regression": (XLMRobertaForSequenceClassification,
                               XLMRobertaConfig(**COMMON, max_position_embeddings=POSITIONS + 2, type_vocab_size=1, pad_token_id=1,
                                                bos_token_id=0, eos_token_id=2, num_labels=1, problem_type="regression"),
                               1, False),
    "electra-classification": (ElectraForSequenceClassification,
                               ElectraConfig(**COMMON, embedding_size=HIDDEN, max_position_embeddings=POSITIONS, type_vocab_size=2,
                                             pad_token_id=0, num_labels=2),
                               0, True),
    "electra-projected-regression": (ElectraForSequenceClassification,
                                     ElectraConfig(**COMMON, embedding_size=16, max_position_embeddings=POSITIONS, type_vocab_size=2,
                                                   pad_token_id=0, num_labels=1, problem_type="regression"),
                                     0, True),
}


def perturb(model, generator):
    # Random weights at a scale where attention, GELU and tanh are far from linear, and LayerNorm
    # weights and biases are not their 1/0 start, so every parameter matters to the check.
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            if name.endswith("LayerNorm.weight"):
                p.copy_(1 + 0.2 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise)
            else:
                p.copy_(0.15 * noise)


def make_batch(generator, pad_id, token_types, regression, num_labels):
    lengths = [9, 4, 7, 2, 6]
    b, t = len(lengths), max(lengths)
    ids = torch.randint(3, VOCAB, (b, t), generator=generator)
    ids[ids == pad_id] = 5
    mask = torch.zeros(b, t, dtype=torch.long)
    types = torch.zeros(b, t, dtype=torch.long)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
        ids[i, n:] = pad_id
        if token_types and n > 3:
            types[i, n // 2:n] = 1  # a pair: the second half is segment B
    batch = {"input_ids": ids, "attention_mask": mask}
    if token_types:
        batch["token_type_ids"] = types
    labels = torch.randn(b, generator=generator) if regression else torch.randint(0, num_labels, (b,), generator=generator)
    return batch, labels


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    torch.manual_seed(0)
    for index, (name, (cls, config, pad_id, token_types)) in enumerate(CASES.items()):
        generator = torch.Generator().manual_seed(1000 + index)
        model = cls(config)
        perturb(model, generator)
        model.eval()  # dropout off: the Swift side runs the same batch without dropout
        folder = os.path.join(OUT, name)
        model.save_pretrained(folder)
        regression = config.problem_type == "regression"
        batch, labels = make_batch(generator, pad_id, token_types, regression, config.num_labels)

        tensors, decay, losses = reference_training(model, batch, labels, LEARNING_RATE, WEIGHT_DECAY, ADAM_STEPS)
        save_file(tensors, os.path.join(folder, "expected.safetensors"))
        with open(os.path.join(folder, "batch.json"), "w") as f:
            json.dump({
                "input_ids": batch["input_ids"].tolist(),
                "attention_mask": batch["attention_mask"].tolist(),
                "token_type_ids": batch["token_type_ids"].tolist() if token_types else None,
                "labels": labels.tolist(),
                "learning_rate": LEARNING_RATE, "weight_decay": WEIGHT_DECAY, "adamw_steps": ADAM_STEPS,
                "decayed": decay,
                "losses": losses,
                "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
            }, f, indent=1)
        print("%-30s logits %s loss %.6f" % (name, tuple(tensors["logits"].shape), tensors["loss"].item()))


if __name__ == "__main__":
    sys.exit(main())

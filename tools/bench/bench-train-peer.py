"""PyTorch + HF Trainer side of tools/bench/bench-train.sh and tools/bench/bench-finetune.sh: trains on NSMC
train, tokenized to at most 128 tokens, batch 32 with dynamic padding (DataCollatorWithPadding),
AdamW, torch on 2 threads, for a fixed number of steps, either
  --tokenizer FILE: the tiny BERT of issue 8 from scratch (BertForSequenceClassification: 4 layers,
                    hidden 256, 4 heads, intermediate 1024, 128 positions), or
  --model DIR:      a pretrained HF model folder fine-tuned with its own tokenizer
                    (AutoModelForSequenceClassification / AutoTokenizer.from_pretrained).

Prints one JSON object: samples/s over the steps after warm-up, the padded shapes it multiplied
(for GFLOPS), and versions. With --lengths-out it also writes every training row's token count,
one per line, so dsprep's benchmark draws batches of the same lengths.

usage: bench-train-peer.py --data train.tsv (--tokenizer tokenizer.json | --model DIR) [--steps 40] [--warmup 5]
       [--group-by-length] [--threads 2] [--lengths-out FILE]
"""
import argparse
import csv
import json
import resource
import sys
import tempfile
import time

import torch
import transformers
from tokenizers import Tokenizer
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertForSequenceClassification,
                          DataCollatorWithPadding, PreTrainedTokenizerFast, Trainer, TrainerCallback, TrainingArguments)


def read_nsmc(path):
    """(text, label) rows of an NSMC TSV (id, document, label), header skipped."""
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for line, row in enumerate(reader, start=2):
            if len(row) != 3:
                sys.exit(f"{path}:{line}: expected 3 tab-separated fields, got {len(row)}")
            rows.append((row[1], int(row[2])))
    return rows


class RowDataset(torch.utils.data.Dataset):
    def __init__(self, encodings, labels):
        self.encodings, self.labels = encodings, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        encoding = self.encodings[index]
        return {"input_ids": encoding.ids, "token_type_ids": encoding.type_ids,
                "attention_mask": encoding.attention_mask, "labels": self.labels[index]}


class StepClock(TrainerCallback):
    """Time from the end of warm-up step `warmup` to the end of the last step."""

    def __init__(self, warmup):
        self.warmup, self.start, self.end = warmup, None, None

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.warmup:
            self.start = time.perf_counter()
        self.end = time.perf_counter()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--tokenizer", help="tokenizer.json: train the tiny BERT from scratch")
    source.add_argument("--model", help="HF model folder: fine-tune it")
    parser.add_argument("--steps", type=int, default=40, help="timed steps after warm-up")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--group-by-length", action="store_true")
    parser.add_argument("--lengths-out")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)

    rows = read_nsmc(options.data)
    if options.model:
        fast = AutoTokenizer.from_pretrained(options.model)
        tokenizer = fast.backend_tokenizer
    else:
        tokenizer = Tokenizer.from_file(options.tokenizer)
        fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="[PAD]", model_max_length=options.max_length)
    tokenizer.enable_truncation(options.max_length)
    encodings = tokenizer.encode_batch([text for text, _ in rows])
    if options.lengths_out:
        with open(options.lengths_out, "w") as handle:
            handle.writelines(f"{len(e.ids)}\n" for e in encodings)
    dataset = RowDataset(encodings, [label for _, label in rows])

    padding = DataCollatorWithPadding(fast)
    shapes = []

    def collate(features):
        batch = padding(features)
        shapes.append(tuple(batch["input_ids"].shape))
        return batch

    torch.manual_seed(42)
    if options.model:
        model = AutoModelForSequenceClassification.from_pretrained(options.model, num_labels=2)
        learning_rate = 5e-5
    else:
        model = BertForSequenceClassification(BertConfig(
            vocab_size=tokenizer.get_vocab_size(), hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
            intermediate_size=1024, max_position_embeddings=options.max_length, num_labels=2))
        learning_rate = 5e-4
    config = model.config
    clock = StepClock(options.warmup)
    with tempfile.TemporaryDirectory() as output:
        arguments = TrainingArguments(
            output_dir=output, per_device_train_batch_size=options.batch_size,
            max_steps=options.warmup + options.steps, learning_rate=learning_rate, weight_decay=0.01,
            lr_scheduler_type="linear", warmup_steps=0.1, logging_steps=10_000, save_strategy="no",
            report_to=[], use_cpu=True, dataloader_num_workers=0, seed=42, disable_tqdm=True,
            train_sampling_strategy="group_by_length" if options.group_by_length else "random")
        trainer = Trainer(model=model, args=arguments, train_dataset=dataset, data_collator=collate,
                          callbacks=[clock])
        trainer.train()
    seconds = clock.end - clock.start
    # The collator runs once per step, in order (no workers); these are the timed steps' shapes.
    timed = shapes[options.warmup:options.warmup + options.steps]
    print(json.dumps({
        "samples_per_second": options.steps * options.batch_size / seconds,
        "seconds": seconds, "steps": options.steps, "batch_size": options.batch_size,
        "padded_tokens": sum(b * t for b, t in timed), "sum_t_squared": sum(b * t * t for b, t in timed),
        "real_tokens_per_row": sum(len(e.ids) for e in encodings) / len(encodings),
        "group_by_length": options.group_by_length, "threads": torch.get_num_threads(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "transformers": transformers.__version__,
        "parameters": sum(p.numel() for p in model.parameters()), "vocab_size": config.vocab_size,
        "hidden_size": config.hidden_size, "intermediate_size": config.intermediate_size,
        "num_hidden_layers": config.num_hidden_layers,
    }))


if __name__ == "__main__":
    main()

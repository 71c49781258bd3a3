"""PyTorch + HF Trainer side of the fine-tuning recipes (tools/recipes/finetune-nsmc.yaml,
tools/recipes/finetune-korsts-cross-encoder.yaml, and with --task korsts-bi tools/recipes/finetune-korsts.yaml, where
sentence-transformers' trainer, a subclass of HF's, trains the bi-encoder: mean pooling, CoSENTLoss, random batches
as its default sampler draws them): the same model folder, data, batch size, maximum length, learning rate,
warmup share, weight decay, length-grouped batches and time budget, with the learning rate decaying
linearly over the budget or the epochs, whichever ends first, as dsprep's --max-time schedule does
(HF's Trainer has no time budget: a LambdaLR reads the clock, and a callback stops at the deadline). Then it scores the model of the
last step on the whole test file and prints one JSON object (metrics, samples seen, seconds, peak RSS).

usage: finetune-peer.py --model DIR --train FILE --test FILE --task nsmc|korsts|korsts-bi [--max-time 30]
       [--learning-rate 5e-5] [--warmup 0.06] [--weight-decay 0.01] [--epochs 1] [--threads 2] [--dropout P]
"""
import argparse
import csv
import json
import resource
import sys
import time

import numpy as np
import torch
import transformers
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                          TrainerCallback, TrainingArguments)

# column names and whether the label is a class (NSMC) or a score (KorSTS, regression)
TASKS = {"nsmc": (["document"], "label", False), "korsts": (["sentence1", "sentence2"], "score", True),
         "korsts-bi": (["sentence1", "sentence2"], "score", True)}


def read_tsv(path, texts, label, regression):
    """Rows of a TSV with a header, no quote processing (NSMC and KorSTS are written that way)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        columns = [header.index(name) for name in texts]
        target = header.index(label)
        rows = []
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                sys.exit(f"{path}:{line}: expected {len(header)} tab-separated fields, got {len(row)}")
            rows.append(([row[c] for c in columns], float(row[target]) if regression else int(row[target])))
    return rows


def average_ranks(values):
    """Ranks with ties given their average rank (as scipy.stats.rankdata), for Spearman."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, inverse = np.unique(values, return_inverse=True)
    return (np.bincount(inverse, weights=ranks) / np.bincount(inverse))[inverse]


class Encoded(torch.utils.data.Dataset):
    def __init__(self, tokenizer, rows, max_length):
        texts = [r[0] for r in rows]
        pairs = [t[1] for t in texts] if len(texts[0]) > 1 else None
        self.features = tokenizer([t[0] for t in texts], pairs, truncation=True, max_length=max_length)
        self.labels = [r[1] for r in rows]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        item = {key: values[index] for key, values in self.features.items()}
        item["labels"] = self.labels[index]
        return item


class Budget(TrainerCallback):
    """Stops training once the budget has passed; counts the samples seen."""

    def __init__(self, seconds, batch_size):
        self.seconds, self.batch_size, self.start, self.steps = seconds, batch_size, None, 0

    def elapsed(self):
        return 0.0 if self.start is None else time.perf_counter() - self.start

    def on_train_begin(self, args, state, control, **kwargs):
        self.start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.steps = state.global_step
        if self.elapsed() >= self.seconds:
            control.should_training_stop = True


def schedule(trainer, rate):
    """Replaces the trainer's schedule with the budget-aware one (HF's Trainer has no time budget)."""
    trainer.create_optimizer()
    trainer.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(trainer.optimizer, rate)


def dropout_overrides(options):
    """--dropout replaces the folder's dropouts, as the recipes' `dropout` does in dsprep."""
    if options.dropout is None:
        return {}
    return {"hidden_dropout_prob": options.dropout, "attention_probs_dropout_prob": options.dropout}


def cross_encoder(options, settings, train_rows, test_rows, regression, budget, rate):
    """transformers' *ForSequenceClassification on each row's text (or pair as one sequence):
    the predicted scores (or class logits) of the test rows, their labels."""
    tokenizer = AutoTokenizer.from_pretrained(options.model)
    train = Encoded(tokenizer, train_rows, options.max_length)
    test = Encoded(tokenizer, test_rows, options.max_length)
    dropouts = dropout_overrides(options)
    if regression:
        model = AutoModelForSequenceClassification.from_pretrained(options.model, num_labels=1, problem_type="regression",
                                                                   **dropouts)
    else:
        model = AutoModelForSequenceClassification.from_pretrained(options.model, num_labels=2, **dropouts)
    arguments = TrainingArguments(**settings, train_sampling_strategy="group_by_length")
    trainer = Trainer(model=model, args=arguments, train_dataset=train, data_collator=DataCollatorWithPadding(tokenizer),
                      callbacks=[budget])
    schedule(trainer, rate)
    trainer.train()
    # group_by_length orders evaluation batches by length too: take the labels in the order predicted
    output = trainer.predict(test)
    predictions = output.predictions.reshape(-1) if regression else output.predictions
    return predictions, output.label_ids, {}


def bi_encoder(options, settings, train_rows, test_rows, regression, budget, rate):
    """A sentence-transformers bi-encoder (each text alone, mean pooling) trained with CoSENTLoss:
    the cosine of each test pair's embeddings, the test scores."""
    import datasets
    import sentence_transformers
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import CoSENTLoss
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    encoder = Transformer(options.model, max_seq_length=options.max_length, config_kwargs=dropout_overrides(options))
    model = SentenceTransformer(modules=[encoder, Pooling(encoder.get_embedding_dimension(), "mean")], device="cpu")
    train = datasets.Dataset.from_dict({"sentence1": [r[0][0] for r in train_rows], "sentence2": [r[0][1] for r in train_rows],
                                        "score": [r[1] for r in train_rows]})
    trainer = SentenceTransformerTrainer(model=model, args=SentenceTransformerTrainingArguments(**settings),
                                         train_dataset=train, loss=CoSENTLoss(model), callbacks=[budget])
    schedule(trainer, rate)
    trainer.train()
    first = model.encode([r[0][0] for r in test_rows], batch_size=128, convert_to_tensor=True)
    second = model.encode([r[0][1] for r in test_rows], batch_size=128, convert_to_tensor=True)
    cosines = torch.nn.functional.cosine_similarity(first, second).numpy()
    return cosines, np.array([r[1] for r in test_rows]), {"sentence_transformers": sentence_transformers.__version__}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--task", choices=sorted(TASKS), required=True)
    parser.add_argument("--max-time", type=float, default=30, help="minutes of training")
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--warmup", type=float, default=0.06, help="share of the budget")
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--epochs", type=float, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dropout", type=float, help="both dropouts of the model (default: the folder's)")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    texts, label, regression = TASKS[options.task]

    train_rows = read_tsv(options.train, texts, label, regression)
    test_rows = read_tsv(options.test, texts, label, regression)
    budget = Budget(options.max_time * 60, options.batch_size)
    steps_per_epoch = -(-len(train_rows) // options.batch_size)
    max_steps = int(steps_per_epoch * options.epochs)

    def rate(step):
        # linear warmup over the first share, then linear decay to 0 at the end; progress is the
        # share of the budget or of the steps, whichever is further (dsprep's TimeBudgetSchedule)
        progress = min(max(budget.elapsed() / budget.seconds, step / max_steps), 1.0)
        if progress < options.warmup:
            return progress / options.warmup
        return max(0.0, (1 - progress) / (1 - options.warmup))

    settings = dict(
        output_dir="/tmp/finetune-peer", per_device_train_batch_size=options.batch_size, per_device_eval_batch_size=128,
        max_steps=max_steps, learning_rate=options.learning_rate,
        weight_decay=options.weight_decay, logging_steps=50, save_strategy="no", eval_strategy="no", report_to=[],
        use_cpu=True, dataloader_num_workers=0, seed=options.seed, disable_tqdm=True)
    torch.manual_seed(options.seed)
    train_and_test = bi_encoder if options.task == "korsts-bi" else cross_encoder
    scores, labels, versions = train_and_test(options, settings, train_rows, test_rows, regression, budget, rate)
    seconds = budget.elapsed()
    if regression:
        pearson = float(np.corrcoef(scores, labels)[0, 1])
        metrics = {"pearson": pearson, "spearman": float(np.corrcoef(average_ranks(scores), average_ranks(labels))[0, 1])}
    else:
        metrics = {"accuracy": float((scores.argmax(-1) == labels).mean())}
    print(json.dumps({
        "task": options.task, "metrics": metrics, "test_rows": len(test_rows), "steps": budget.steps,
        "samples_seen": budget.steps * options.batch_size, "train_seconds": seconds,
        "samples_per_second": budget.steps * options.batch_size / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__, "transformers": transformers.__version__, **versions, "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()

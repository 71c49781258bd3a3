#!/usr/bin/env python3
"""Reference evaluation metrics for dsprep's Training tests, from scikit-learn and scipy.

Reads a JSON list of requests from the file named by the first argument, each one of
  {"task": "classification", "classes": K, "outputs": [[...K logits...], ...], "labels": [int, ...]}
  {"task": "regression", "outputs": [float, ...], "labels": [float, ...]}
and prints a JSON list with one object of metrics per request, keyed as dsprep keys them.
"""
import json
import sys

import numpy as np
from scipy import stats
from sklearn import metrics


def evaluate(request):
    labels = np.asarray(request["labels"])
    outputs = np.asarray(request["outputs"], dtype=np.float32)
    result = {}
    if request["task"] == "classification":
        predicted = outputs.argmax(axis=1)
        result["accuracy"] = metrics.accuracy_score(labels, predicted)
        for average in ("macro", "micro", "weighted"):
            p, r, f, _ = metrics.precision_recall_fscore_support(labels, predicted, average=average, zero_division=0)
            result[f"precision_{average}"] = p
            result[f"recall_{average}"] = r
            result[f"f1_{average}"] = f
        result["confusion_matrix"] = metrics.confusion_matrix(
            labels, predicted, labels=list(range(request["classes"]))).tolist()
    else:
        labels = labels.astype(np.float32).astype(np.float64)
        predictions = outputs.astype(np.float64)
        result["mse"] = metrics.mean_squared_error(labels, predictions)
        result["mae"] = metrics.mean_absolute_error(labels, predictions)
        result["pearson"] = stats.pearsonr(predictions, labels)[0]
        result["spearman"] = stats.spearmanr(predictions, labels)[0]
    return {k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in result.items()}


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        requests = json.load(file)
    json.dump([evaluate(request) for request in requests], sys.stdout)


if __name__ == "__main__":
    main()

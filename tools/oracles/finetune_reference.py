"""What PyTorch + transformers compute when fine-tuning one batch, for dsprep's parity checks:
the logits and loss, the gradient of every parameter after one backward, and the parameters after
a few torch.optim.AdamW steps with the HF Trainer's weight-decay groups. The model must be in eval
mode (dropout off), as dsprep runs the same batch without dropout.

Used by tools/fixtures/generate-finetune-fixtures.py (tiny random models), and by transformers-logits.py
and sentence-transformers-similarity.py --train (the real pretrained folders, live in the tests).
"""
import logging
from types import SimpleNamespace

from torch import nn
from transformers.trainer_pt_utils import get_parameter_names


class TransformersWarnings(logging.Handler):
    """Collects every warning transformers logs from when it is made (what loading a folder reports)."""

    def __init__(self):
        import transformers
        super().__init__(logging.WARNING)
        self.messages = []
        transformers.logging.get_logger().addHandler(self)
        transformers.logging.set_verbosity_warning()

    def emit(self, record):
        self.messages.append(record.getMessage())


class BiEncoder(nn.Module):
    """sentence-transformers' bi-encoder with CosineSimilarityLoss or CoSENTLoss, written out: the
    encoder (an AutoModel) embeds each text by the mean of its token vectors over attention_mask
    (models.Pooling), and a pair's prediction is score_scale · cos(u, v), learnt as
    MSE(cos(u, v), label / score_scale) or, with loss "cosent", as
    log(1 + Σ_{y_i < y_j} exp(20 (cos_i − cos_j))). The batch holds the B first texts, then the B second
    ones (2B rows). The encoder sits under its base_model_prefix, so parameters are named as in
    *ForSequenceClassification (bert.encoder...), as dsprep names them."""

    def __init__(self, encoder, score_scale, loss="cosine"):
        super().__init__()
        self.loss = loss
        self.prefix = encoder.base_model_prefix
        self.add_module(self.prefix, encoder)
        self.score_scale = score_scale

    def forward(self, input_ids, attention_mask, labels=None, **kwargs):
        import torch
        hidden = getattr(self, self.prefix)(input_ids=input_ids, attention_mask=attention_mask, **kwargs).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        embeddings = (hidden * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)
        b = input_ids.shape[0] // 2
        cosine = torch.nn.functional.cosine_similarity(embeddings[:b], embeddings[b:])
        if labels is None:
            loss = None
        elif self.loss == "cosent":
            differences = 20 * (cosine[:, None] - cosine[None, :])
            differences = differences - (labels[:, None] >= labels[None, :]).to(cosine.dtype) * 1e12
            loss = torch.logsumexp(torch.cat((torch.zeros(1), differences.view(-1))), dim=0)
        else:
            loss = torch.nn.functional.mse_loss(cosine, labels / self.score_scale)
        return SimpleNamespace(logits=(self.score_scale * cosine).unsqueeze(-1), loss=loss, embeddings=embeddings)


def decay_parameter_names(model):
    """The HF Trainer's grouping (Trainer.get_decay_parameter_names, transformers 5.23)."""
    forbidden = [r"bias", r"layernorm", r"rmsnorm", r"(?:^|\.)norm(?:$|\.)", r"_norm(?:$|\.)"]
    return set(get_parameter_names(model, [nn.LayerNorm], forbidden))


def reference_training(model, batch, labels, learning_rate, weight_decay, steps):
    """Tensors keyed "logits", "loss", "grad.NAME" and "adamw.NAME" (float32, contiguous), the
    sorted names with weight decay, and the loss of each AdamW step. Changes the model's weights."""
    import torch

    model.zero_grad()
    output = model(**batch, labels=labels)
    output.loss.backward()
    tensors = {"logits": output.logits.detach().clone(), "loss": output.loss.detach().reshape(1).clone()}
    for name, p in model.named_parameters():
        if p.grad is not None:  # a pooler a bi-encoder does not use has none
            tensors["grad." + name] = p.grad.detach().clone()

    decay = decay_parameter_names(model)
    groups = [
        {"params": [p for n, p in model.named_parameters() if n in decay], "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if n not in decay], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=learning_rate, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    for name, p in model.named_parameters():
        tensors["adamw." + name] = p.detach().clone()
    return {k: v.contiguous().float() for k, v in tensors.items()}, sorted(decay), losses

"""What PyTorch + transformers compute when fine-tuning one batch, for dsprep's parity checks:
the logits and loss, the gradient of every parameter after one backward, and the parameters after
a few torch.optim.AdamW steps with the HF Trainer's weight-decay groups. The model must be in eval
mode (dropout off), as dsprep runs the same batch without dropout.

Used by tools/fixtures/generate-finetune-fixtures.py (tiny random models) and transformers-logits.py --train
(the real pretrained folders, live in the tests).
"""
from torch import nn
from transformers.trainer_pt_utils import get_parameter_names


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

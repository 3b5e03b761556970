"""Parity fixture of the language encoder (tools/pytorch/mirror/text.py vs src/model/text-encoder.ts): PyTorch's
seeded weights (named as our parameters, `param:text.*`), random token bags with padding, the descriptor
embeddings, and gradients of sum(t * grad_out) for the embedding table and two layer weights."""
import torch

from gen_golden import tensor
from mirror.text import TextEncoder

VOCAB, DIM, TOKENS, LAYERS, HEADS, MLP = 30, 8, 5, 2, 2, 2


def generate() -> dict:
    model = TextEncoder(VOCAB, DIM, TOKENS, LAYERS, HEADS, MLP)
    with torch.no_grad():
        model.pos_embed.normal_(0, 0.02)
        model.embed.weight.normal_(0, 1)  # larger than training's 0.02 so the layers see real signal
    counts = [1, 3, 5, 2]  # real tokens per descriptor; the rest of the 5 slots is padding
    mask = torch.zeros(len(counts), TOKENS)
    offsets, ids = [0], []
    for s, count in enumerate(counts):
        mask[s, :count] = 1
        for t in range(TOKENS):
            if t < count:
                ids += torch.randint(1, VOCAB, (int(torch.randint(1, 4, ())),)).tolist()
            offsets.append(len(ids))
    t_out = model(torch.tensor(offsets), torch.tensor(ids), mask)
    grad_out = torch.randn_like(t_out)
    (t_out * grad_out).sum().backward()
    fixture = {
        "attrs": {"vocab": VOCAB, "dim": DIM, "maxTokens": TOKENS, "layers": LAYERS, "heads": HEADS, "mlpRatio": MLP, "offsets": offsets, "ids": ids},
        "mask": tensor(mask),
        "out": tensor(t_out),
        "grad_out": tensor(grad_out),
    }
    for name, p in model.named_parameters():
        fixture[f"param:text.{name}"] = tensor(p)
    for name in ("embed.weight", "layers.0.attn.q_proj.weight", "layers.1.mlp.fc1.weight"):
        fixture[f"grad:text.{name}"] = tensor(dict(model.named_parameters())[name].grad)
    return {"model_text_encoder": fixture}

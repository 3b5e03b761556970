"""Parity fixtures of the image encoders (tools/pytorch/mirror/encoder.py vs src/model/cnn-encoder.ts and
vit-encoder.ts) at a small config: PyTorch's seeded weights (`param:encoder.*`, in state-dict order; norm
weights and biases and the position embedding drawn away from their 1/0/tiny initial values so a swap
shows), a random image, the four levels C2..C5 (`out:C<l>`), and the gradients of
sum_l sum(C_l * grad_out:C<l>) for a few parameters and, for the CNN, the image (`grad:<name>`).

Batch 1 and the smallest images keep each fixture under 150 KB. The CNN takes 32 x 32 and records the
image gradient; the ViT takes 32 x 64 so its 2 x 4 patch grid is not square (a token order that swapped
rows and columns would show) and records no image gradient instead (its patch weights alone are 6144
values, and training never needs an image gradient; `grad:encoder.patch_embed.bias` still checks the
backward pass down to the patch embedding).
"""
from torch import nn
import torch

from compact import compact, round_
from mirror.encoder import CnnEncoder, VitEncoder

CONFIG = {
    "imageSize": [32, 32],
    "cnnWidths": [4, 4, 8, 8],
    "cnnBlocks": [2, 1, 1, 1],  # two blocks in stage 0: an identity shortcut and block index 1
    "normGroups": 4,
    "embedDim": 8,
    "crossHeads": 2,
    "text": {"heads": 2},
    "vit": {"width": 8, "depth": 1, "heads": 2},
}


def _fixture(encoder: nn.Module, config: dict, grads: list) -> dict:
    model = nn.ModuleDict({"encoder": encoder})
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and "norm" in name:
                p.copy_((1 if name.endswith("weight") else 0) + 0.3 * torch.randn_like(p))
            if name.endswith("pos_embed"):
                p.normal_(0, 0.5)
            round_(p)
    image = round_(torch.randn(1, 3, *config["imageSize"])).requires_grad_(True)
    levels = encoder(image)
    grad_outs = [torch.randn_like(c) for c in levels]
    sum((c * go).sum() for c, go in zip(levels, grad_outs)).backward()
    fixture = {"attrs": {"config": config}, "image": compact(image)}
    for name, p in model.named_parameters():
        fixture[f"param:{name}"] = compact(p)
    for l, (c, go) in enumerate(zip(levels, grad_outs)):
        fixture[f"out:C{l + 2}"] = compact(c)
        fixture[f"grad_out:C{l + 2}"] = compact(go)
    tensors = {"image": image, **dict(model.named_parameters())}
    for name in grads:
        fixture[f"grad:{name}"] = compact(tensors[name].grad)
    return fixture


def generate() -> dict:
    torch.manual_seed(1)  # its own seed: the same fixture whichever families are generated with it
    c, v = {**CONFIG, "backbone": "cnn"}, {**CONFIG, "backbone": "vit", "imageSize": [32, 64]}
    cnn = CnnEncoder(c["cnnWidths"], c["cnnBlocks"], c["normGroups"])
    vit = VitEncoder(v["imageSize"], v["cnnWidths"], v["vit"]["width"], v["vit"]["depth"], v["vit"]["heads"])
    return {
        "model_cnn_encoder": _fixture(cnn, c, [
            "image", "encoder.stem.0.conv.weight", "encoder.stages.0.1.norm2.bias", "encoder.stages.2.0.shortcut.conv.weight",
        ]),
        "model_vit_encoder": _fixture(vit, v, [
            "encoder.pos_embed", "encoder.patch_embed.bias", "encoder.blocks.0.attn.q_proj.weight", "encoder.to_level.0.weight",
        ]),
    }

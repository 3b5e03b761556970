"""Parity fixture of the feature pyramid and the pixel decoder together (tools/pytorch/mirror/pyramid.py and
decoder.py vs src/model/pyramid.ts and decoder.ts) at a small config: PyTorch's seeded weights
(`param:fpn.*`, `param:decoder.*`, in state-dict order; the decoder's norms drawn away from 1/0), random
levels C2..C5 (`in:C<l>`), the pyramid P2..P5 (`out:P<l>`), the fused map (`out:F4`), the embeddings
e = decoder(F4) (`out:e`), and the gradients of sum(e * grad_out) for the levels and a few parameters."""
from torch import nn
import torch

from compact import compact, round_
from mirror.decoder import PixelDecoder
from mirror.pyramid import FeaturePyramid

# Batch 2 and a non-square image (32 x 64): levels of 8x16, 4x8, 2x4 and 1x2 pixels.
CONFIG = {"imageSize": [32, 64], "cnnWidths": [4, 4, 8, 8], "normGroups": 4, "embedDim": 8, "crossHeads": 2, "text": {"heads": 2}}
BATCH = 2
GRADS = ["fpn.lateral.3.weight", "fpn.smooth.0.weight", "decoder.1.norm.weight"]


def generate() -> dict:
    torch.manual_seed(2)  # its own seed: the same fixture whichever families are generated with it
    c = CONFIG
    model = nn.ModuleDict({"fpn": FeaturePyramid(c["cnnWidths"], c["embedDim"]), "decoder": PixelDecoder(c["embedDim"], c["normGroups"])})
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and "norm" in name:
                p.copy_((1 if name.endswith("weight") else 0) + 0.3 * torch.randn_like(p))
            round_(p)
    h, w = c["imageSize"]
    levels = [round_(torch.randn(BATCH, width, h >> (l + 2), w >> (l + 2))).requires_grad_(True) for l, width in enumerate(c["cnnWidths"])]
    pyramid, fused, _query8 = model["fpn"](levels)
    e = model["decoder"](fused)
    grad_out = torch.randn_like(e)
    (e * grad_out).sum().backward()
    fixture = {"attrs": {"config": c}}
    for l, x in enumerate(levels):
        fixture[f"in:C{l + 2}"] = compact(x)
    for name, p in model.named_parameters():
        fixture[f"param:{name}"] = compact(p)
    for l, p in enumerate(pyramid):
        fixture[f"out:P{l + 2}"] = compact(p)
    fixture["out:F4"] = compact(fused)
    fixture["out:e"] = compact(e)
    fixture["grad_out"] = compact(grad_out)
    for l, x in enumerate(levels):
        fixture[f"grad:C{l + 2}"] = compact(x.grad)
    params = dict(model.named_parameters())
    for name in GRADS:
        fixture[f"grad:{name}"] = compact(params[name].grad)
    return {"model_pyramid_decoder": fixture}

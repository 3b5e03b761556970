#!/usr/bin/python3
"""LangSeg in PyTorch: the mirror of src/model/langseg.ts (docs/MODEL.md), parameter for parameter.

Same names and layouts as langseg's checkpoints, so weights move both ways: `load_langseg_checkpoint`
reads a checkpoint written by `LangSegModel.save()` (a safetensors file: its metadata holds the config,
the tokenizer and the descriptor set). This is also the road to cluster-scale training: train this module
with PyTorch on many GPUs, save its state_dict as safetensors with the same metadata, and load it in
langseg for WebGPU inference.

Tokenization stays on the langseg side: `forward` takes the descriptor token bags (CSR offsets and ids,
and the token mask) as langseg's tokenizer encodes them.
"""
import json
import struct
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from mirror.common import l2n
from mirror.decoder import PixelDecoder
from mirror.encoder import CnnEncoder, VitEncoder
from mirror.fusion import TextVisualFusion
from mirror.losses import class_scores, downsample_labels, gen_loss, ms_loss, seg_loss, total_loss, triplet_loss
from mirror.pyramid import FeaturePyramid
from mirror.text import TextEncoder

IMAGE_MEAN = (0.485, 0.456, 0.406)
IMAGE_STD = (0.229, 0.224, 0.225)


class ClassEmbed(nn.Module):
    """noLanguage: learned per-class vectors `text.class_embed` [C, D]."""

    def __init__(self, classes: int, dim: int):
        super().__init__()
        self.class_embed = nn.Parameter(torch.zeros(classes, dim))

    def forward(self, *_) -> torch.Tensor:
        return l2n(self.class_embed, 1)


class LangSeg(nn.Module):
    def __init__(self, cfg: dict, vocab: int, classes: int):
        super().__init__()
        self.cfg = cfg
        widths, d, groups = cfg["cnnWidths"], cfg["embedDim"], cfg["normGroups"]
        if cfg["backbone"] == "cnn":
            self.encoder = CnnEncoder(widths, cfg["cnnBlocks"], groups)
        else:
            v = cfg["vit"]
            self.encoder = VitEncoder(cfg["imageSize"], widths, v["width"], v["depth"], v["heads"])
        self.fpn = FeaturePyramid(widths, d, multiscale=not cfg["ablation"]["noMultiscale"])
        if cfg["ablation"]["noLanguage"]:
            self.text = ClassEmbed(classes, d)
        else:
            t = cfg["text"]
            self.text = TextEncoder(vocab, d, t["maxTokens"], t["layers"], t["heads"], t["mlpRatio"])
        self.fusion = TextVisualFusion(d, cfg["crossHeads"])
        self.decoder = PixelDecoder(d, groups)

    def forward(self, images: torch.Tensor, tokens: Optional[dict], groups: Sequence[int],
                labels: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        cfg = self.cfg
        mean = torch.tensor(IMAGE_MEAN).reshape(1, 3, 1, 1)
        std = torch.tensor(IMAGE_STD).reshape(1, 3, 1, 1)
        x = (images - mean) * (1 / std)
        levels, fused4, query8 = self.fpn(self.encoder(x))
        if cfg["ablation"]["noLanguage"]:
            t = self.text()
        else:
            t = self.text(tokens["offsets"], tokens["ids"], tokens["mask"])
        e = self.decoder(self.fusion(query8, t, fused4))
        scores4 = class_scores(e, t, groups, cfg["tau"])
        logits = F.interpolate(scores4, size=images.shape[2:], mode="bilinear", align_corners=False)
        out = {"logits": logits, "class_scores": scores4, "pixels": e, "descriptors": t}
        if labels is None:
            return out
        ignore, weights, ablation = cfg["ignoreLabel"], cfg["losses"], cfg["ablation"]
        labels4 = downsample_labels(labels, e.shape[2:])
        class_weights = weights.get("classWeights")
        terms = {"seg": seg_loss(logits, labels, ignore, class_weights)}
        if not ablation["noGen"] and weights["gen"] != 0:
            terms["gen"] = gen_loss(scores4, labels4, ignore, class_weights)
        if not ablation["noTriplet"] and weights["triplet"] != 0:
            terms["triplet"] = triplet_loss(e, t, labels4, groups, weights["tripletSamples"], weights["tripletMargin"], 0, ignore)
        if not ablation["noMultiscale"] and weights["ms"] != 0:
            terms["ms"] = ms_loss(levels, t, groups, cfg["tau"], labels, ignore, class_weights)
        out.update(total_loss(terms, weights))
        return out


def read_safetensors(path: str) -> tuple:
    """(tensors by name, metadata) of a safetensors file with F32 tensors (no extra package needed)."""
    with open(path, "rb") as f:
        raw = f.read()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    metadata = header.pop("__metadata__", {})
    body = raw[8 + size:]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {info['dtype']} (this reader takes F32)")
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(info["shape"])
    return tensors, metadata


def load_langseg_checkpoint(path: str) -> tuple:
    """(model with the checkpoint's weights, stored {model, tokenizer, descriptors}) from LangSegModel.save()."""
    tensors, metadata = read_safetensors(path)
    stored = json.loads(metadata["config"])
    cfg, tokenizer, descriptors = stored["model"], stored["tokenizer"], stored["descriptors"]
    vocab = 1 + len(tokenizer["words"]) + tokenizer["buckets"]
    model = LangSeg(cfg, vocab, len(descriptors["classes"]))
    state = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    model.load_state_dict(state, strict=True)
    return model, stored

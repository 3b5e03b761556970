"""LangSeg's four losses (docs/MODEL.md section 6), the twin of src/model/losses.ts: same functions, same
arguments, same values. Labels are float tensors of class ids with `ignore` (255) for pixels that count for
nothing; every term is a 0-d tensor and is 0 (not NaN, as F.cross_entropy would give) when no pixel is valid.
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F

from .common import l2n

_MASK32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """Math.imul on unsigned 32-bit patterns: the low 32 bits of the product."""
    return (a * b) & _MASK32


def seeded_random(seed: int):
    """mulberry32, bit for bit as seededRandom in src/graph/init.ts: a function returning floats in [0, 1)."""
    state = seed & _MASK32

    def next_value() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & _MASK32
        t = state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & _MASK32
        return ((t ^ (t >> 14)) & _MASK32) / 4294967296

    return next_value


def triplet_positions(batch: int, height: int, width: int, samples: int, seed: int = 0) -> List[int]:
    """tripletSamplePositions: for image b, then sample i, one draw r gives b*h*w + floor(r*h*w)."""
    random = seeded_random(seed)
    pixels = height * width
    return [b * pixels + math.floor(random() * pixels) for b in range(batch) for _ in range(samples)]


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor, ignore: int = 255,
                  class_weights: Optional[Sequence[float]] = None) -> torch.Tensor:
    """Our cross_entropy op: F.cross_entropy with ignore_index (and weight= when class weights are given), but
    0 when nothing counts (every pixel ignored, or every valid pixel's class weighted 0)."""
    valid = labels != ignore
    weight = None if class_weights is None else torch.tensor(class_weights, dtype=logits.dtype)
    counted = valid if weight is None else valid & (weight[labels.long().clamp(0, logits.shape[1] - 1)] > 0)
    if not bool(counted.any()):
        return logits.sum() * 0
    return F.cross_entropy(logits, labels.long(), weight=weight, ignore_index=ignore)


def class_scores(pixels: torch.Tensor, descriptors: torch.Tensor, groups: Sequence[int], tau: float) -> torch.Tensor:
    """descriptorScores (src/model/descriptor-head.ts): S [B, C, h, w] from pixels [B, D, h, w] and
    descriptors [K, D], both l2n-normalised (again, even if already unit: as the TS head does), scores
    tau * cosine, then the log-sum-exp over each class's descriptors."""
    b, d, h, w = pixels.shape
    e = l2n(pixels.reshape(b, d, h * w), 1)
    t = l2n(descriptors, 1) * tau
    s = torch.matmul(t, e).reshape(b, -1, h, w)
    return torch.cat([torch.logsumexp(s[:, lo:hi], dim=1, keepdim=True) for lo, hi in zip(groups, groups[1:])], dim=1)


def seg_loss(logits: torch.Tensor, labels: torch.Tensor, ignore: int = 255,
             class_weights: Optional[Sequence[float]] = None) -> torch.Tensor:
    """L_seg: cross-entropy of logits [B, C, H, W] with labels [B, H, W]."""
    return cross_entropy(logits, labels, ignore, class_weights)


def gen_loss(class_scores4: torch.Tensor, labels4: torch.Tensor, ignore: int = 255,
             class_weights: Optional[Sequence[float]] = None) -> torch.Tensor:
    """L_gen: cross-entropy of the class log-sum-exp scores S [B, C, h, w] at stride 4."""
    return cross_entropy(class_scores4, labels4, ignore, class_weights)


def downsample_labels(labels: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """Nearest resize of labels [B, H, W] to [B, h, w] (F.interpolate mode='nearest')."""
    if tuple(labels.shape[1:]) == tuple(size):
        return labels
    return F.interpolate(labels[:, None].float(), size=tuple(size), mode="nearest")[:, 0]


def triplet_loss(pixels: torch.Tensor, descriptors: torch.Tensor, labels4: torch.Tensor, groups: Sequence[int],
                 samples: int, margin: float, seed: int = 0, ignore: int = 255) -> torch.Tensor:
    """L_triplet on the fixed sample pixels: mean over samples with a class label of
    relu(margin - max own-class cosine + max other-class cosine); pixels [B, D, h, w] and descriptors
    [K, D] are taken as given (unit length)."""
    b, d, h, w = pixels.shape
    ids = torch.tensor(triplet_positions(b, h, w, samples, seed), dtype=torch.long)
    anchors = pixels.permute(0, 2, 3, 1).reshape(b * h * w, d)[ids]
    sample_labels = labels4.reshape(-1)[ids]
    sims = anchors @ descriptors.t()
    owner = torch.tensor([c for c, (lo, hi) in enumerate(zip(groups, groups[1:])) for _ in range(lo, hi)],
                         dtype=sample_labels.dtype)
    mask = ((sample_labels[:, None] == owner[None, :]) & (sample_labels[:, None] != ignore)).to(sims.dtype)
    pos = (sims - 4 * (1 - mask)).amax(dim=1)
    neg = (sims - 4 * mask).amax(dim=1)
    valid = mask.amax(dim=1)
    return (F.relu(margin - pos + neg) * valid).sum() / valid.sum().clamp(min=1)


def ms_loss(levels: Sequence[torch.Tensor], descriptors: torch.Tensor, groups: Sequence[int], tau: float,
            labels: torch.Tensor, ignore: int = 255, class_weights: Optional[Sequence[float]] = None) -> torch.Tensor:
    """L_ms: mean over levels [B, D, hl, wl] of the cross-entropy of their auxiliary class scores with
    nearest(labels, [hl, wl])."""
    terms = [cross_entropy(class_scores(level, descriptors, groups, tau),
                           downsample_labels(labels, level.shape[2:]), ignore, class_weights) for level in levels]
    return sum(terms) / len(terms)


def total_loss(terms: Dict[str, Optional[torch.Tensor]], weights: Dict[str, float]) -> Dict[str, torch.Tensor]:
    """L_total = seg + gen * L_gen + triplet * L_triplet + ms * L_ms over the terms present (None: ablated)."""
    total = terms["seg"]
    for key in ("gen", "triplet", "ms"):
        term = terms.get(key)
        if term is not None and weights[key] != 0:
            total = total + weights[key] * term
    return {**{k: v for k, v in terms.items() if v is not None}, "total": total}

"""Golden vectors of the losses: the cross_entropy op against F.cross_entropy(ignore_index=255) with its
logits gradient, and LangSeg's four loss terms and their total (tools/pytorch/mirror/losses.py, the twin of
src/model/losses.ts) on small fixed inputs, with the gradients of the total."""
import torch
import torch.nn.functional as F

from gen_golden import tensor
from mirror.common import l2n
from mirror.losses import (class_scores, downsample_labels, gen_loss, ms_loss, seg_loss, total_loss, triplet_loss,
                           triplet_positions)

IGNORE = 255


def _labels(shape, classes: int, ignored_share: float) -> torch.Tensor:
    labels = torch.randint(0, classes, shape).float()
    labels[torch.rand(shape) < ignored_share] = IGNORE
    return labels


def _cross_entropy(logits_shape, weights=None) -> dict:
    """F.cross_entropy itself (not the mirror), the reference our op must match; with per-class `weights`
    its weighted mean (sum of w[y] * loss over sum of w[y])."""
    logits = (3 * torch.randn(*logits_shape)).requires_grad_(True)
    labels = _labels((logits_shape[0], *logits_shape[2:]), logits_shape[1], 0.25)
    weight = None if weights is None else torch.tensor(weights, dtype=torch.float32)
    out = F.cross_entropy(logits, labels.long(), weight=weight, ignore_index=IGNORE)
    grad_out = torch.randn(())
    (out * grad_out).backward()
    attrs = {"ignore": IGNORE} if weights is None else {"ignore": IGNORE, "weights": [float(w) for w in weight.tolist()]}
    return {
        "attrs": attrs,
        "logits": tensor(logits),
        "labels": tensor(labels),
        "grad_out": tensor(grad_out.reshape(1)),
        "out": tensor(out.reshape(1)),
        "grad_logits": tensor(logits.grad),
    }


def _terms() -> dict:
    """B=2, C=3 classes owning 2, 1 and 4 of K=7 descriptors, D=8, 16x16 labels with ignored pixels,
    stride-4 maps of 4x4 and pyramid levels of 4x4, 2x2 and 1x1."""
    groups = [0, 2, 3, 7]
    tau, margin, samples, seed = 10.0, 0.3, 10, 0
    weights = {"gen": 0.5, "triplet": 0.2, "ms": 0.4}
    b, c, d, size = 2, 3, 8, 16
    labels = _labels((b, size, size), c, 0.1)
    # An ignored block that covers four stride-4 positions of image 0, so some triplet samples are ignored.
    labels[0, :5, :5] = IGNORE
    logits = (2 * torch.randn(b, c, size, size)).requires_grad_(True)
    pixels = torch.randn(b, d, 4, 4).requires_grad_(True)
    descriptors = torch.randn(7, d).requires_grad_(True)
    levels = [torch.randn(b, d, s, s).requires_grad_(True) for s in (4, 2, 1)]

    e = l2n(pixels, 1)
    t = l2n(descriptors, 1)
    labels4 = downsample_labels(labels, (4, 4))
    terms = total_loss({
        "seg": seg_loss(logits, labels, IGNORE),
        "gen": gen_loss(class_scores(e, t, groups, tau), labels4, IGNORE),
        "triplet": triplet_loss(e, t, labels4, groups, samples, margin, seed, IGNORE),
        "ms": ms_loss(levels, t, groups, tau, labels, IGNORE),
    }, weights)
    terms["total"].backward()
    positions = triplet_positions(b, 4, 4, samples, seed)
    ignored = sum(1 for p in positions if labels4.reshape(-1)[p] == IGNORE)
    assert 0 < ignored < len(positions), f"want some (not all) triplet samples ignored, got {ignored}"
    fixture = {
        "attrs": {"groups": groups, "tau": tau, "margin": margin, "samples": samples, "seed": seed, "ignore": IGNORE,
                  "weights": weights},
        "logits": tensor(logits),
        "labels": tensor(labels),
        "pixels": tensor(pixels),
        "descriptors": tensor(descriptors),
        "labels4": tensor(labels4),
        "positions": tensor(torch.tensor(positions, dtype=torch.float64)),
    }
    for i, level in enumerate(levels):
        fixture[f"level{i}"] = tensor(level)
    for key in ("seg", "gen", "triplet", "ms", "total"):
        fixture[key] = tensor(terms[key].reshape(1))
    fixture["grad_logits"] = tensor(logits.grad)
    fixture["grad_pixels"] = tensor(pixels.grad)
    fixture["grad_descriptors"] = tensor(descriptors.grad)
    for i, level in enumerate(levels):
        fixture[f"grad_level{i}"] = tensor(level.grad)
    return fixture


def generate() -> dict:
    torch.manual_seed(6)
    return {
        "losses_cross_entropy_4d": _cross_entropy((2, 4, 3, 5)),
        "losses_cross_entropy_3d": _cross_entropy((3, 5, 7)),
        "losses_terms": _terms(),
        # Drawn after the others, so adding it left their values as they were.
        "losses_cross_entropy_weighted": _cross_entropy((2, 4, 3, 5), weights=[0.25, 2.0, 1.0, 3.5]),
    }

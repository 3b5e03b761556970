"""Golden vectors of the ragged language/head ops: group log-sum-exp over ragged groups of an axis (LangSeg's
class score from descriptor scores) and embedding_bag (mean and sum, with an empty bag), with their
gradients of loss = sum(out * grad_out)."""
import torch
import torch.nn.functional as F

from gen_golden import tensor


def _group_logsumexp() -> dict:
    groups = [0, 3, 4, 9]
    axis = 1
    # Spread wide enough that exp without a max shift would lose precision in f32.
    x = (4 * torch.randn(2, 9, 3, 5)).requires_grad_(True)
    out = torch.cat([torch.logsumexp(x[:, lo:hi], dim=axis, keepdim=True) for lo, hi in zip(groups, groups[1:])], dim=axis)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    return {
        "attrs": {"groups": groups, "axis": axis},
        "x": tensor(x),
        "grad_out": tensor(grad_out),
        "out": tensor(out),
        "grad_x": tensor(x.grad),
    }


def _embedding_bag(mode: str) -> dict:
    # Bags of sizes 3, 0, 1, 4 (an empty one, ids repeated within and across bags), offsets with the end.
    ids = [4, 1, 4, 0, 6, 6, 2, 4]
    offsets = [0, 3, 3, 4, 8]
    weight = torch.randn(7, 5).requires_grad_(True)
    out = F.embedding_bag(torch.tensor(ids), weight, torch.tensor(offsets), mode=mode, include_last_offset=True)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    return {
        "attrs": {"offsets": offsets, "ids": ids, "mode": mode},
        "weight": tensor(weight),
        "grad_out": tensor(grad_out),
        "out": tensor(out),
        "grad_weight": tensor(weight.grad),
    }


def generate() -> dict:
    torch.manual_seed(5)
    return {
        "language_group_logsumexp": _group_logsumexp(),
        "language_embedding_bag_mean": _embedding_bag("mean"),
        "language_embedding_bag_sum": _embedding_bag("sum"),
    }

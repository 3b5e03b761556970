"""Golden vectors of multi-head attention, written the explicit way (softmax(Q K^T / sqrt(d)) V per batch
and head, masked keys set to -inf before the softmax), in the [B, N, H, dh] layout our op takes, with the
gradients of loss = sum(out * grad_out) for q, k and v. Fully masked rows are left out: PyTorch gives NaN
there (ours gives 0, tested against our own reference)."""
import math

import torch

from gen_golden import tensor


def _attention(b: int, nq: int, nk: int, h: int, dh: int, masked: bool) -> dict:
    q = torch.randn(b, nq, h, dh).requires_grad_(True)
    k = torch.randn(b, nk, h, dh).requires_grad_(True)
    v = torch.randn(b, nk, h, dh).requires_grad_(True)
    # [B, N, H, dh] -> [B, H, N, dh]
    qh, kh, vh = (t.permute(0, 2, 1, 3) for t in (q, k, v))
    scores = qh @ kh.transpose(-1, -2) / math.sqrt(dh)
    result = {}
    if masked:
        mask = (torch.rand(b, nk) > 0.35).float()
        mask[:, 0] = 1  # every row keeps at least one key
        scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
        result["mask"] = tensor(mask)
    out = (torch.softmax(scores, dim=-1) @ vh).permute(0, 2, 1, 3).contiguous()
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    return {
        **result,
        "q": tensor(q),
        "k": tensor(k),
        "v": tensor(v),
        "grad_out": tensor(grad_out),
        "out": tensor(out),
        "grad_q": tensor(q.grad),
        "grad_k": tensor(k.grad),
        "grad_v": tensor(v.grad),
    }


def generate() -> dict:
    return {
        # Keys not a multiple of the kernel's block of 4, queries past one workgroup of 32.
        "attention_cross": _attention(1, 33, 7, 1, 8, masked=False),
        "attention_masked": _attention(2, 5, 7, 2, 4, masked=True),
    }

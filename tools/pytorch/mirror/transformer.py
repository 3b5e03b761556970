"""Attention blocks of the mirror (src/model/transformer.ts, docs/MODEL.md section 4)."""
import math

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    """x + out_proj(attention(q_proj x, k_proj kv, v_proj kv)) (residual optional); mask [B, Nk]: 1 keep, 0 drop.
    A query whose keys are all dropped gets 0 (where softmax would give NaN), as langseg's kernel does."""

    def __init__(self, dim: int, heads: int, kv_dim: int = None, residual: bool = True):
        super().__init__()
        kv_dim = kv_dim or dim
        self.heads, self.residual = heads, residual
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(kv_dim, dim)
        self.v_proj = nn.Linear(kv_dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, kv: torch.Tensor, mask: torch.Tensor = None) -> torch.Tensor:
        b, nq, d = x.shape
        nk = kv.shape[1]
        h, dh = self.heads, d // self.heads
        q = self.q_proj(x).reshape(b, nq, h, dh).transpose(1, 2)
        k = self.k_proj(kv).reshape(b, nk, h, dh).transpose(1, 2)
        v = self.v_proj(kv).reshape(b, nk, h, dh).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if mask is not None:
            keep = mask[:, None, None, :] != 0
            scores = scores.masked_fill(~keep, float("-inf"))
            probs = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0) * keep
        else:
            probs = torch.softmax(scores, dim=-1)
        out = self.out_proj((probs @ v).transpose(1, 2).reshape(b, nq, d))
        return x + out if self.residual else out


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class TransformerBlock(nn.Module):
    """Pre-norm: h = x + attn(norm1(x)); out = h + mlp(norm2(h))."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float = 4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads, residual=False)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, round(dim * mlp_ratio))

    def forward(self, x: torch.Tensor, mask: torch.Tensor = None) -> torch.Tensor:
        normed = self.norm1(x)
        h = x + self.attn(normed, normed, mask)
        return h + self.mlp(self.norm2(h))

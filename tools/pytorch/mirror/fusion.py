"""Text-visual cross-attention of the mirror (src/model/fusion.ts, docs/MODEL.md section 3)."""
import torch
import torch.nn.functional as F
from torch import nn

from .transformer import MultiHeadAttention


class TextVisualFusion(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.cross_attn = MultiHeadAttention(dim, heads)
        self.norm = nn.LayerNorm(dim)

    def forward(self, query8: torch.Tensor, descriptors: torch.Tensor, fused4: torch.Tensor) -> torch.Tensor:
        b, d, h, w = query8.shape
        tokens = query8.reshape(b, d, h * w).transpose(1, 2)
        kv = descriptors[None].expand(b, -1, -1)
        attended = self.norm(self.cross_attn(tokens, kv))
        grid = attended.transpose(1, 2).reshape(b, d, h, w)
        return fused4 + F.interpolate(grid, size=fused4.shape[2:], mode="bilinear", align_corners=False)

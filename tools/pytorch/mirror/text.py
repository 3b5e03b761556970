"""The language encoder of the mirror (src/model/text-encoder.ts, docs/MODEL.md section 4)."""
import torch
from torch import nn

from .common import l2n
from .transformer import TransformerBlock


class TextEncoder(nn.Module):
    """Token bags (CSR: offsets [S*L+1], ids) -> mean embedding + positions -> transformer layers (padding
    masked) -> LayerNorm -> masked mean over real tokens -> l2n: t [S, D]."""

    def __init__(self, vocab: int, dim: int, max_tokens: int, layers: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="mean", include_last_offset=True)
        self.pos_embed = nn.Parameter(torch.zeros(1, max_tokens, dim))
        self.layers = nn.ModuleList(TransformerBlock(dim, heads, mlp_ratio) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.max_tokens = max_tokens

    def forward(self, offsets: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        s = mask.shape[0]
        tokens = self.embed(ids, offsets).reshape(s, self.max_tokens, -1)
        x = tokens + self.pos_embed
        for layer in self.layers:
            x = layer(x, mask)
        x = self.norm(x)
        pooled = (x * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return l2n(pooled, 1)

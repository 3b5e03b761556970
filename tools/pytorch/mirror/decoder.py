"""The pixel decoder of the mirror (src/model/decoder.ts, docs/MODEL.md section 5): children `0` and `1`
(3x3 conv without bias + GN + ReLU), then l2n over channels; used as the `decoder` child of the model."""
import torch
from torch import nn

from .common import l2n
from .conv import ConvNormRelu


class PixelDecoder(nn.Sequential):
    def __init__(self, dim: int, groups: int):
        super().__init__(ConvNormRelu(dim, dim, groups, 3, 1, 1), ConvNormRelu(dim, dim, groups, 3, 1, 1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return l2n(super().forward(features), 1)

"""Convolution units of the mirror (src/model/conv.ts): conv (no bias) + GroupNorm, with or without ReLU."""
import torch
import torch.nn.functional as F
from torch import nn


class ConvNorm(nn.Module):
    """norm(conv(x)): a bias-free conv `conv` and GroupNorm(groups) `norm` (the CNN's shortcut projection)."""

    def __init__(self, cin: int, cout: int, groups: int, kernel: int, stride: int = 1, padding: int = 0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, bias=False)
        self.norm = nn.GroupNorm(groups, cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.conv(x))


class ConvNormRelu(ConvNorm):
    """relu(norm(conv(x))): the unit of the CNN stem and of the pixel decoder (convNormRelu)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(super().forward(x))

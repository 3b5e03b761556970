"""The image encoders of the mirror (src/model/cnn-encoder.ts, vit-encoder.ts; docs/MODEL.md section 1).
Both map images [B, 3, H, W] to [C2, C3, C4, C5] at strides 4, 8, 16, 32 with widths `widths`; used as the
`encoder` child of the model, so their state-dict keys are `encoder.<name>`."""
import torch
import torch.nn.functional as F
from torch import nn

from .conv import ConvNorm, ConvNormRelu
from .transformer import TransformerBlock


class BasicBlock(nn.Module):
    """relu(norm2(conv2(relu(norm1(conv1(x))))) + shortcut(x)); shortcut = 1x1 conv + GN where the stride
    or the width changes, else the identity."""

    def __init__(self, cin: int, cout: int, stride: int, groups: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.norm1 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.shortcut = ConvNorm(cin, cout, groups, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.norm1(self.conv1(x)))
        return F.relu(self.norm2(self.conv2(h)) + self.shortcut(x))


class CnnEncoder(nn.Module):
    """Stem (two 3x3 stride-2 conv + GN + ReLU) to stride 4, then four stages of basic blocks; the first
    block of stages 1..3 has stride 2. C_{s+2} is the output of stage s."""

    def __init__(self, widths: list, blocks: list, groups: int):
        super().__init__()
        self.stem = nn.ModuleList([ConvNormRelu(3, widths[0], groups, 3, 2, 1), ConvNormRelu(widths[0], widths[0], groups, 3, 2, 1)])
        stages, cin = [], widths[0]
        for s, (width, count) in enumerate(zip(widths, blocks)):
            stage = []
            for b in range(count):
                stage.append(BasicBlock(cin, width, 2 if s > 0 and b == 0 else 1, groups))
                cin = width
            stages.append(nn.ModuleList(stage))
        self.stages = nn.ModuleList(stages)

    def forward(self, images: torch.Tensor) -> list:
        x = images
        for unit in self.stem:
            x = unit(x)
        levels = []
        for stage in self.stages:
            for block in stage:
                x = block(x)
            levels.append(x)
        return levels


class VitEncoder(nn.Module):
    """16x16 patch tokens + pos_embed, pre-norm transformer blocks (MLP ratio 4), LayerNorm, back to the
    stride-16 map F; to_level: conv-transpose 4x4/4 (C2), conv-transpose 2x2/2 (C3), conv 1x1 (C4), conv 3x3
    stride 2 pad 1 (C5), all with bias."""

    def __init__(self, image_size: list, widths: list, width: int, depth: int, heads: int, patch: int = 16):
        super().__init__()
        self.grid = (image_size[0] // patch, image_size[1] // patch)
        self.patch_embed = nn.Conv2d(3, width, patch, patch)
        self.pos_embed = nn.Parameter(torch.zeros(1, self.grid[0] * self.grid[1], width).normal_(0, 0.02))
        self.blocks = nn.ModuleList(TransformerBlock(width, heads, 4) for _ in range(depth))
        self.norm = nn.LayerNorm(width)
        self.to_level = nn.ModuleList([
            nn.ConvTranspose2d(width, widths[0], 4, 4),
            nn.ConvTranspose2d(width, widths[1], 2, 2),
            nn.Conv2d(width, widths[2], 1),
            nn.Conv2d(width, widths[3], 3, 2, 1),
        ])

    def forward(self, images: torch.Tensor) -> list:
        patches = self.patch_embed(images)
        b, d, h, w = patches.shape
        x = patches.flatten(2).transpose(1, 2) + self.pos_embed  # [B, N, Dv], row-major over the grid
        for block in self.blocks:
            x = block(x)
        grid = self.norm(x).transpose(1, 2).reshape(b, d, h, w)
        return [level(grid) for level in self.to_level]

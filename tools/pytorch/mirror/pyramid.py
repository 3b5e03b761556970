"""The feature pyramid of the mirror (src/model/pyramid.ts, docs/MODEL.md section 2); used as the `fpn`
child of the model."""
import torch
import torch.nn.functional as F
from torch import nn


def _up(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, size=like.shape[2:], mode="bilinear", align_corners=False)


class FeaturePyramid(nn.Module):
    """C2..C5 -> (levels [P2..P5], F4, Q8). Laterals 1x1 (bias) to `dim`; top-down P_l' = L_l + up(P_{l+1}');
    3x3 smoothing (bias); F4 = sum of every P_l upsampled to P2's size; Q8 = P3. With multiscale=False only
    C2 is used: P2 = smooth0(lateral0(C2)), F4 = P2, Q8 = avg_pool2d(F4, 2), levels [P2]."""

    def __init__(self, widths: list, dim: int, multiscale: bool = True):
        super().__init__()
        used = widths if multiscale else widths[:1]
        self.multiscale = multiscale
        self.lateral = nn.ModuleList(nn.Conv2d(c, dim, 1) for c in used)
        self.smooth = nn.ModuleList(nn.Conv2d(dim, dim, 3, 1, 1) for _ in used)

    def forward(self, levels: list) -> tuple:
        if not self.multiscale:
            p2 = self.smooth[0](self.lateral[0](levels[0]))
            return [p2], p2, F.avg_pool2d(p2, 2)
        merged = [lateral(c) for lateral, c in zip(self.lateral, levels)]
        for l in (2, 1, 0):
            merged[l] = merged[l] + _up(merged[l + 1], merged[l])
        pyramid = [smooth(x) for smooth, x in zip(self.smooth, merged)]
        fused = sum(_up(p, pyramid[0]) for p in pyramid)
        return pyramid, fused, pyramid[1]

"""Pieces shared by the mirror's components."""
import torch


def l2n(x: torch.Tensor, dim: int, eps: float = 1e-6) -> torch.Tensor:
    """x * rsqrt(sum(x^2) + eps) over `dim`: langseg's l2Normalize (not F.normalize)."""
    return x * torch.rsqrt((x * x).sum(dim=dim, keepdim=True) + eps)

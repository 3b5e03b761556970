"""Golden vectors of the normalisation ops: group norm and layer norm (outputs, input/weight/bias
gradients of loss = sum(out * grad_out)), and BatchNorm2d in eval mode (running statistics)."""
import torch
import torch.nn.functional as F

from gen_golden import tensor


def _affine_case(norm, x: torch.Tensor, channels: int, attrs: dict) -> dict:
    """Run norm(x, weight, bias) and backprop a random grad_out to x, weight and bias."""
    x = x.clone().requires_grad_(True)
    weight = (1 + 0.5 * torch.randn(channels)).requires_grad_(True)
    bias = (0.5 * torch.randn(channels)).requires_grad_(True)
    out = norm(x, weight, bias)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    return {
        "attrs": attrs,
        "x": tensor(x),
        "weight": tensor(weight),
        "bias": tensor(bias),
        "grad_out": tensor(grad_out),
        "out": tensor(out),
        "grad_x": tensor(x.grad),
        "grad_weight": tensor(weight.grad),
        "grad_bias": tensor(bias.grad),
    }


def _group(groups: int, eps: float = 1e-5):
    return lambda x, w, b: F.group_norm(x, groups, w, b, eps)


def _layer(eps: float = 1e-5):
    return lambda x, w, b: F.layer_norm(x, (x.shape[-1],), w, b, eps)


def _batch_norm_eval() -> dict:
    bn = torch.nn.BatchNorm2d(3, eps=1e-3)
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(3))
        bn.running_var.copy_(0.5 + torch.rand(3))
        bn.weight.copy_(1 + 0.5 * torch.randn(3))
        bn.bias.copy_(0.5 * torch.randn(3))
    bn.eval()
    x = torch.randn(2, 3, 4, 5)
    return {
        "attrs": {"eps": bn.eps},
        "x": tensor(x),
        "running_mean": tensor(bn.running_mean),
        "running_var": tensor(bn.running_var),
        "weight": tensor(bn.weight),
        "bias": tensor(bn.bias),
        "out": tensor(bn(x)),
    }


def generate() -> dict:
    torch.manual_seed(4)
    return {
        "norm_group_norm": _affine_case(_group(3), torch.randn(2, 6, 5, 3), 6, {"groups": 3}),
        "norm_group_norm_instance": _affine_case(_group(4, 1e-3), torch.randn(1, 4, 7), 4, {"groups": 4, "eps": 1e-3}),
        # A large mean with a small spread: the statistics must not cancel.
        "norm_group_norm_offset": _affine_case(_group(2), 1e4 + 0.1 * torch.randn(1, 4, 4, 5), 4, {"groups": 2}),
        "norm_layer_norm": _affine_case(_layer(), torch.randn(3, 4, 10), 10, {}),
        "norm_layer_norm_odd": _affine_case(_layer(1e-3), 2 + 3 * torch.randn(5, 33), 33, {"eps": 1e-3}),
        "norm_batch_norm_eval": _batch_norm_eval(),
    }

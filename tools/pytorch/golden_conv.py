"""Golden vectors of conv2d and conv_transpose2d (outputs and input/weight/bias gradients) from PyTorch.

Each fixture: x, weight, bias, out = f(x, weight, bias), a fixed upstream gradient grad_out, and grad_x,
grad_weight, grad_bias of sum(out * grad_out). Attribute names match the langseg ops; padding is
[top, bottom, left, right] and applied with F.pad when asymmetric (PyTorch's conv takes symmetric only).
Shapes are small so the whole family stays well under 150 KB.
"""
import torch
import torch.nn.functional as F

from gen_golden import tensor

CONV2D = {
    "conv2d_3x3_s1_p1": dict(x=(1, 3, 6, 5), w=(4, 3, 3, 3), stride=(1, 1), padding=(1, 1, 1, 1)),
    "conv2d_3x3_s2_odd": dict(x=(1, 3, 9, 7), w=(4, 3, 3, 3), stride=(2, 2), padding=(1, 1, 1, 1)),
    "conv2d_dilation2": dict(x=(1, 2, 8, 9), w=(3, 2, 3, 3), stride=(1, 1), padding=(2, 2, 2, 2), dilation=(2, 2)),
    "conv2d_groups4": dict(x=(1, 8, 5, 4), w=(8, 2, 3, 3), stride=(1, 1), padding=(1, 1, 1, 1), groups=4),
    "conv2d_depthwise": dict(x=(1, 6, 5, 5), w=(6, 1, 3, 3), stride=(1, 1), padding=(1, 1, 1, 1), groups=6),
    "conv2d_1x1": dict(x=(2, 5, 4, 3), w=(3, 5, 1, 1), stride=(1, 1), padding=(0, 0, 0, 0)),
    "conv2d_7x7_s2_p3": dict(x=(1, 3, 9, 8), w=(2, 3, 7, 7), stride=(2, 2), padding=(3, 3, 3, 3)),
    "conv2d_asymmetric_pad": dict(x=(1, 2, 6, 7), w=(3, 2, 3, 2), stride=(2, 1), padding=(0, 2, 1, 0)),
}

CONV_TRANSPOSE2D = {
    "conv_transpose2d_s2": dict(x=(1, 4, 4, 3), w=(4, 3, 3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1)),
    "conv_transpose2d_k2_s2_groups2": dict(x=(2, 4, 3, 3), w=(4, 2, 2, 2), stride=(2, 2), padding=(0, 0), groups=2),
}


def grads(fn, x, w, b):
    """The output and the input/weight/bias gradients of sum(fn(x, w, b) * grad_out)."""
    x = x.clone().requires_grad_(True)
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    out = fn(x, w, b)
    grad_out = torch.randn(out.shape)
    (out * grad_out).sum().backward()
    return out, grad_out, x.grad, w.grad, b.grad


def fixture(attrs, x, w, b, out, grad_out, gx, gw, gb):
    return {
        "attrs": attrs,
        "x": tensor(x),
        "weight": tensor(w),
        "bias": tensor(b),
        "out": tensor(out),
        "grad_out": tensor(grad_out),
        "grad_x": tensor(gx),
        "grad_weight": tensor(gw),
        "grad_bias": tensor(gb),
    }


def generate() -> dict:
    torch.manual_seed(2024)
    result = {}
    for name, c in CONV2D.items():
        x, w = torch.randn(c["x"]), torch.randn(c["w"])
        b = torch.randn(c["w"][0])
        top, bottom, left, right = c["padding"]
        stride, dilation, groups = c["stride"], c.get("dilation", (1, 1)), c.get("groups", 1)

        def conv(x, w, b, top=top, bottom=bottom, left=left, right=right, stride=stride, dilation=dilation, groups=groups):
            return F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=stride, dilation=dilation, groups=groups)

        attrs = {"stride": list(stride), "padding": [top, bottom, left, right], "dilation": list(dilation), "groups": groups}
        result[name] = fixture(attrs, x, w, b, *grads(conv, x, w, b))
    for name, c in CONV_TRANSPOSE2D.items():
        x, w = torch.randn(c["x"]), torch.randn(c["w"])
        groups = c.get("groups", 1)
        b = torch.randn(c["w"][1] * groups)

        def convt(x, w, b, c=c, groups=groups):
            return F.conv_transpose2d(x, w, b, stride=c["stride"], padding=c["padding"], output_padding=c.get("output_padding", 0), groups=groups)

        attrs = {
            "stride": list(c["stride"]),
            "padding": list(c["padding"]),
            "outputPadding": list(c.get("output_padding", (0, 0))),
            "groups": groups,
        }
        result[name] = fixture(attrs, x, w, b, *grads(convt, x, w, b))
    return result

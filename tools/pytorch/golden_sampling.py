"""Golden vectors of the sampling ops: bilinear resize (size and scale-factor forms, up and down, odd
sizes), nearest resize, max / avg / global-average pooling and pyramid fusion: inputs, outputs and input
gradients of loss = sum(out * dy) for a random dy. Attrs use our op's names; "op" says which op."""
import torch
import torch.nn.functional as F

from gen_golden import tensor


def _case(op, attrs, fn, *shapes):
    xs = [torch.randn(*s, dtype=torch.float32, requires_grad=True) for s in shapes]
    out = fn(*xs)
    dy = torch.randn_like(out)
    (out * dy).sum().backward()
    fixture = {"attrs": {"op": op, **attrs}, "out": tensor(out), "dy": tensor(dy)}
    for i, x in enumerate(xs):
        fixture[f"x{i}"] = tensor(x)
        fixture[f"grad_x{i}"] = tensor(x.grad)
    return fixture


def _bilinear(**kw):
    return lambda x: F.interpolate(x, mode="bilinear", align_corners=False, **kw)


def generate():
    torch.manual_seed(0)
    cases = {
        "sampling_bilinear_up_size": _case("resize_bilinear", {"size": [11, 13]}, _bilinear(size=(11, 13)), (1, 2, 5, 7)),
        "sampling_bilinear_down_size": _case("resize_bilinear", {"size": [5, 4]}, _bilinear(size=(5, 4)), (1, 2, 13, 11)),
        # scale_factor: the output is floor(in * s) and the source step is 1 / s, not in / out.
        "sampling_bilinear_up_scale": _case("resize_bilinear", {"scale": 1.7}, _bilinear(scale_factor=1.7), (1, 2, 5, 7)),
        "sampling_bilinear_down_scale": _case("resize_bilinear", {"scale": [0.45, 0.6]}, _bilinear(scale_factor=(0.45, 0.6)), (1, 1, 11, 9)),
        "sampling_max_pool": _case(
            "max_pool2d", {"kernel": 3, "stride": 2, "padding": 1}, lambda x: F.max_pool2d(x, 3, 2, 1), (2, 3, 9, 7)
        ),
        "sampling_max_pool_rect": _case(
            "max_pool2d", {"kernel": [2, 3], "stride": [2, 1]}, lambda x: F.max_pool2d(x, (2, 3), (2, 1)), (1, 2, 7, 6)
        ),
        "sampling_avg_pool": _case(
            "avg_pool2d", {"kernel": 3, "stride": 2, "padding": 1}, lambda x: F.avg_pool2d(x, 3, 2, 1), (1, 3, 9, 7)
        ),
        "sampling_avg_pool_no_pad_count": _case(
            "avg_pool2d",
            {"kernel": 3, "stride": 2, "padding": 1, "countIncludePad": False},
            lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
            (1, 2, 8, 5),
        ),
        "sampling_global_avg_pool": _case("global_avg_pool2d", {}, lambda x: F.adaptive_avg_pool2d(x, 1), (2, 3, 5, 7)),
        "sampling_pyramid_fuse": _case(
            "pyramid_fuse",
            {"size": [9, 11]},
            lambda *xs: sum(F.interpolate(x, size=(9, 11), mode="bilinear", align_corners=False) for x in xs),
            (1, 2, 9, 11),
            (1, 2, 5, 6),
            (1, 2, 3, 3),
            (1, 2, 2, 2),
        ),
    }
    labels = torch.randint(0, 20, (1, 1, 5, 7)).to(torch.float32)
    cases["sampling_nearest_size"] = {
        "attrs": {"op": "resize_nearest", "size": [11, 13]},
        "x0": tensor(labels),
        "out": tensor(F.interpolate(labels, size=(11, 13), mode="nearest")),
    }
    cases["sampling_nearest_scale"] = {
        "attrs": {"op": "resize_nearest", "scale": 0.7},
        "x0": tensor(labels),
        "out": tensor(F.interpolate(labels, scale_factor=0.7, mode="nearest")),
    }
    return cases

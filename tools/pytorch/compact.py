"""Short fixtures for the model's parity tests: values written with a few significant digits instead of
float32's full 17-digit decimal (a model fixture holds thousands of weights; at full precision it would be
several times the ~150 KB a fixture may take).

Inputs and weights are first rounded in place (`round_`), so the short decimal *is* the value PyTorch
computes with and the test loads: both sides parse the same decimal to the same float32. Outputs and
gradients are only written rounded (`compact`, 6 digits: a relative change of at most 5e-7, far inside
the tests' 1e-4 tolerance)."""
import torch

# float32 round-trips every decimal of up to 6 significant digits (FLT_DIG), so a 4-digit weight is exact.
WEIGHT_DIGITS = 4
RESULT_DIGITS = 6


def _short(values: list, digits: int) -> list:
    return [float(f"{v:.{digits}g}") for v in values]


@torch.no_grad()
def round_(t: torch.Tensor, digits: int = WEIGHT_DIGITS) -> torch.Tensor:
    """Round t's values to `digits` significant decimal digits, in place."""
    t.copy_(torch.tensor(_short(t.reshape(-1).tolist(), digits), dtype=t.dtype).reshape(t.shape))
    return t


def compact(t: torch.Tensor, digits: int = RESULT_DIGITS) -> dict:
    """A tensor as JSON (gen_golden's format) with `digits` significant digits per value."""
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": _short(t.reshape(-1).tolist(), digits)}

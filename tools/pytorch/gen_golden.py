#!/usr/bin/python3
"""Write PyTorch golden vectors for the kernel tests into test/fixtures/golden/*.json.

A dev-time tool: needs PyTorch (Debian's python3-torch gives 1.13 for /usr/bin/python3); CI only reads the
committed fixtures. Every module golden_<family>.py beside this file has a `generate()` that returns
{fixture_name: fixture}; a fixture is a dict of named tensors, each {"shape": [...], "data": [...]}
(float64-exact values of float32 tensors, row-major), plus an optional "attrs" dict.

Usage: /usr/bin/python3 tools/pytorch/gen_golden.py [family ...]
"""
import importlib
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent.parent / "test" / "fixtures" / "golden"


def tensor(t: torch.Tensor) -> dict:
    """A tensor as JSON: shape and row-major float values."""
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def main() -> None:
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = set(sys.argv[1:])
    sys.path.insert(0, str(HERE))
    for path in sorted(HERE.glob("golden_*.py")):
        family = path.stem[len("golden_"):]
        if wanted and family not in wanted:
            continue
        module = importlib.import_module(path.stem)
        for name, fixture in module.generate().items():
            target = OUT / f"{name}.json"
            target.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
            print(f"wrote {target.relative_to(OUT.parent.parent.parent)} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

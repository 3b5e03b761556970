#!/usr/bin/python3
"""One batch through langseg and through the PyTorch mirror (tools/pytorch/langseg.py), from the same
weights: prints the max absolute and relative difference of each loss term, the logits and every
parameter gradient, and writes PyTorch's side as the fixture test/fixtures/parity/tiny.json, which
test/model/parity.test.ts checks langseg against in CI (no PyTorch there).

Usage: /usr/bin/python3 tools/pytorch/parity.py   (builds langseg with node scripts/build.mjs first)
The fixture stores the losses, 512 sampled logits with the logits' norm, and for every parameter its
gradient's norm and 16 sampled elements (every parameter's full gradient would be megabytes).
"""
import json
import pathlib
import subprocess
import sys
import tempfile

import torch

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from langseg import load_langseg_checkpoint, read_safetensors  # noqa: E402

SAMPLES_LOGITS = 512
SAMPLES_GRAD = 16


def diff(ours: torch.Tensor, theirs: torch.Tensor) -> tuple:
    d = (ours - theirs).abs()
    return float(d.max()), float(d.max() / theirs.abs().max().clamp(min=1e-30))


def main() -> None:
    subprocess.run(["node", "scripts/build.mjs"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["node", "tools/pytorch/export_parity_inputs.mjs", tmp], cwd=ROOT, check=True)
        model, stored = load_langseg_checkpoint(f"{tmp}/checkpoint.safetensors")
        batch, _ = read_safetensors(f"{tmp}/batch.safetensors")
        ours, _ = read_safetensors(f"{tmp}/ours.safetensors")
        meta = json.loads(pathlib.Path(f"{tmp}/meta.json").read_text())
    t = meta["tokens"]
    tokens = {"offsets": torch.tensor(t["offsets"]), "ids": torch.tensor(t["ids"]),
              "mask": torch.tensor(t["mask"]).reshape(-1, stored["model"]["text"]["maxTokens"])}
    out = model(batch["images"], tokens, meta["groups"], batch["labels"])
    out["total"].backward()

    print(f"{'tensor':48s} {'max |diff|':>12s} {'max rel':>10s}")
    losses = {}
    for key, value in meta["losses"].items():
        theirs = float(out[key])
        losses[key] = theirs
        print(f"{'loss ' + key:48s} {abs(value - theirs):12.3e} {abs(value - theirs) / max(abs(theirs), 1e-30):10.3e}")
    logits = out["logits"].detach().reshape(-1)
    print(f"{'logits':48s} {diff(ours['logits'], logits)[0]:12.3e} {diff(ours['logits'], logits)[1]:10.3e}")
    generator = torch.Generator().manual_seed(0)
    pick = torch.randint(0, logits.numel(), (SAMPLES_LOGITS,), generator=generator)
    grads = {}
    worst = 0.0
    for name, p in model.named_parameters():
        g = p.grad.reshape(-1) if p.grad is not None else torch.zeros(p.numel())
        a, r = diff(ours[f"grad:{name}"], g)
        worst = max(worst, r)
        print(f"{'grad ' + name:48s} {a:12.3e} {r:10.3e}")
        idx = torch.randint(0, g.numel(), (min(SAMPLES_GRAD, g.numel()),), generator=generator)
        grads[name] = {"norm": float(g.norm()), "max": float(g.abs().max()), "indices": idx.tolist(), "values": g[idx].tolist()}
    print(f"worst relative gradient difference (max |diff| / max |grad| per parameter): {worst:.3e}")
    fixture = {
        "case": meta["case"],
        "torch": torch.__version__,
        "losses": losses,
        "logits": {"norm": float(logits.norm()), "indices": pick.tolist(), "values": logits[pick].tolist()},
        "grads": grads,
    }
    target = ROOT / "test" / "fixtures" / "parity" / "tiny.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

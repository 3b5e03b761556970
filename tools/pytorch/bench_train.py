#!/usr/bin/python3
"""Time LangSeg training steps of the PyTorch mirror on the CPU: the PyTorch side of the `train` benchmark
(bench/graph/langseg-train.bench.ts), which writes the inputs and runs this as a child process.

Usage: /usr/bin/python3 tools/pytorch/bench_train.py DIR [--warmup N] [--steps N] [--min-time MS] [--threads N]
DIR holds what the benchmark wrote: checkpoint.safetensors (langseg's initial weights, LangSegModel.save()),
batch.safetensors (images [B, 3, H, W], labels [B, H, W]) and meta.json (descriptor tokens, class groups,
Adam settings). One step is what langseg's step is: forward with all four losses, backward, Adam
(torch.optim.Adam: no weight decay, no clipping, as the benchmark runs both other sides).
Prints one JSON object: ms_per_step (median), min_ms, images_per_s, peak_rss_bytes (ru_maxrss of this
process: Python and libtorch included), baseline_rss_bytes (RSS after loading, before the first step),
first_loss (the total loss of step 1, before any update: it must match langseg's), steps, threads, torch.
"""
import argparse
import json
import pathlib
import resource
import statistics
import sys
import time

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from langseg import load_langseg_checkpoint, read_safetensors  # noqa: E402

MAX_STEPS = 200


def rss_bytes() -> int:
    """Current resident set size, from /proc (Linux)."""
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10, help="the fewest timed steps")
    parser.add_argument("--min-time", type=float, default=0, help="time for at least about this many ms (up to 200 steps)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    folder = pathlib.Path(args.dir)

    model, stored = load_langseg_checkpoint(str(folder / "checkpoint.safetensors"))
    batch, _ = read_safetensors(str(folder / "batch.safetensors"))
    meta = json.loads((folder / "meta.json").read_text())
    t = meta["tokens"]
    max_tokens = stored["model"]["text"]["maxTokens"]
    tokens = {"offsets": torch.tensor(t["offsets"]), "ids": torch.tensor(t["ids"]),
              "mask": torch.tensor(t["mask"]).reshape(-1, max_tokens)}
    groups, adam = meta["groups"], meta["adam"]
    images, labels = batch["images"], batch["labels"]
    optimizer = torch.optim.Adam(model.parameters(), lr=adam["lr"], betas=(adam["beta1"], adam["beta2"]), eps=adam["eps"])

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = model(images, tokens, groups, labels)["total"]
        loss.backward()
        optimizer.step()
        return float(loss)

    baseline_rss = rss_bytes()
    first_loss = None
    last_ms = 0.0
    for _ in range(max(1, args.warmup)):
        t0 = time.perf_counter()
        loss = step()
        last_ms = (time.perf_counter() - t0) * 1000
        first_loss = loss if first_loss is None else first_loss
    # Like the benchmark's harness: enough steps to fill --min-time, at least --steps, at most MAX_STEPS.
    count = min(MAX_STEPS, max(args.steps, int(args.min_time / max(last_ms, 1e-3)) + 1))
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(samples)
    print(json.dumps({
        "ms_per_step": round(ms, 3),
        "min_ms": round(min(samples), 3),
        "images_per_s": round(images.shape[0] * 1000 / ms, 3),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "baseline_rss_bytes": baseline_rss,
        "first_loss": first_loss,
        "steps": len(samples),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()

/**
 * The PyTorch side of the `train` benchmark: the mirror model (tools/pytorch/langseg.py) trained on the CPU
 * by tools/pytorch/bench_train.py in a child process, from langseg's initial weights and the same batch.
 * Skipped, with the reason in the result, where /usr/bin/python3 (or $LANGSEG_PYTHON) cannot import torch.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeSafetensors } from '../../src/io/safetensors.js';

const run = promisify(execFile);
const SCRIPT = join('tools', 'pytorch', 'bench_train.py');
/** PyTorch 1.13 is installed for the system Python only (see tools/pytorch). */
const PYTHON = process.env.LANGSEG_PYTHON ?? '/usr/bin/python3';
/** The benchmark machine has 2 cores; PyTorch gets both, as lavapipe does. */
const THREADS = 2;

export interface PytorchInputs {
  /** LangSegModel.save() of the initial weights (before either other side has stepped). */
  checkpoint: Uint8Array;
  images: Float32Array;
  labels: Float32Array;
  imageShape: [number, number, number, number];
  tokens: { offsets: ArrayLike<number>; ids: ArrayLike<number>; mask: ArrayLike<number> };
  groups: number[];
  adam: { lr: number; beta1: number; beta2: number; eps: number };
}

export interface PytorchResult {
  status: 'ok' | 'skipped' | 'error';
  /** Why it was skipped or failed. */
  reason?: string;
  ms_per_step?: number;
  min_ms?: number;
  images_per_s?: number;
  /** ru_maxrss of the Python process (interpreter and libtorch included). */
  peak_rss_bytes?: number;
  /** RSS after loading the model, before the first step: peak minus this is the steps' own working set. */
  baseline_rss_bytes?: number;
  /** Step 1's total loss, before any update: the same weights and batch as ours, so it must agree. */
  first_loss?: number;
  steps?: number;
  threads?: number;
  torch?: string;
}

/** The repository root: the first folder up from this module (or the working directory) with the script. */
function repoRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, SCRIPT))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return existsSync(join(process.cwd(), SCRIPT)) ? process.cwd() : null;
}

/** Time PyTorch CPU training steps; never throws (failures come back as status 'error'). */
export async function pytorchTrain(inputs: PytorchInputs, timing: { warmup: number; repeats: number; minTotalMs?: number }): Promise<PytorchResult> {
  const root = repoRoot();
  if (!root) return { status: 'skipped', reason: `${SCRIPT} not found (run the benchmark from the repository)` };
  try {
    await run(PYTHON, ['-c', 'import torch'], { timeout: 120_000 });
  } catch (err) {
    return { status: 'skipped', reason: `${PYTHON} -c "import torch" failed: ${((err as Error).message.split('\n')[0] ?? '').slice(0, 200)}` };
  }
  const dir = await mkdtemp(join(tmpdir(), 'langseg-bench-train-'));
  try {
    const f32 = (data: Float32Array, shape: number[]) => ({ dtype: 'F32' as const, shape, data });
    const [b, , h, w] = inputs.imageShape;
    await writeFile(join(dir, 'checkpoint.safetensors'), inputs.checkpoint);
    await writeFile(join(dir, 'batch.safetensors'), encodeSafetensors({ images: f32(inputs.images, inputs.imageShape), labels: f32(inputs.labels, [b, h, w]) }));
    const tokens = { offsets: Array.from(inputs.tokens.offsets), ids: Array.from(inputs.tokens.ids), mask: Array.from(inputs.tokens.mask) };
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ tokens, groups: inputs.groups, adam: inputs.adam }));
    const args = [join(root, SCRIPT), dir, '--warmup', String(timing.warmup), '--steps', String(timing.repeats), '--min-time', String(timing.minTotalMs ?? 0), '--threads', String(THREADS)];
    const { stdout } = await run(PYTHON, args, { cwd: root, maxBuffer: 1 << 20 });
    return { status: 'ok', ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<PytorchResult, 'status'>) };
  } catch (err) {
    const e = err as Error & { stderr?: string };
    return { status: 'error', reason: (e.stderr?.trim().split('\n').slice(-3).join(' | ') || e.message).slice(0, 500) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Run the `train` case: step ours and TF.js a few times from identical weights and compare the losses,
 * time whole steps interleaved, measure memory and GPU time, then time the PyTorch CPU mirror. Failures
 * come back as a result row with check 'ERROR' or 'MISMATCH', never as a throw.
 */
import type { ProfileRow } from '../../src/graph/executor.js';
import type { BenchContext } from '../case.js';
import { median, timeInterleaved, type Run, type Timing, type TimingOptions } from '../harness.js';
import { emptyCaseResult, type CaseResult } from '../run-case.js';
import type { LangSegTrainCase, LangSegTrainInstance } from './langseg-train.bench.js';
import { pytorchTrain, type PytorchResult } from './pytorch-train.js';

/** Steps both GPU sides take before timing. */
export const CHECK_STEPS = 5;
/** Step 1 is forward only from identical weights: its losses must agree this closely (relative). */
export const FIRST_LOSS_TOLERANCE = 1e-3;
/**
 * Later steps may drift (TF.js's resize gradient differs, and Adam turns rounding noise in near-zero
 * gradients into +-lr moves), but a wrong gradient or optimizer shows up as far more than this.
 */
export const DRIFT_TOLERANCE = 5e-2;
const PROFILE_RUNS = 3;
const TOP = 6;

export interface TrainBenchResult extends CaseResult {
  batch: number;
  ours_steps_per_s: number | null;
  tfjs_steps_per_s: number | null;
  ours_images_per_s: number | null;
  tfjs_images_per_s: number | null;
  /** Our GPU memory for a step: the planned arena + parameters x 4 (values, grads, 2 Adam moments) + inputs. */
  ours_peak_bytes: number | null;
  ours_arena_bytes: number | null;
  ours_naive_arena_bytes: number | null;
  ours_parameter_bytes: number | null;
  /** TF.js's tensor high-water mark during a step (tf.profile peakBytes): variables, Adam moments, activations, gradients. */
  tfjs_peak_bytes: number | null;
  /** GPU bytes TF.js's buffer manager holds after timing (live tensors and pooled free buffers). */
  tfjs_pool_bytes: number | null;
  ours_dispatches: number | null;
  tfjs_kernels: number | null;
  /** The most frequent TF.js kernels of one step, with counts. */
  tfjs_kernel_counts: Record<string, number> | null;
  /** TF.js kernels taking the most GPU time in one profiled step (ms summed per kernel name; tf.profile's kernelTimeMs). */
  tfjs_kernel_ms: Record<string, number> | null;
  /** tf.transpose calls the interpreter's layout changes add to a TF.js step (the rest is the model's own math). */
  tfjs_layout_transposes: number | null;
  check_losses: { ours: number[]; tfjs: number[] } | null;
  /** Relative difference of the losses at steps 2..CHECK_STEPS. */
  later_rel_diffs: number[] | null;
  ours_top_nodes: ProfileRow[] | null;
  pytorch: PytorchResult | null;
  /** pytorch ms / ours ms. */
  speedup_vs_pytorch: number | null;
  note: string;
  gpu_note: string;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const relDiff = (a: number, b: number): number => (Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE) : NaN);

function emptyResult(tc: LangSegTrainCase, repeats: number): TrainBenchResult {
  return {
    ...emptyCaseResult(tc, 'GFLOP/s', repeats),
    batch: tc.batch,
    ours_steps_per_s: null,
    tfjs_steps_per_s: null,
    ours_images_per_s: null,
    tfjs_images_per_s: null,
    ours_peak_bytes: null,
    ours_arena_bytes: null,
    ours_naive_arena_bytes: null,
    ours_parameter_bytes: null,
    tfjs_peak_bytes: null,
    tfjs_pool_bytes: null,
    ours_dispatches: null,
    tfjs_kernels: null,
    tfjs_kernel_counts: null,
    tfjs_kernel_ms: null,
    tfjs_layout_transposes: null,
    check_losses: null,
    later_rel_diffs: null,
    ours_top_nodes: null,
    pytorch: null,
    speedup_vs_pytorch: null,
    note: tc.note,
    gpu_note:
      'ours_gpu_ms: sum over nodes of the median per-node time of 3 exe.profile() steps (a compute pass per node); ' +
      'tfjs_gpu_ms: kernelMs of tf.time() over one step. Both leave out host work and queue gaps, which ours_ms/tfjs_ms include.',
  };
}

/** One TF.js step, awaited like ours: the loss read back to the host. */
async function tfjsLoss(inst: LangSegTrainInstance): Promise<number> {
  const loss = inst.tfjsStep();
  try {
    return (await loss.data())[0]!;
  } finally {
    loss.dispose();
  }
}

/** Step both sides CHECK_STEPS times; true when step 1 agrees and later steps stay within the drift bound. */
async function checkAgreement(inst: LangSegTrainInstance, ctx: BenchContext, result: TrainBenchResult): Promise<boolean> {
  const ours: number[] = [];
  const tfjs: number[] = [];
  for (let s = 0; s < CHECK_STEPS; s++) {
    ctx.rt.device.pushErrorScope('validation');
    ours.push(await inst.oursStep());
    const error = await ctx.rt.device.popErrorScope();
    if (error) throw new Error(`WebGPU validation error in our step: ${error.message}`);
    tfjs.push(await tfjsLoss(inst));
    result.tfjs_layout_transposes ??= inst.tfjs.lastStats.transposes;
  }
  result.check_losses = { ours, tfjs };
  const diffs = ours.map((o, s) => relDiff(o, tfjs[s]!));
  result.max_rel_err = Number(diffs[0]!.toPrecision(3));
  result.later_rel_diffs = diffs.slice(1).map((d) => Number(d.toPrecision(3)));
  return diffs[0]! <= FIRST_LOSS_TOLERANCE && diffs.slice(1).every((d) => d <= DRIFT_TOLERANCE);
}

/** Memory of both GPU sides, and TF.js's kernels per step. */
async function measureMemory(inst: LangSegTrainInstance, ctx: BenchContext, result: TrainBenchResult): Promise<void> {
  const mem = inst.ours.memory;
  result.ours_arena_bytes = mem.plannedPeakBytes;
  result.ours_naive_arena_bytes = mem.naiveBytes;
  result.ours_parameter_bytes = mem.parameterBytes;
  result.ours_peak_bytes = mem.plannedPeakBytes + 4 * mem.parameterBytes + mem.inputBytes;
  const tf = ctx.tfjs.tf;
  result.tfjs_pool_bytes = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? null;
  const info = await tf.profile(async () => {
    await tfjsLoss(inst);
    return [];
  });
  result.tfjs_peak_bytes = info.peakBytes;
  result.tfjs_kernels = info.kernels.length;
  const counts = new Map<string, number>();
  const times = new Map<string, number>();
  for (const k of info.kernels) {
    counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
    // kernelTimeMs is a number where the backend could time the kernel ({ error } otherwise).
    if (typeof k.kernelTimeMs === 'number') times.set(k.name, (times.get(k.name) ?? 0) + k.kernelTimeMs);
  }
  const top = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, round(v, 2)]));
  result.tfjs_kernel_counts = top(counts);
  result.tfjs_kernel_ms = times.size > 0 ? top(times) : null;
}

/** Our per-node GPU profile and TF.js's summed kernel time, where the device has timestamp queries. */
async function measureGpuTime(inst: LangSegTrainInstance, ctx: BenchContext, result: TrainBenchResult): Promise<void> {
  if (!ctx.rt.device.features.has('timestamp-query')) return;
  const runs: ProfileRow[][] = [];
  for (let i = 0; i < PROFILE_RUNS; i++) runs.push(await inst.ours.profile(inst.oursFeeds));
  const rows = runs[0]!.map((row, i) => ({ ...row, ms: median(runs.map((r) => r[i]!.ms)) }));
  result.ours_gpu_ms = round(rows.reduce((s, r) => s + r.ms, 0));
  result.ours_top_nodes = [...rows].sort((a, b) => b.ms - a.ms).slice(0, TOP).map((r) => ({ ...r, ms: round(r.ms) }));
  try {
    let loss: ReturnType<LangSegTrainInstance['tfjsStep']> | undefined;
    const info = await ctx.tfjs.tf.time(() => {
      loss = inst.tfjsStep();
    });
    loss?.dispose();
    if (typeof info.kernelMs === 'number') result.tfjs_gpu_ms = round(info.kernelMs);
  } catch {
    // tf.time() is a diagnostic: without it the row still has wall-clock times.
  }
}

export async function runLangSegTrain(tc: LangSegTrainCase, ctx: BenchContext, timing: TimingOptions): Promise<TrainBenchResult> {
  const result = emptyResult(tc, timing.repeats);
  let inst: LangSegTrainInstance | undefined;
  try {
    inst = await tc.build(ctx);
    const built = inst;
    result.ours_dispatches = built.ours.dispatchCount;
    result.algorithm = `compiled graph, ${built.ours.dispatchCount} dispatches`;
    if (!(await checkAgreement(built, ctx, result))) {
      result.check = 'MISMATCH';
      return result;
    }
    const tf = ctx.tfjs.tf;
    const tensorsBefore = tf.memory().numTensors;
    const runs: Run[] = [async () => void (await built.oursStep()), async () => void (await tfjsLoss(built))];
    const [ours, tfjs] = (await timeInterleaved(runs, timing)) as [Timing, Timing];
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) throw new Error(`TF.js side leaked ${leaked} tensor(s) over ${ours.samplesMs.length} steps`);
    result.repeats = ours.samplesMs.length;
    result.ours_ms = round(ours.medianMs);
    result.tfjs_ms = round(tfjs.medianMs);
    result.ours_min_ms = round(ours.minMs);
    result.tfjs_min_ms = round(tfjs.minMs);
    result.ours_steps_per_s = round(1000 / ours.medianMs, 3);
    result.tfjs_steps_per_s = round(1000 / tfjs.medianMs, 3);
    result.ours_images_per_s = round((tc.batch * 1000) / ours.medianMs, 2);
    result.tfjs_images_per_s = round((tc.batch * 1000) / tfjs.medianMs, 2);
    result.ours_gflops = round(built.flops / (ours.medianMs * 1e6), 2);
    result.tfjs_gflops = round(built.flops / (tfjs.medianMs * 1e6), 2);
    result.speedup = round(tfjs.medianMs / ours.medianMs, 2);
    await measureMemory(built, ctx, result);
    await measureGpuTime(built, ctx, result);
    result.check = 'ok';
    result.pytorch = await pytorchTrain(built.pytorch, timing);
    if (result.pytorch.ms_per_step !== undefined) result.speedup_vs_pytorch = round(result.pytorch.ms_per_step / ours.medianMs, 2);
    return result;
  } catch (err) {
    result.check = 'ERROR';
    result.error = err instanceof Error ? err.message : String(err);
    return result;
  } finally {
    inst?.release();
  }
}

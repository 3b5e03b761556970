/**
 * Run one training-step case: train both sides a few steps from identical weights and compare the
 * losses, then time whole steps, then measure memory and (once, untimed) where our step spends its time.
 */
import type { ProfileRow } from '../src/graph/executor.js';
import type { BenchContext } from './case.js';
import type { TrainCase, TrainInstance } from './graph/train-case.js';
import { median, timeInterleaved, type Run, type Timing, type TimingOptions } from './harness.js';
import { emptyCaseResult, type CaseResult } from './run-case.js';

/** Steps both sides train before timing; their losses must agree. */
export const CHECK_STEPS = 5;
/**
 * Relative loss difference allowed at every check step. Step 1 is forward only; later steps also test the
 * gradients and Adam (a wrong bias correction or gradient moves the step-2 loss by far more than this).
 * Adam turns rounding noise in near-zero gradients into +-lr weight changes, but the loss is insensitive
 * to exactly those weights, so the sides stay close (about 1e-5 apart after 5 steps on lavapipe).
 */
export const LOSS_TOLERANCE = 1e-3;
/** Profiled steps of ours; each node's median time is reported. */
const PROFILE_RUNS = 5;
/** How many of our slowest nodes to report. */
const TOP_NODES = 5;
/** TF.js GPU-time runs: tf.time() submits each kernel separately, so keep it to one or two. */
const TFJS_GPU_RUNS = 2;

/** One row of bench/results/graph.json: the kernel suite's fields plus step rates and memory. */
export interface GraphCaseResult extends CaseResult {
  ours_steps_per_s: number | null;
  tfjs_steps_per_s: number | null;
  /** Our arena for intermediates (activations, backward temporaries) under the memory plan. */
  ours_peak_bytes: number | null;
  /** The same intermediates if each had its own buffer. */
  ours_naive_bytes: number | null;
  /** ours_peak_bytes / ours_naive_bytes. */
  ours_peak_ratio: number | null;
  /** Parameter bytes (one copy; grads and the two Adam moments are three more of the same size). */
  ours_parameter_bytes: number | null;
  /** TF.js tensor high-water mark during one step, above the bytes live before it (tf.profile). */
  tfjs_peak_bytes: number | null;
  /** GPU bytes TF.js's buffer pool holds after timing (variables, moments, pooled free buffers). */
  tfjs_pool_bytes: number | null;
  ours_dispatches: number | null;
  /** TF.js kernel calls in one step (tf.profile); some (Reshape, Identity) dispatch nothing. */
  tfjs_kernels: number | null;
  /** Losses of the CHECK_STEPS agreement steps, per side. */
  check_losses: { ours: number[]; tfjs: number[] } | null;
  /** Our slowest nodes: median per node over profiled steps (a compute pass per node, so slightly above a real step). */
  ours_top_nodes: ProfileRow[] | null;
  note: string;
  /** What ours_gpu_ms and tfjs_gpu_ms measure here. */
  gpu_note: string;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** One of our steps: write the feeds, encode and submit the step, read back the loss. */
async function oursLoss(inst: TrainInstance): Promise<number> {
  return (await inst.ours.run(inst.feeds))[inst.lossName]![0]!;
}

/** One TF.js step, awaited the same way: its loss read back to the host. */
async function tfjsLoss(inst: TrainInstance): Promise<number> {
  const loss = inst.tfjsStep();
  try {
    return (await loss.data())[0]!;
  } finally {
    loss.dispose();
  }
}

/** |a - b| / |b|, NaN when either is not finite (so it fails every check). */
function relDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return NaN;
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

function emptyResult(tc: TrainCase, repeats: number): GraphCaseResult {
  return {
    ...emptyCaseResult(tc, 'GFLOP/s', repeats),
    ours_steps_per_s: null,
    tfjs_steps_per_s: null,
    ours_peak_bytes: null,
    ours_naive_bytes: null,
    ours_peak_ratio: null,
    ours_parameter_bytes: null,
    tfjs_peak_bytes: null,
    tfjs_pool_bytes: null,
    ours_dispatches: null,
    tfjs_kernels: null,
    check_losses: null,
    ours_top_nodes: null,
    note: tc.note,
    gpu_note:
      'ours_gpu_ms: sum over nodes of the median per-node time of 5 exe.profile() steps (a compute pass per node); ' +
      'tfjs_gpu_ms: median kernelMs of tf.time() over one step (summed per-kernel timestamps). Both leave out ' +
      'host work and queue gaps, which ours_ms/tfjs_ms include.',
  };
}

/** Train both sides CHECK_STEPS steps; fill the check fields and say whether the losses agree. */
async function checkAgreement(inst: TrainInstance, ctx: BenchContext, result: GraphCaseResult): Promise<boolean> {
  const device = ctx.rt.device;
  const ours: number[] = [];
  const tfjs: number[] = [];
  for (let s = 0; s < CHECK_STEPS; s++) {
    device.pushErrorScope('validation');
    ours.push(await oursLoss(inst));
    const validation = await device.popErrorScope();
    if (validation) throw new Error(`WebGPU validation error in our step: ${validation.message}`);
    tfjs.push(await tfjsLoss(inst));
  }
  result.check_losses = { ours, tfjs };
  const diffs = ours.map((o, s) => relDiff(o, tfjs[s]!));
  const worst = diffs.some(Number.isNaN) ? NaN : Math.max(...diffs);
  result.max_rel_err = Number(worst.toPrecision(3));
  return diffs.every((d) => d <= LOSS_TOLERANCE);
}

/** Fill the memory fields: our plan, TF.js's tensor high-water mark over one step and its pool. */
async function measureMemory(inst: TrainInstance, ctx: BenchContext, result: GraphCaseResult): Promise<void> {
  const mem = inst.ours.memory;
  result.ours_peak_bytes = mem.plannedPeakBytes;
  result.ours_naive_bytes = mem.naiveBytes;
  result.ours_peak_ratio = round(mem.plannedPeakBytes / mem.naiveBytes);
  result.ours_parameter_bytes = mem.parameterBytes;
  const tf = ctx.tfjs.tf;
  result.tfjs_pool_bytes = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? null;
  // profile() snapshots the engine's live bytes after every kernel; the baseline is parameters, moments
  // and anything else live before the step, so what is left is the step's own high-water mark.
  const baseline = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    await tfjsLoss(inst);
    return [];
  });
  result.tfjs_peak_bytes = info.kernels.length > 0 ? info.peakBytes - baseline : null;
  result.tfjs_kernels = info.kernels.length;
}

/** Fill the GPU-time fields: our per-node profile (top nodes, total) and TF.js's summed kernel time. */
async function measureGpuTime(inst: TrainInstance, ctx: BenchContext, result: GraphCaseResult): Promise<void> {
  if (!ctx.rt.device.features.has('timestamp-query')) return;
  // One profiled step is noisy on a shared CPU: take each node's median over a few.
  const runs: ProfileRow[][] = [];
  for (let i = 0; i < PROFILE_RUNS; i++) runs.push(await inst.ours.profile(inst.feeds));
  const rows = runs[0]!.map((row, i) => ({ ...row, ms: median(runs.map((r) => r[i]!.ms)) }));
  result.ours_gpu_ms = round(rows.reduce((s, r) => s + r.ms, 0));
  result.ours_top_nodes = [...rows]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, TOP_NODES)
    .map((r) => ({ ...r, ms: round(r.ms) }));
  const tf = ctx.tfjs.tf;
  const times: number[] = [];
  for (let i = 0; i < TFJS_GPU_RUNS; i++) {
    let loss: ReturnType<TrainInstance['tfjsStep']> | undefined;
    const info = await tf.time(() => {
      loss = inst.tfjsStep();
    });
    loss?.dispose();
    // kernelMs is `{ error }` when the backend could not time; leave such runs out.
    if (typeof info.kernelMs === 'number') times.push(info.kernelMs);
  }
  if (times.length > 0) result.tfjs_gpu_ms = round(median(times));
}

/** Build, check, time and measure one training case; failures come back as a marked result, never as a throw. */
export async function runGraphCase(tc: TrainCase, ctx: BenchContext, timing: TimingOptions): Promise<GraphCaseResult> {
  const result = emptyResult(tc, timing.repeats);
  let inst: TrainInstance | undefined;
  try {
    inst = await tc.build(ctx);
    const built = inst;
    result.ours_dispatches = built.ours.dispatchCount;
    result.algorithm = `compiled graph, ${built.ours.dispatchCount} dispatches`;
    // Correctness first: a fast step that trains a different model must never show up as a speedup.
    if (!(await checkAgreement(built, ctx, result))) {
      result.check = 'MISMATCH';
      return result;
    }

    // After the first step TF.js's Adam has made its moment variables: from here the count must not move.
    const tf = ctx.tfjs.tf;
    const tensorsBefore = tf.memory().numTensors;
    const runs: Run[] = [
      async () => void (await oursLoss(built)),
      async () => void (await tfjsLoss(built)),
    ];
    const [oursTime, tfjsTime] = (await timeInterleaved(runs, timing)) as [Timing, Timing];
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) throw new Error(`TF.js side leaked ${leaked} tensor(s) over ${oursTime.samplesMs.length} steps`);

    result.repeats = oursTime.samplesMs.length;
    result.ours_ms = round(oursTime.medianMs);
    result.tfjs_ms = round(tfjsTime.medianMs);
    result.ours_min_ms = round(oursTime.minMs);
    result.tfjs_min_ms = round(tfjsTime.minMs);
    result.ours_steps_per_s = round(1000 / oursTime.medianMs, 2);
    result.tfjs_steps_per_s = round(1000 / tfjsTime.medianMs, 2);
    // flops / (ms * 1e6) is GFLOP/s.
    result.ours_gflops = round(tc.flops / (oursTime.medianMs * 1e6), 2);
    result.tfjs_gflops = round(tc.flops / (tfjsTime.medianMs * 1e6), 2);
    result.speedup = round(tfjsTime.medianMs / oursTime.medianMs, 2);

    await measureMemory(built, ctx, result);
    await measureGpuTime(built, ctx, result);
    result.check = 'ok';
    return result;
  } catch (err) {
    result.check = 'ERROR';
    result.error = err instanceof Error ? err.message : String(err);
    return result;
  } finally {
    inst?.release();
  }
}

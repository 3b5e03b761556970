/** Run one case: build it, check ours against TF.js, then time both sides. */
import type { BenchContext, KernelCase } from './case.js';
import { PassTimer } from './gpu-timer.js';
import { MAX_REPEATS, maxRelError, median, oursRun, tfjsGpuMs, tfjsRun, timeInterleaved, type Timing, type TimingOptions } from './harness.js';

/** Norm-wise relative error (see maxRelError) above which a case is a mismatch and is not timed. */
export const TOLERANCE = 1e-3;

/** TF.js GPU-time runs: tf.time() submits each program separately, so keep it to a few runs. */
const TFJS_GPU_RUNS = 3;

/** One row of bench/results/kernels.json. */
export interface CaseResult {
  suite: string;
  op: string;
  shape: string;
  algorithm: string | null;
  metric: 'GFLOP/s' | 'GB/s';
  ours_ms: number | null;
  tfjs_ms: number | null;
  ours_gflops: number | null;
  tfjs_gflops: number | null;
  ours_gbps: number | null;
  tfjs_gbps: number | null;
  /** tfjs_ms / ours_ms: above 1 means ours is faster. */
  speedup: number | null;
  ours_min_ms: number | null;
  tfjs_min_ms: number | null;
  /** Median compute-pass time from timestamp queries, where the device has 'timestamp-query'. */
  ours_gpu_ms: number | null;
  tfjs_gpu_ms: number | null;
  max_rel_err: number | null;
  check: 'ok' | 'MISMATCH' | 'ERROR';
  error?: string;
  repeats: number;
  /** Case-specific figures (see CaseInstance.notes). */
  notes?: Record<string, number>;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** A result with every figure unset and check 'ERROR', filled in as a case gets through its stages. */
export function emptyCaseResult(c: { suite: string; op: string; shape: string }, metric: CaseResult['metric'], repeats: number): CaseResult {
  return {
    suite: c.suite,
    op: c.op,
    shape: c.shape,
    algorithm: null,
    metric,
    ours_ms: null,
    tfjs_ms: null,
    ours_gflops: null,
    tfjs_gflops: null,
    ours_gbps: null,
    tfjs_gbps: null,
    speedup: null,
    ours_min_ms: null,
    tfjs_min_ms: null,
    ours_gpu_ms: null,
    tfjs_gpu_ms: null,
    max_rel_err: null,
    check: 'ERROR',
    repeats,
  };
}

/** Build, verify and time one case; failures come back as a marked result, never as a throw. */
export async function runCase(kc: KernelCase, ctx: BenchContext, timing: TimingOptions): Promise<CaseResult> {
  const result = emptyCaseResult(kc, kc.metric, timing.repeats);
  const device = ctx.rt.device;
  let instance: Awaited<ReturnType<KernelCase['build']>> | undefined;
  let timer: PassTimer | undefined;
  try {
    instance = await kc.build(ctx);
    result.algorithm = instance.algorithm ?? null;
    if (instance.notes) result.notes = instance.notes;

    // Correctness first: a fast wrong kernel must never show up as a speedup.
    device.pushErrorScope('validation');
    await oursRun(device, instance.ours.dispatches)(-1);
    const validation = await device.popErrorScope();
    if (validation) throw new Error(`WebGPU validation error in our kernel: ${validation.message}`);
    const ours = await ctx.rt.read(instance.ours.output);
    const refTensor = ctx.tfjs.tf.tidy(instance.tfjsCheck ?? instance.tfjs);
    const ref = await refTensor.data();
    refTensor.dispose();
    // All-zero outputs on both sides would compare equal while proving nothing (e.g. inputs never uploaded).
    if (!ref.some((v) => v !== 0)) throw new Error('the TF.js reference output is all zeros; the comparison would prove nothing');
    const err = maxRelError(ours, ref as Float32Array);
    result.max_rel_err = Number(err.toPrecision(3));
    if (!(err <= TOLERANCE)) {
      result.check = 'MISMATCH';
      return result;
    }

    if (device.features.has('timestamp-query')) timer = new PassTimer(device, MAX_REPEATS);
    const [oursTime, tfjsTime] = (await timeInterleaved(
      [oursRun(device, instance.ours.dispatches, timer), tfjsRun(ctx.tfjs, instance.tfjs)],
      timing,
    )) as [Timing, Timing];
    result.repeats = oursTime.samplesMs.length;
    if (timer) result.ours_gpu_ms = round(median(await timer.readMs(result.repeats)));
    const tfjsGpu = await tfjsGpuMs(ctx.tfjs, instance.tfjs, Math.min(TFJS_GPU_RUNS, timing.repeats));
    if (tfjsGpu.length > 0) result.tfjs_gpu_ms = round(median(tfjsGpu));

    result.ours_ms = round(oursTime.medianMs);
    result.tfjs_ms = round(tfjsTime.medianMs);
    result.ours_min_ms = round(oursTime.minMs);
    result.tfjs_min_ms = round(tfjsTime.minMs);
    // work is FLOPs or bytes per run; work / (ms * 1e6) is G(FLOP|B)/s.
    const oursRate = round(kc.work / (oursTime.medianMs * 1e6), 2);
    const tfjsRate = round(kc.work / (tfjsTime.medianMs * 1e6), 2);
    if (kc.metric === 'GFLOP/s') {
      result.ours_gflops = oursRate;
      result.tfjs_gflops = tfjsRate;
    } else {
      result.ours_gbps = oursRate;
      result.tfjs_gbps = tfjsRate;
    }
    result.speedup = round(tfjsTime.medianMs / oursTime.medianMs, 2);
    result.check = 'ok';
    return result;
  } catch (err) {
    result.check = 'ERROR';
    result.error = err instanceof Error ? err.message : String(err);
    return result;
  } finally {
    instance?.release();
    timer?.destroy();
  }
}

/**
 * Does a model's training step fit the device? Plans it (allocating nothing) against the device's binding
 * and buffer limits and a memory budget; when it does not fit, finds the largest batch, and the largest
 * resolution, that would, by planning smaller sizes, so the error can say what to run instead.
 */
import { BindingLimitError, MemoryBudgetError } from '../errors.js';
import { planCompile, type MemoryReport } from '../graph/executor.js';
import type { LangSegConfig } from './config.js';
import { buildLangSeg } from './langseg.js';
import type { LangSegModel } from './model.js';

/** The training step of `model` at this batch and image size, planned; throws as compile would. */
function planTraining(model: LangSegModel, batch: number, imageSize: [number, number], memoryBudget?: number): MemoryReport {
  const config: LangSegConfig = { ...model.config, imageSize };
  const built = buildLangSeg(config, {
    batch,
    descriptors: model.descriptors,
    tokenizer: model.tokenizer,
    training: true,
    frozenEmbeddings: model.frozenEmbeddings ?? undefined,
  });
  const losses = built.losses!;
  const outputs = [losses.total, losses.seg, losses.gen, losses.triplet, losses.ms].filter((t) => t !== undefined);
  return planCompile(model.rt, built.graph, { loss: losses.total, optimizer: { kind: 'adamw', lr: 1e-3 }, outputs, parameters: model.parameters, memoryBudget });
}

const doesNotFit = (e: unknown) => e instanceof BindingLimitError || e instanceof MemoryBudgetError;

function fitsAt(model: LangSegModel, batch: number, imageSize: [number, number], memoryBudget?: number): boolean {
  try {
    planTraining(model, batch, imageSize, memoryBudget);
    return true;
  } catch (e) {
    if (doesNotFit(e)) return false;
    throw e;
  }
}

/** The largest n in [1, hi] with fits(n), for a monotone fits; 0 when none. */
function largest(hi: number, fits: (n: number) => boolean): number {
  let [lo, best] = [1, 0];
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) [best, lo] = [mid, mid + 1];
    else hi = mid - 1;
  }
  return best;
}

export interface FitAdvice {
  /** The largest batch that fits at the model's resolution (0: none). */
  batch: number;
  /** The largest resolution (multiples of 32, same aspect) that fits at the asked batch, or null. */
  imageSize: [number, number] | null;
}

/** The largest batch at the model's resolution and the largest resolution at `batch` whose training step fits. */
export function adviseFit(model: LangSegModel, batch: number, memoryBudget?: number): FitAdvice {
  const [h, w] = model.config.imageSize;
  const scaled = (k: number): [number, number] => [32 * Math.max(1, Math.round((k * h) / Math.max(h, w))), 32 * Math.max(1, Math.round((k * w) / Math.max(h, w)))];
  const steps = Math.max(h, w) / 32; // scaled(steps) is the model's own size
  const bestBatch = largest(batch - 1, (b) => fitsAt(model, b, [h, w], memoryBudget));
  // Sizes are tried from the largest down, not bisected: memory is not monotone in resolution, because
  // kernels are chosen by map size (convs on maps narrower than 64 unfold, which takes more memory).
  let bestSide = 0;
  for (let k = steps - 1; k >= 1 && bestSide === 0; k--) if (fitsAt(model, batch, scaled(k), memoryBudget)) bestSide = k;
  return { batch: bestBatch, imageSize: bestSide > 0 ? scaled(bestSide) : null };
}

/**
 * Throws (BindingLimitError or MemoryBudgetError, as compile would) when the training step of `model` at
 * `batch` does not fit the device or `memoryBudget` bytes, naming the tensor and adding the batch and the
 * resolution that would fit. Returns the plan's memory report when it fits.
 */
export function assertTrainingFits(model: LangSegModel, batch: number, memoryBudget?: number): MemoryReport {
  try {
    return planTraining(model, batch, model.config.imageSize, memoryBudget);
  } catch (e) {
    if (!doesNotFit(e)) throw e;
    const advice = adviseFit(model, batch, memoryBudget);
    const [h, w] = model.config.imageSize;
    const ways = [
      advice.batch > 0 ? `batch ${advice.batch} at ${h}x${w} (--batch ${advice.batch})` : '',
      advice.imageSize ? `batch ${batch} at ${advice.imageSize.join('x')} (--size ${Math.max(...advice.imageSize)})` : '',
    ].filter((s) => s !== '');
    const hint = ways.length > 0 ? `. What fits: ${ways.join(', or ')}` : `. Not even batch 1 at 32x32 fits: the parameters alone are too large for this device or budget; use a smaller model`;
    const Kind = e instanceof BindingLimitError ? BindingLimitError : MemoryBudgetError;
    const error = new Kind(`${(e as Error).message}${hint}`);
    error.cause = e;
    throw error;
  }
}

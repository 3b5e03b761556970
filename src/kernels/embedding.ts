/**
 * Embedding bag (torch.nn.functional.embedding_bag with 'sum' or 'mean'): out[t] = combine of weight[ids[j]]
 * for j in bag t = [offsets[t], offsets[t+1]). Both directions are the segment gather-sum kernel
 * (segment-sum.ts): the forward over the bags, the weight gradient over the transposed index (for each
 * vocabulary row, the bags that use it), built on the CPU when the plan is made. So the backward needs
 * no float atomics and is deterministic: each gradient row is summed by its own invocations in a fixed order.
 *
 * The bags are static data (token ids known when the graph is built), passed as attrs and uploaded once
 * as plan constants.
 */
import { ShapeError } from '../errors.js';
import { runPlan, type KernelPlan } from './launch.js';
import type { HostTensor } from './reference.js';
import type { KernelRuntime } from './runtime.js';
import { segmentSumPlan, type SegmentIndex } from './segment-sum.js';
import { formatShape, type Shape } from './shape.js';
import { expectDType, type Tensor } from './tensor.js';

export type BagMode = 'sum' | 'mean';

export interface EmbeddingBags {
  /** T + 1 non-decreasing offsets into ids: bag t is ids[offsets[t] .. offsets[t+1]-1]; offsets[0] = 0. */
  offsets: ArrayLike<number>;
  /** Row indices into the weight, each < V. */
  ids: ArrayLike<number>;
  /** 'mean' (the default) divides each bag by its size; an empty bag gives a zero row either way. */
  mode?: BagMode;
}

function bagMode(op: string, mode: unknown): BagMode {
  if (mode === undefined) return 'mean';
  if (mode === 'sum' || mode === 'mean') return mode;
  throw new ShapeError(`${op}: mode must be 'sum' or 'mean', got ${JSON.stringify(mode)}`);
}

/** Throw a ShapeError naming the first thing wrong with the bags for a vocabulary of V rows. */
function validateBags(op: string, bags: EmbeddingBags, vocab: number): void {
  const { offsets, ids } = bags;
  if (offsets.length < 1) throw new ShapeError(`${op}: offsets must have T + 1 >= 1 entries (start with 0), got none`);
  if (offsets[0] !== 0) throw new ShapeError(`${op}: offsets[0] must be 0, got ${offsets[0]}`);
  for (let t = 1; t < offsets.length; t++) {
    const o = offsets[t]!;
    if (!Number.isInteger(o) || o < offsets[t - 1]!) {
      throw new ShapeError(`${op}: offsets must be non-decreasing integers, but offsets[${t}] = ${o} after offsets[${t - 1}] = ${offsets[t - 1]}`);
    }
  }
  const last = offsets[offsets.length - 1]!;
  if (last !== ids.length) {
    throw new ShapeError(`${op}: the last offset (${last}) must equal the number of ids (${ids.length}); offsets has T + 1 entries for T bags`);
  }
  for (let j = 0; j < ids.length; j++) {
    const id = ids[j]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new ShapeError(`${op}: ids[${j}] = ${id} is not a row of the weight (vocabulary of ${vocab} rows: 0 to ${vocab - 1})`);
    }
  }
}

/** Weight of each entry: 1, or 1 / (size of its bag) for 'mean'. */
function entryScales(bags: EmbeddingBags, mode: BagMode): Float32Array<ArrayBuffer> {
  const scale = new Float32Array(bags.ids.length).fill(1);
  if (mode === 'mean') {
    for (let t = 0; t + 1 < bags.offsets.length; t++) {
      const [lo, hi] = [bags.offsets[t]!, bags.offsets[t + 1]!];
      scale.fill(1 / (hi - lo), lo, hi);
    }
  }
  return scale;
}

/** The forward index: one row per bag, entries in the bag's order. */
function bagIndex(bags: EmbeddingBags, mode: BagMode): SegmentIndex {
  return { rowPtr: Uint32Array.from(bags.offsets), col: Uint32Array.from(bags.ids), scale: entryScales(bags, mode) };
}

/**
 * The transposed index: one row per vocabulary entry v, listing (bag t, scale) for every use of v, in
 * increasing position in ids (a stable counting sort), so the gradient's summation order is fixed.
 */
function transposedIndex(bags: EmbeddingBags, mode: BagMode, vocab: number): SegmentIndex {
  const { offsets, ids } = bags;
  const scales = entryScales(bags, mode);
  const rowPtr = new Uint32Array(vocab + 1);
  for (let j = 0; j < ids.length; j++) rowPtr[ids[j]! + 1]!++;
  for (let v = 0; v < vocab; v++) rowPtr[v + 1]! += rowPtr[v]!;
  const next = rowPtr.slice(0, vocab);
  const col = new Uint32Array(ids.length);
  const scale = new Float32Array(ids.length);
  for (let t = 0; t + 1 < offsets.length; t++) {
    for (let j = offsets[t]!; j < offsets[t + 1]!; j++) {
      const at = next[ids[j]!]!++;
      col[at] = t;
      scale[at] = scales[j]!;
    }
  }
  return { rowPtr, col, scale };
}

interface CachedIndex {
  offsets: ArrayLike<number>;
  key: string;
  index: SegmentIndex;
}

// Plans are built more than once per node (shape inference, compile, eager runs), and the transposed
// index costs O(ids + V): keep the last index built per ids array. Attrs are treated as immutable.
const cache = new WeakMap<object, CachedIndex[]>();

function memoised(bags: EmbeddingBags, key: string, build: () => SegmentIndex): SegmentIndex {
  const entries = typeof bags.ids === 'object' ? (cache.get(bags.ids) ?? []) : [];
  const hit = entries.find((e) => e.offsets === bags.offsets && e.key === key);
  if (hit) return hit.index;
  const index = build();
  if (typeof bags.ids === 'object') {
    // Forward and backward of one node share an ids array: a couple of entries is all a node needs.
    cache.set(bags.ids, [{ offsets: bags.offsets, key, index }, ...entries].slice(0, 4));
  }
  return index;
}

function expectWeight(op: string, weight: Shape): [number, number] {
  if (weight.length !== 2) throw new ShapeError(`${op}: weight must be 2-D [V, D], got ${formatShape(weight)}`);
  return [weight[0]!, weight[1]!];
}

/** The kernel plan of embedding_bag(weight [V, D]) -> [T, D]. */
export function embeddingBagPlan(weight: Shape, bags: EmbeddingBags): KernelPlan {
  const op = 'embedding_bag';
  const [vocab] = expectWeight(op, weight);
  const mode = bagMode(op, bags.mode);
  const index = memoised(bags, `forward:${mode}:${vocab}`, () => {
    validateBags(op, bags, vocab);
    return bagIndex(bags, mode);
  });
  return segmentSumPlan(op, weight, index);
}

/** The kernel plan of the weight gradient: dy [T, D] -> dweight [V, D], rows no bag uses are zero. */
export function embeddingBagBackwardPlan(dy: Shape, bags: EmbeddingBags, vocab: number): KernelPlan {
  const op = 'embedding_bag_backward';
  if (!Number.isInteger(vocab) || vocab < 0) throw new ShapeError(`${op}: vocab must be a non-negative integer (the weight's row count), got ${vocab}`);
  const mode = bagMode(op, bags.mode);
  const bagCount = bags.offsets.length - 1;
  if (dy.length !== 2 || dy[0] !== bagCount) {
    throw new ShapeError(`${op}: dy must be [T, D] with T = ${bagCount} bags (offsets has ${bags.offsets.length} entries), got ${formatShape(dy)}`);
  }
  const index = memoised(bags, `backward:${mode}:${vocab}`, () => {
    validateBags(op, bags, vocab);
    return transposedIndex(bags, mode, vocab);
  });
  return segmentSumPlan(op, dy, index);
}

/** embedding_bag on the GPU: weight [V, D] -> [T, D]. */
export async function embeddingBag(rt: KernelRuntime, weight: Tensor, bags: EmbeddingBags): Promise<Tensor> {
  expectDType('embedding_bag', weight, ['f32']);
  return runPlan(rt, embeddingBagPlan(weight.shape, bags), [weight], `embedding_bag(${weight.name})`);
}

/** The weight gradient of embedding_bag on the GPU: dy [T, D] -> [vocab, D]. */
export async function embeddingBagBackward(rt: KernelRuntime, dy: Tensor, bags: EmbeddingBags, vocab: number): Promise<Tensor> {
  expectDType('embedding_bag_backward', dy, ['f32']);
  return runPlan(rt, embeddingBagBackwardPlan(dy.shape, bags, vocab), [dy], `embedding_bag_backward(${dy.name})`);
}

/** CPU reference of embeddingBag() (float64), straight from the definition. */
export function embeddingBagReference(weight: HostTensor, bags: EmbeddingBags): HostTensor {
  const [vocab, d] = expectWeight('embedding_bag', weight.shape);
  validateBags('embedding_bag', bags, vocab);
  const mode = bagMode('embedding_bag', bags.mode);
  const bagCount = bags.offsets.length - 1;
  const data = new Float64Array(bagCount * d);
  for (let t = 0; t < bagCount; t++) {
    const [lo, hi] = [bags.offsets[t]!, bags.offsets[t + 1]!];
    const s = mode === 'mean' ? 1 / (hi - lo) : 1;
    for (let j = lo; j < hi; j++) {
      for (let c = 0; c < d; c++) data[t * d + c]! += s * weight.data[bags.ids[j]! * d + c]!;
    }
  }
  return { shape: [bagCount, d], data };
}

/** CPU reference of embeddingBagBackward() (float64): scatter-add of dy into the used rows. */
export function embeddingBagBackwardReference(dy: HostTensor, bags: EmbeddingBags, vocab: number): HostTensor {
  validateBags('embedding_bag_backward', bags, vocab);
  const mode = bagMode('embedding_bag_backward', bags.mode);
  const d = dy.shape[1]!;
  const data = new Float64Array(vocab * d);
  for (let t = 0; t + 1 < bags.offsets.length; t++) {
    const [lo, hi] = [bags.offsets[t]!, bags.offsets[t + 1]!];
    const s = mode === 'mean' ? 1 / (hi - lo) : 1;
    for (let j = lo; j < hi; j++) {
      for (let c = 0; c < d; c++) data[bags.ids[j]! * d + c]! += s * dy.data[t * d + c]!;
    }
  }
  return { shape: [vocab, d], data };
}

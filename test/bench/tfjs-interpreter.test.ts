/**
 * The TF.js interpreter of the `train` benchmark (bench/graph/tfjs-interpreter.ts) on TF.js's CPU backend:
 * the layout helpers, each op rule's forward against our float64 reference, TF.js gradients (through the
 * ported gradient functions) against our autodiff evaluated by the references, and the whole LangSeg
 * model's losses. Skipped when @tensorflow/tfjs-backend-cpu is not installed (no dependency is added for it).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GradConfig, Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { ensureLangSegGradients, langSegGradConfigs } from '../../bench/graph/tfjs-gradients-langseg.js';
import { interpretGraph } from '../../bench/graph/tfjs-interpreter.js';
import { logicalShape, materialize, permuteHost, reshapeView, toPerm, type LayoutStats } from '../../bench/graph/tfjs-layout.js';
import { BENCH_CLASSES, benchBatch } from '../../bench/graph/langseg-data.js';
import type { Tf } from '../../bench/tfjs.js';
import { TOY_CLASSES } from '../../src/data/toy-scenes.js';
import { flattenDescriptors, type DescriptorSet } from '../../src/descriptors/descriptor-set.js';
import { Tokenizer } from '../../src/descriptors/tokenizer.js';
import { backward } from '../../src/graph/autodiff.js';
import { Graph, type SymbolicTensor } from '../../src/graph/graph.js';
import { getOp } from '../../src/graph/ops/index.js';
import { attentionBackwardReference } from '../../src/kernels/attention/reference.js';
import { host, type HostTensor } from '../../src/kernels/reference.js';
import { initialize } from '../../src/graph/init.js';
import { resolveConfig } from '../../src/model/config.js';
import { buildLangSeg } from '../../src/model/langseg.js';
import { randomValues } from '../helpers/random.js';
import { evaluateReference } from '../helpers/reference-graph.js';

const require = createRequire(import.meta.url);
const hasCpuBackend = (() => {
  try {
    require.resolve('@tensorflow/tfjs-backend-cpu');
    return true;
  } catch {
    return false;
  }
})();

let tf: Tf;
beforeAll(async () => {
  if (!hasCpuBackend) return;
  tf = require('@tensorflow/tfjs-core') as Tf;
  require('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  ensureLangSegGradients(tf);
});

const maxAbs = (xs: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]!));
  return m;
};

/** max |a - b| / max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    ref = Math.max(ref, Math.abs(b[i]!));
  }
  return diff / Math.max(ref, 1e-30);
}

/** Random values for every input and parameter of `g` (labels-like inputs can be given). */
function valuesFor(g: Graph, given: Record<string, Float32Array> = {}, seed = 1): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = { ...given };
  g.tensors.forEach((t, i) => {
    if ((t.kind === 'input' || t.kind === 'param') && !values[t.name]) values[t.name] = randomValues(t.size, seed + 31 * i, -1, 1);
  });
  return values;
}

/** Inputs of the graph's 'input' tensors only. */
const inputsOf = (g: Graph, values: Record<string, Float32Array>) =>
  Object.fromEntries(g.tensors.filter((t) => t.kind === 'input').map((t) => [t.name, values[t.name]!]));

/** Forward through the interpreter (params from `values`) vs the float64 reference. */
function checkForward(g: Graph, target: SymbolicTensor, values: Record<string, Float32Array>, tol = 1e-4): void {
  const model = interpretGraph(tf, g, [target], values);
  try {
    const feeds = model.layoutFeeds(inputsOf(g, values));
    const out = tf.tidy(() => model.run(feeds)[0]!);
    expect(out.shape).toEqual(target.shape);
    const ours = out.dataSync();
    out.dispose();
    const ref = evaluateReference(g, values, [target])[0]!.data;
    expect(relErr(ours, ref), `${target.node?.op}: TF.js vs reference`).toBeLessThan(tol);
  } finally {
    model.dispose();
  }
}

/**
 * d sum(y * R) / d param for every parameter: our autodiff evaluated by the references, or central
 * finite differences of the float64 reference where the backward op's result is an auxiliary output
 * (attention's dK and dV, which references do not give).
 */
function expectedGradients(g: Graph, loss: SymbolicTensor, params: SymbolicTensor[], values: Record<string, Float32Array>, numeric: boolean): ArrayLike<number>[] {
  if (!numeric) {
    const grads = backward(g, loss, params);
    return evaluateReference(g, values, params.map((p) => grads.get(p)!)).map((h) => h.data);
  }
  const lossAt = (v: Record<string, ArrayLike<number>>) => evaluateReference(g, v, [loss])[0]!.data[0]!;
  const h = 1e-4;
  return params.map((p) => {
    const base = Float64Array.from(values[p.name]!);
    return Array.from(base, (x, j) => {
      const at = (d: number) => {
        const shifted = base.slice();
        shifted[j] = x + d;
        return lossAt({ ...values, [p.name]: shifted });
      };
      return (at(h) - at(-h)) / (2 * h);
    });
  });
}

/** TF.js gradients (tf.variableGrads through the ported gradient functions) of sum(y * R) vs ours. */
function checkGradients(g: Graph, y: SymbolicTensor, values: Record<string, Float32Array>, options: { numeric?: boolean } = {}, tol = 1e-3): void {
  const r = g.constant(randomValues(y.size, 77, -1, 1), y.shape, 'r');
  const loss = g.sum(g.mul(y, r));
  const params = g.tensors.filter((t) => t.kind === 'param');
  const expected = expectedGradients(g, loss, params, values, !!options.numeric);
  const model = interpretGraph(tf, g, [loss], values);
  try {
    const feeds = model.layoutFeeds(inputsOf(g, values));
    const { grads: tfGrads } = tf.variableGrads(() => tf.reshape(model.run(feeds)[0]!, []) as ReturnType<Tf['scalar']>, model.variables);
    for (const [i, p] of params.entries()) {
      const entry = model.parameters.find((e) => e.name === p.name)!;
      // Back from the variable's storage order to our logical order.
      const logical = tf.tidy(() => materialize(tf, { t: tfGrads[entry.variable.name]!, perm: entry.perm }));
      expect(relErr(logical.dataSync(), expected[i]!), `${y.node?.op}: d/d ${p.name}`).toBeLessThan(tol);
      logical.dispose();
    }
    for (const t of Object.values(tfGrads)) t.dispose();
  } finally {
    model.dispose();
  }
}

describe.skipIf(!hasCpuBackend)('TF.js layouts', () => {
  it('permuteHost and toPerm agree; moving size-1 axes is a reshape, not a transpose', () => {
    const data = randomValues(2 * 3 * 4 * 5, 3);
    const x = tf.tensor(data, [2, 3, 4, 5]);
    const stats: LayoutStats = { transposes: 0 };
    const nhwc = toPerm(tf, { t: x, perm: [0, 1, 2, 3] }, [0, 2, 3, 1], stats);
    expect(Array.from(nhwc.dataSync())).toEqual(Array.from(permuteHost(data, [2, 3, 4, 5], [0, 2, 3, 1])));
    expect(stats.transposes).toBe(1);
    const ones = tf.zeros([2, 1, 4, 1]);
    toPerm(tf, { t: ones, perm: [0, 1, 2, 3] }, [0, 2, 3, 1], stats);
    expect(stats.transposes).toBe(1);
    tf.dispose([x, nhwc, ones]);
  });

  it('reshapeView merges and splits axes adjacent in storage without moving data, and refuses the rest', () => {
    const data = randomValues(2 * 3 * 4 * 5, 4);
    // Logical [2, 3, 4, 5] stored NHWC [2, 4, 5, 3].
    const x = { t: tf.tensor(permuteHost(data, [2, 3, 4, 5], [0, 2, 3, 1]), [2, 4, 5, 3]), perm: [0, 2, 3, 1] };
    const merged = reshapeView(tf, x, [2, 3, 20])!;
    expect(merged.perm).toEqual([0, 2, 1]);
    expect(logicalShape(merged)).toEqual([2, 3, 20]);
    expect(Array.from(materialize(tf, merged).dataSync())).toEqual(Array.from(data));
    expect(reshapeView(tf, x, [6, 20])).toBeNull();
    const back = reshapeView(tf, merged, [2, 3, 4, 5])!;
    expect(back.perm).toEqual([0, 2, 3, 1]);
    tf.dispose([x.t, merged.t, back.t]);
  });
});

describe.skipIf(!hasCpuBackend)('TF.js interpreter: op rules against the float64 references', () => {
  const cases: [string, (g: Graph) => SymbolicTensor][] = [
    ['conv2d 3x3 s2 p1 + bias', (g) => g.apply('conv2d', [g.input('x', [2, 3, 9, 9]), g.param('w', [4, 3, 3, 3]), g.param('b', [4])], { stride: 2, padding: 1 })],
    ['conv2d 1x1 relu', (g) => g.apply('conv2d', [g.input('x', [1, 4, 6, 6]), g.param('w', [8, 4, 1, 1])], { activation: 'relu' })],
    ['group_norm', (g) => g.apply('group_norm', [g.input('x', [2, 8, 5, 5]), g.param('w', [8]), g.param('b', [8])], { groups: 4 })],
    ['group_norm after a transpose (NCHW path)', (g) => g.apply('group_norm', [g.transpose(g.input('x', [2, 5, 5, 8]), [0, 3, 1, 2]), g.param('w', [8]), g.param('b', [8])], { groups: 2 })],
    ['layer_norm', (g) => g.apply('layer_norm', [g.input('x', [3, 4, 16]), g.param('w', [16]), g.param('b', [16])], { eps: 1e-5 })],
    ['resize_bilinear x2', (g) => g.apply('resize_bilinear', [g.input('x', [1, 3, 4, 5])], { size: [8, 10] })],
    ['pyramid_fuse', (g) => g.apply('pyramid_fuse', [g.input('a', [1, 4, 8, 8]), g.input('b', [1, 4, 4, 4]), g.input('c', [1, 4, 2, 2])], { size: [8, 8] })],
    ['matmul transB + bias', (g) => g.linear(g.input('x', [6, 5]), g.param('w', [7, 5]), g.param('b', [7]))],
    ['matmul 2-D @ batched, folded', (g) => g.matmul(g.param('d', [6, 8]), g.reshape(g.input('x', [2, 8, 3, 4]), [2, 8, 12]))],
    ['matmul 2-D @ batched, broadcast', (g) => g.matmul(g.param('d', [6, 8]), g.input('x', [2, 8, 12]))],
    ['attention with a key mask', (g) => g.attention(g.input('q', [2, 5, 2, 4]), g.input('k', [2, 3, 2, 4]), g.input('v', [2, 3, 2, 4]), { mask: g.constant([1, 1, 0, 1, 0, 0], [2, 3]) })],
    ['softmax / log_softmax over a transposed tensor', (g) => g.logSoftmax(g.softmax(g.transpose(g.input('x', [3, 4, 5]), [0, 2, 1])))],
    ['reductions', (g) => g.add(g.sum(g.input('x', [2, 3, 4]), [1]), g.max(g.mean(g.input('y', [2, 3, 4]), [0], true), [1]))],
    ['gelu, rsqrt, scale, maximum', (g) => g.binary('maximum', g.scale(g.gelu(g.input('x', [4, 6])), 3), g.unary('rsqrt', g.add(g.square(g.input('y', [4, 6])), g.fill(1, [1]))))],
    ['broadcast_to', (g) => g.broadcastTo(g.reshape(g.input('x', [3, 4]), [1, 3, 4]), [2, 3, 4])],
    ['embedding_bag mean (ragged) and sum (one id each)', (g) => {
      const w = g.param('w', [10, 4]);
      const mean = g.apply('embedding_bag', [w], { offsets: [0, 2, 2, 5], ids: [1, 3, 0, 9, 9], mode: 'mean' });
      return g.add(mean, g.apply('embedding_bag', [w], { offsets: [0, 1, 2, 3], ids: [7, 2, 7], mode: 'sum' }));
    }],
    ['group_logsumexp, equal groups', (g) => g.apply('group_logsumexp', [g.input('x', [2, 6, 3, 3])], { groups: [0, 2, 4, 6], axis: 1 })],
    ['group_logsumexp, ragged groups', (g) => g.apply('group_logsumexp', [g.input('x', [2, 6, 3, 3])], { groups: [0, 1, 4, 6], axis: 1 })],
  ];
  for (const [name, build] of cases) {
    it(name, () => {
      const g = new Graph();
      const y = build(g);
      checkForward(g, y, valuesFor(g));
    });
  }

  it('cross_entropy and group_mask with ignored labels', () => {
    const g = new Graph();
    const labels = g.input('labels', [2, 4, 4]);
    const ce = g.apply('cross_entropy', [g.input('logits', [2, 3, 4, 4]), labels], { ignore: 255 });
    const mask = g.apply('group_mask', [g.reshape(labels, [32])], { groups: [0, 2, 3, 5], ignore: 255 });
    const y = g.add(ce, g.sum(g.mul(mask, g.input('m', [32, 5]))));
    const ids = Float32Array.from({ length: 32 }, (_, i) => (i % 7 === 0 ? 255 : i % 3));
    checkForward(g, y, valuesFor(g, { labels: ids }));
  });
});

describe.skipIf(!hasCpuBackend)('TF.js interpreter: gradients (ported tfjs-core gradients) against our autodiff', () => {
  const cases: [string, (g: Graph) => SymbolicTensor, { numeric?: boolean }?][] = [
    ['conv2d + group_norm + relu', (g) => g.relu(g.apply('group_norm', [g.apply('conv2d', [g.param('x', [2, 3, 7, 7]), g.param('w', [8, 3, 3, 3])], { stride: 2, padding: 1 }), g.param('gw', [8]), g.param('gb', [8])], { groups: 4 }))],
    ['linear + gelu + layer_norm', (g) => g.apply('layer_norm', [g.gelu(g.linear(g.param('x', [5, 6]), g.param('w', [8, 6]), g.param('b', [8]))), g.param('lw', [8]), g.param('lb', [8])], {})],
    ['attention with a mask', (g) => g.attention(g.param('q', [2, 3, 2, 4]), g.param('k', [2, 4, 2, 4]), g.param('v', [2, 4, 2, 4]), { mask: g.constant([1, 0, 1, 1, 1, 1, 0, 0], [2, 4]) }), { numeric: true }],
    ['descriptor head: l2n, folded matmul, group_logsumexp', (g) => {
      const pix = g.reshape(g.apply('conv2d', [g.param('x', [2, 3, 4, 4]), g.param('w', [6, 3, 1, 1])], {}), [2, 6, 16]);
      const norm = g.mul(pix, g.unary('rsqrt', g.add(g.sum(g.square(pix), [1], true), g.fill(1e-6, [1]))));
      const scores = g.reshape(g.matmul(g.param('d', [4, 6]), norm), [2, 4, 4, 4]);
      return g.apply('group_logsumexp', [scores], { groups: [0, 1, 4], axis: 1 });
    }],
    ['embedding_bag + transpose + reshape + broadcast_to', (g) => {
      const bags = g.apply('embedding_bag', [g.param('w', [9, 4])], { offsets: [0, 3, 4, 6], ids: [1, 2, 2, 8, 0, 5], mode: 'mean' });
      return g.broadcastTo(g.reshape(g.transpose(bags, [1, 0]), [1, 4, 3]), [2, 4, 3]);
    }],
    ['reduce_max, maximum, div', (g) => g.div(g.max(g.param('x', [4, 5]), [1]), g.binary('maximum', g.param('y', [4]), g.fill(0.5, [1])))],
  ];
  for (const [name, build, options] of cases) {
    it(name, () => {
      const g = new Graph();
      const y = build(g);
      checkGradients(g, y, valuesFor(g, {}, 5), options);
    });
  }

  it('cross_entropy with ignored labels', () => {
    const g = new Graph();
    const y = g.apply('cross_entropy', [g.param('logits', [2, 4, 3, 3]), g.input('labels', [2, 3, 3])], { ignore: 255 });
    checkGradients(g, y, valuesFor(g, { labels: Float32Array.from({ length: 18 }, (_, i) => (i % 5 === 0 ? 255 : i % 4)) }));
  });
});

/**
 * evaluateReference (test/helpers/reference-graph.ts) that also gives attention_backward's auxiliary
 * outputs dK and dV, so our autodiff of a whole model with attention can be evaluated on the CPU.
 */
function evaluateWithAttention(graph: Graph, values: Record<string, ArrayLike<number>>, targets: SymbolicTensor[]): HostTensor[] {
  const known = new Map<SymbolicTensor, HostTensor>();
  const valueOf = (t: SymbolicTensor): HostTensor => {
    const cached = known.get(t);
    if (cached) return cached;
    const node = t.node;
    if (!node) return host(t.shape, t.kind === 'constant' ? graph.constants.get(t)! : values[t.name]!);
    if (node.op === 'attention_backward') {
      const [q, k, v, , , dout, mask] = node.inputs;
      const scale = (node.attrs.scale as number | undefined) ?? 1 / Math.sqrt(q!.shape[3]!);
      const r = attentionBackwardReference(valueOf(q!), valueOf(k!), valueOf(v!), valueOf(dout!), mask ? valueOf(mask) : null, scale);
      [[node.output, r.dq], [node.aux[0]!, r.dk], [node.aux[1]!, r.dv]].forEach(([s, h]) => known.set(s as SymbolicTensor, h as HostTensor));
      return known.get(t)!;
    }
    const out = getOp(node.op).reference(node.inputs.map(valueOf), node.attrs);
    known.set(t, out);
    return out;
  };
  return targets.map(valueOf);
}

/**
 * A ResizeBilinear gradient that honours halfPixelCenters (PyTorch's align_corners=False adjoint), as dense
 * interpolation matrices along H and W. Test-only: it shows that TF.js's ResizeBilinearGrad kernel, which
 * ignores halfPixelCenters, is the one difference between TF.js's gradients of the model and ours.
 */
function halfPixelResizeGradient(): GradConfig {
  const weights = (outN: number, inN: number) => {
    const m = new Float32Array(outN * inN);
    for (let o = 0; o < outN; o++) {
      const src = Math.max((o + 0.5) * (inN / outN) - 0.5, 0);
      const lo = Math.floor(src);
      m[o * inN + lo]! += 1 - (src - lo);
      m[o * inN + Math.min(lo + 1, inN - 1)]! += src - lo;
    }
    return tf.tensor2d(m, [outN, inN]);
  };
  return {
    kernelName: 'ResizeBilinear',
    inputsToSave: ['images'],
    gradFunc: (dy, [x]) => ({
      images: () => {
        const [n, hIn, wIn, c] = x!.shape as number[];
        const [, h, w] = (dy as TfTensor).shape;
        const alongW = tf.matMul(tf.reshape(tf.transpose(dy as TfTensor, [0, 3, 1, 2]), [-1, w!]), weights(w!, wIn!));
        const alongH = tf.matMul(tf.reshape(tf.transpose(tf.reshape(alongW, [n!, c!, h!, wIn!]), [0, 1, 3, 2]), [-1, h!]), weights(h!, hIn!));
        return tf.transpose(tf.reshape(alongH, [n!, c!, wIn!, hIn!]), [0, 3, 2, 1]);
      },
    }),
  };
}

describe.skipIf(!hasCpuBackend)('TF.js interpreter: the whole LangSeg model', () => {
  /**
   * The tiny model at size x size with its initial weights, its batch, and its loss terms. Few hash buckets and slots:
   * TF.js's CPU UnsortedSegmentSum makes a pass over all rows per segment, so the preset's vocabulary
   * and 12 token slots would cost minutes here (the benchmark runs the preset on the GPU).
   */
  function tinyModel(descriptors: DescriptorSet, batch: number, size = 64) {
    const cfg = resolveConfig('tiny', { imageSize: [size, size], text: { buckets: 32, maxTokens: 4 } });
    const tokenizer = Tokenizer.fromTexts([...descriptors.classes, ...flattenDescriptors(descriptors).texts], { buckets: cfg.text.buckets, maxTokens: cfg.text.maxTokens });
    const built = buildLangSeg(cfg, { batch, descriptors, tokenizer, training: true });
    const values: Record<string, Float32Array> = {};
    for (const [p, info] of built.graph.params) {
      values[p.name] = new Float32Array(p.size);
      initialize(values[p.name]!, p.shape, info.init, 9, p.name);
    }
    const { images, labels } = benchBatch(batch, size, descriptors.classes.length);
    Object.assign(values, { images, labels });
    return { g: built.graph, terms: built.losses!, values, feeds: { images, labels } };
  }

  /** Every loss term from TF.js vs the float64 reference. */
  function checkLosses(descriptors: DescriptorSet): void {
    const { g, terms, values, feeds } = tinyModel(descriptors, 2);
    const targets = [terms.seg, terms.gen!, terms.triplet!, terms.ms!, terms.total];
    const expected = evaluateReference(g, values, targets).map((h) => h.data[0]!);
    const model = interpretGraph(tf, g, targets, values);
    try {
      const out = tf.tidy(() => model.run(model.layoutFeeds(feeds)).map((t: TfTensor) => t.dataSync()[0]!));
      targets.forEach((t, i) => expect(Math.abs(out[i]! - expected[i]!) / Math.abs(expected[i]!), `loss ${t.name}`).toBeLessThan(1e-4));
    } finally {
      model.dispose();
    }
  }

  it('12 classes x 4 descriptors (the benchmark set): equal groups', () => checkLosses(BENCH_CLASSES));
  it('the toy classes: ragged groups', () => checkLosses(TOY_CLASSES));

  it("every parameter's gradient matches our autodiff once ResizeBilinear's gradient honours half-pixel centers", () => {
    // 32x32 and the toy classes (12 descriptors) keep the float64 backward of the whole model short.
    const { g, terms, values, feeds } = tinyModel(TOY_CLASSES, 1, 32);
    const params = [...g.params.keys()];
    const grads = backward(g, terms.total, params);
    const expected = evaluateWithAttention(g, values, params.map((p) => grads.get(p)!));
    const model = interpretGraph(tf, g, [terms.total], values);
    tf.registerGradient(halfPixelResizeGradient());
    try {
      const laid = model.layoutFeeds(feeds);
      const { grads: tfGrads } = tf.variableGrads(() => tf.reshape(model.run(laid)[0]!, []) as ReturnType<Tf['scalar']>, model.variables);
      const largest = Math.max(...expected.map((e) => maxAbs(e.data)));
      params.forEach((p, i) => {
        const entry = model.parameters.find((e) => e.name === p.name)!;
        const got = tf.tidy(() => materialize(tf, { t: tfGrads[entry.variable.name]!, perm: entry.perm }).dataSync());
        // k_proj biases get exactly zero gradient (softmax ignores a shift per query): compare to the largest gradient instead.
        const tolerance = 1e-3 * (p.name.endsWith('k_proj.bias') ? largest : maxAbs(expected[i]!.data));
        const worst = maxAbs(Array.from(got, (x, j) => x - expected[i]!.data[j]!));
        expect(worst, `d total / d ${p.name}`).toBeLessThanOrEqual(tolerance);
      });
      tf.dispose(Object.values(tfGrads));
    } finally {
      tf.registerGradient(langSegGradConfigs(tf).find((c) => c.kernelName === 'ResizeBilinear')!);
      model.dispose();
    }
  });
});

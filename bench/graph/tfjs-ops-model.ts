/**
 * TF.js rules for LangSeg's model ops (src/graph/ops/{conv,norm,sampling,language,losses,attention}.ts),
 * composed from TF.js ops as a TF.js user would write them: NHWC convolutions and resizes, group and
 * layer norm from tf.moments, cross-entropy from tf.logSoftmax and a one-hot mask, embedding bags from
 * tf.gather + tf.unsortedSegmentSum, attention from matMul + softmax + matMul. Semantics follow each op's
 * float64 reference in src/kernels (PyTorch's conventions: align_corners=False resizes, ignore label).
 */
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { GraphNode } from '../../src/graph/graph.js';
import { attrsOf, convParams } from '../../src/kernels/conv/geometry.js';
import type { Tf } from '../tfjs.js';
import type { OpRule } from './tfjs-ops-core.js';
import { alongAxis, HWIO, logicalShape, materialize, NHWC, plain, positions, reduceLayout, reshapeView, toPerm, type Laid, type LayoutStats } from './tfjs-layout.js';

const DEFAULT_NORM_EPS = 1e-5;
const DEFAULT_IGNORE = 255;

const nhwc = (tf: Tf, v: Laid, stats: LayoutStats): TfTensor => toPerm(tf, v, NHWC, stats);
const outSize = (node: GraphNode): [number, number] => [node.output.shape[2]!, node.output.shape[3]!];
const ints = (attr: unknown): number[] => Array.from(attr as ArrayLike<number>);

/** (x - mean) * rsqrt(var + eps) over storage `axes` (tf.moments, as a TF.js user normalises). */
function normalize(tf: Tf, x: TfTensor, axes: number[], eps: number): TfTensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

const conv2d: OpRule = {
  paramLayout: (i) => (i === 1 ? HWIO : undefined),
  run: ({ tf, node, stats }, [x, w, bias]) => {
    const p = convParams('conv2d', attrsOf(node.attrs));
    if (p.groups !== 1) throw new Error(`conv2d: the TF.js interpreter runs groups = 1 only, got ${p.groups}`);
    const explicit = [[0, 0], [p.padTop, p.padBottom], [p.padLeft, p.padRight], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    const pad = explicit.flat().every((v) => v === 0) ? 'valid' : explicit;
    const filter = toPerm(tf, w!, HWIO, stats) as Parameters<Tf['conv2d']>[1];
    let y: TfTensor = tf.conv2d(nhwc(tf, x!, stats) as Parameters<Tf['conv2d']>[0], filter, [p.strideH, p.strideW], pad, 'NHWC', [p.dilationH, p.dilationW]);
    if (bias) y = tf.add(y, materialize(tf, bias, stats));
    const act = node.attrs.activation ?? 'none';
    if (act === 'relu') y = tf.relu(y);
    else if (act !== 'none') throw new Error(`conv2d: activation '${String(act)}' is not one the op takes`);
    return { t: y, perm: [...NHWC] };
  },
};

/** gamma * x + beta with [C] vectors along storage axis `at`. */
function affine(tf: Tf, y: TfTensor, w: Laid | undefined, b: Laid | undefined, at: number, stats: LayoutStats): TfTensor {
  if (!w || !b) return y;
  return tf.add(tf.mul(y, alongAxis(tf, materialize(tf, w, stats), y.rank, at)), alongAxis(tf, materialize(tf, b, stats), y.rank, at));
}

// NHWC: [N, S, G, C/G] with moments over S and C/G; any other order is made NCHW: [N, G, C/G * S].
const groupNorm: OpRule = {
  run: ({ tf, node, stats }, [x, w, b]) => {
    const groups = node.attrs.groups as number;
    const eps = (node.attrs.eps as number | undefined) ?? DEFAULT_NORM_EPS;
    const shape = logicalShape(x!);
    const [n, c] = [shape[0]!, shape[1]!];
    const spatial = shape.slice(2).reduce((s, d) => s * d, 1);
    const rank = shape.length;
    const channelsLast = rank >= 3 && x!.perm[rank - 1] === 1 && x!.perm.slice(0, -1).every((d, i) => d === (i === 0 ? 0 : i + 1));
    if (channelsLast) {
      const y = normalize(tf, tf.reshape(x!.t, [n, spatial, groups, c / groups]), [1, 3], eps);
      return { t: affine(tf, tf.reshape(y, x!.t.shape), w, b, rank - 1, stats), perm: x!.perm };
    }
    const xs = materialize(tf, x!, stats);
    const y = normalize(tf, tf.reshape(xs, [n, groups, (c / groups) * spatial]), [2], eps);
    return plain(affine(tf, tf.reshape(y, xs.shape), w, b, 1, stats));
  },
};

const layerNorm: OpRule = {
  run: ({ tf, node, stats }, [x, w, b]) => {
    const eps = (node.attrs.eps as number | undefined) ?? DEFAULT_NORM_EPS;
    const at = positions(x!.perm)[x!.perm.length - 1]!;
    return { t: affine(tf, normalize(tf, x!.t, [at], eps), w, b, at, stats), perm: x!.perm };
  },
};

/** Bilinear resize to `size`, PyTorch's align_corners=False (TF's half-pixel centers); same size = identity. */
function bilinear(tf: Tf, x: TfTensor, size: [number, number]): TfTensor {
  if (x.shape[1] === size[0] && x.shape[2] === size[1]) return x;
  return tf.image.resizeBilinear(x as Parameters<Tf['image']['resizeBilinear']>[0], size, false, true);
}

const sampling: Record<string, OpRule> = {
  resize_bilinear: { run: ({ tf, node, stats }, [x]) => ({ t: bilinear(tf, nhwc(tf, x!, stats), outSize(node)), perm: [...NHWC] }) },
  // PyTorch's mode='nearest' reads source floor(i * in / out): TF's alignCorners=false, halfPixelCenters=false.
  resize_nearest: {
    run: ({ tf, node, stats }, [x]) => ({
      t: tf.image.resizeNearestNeighbor(nhwc(tf, x!, stats) as Parameters<Tf['image']['resizeNearestNeighbor']>[0], outSize(node), false, false),
      perm: [...NHWC],
    }),
  },
  // Every level bilinearly resized to the output size and summed.
  pyramid_fuse: {
    run: ({ tf, node, stats }, levels) => {
      const size = outSize(node);
      const up = levels.map((l) => bilinear(tf, nhwc(tf, l, stats), size));
      return { t: up.slice(1).reduce((acc, t) => tf.add(acc, t), up[0]!), perm: [...NHWC] };
    },
  },
};

/** Class c owns descriptors [groups[c], groups[c+1]): the owner of each descriptor. */
function owners(groups: number[]): number[] {
  return groups.slice(1).flatMap((end, c) => new Array<number>(end - groups[c]!).fill(c));
}

const language: Record<string, OpRule> = {
  // out[t] = (1 / |bag t| for 'mean') * sum of weight rows in bag t: gather the ids, sum them per bag.
  // Bags of one id each in order (the triplet loss's pixel picks) are a plain gather.
  embedding_bag: {
    prepare: (tf, node) => {
      const offsets = ints(node.attrs.offsets);
      const ids = ints(node.attrs.ids);
      const bags = offsets.length - 1;
      const single = offsets.every((o, t) => o === t);
      const tensors = [tf.tensor1d(ids, 'int32')];
      if (single) return tensors;
      const segment = new Int32Array(ids.length);
      for (let t = 0; t < bags; t++) segment.fill(t, offsets[t]!, offsets[t + 1]!);
      const mean = (node.attrs.mode ?? 'mean') === 'mean';
      const scale = Float32Array.from({ length: bags }, (_, t) => (mean && offsets[t + 1]! > offsets[t]! ? 1 / (offsets[t + 1]! - offsets[t]!) : 1));
      return [...tensors, tf.tensor1d(segment, 'int32'), tf.tensor2d(scale, [bags, 1])];
    },
    run: ({ tf, prepared, stats }, [w]) => {
      const rows = tf.gather(materialize(tf, w!, stats), prepared[0]!);
      if (prepared.length === 1) return plain(rows);
      const summed = tf.unsortedSegmentSum(rows, prepared[1]! as Parameters<Tf['unsortedSegmentSum']>[1], prepared[2]!.shape[0]!);
      return plain(tf.mul(summed, prepared[2]!));
    },
  },
  // Equal groups: split the axis into [C, m] and take tf.logSumExp over m; otherwise slice each group.
  group_logsumexp: {
    run: ({ tf, node, stats }, [x]) => {
      const groups = ints(node.attrs.groups);
      const rank = x!.perm.length;
      const axis0 = (node.attrs.axis as number | undefined) ?? 1;
      const axis = axis0 < 0 ? axis0 + rank : axis0;
      const classes = groups.length - 1;
      const m = groups[1]! - groups[0]!;
      if (groups.every((g, c) => g === c * m)) {
        const shape = logicalShape(x!);
        const split = [...shape.slice(0, axis), classes, m, ...shape.slice(axis + 1)];
        const v = reshapeView(tf, x!, split) ?? plain(tf.reshape(materialize(tf, x!, stats), split));
        const { storageAxes, perm } = reduceLayout(v.perm, [axis + 1], false);
        return { t: tf.logSumExp(v.t, storageAxes, false), perm };
      }
      const at = positions(x!.perm)[axis]!;
      const parts = groups.slice(1).map((end, c) => {
        const begin = x!.t.shape.map((_, j) => (j === at ? groups[c]! : 0));
        const size = x!.t.shape.map((d, j) => (j === at ? end - groups[c]! : d));
        return tf.logSumExp(tf.slice(x!.t, begin, size), at, true);
      });
      return { t: tf.concat(parts, at), perm: x!.perm };
    },
  },
};

/** One-hot of f32 class ids over `classes`, zero rows for `ignore` (out-of-range ids one-hot to zeros). */
function oneHot(tf: Tf, labels: TfTensor, classes: number, ignore: number): TfTensor {
  const hot = tf.oneHot(tf.cast(labels, 'int32') as Parameters<Tf['oneHot']>[0], classes, 1, 0, 'float32');
  if (ignore >= classes || ignore < 0) return hot;
  return tf.mul(hot, tf.expandDims(tf.cast(tf.notEqual(labels, ignore), 'float32'), -1));
}

const losses: Record<string, OpRule> = {
  // Mean over valid pixels of -log softmax(logits)[label]; 0 when no pixel is valid. Classes go last.
  cross_entropy: {
    run: ({ tf, node, stats }, [logits, labels]) => {
      const rank = logits!.perm.length;
      const classes = logicalShape(logits!)[1]!;
      const order = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
      const logp = tf.logSoftmax(toPerm(tf, logits!, order, stats));
      const hot = oneHot(tf, materialize(tf, labels!, stats), classes, (node.attrs.ignore as number | undefined) ?? DEFAULT_IGNORE);
      const total = tf.neg(tf.sum(tf.mul(hot, logp)));
      return plain(tf.reshape(tf.div(total, tf.maximum(tf.sum(hot), 1)), [1]));
    },
  },
  // [..., K]: 1 where descriptor k belongs to the pixel's class = one-hot(labels) @ membership [C, K].
  group_mask: {
    prepare: (tf, node) => {
      const owner = owners(ints(node.attrs.groups));
      const classes = owner[owner.length - 1]! + 1;
      const membership = new Float32Array(classes * owner.length);
      owner.forEach((c, k) => (membership[c * owner.length + k] = 1));
      return [tf.tensor2d(membership, [classes, owner.length])];
    },
    run: ({ tf, node, prepared, stats }, [labels]) => {
      const membership = prepared[0]!;
      const flat = tf.reshape(materialize(tf, labels!, stats), [-1]);
      const hot = oneHot(tf, flat, membership.shape[0]!, (node.attrs.ignore as number | undefined) ?? DEFAULT_IGNORE);
      return plain(tf.reshape(tf.matMul(hot, membership), [...node.output.shape]));
    },
  },
};

// softmax(scale * Q K^T + mask bias) V per head, heads moved next to the batch; a query whose keys are
// all dropped gets 0 (probabilities times the mask), as the fused kernel.
const attention: OpRule = {
  run: ({ tf, node, stats }, [q, k, v, mask]) => {
    const heads = [0, 2, 1, 3];
    const dh = logicalShape(q!)[3]!;
    const scale = (node.attrs.scale as number | undefined) ?? 1 / Math.sqrt(dh);
    let scores = tf.mul(tf.matMul(toPerm(tf, q!, heads, stats), toPerm(tf, k!, heads, stats), false, true), scale);
    let keep: TfTensor | undefined;
    if (mask) {
      const m = materialize(tf, mask, stats);
      keep = tf.reshape(m, [m.shape[0]!, 1, 1, m.shape[1]!]);
      scores = tf.add(scores, tf.mul(tf.sub(keep, 1), 1e30));
    }
    let probs = tf.softmax(scores);
    if (keep) probs = tf.mul(probs, keep);
    return { t: tf.matMul(probs, toPerm(tf, v!, heads, stats)), perm: heads };
  },
};

export const MODEL_RULES: Record<string, OpRule> = {
  conv2d,
  group_norm: groupNorm,
  layer_norm: layerNorm,
  ...sampling,
  ...language,
  ...losses,
  attention,
};


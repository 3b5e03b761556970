/** conv2d and conv_transpose2d against PyTorch (tools/pytorch/golden_conv.py): outputs and gradients via the graph. */
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { compare } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

// PyTorch computes in f32 too (different summation order): sums of up to 147 products of N(0,1) values.
const RTOL = 1e-4;
const ATOL = 1e-4;

const FIXTURES: [string, string][] = [
  ['conv2d', 'conv2d_3x3_s1_p1'],
  ['conv2d', 'conv2d_3x3_s2_odd'],
  ['conv2d', 'conv2d_dilation2'],
  ['conv2d', 'conv2d_groups4'],
  ['conv2d', 'conv2d_depthwise'],
  ['conv2d', 'conv2d_1x1'],
  ['conv2d', 'conv2d_7x7_s2_p3'],
  ['conv2d', 'conv2d_asymmetric_pad'],
  ['conv_transpose2d', 'conv_transpose2d_s2'],
  ['conv_transpose2d', 'conv_transpose2d_k2_s2_groups2'],
];

describe('conv ops match PyTorch', () => {
  it.each(FIXTURES)('%s: %s (output, grad x, grad weight, grad bias)', async (op, name) => {
    const f = loadGolden(name);
    const t = f.tensors;
    const g = new Graph();
    const x = g.input('x', t.x!.shape);
    const w = g.input('weight', t.weight!.shape);
    const b = g.input('bias', t.bias!.shape);
    const y = g.apply(op, [x, w, b], f.attrs);
    const loss = g.sum(g.mul(y, g.constant(Float32Array.from(t.grad_out!.data), t.grad_out!.shape)));
    const grads = backward(g, loss, [x, w, b]);
    const exe = await compile(ctx.rt, g, { outputs: [y, grads.get(x)!, grads.get(w)!, grads.get(b)!] });
    const out = await exe.run({ x: t.x!.data, weight: t.weight!.data, bias: t.bias!.data });
    exe.destroy();
    const checks: [string, string][] = [
      ['out', y.name],
      ['grad_x', grads.get(x)!.name],
      ['grad_weight', grads.get(w)!.name],
      ['grad_bias', grads.get(b)!.name],
    ];
    for (const [key, tensorName] of checks) {
      const got = out[tensorName]!;
      expect(got.length, `${name} ${key} size`).toBe(t[key]!.data.length);
      const r = compare(got, t[key]!.data, RTOL, ATOL);
      expect(r.ok, `${name} ${key}: element ${r.worstIndex} is ${r.got}, PyTorch ${r.want}`).toBe(true);
    }
  });
});

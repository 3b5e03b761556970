/**
 * Sampling ops against PyTorch (tools/pytorch/golden_sampling.py): F.interpolate bilinear
 * (align_corners=False; size and scale-factor forms) and nearest, max_pool2d, avg_pool2d,
 * adaptive_avg_pool2d(1) and a sum of interpolations (pyramid fusion). Outputs and input gradients of
 * sum(out * dy) go through the graph (backward + compile), as training uses them.
 */
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/graph/autodiff.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { compare } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const RTOL = 1e-5;
const ATOL = 2e-5;

const FIXTURES = [
  'sampling_bilinear_up_size',
  'sampling_bilinear_down_size',
  'sampling_bilinear_up_scale',
  'sampling_bilinear_down_scale',
  'sampling_max_pool',
  'sampling_max_pool_rect',
  'sampling_avg_pool',
  'sampling_avg_pool_no_pad_count',
  'sampling_global_avg_pool',
  'sampling_pyramid_fuse',
  'sampling_nearest_size',
  'sampling_nearest_scale',
];

describe('sampling ops match PyTorch', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const { tensors, attrs } = loadGolden(name);
      const { op, ...opAttrs } = attrs as { op: string };
      const inputs = Object.keys(tensors)
        .filter((k) => /^x\d+$/.test(k))
        .sort();
      const g = new Graph();
      const xs = inputs.map((k) => g.input(k, tensors[k]!.shape));
      const y = g.apply(op, xs, opAttrs);
      expect(y.shape).toEqual(tensors.out!.shape);
      const dy = tensors.dy;
      const grads = dy ? backward(g, g.sum(g.mul(y, g.constant(dy.data, dy.shape))), xs) : new Map();
      const exe = await compile(ctx.rt, g, { outputs: [y, ...grads.values()] });
      const out = await exe.run(Object.fromEntries(inputs.map((k) => [k, Float32Array.from(tensors[k]!.data)])));
      exe.destroy();
      const check = (got: Float32Array, want: Float64Array, what: string) => {
        const r = compare(got, want, RTOL, ATOL);
        expect(r.ok, `${name} ${what}: element ${r.worstIndex} is ${r.got}, PyTorch ${r.want}`).toBe(true);
      };
      check(out[y.name]!, tensors.out!.data, 'output');
      for (const [i, x] of xs.entries()) {
        if (dy) check(out[grads.get(x)!.name]!, tensors[`grad_x${i}`]!.data, `gradient of ${inputs[i]}`);
      }
    });
  }
});

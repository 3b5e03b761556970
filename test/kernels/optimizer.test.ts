import { describe, expect, it } from 'vitest';
import { optimizerLaunches, optimizerReference, optimizerUniforms, type OptimizerConfig } from '../../src/kernels/optimizer.js';
import { shaderSource } from '../../src/kernels/shaders.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

// The executor always pads the flat buffer to a multiple of 64 (vec4 entry points); this covers the
// scalar entry points and clipping on an odd length directly.
describe('optimizer kernels on a flat buffer of odd length', () => {
  const configs: OptimizerConfig[] = [
    { kind: 'adamw', lr: 0.01, weightDecay: 0.1, maxGradNorm: 0.3 },
    { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.05 },
  ];
  for (const config of configs) {
    it(config.kind, async () => {
      const n = 7;
      const param = randomValues(n, 1);
      const grad = randomValues(n, 2);
      const decay = Float32Array.from({ length: n }, (_, i) => i % 2);
      const t = {
        param: ctx.rt.upload(param, [n]),
        grad: ctx.rt.upload(grad, [n]),
        moment1: ctx.rt.upload(new Float32Array(n), [n]),
        moment2: ctx.rt.upload(new Float32Array(n), [n]),
        decay: ctx.rt.upload(decay, [n]),
        stats: ctx.rt.upload([0, 1, 0, 0], [4]),
        partial: ctx.rt.upload(new Float32Array(64), [64]),
      };
      const launches = optimizerLaunches(config, n);
      expect(launches.at(-1)!.entry).toBe(config.kind); // scalar path
      const state = { param: Float64Array.from(param), moment1: new Float64Array(n), moment2: new Float64Array(n) };
      for (let step = 1; step <= 3; step++) {
        for (const l of launches) {
          const program = await ctx.rt.program(l.shader, shaderSource(l.shader), l.entry, l.overrides);
          const bindings = Object.fromEntries(Object.entries(l.bindings).map(([name, which]) => [name, t[which]]));
          ctx.rt.dispatch(program, { bindings, uniforms: optimizerUniforms(config, n, step, config.lr), workgroups: l.workgroups });
        }
        optimizerReference(config, state, grad, decay, step, config.lr);
      }
      const got = await ctx.rt.read(t.param);
      got.forEach((v, i) => expect(Math.abs(v - state.param[i]!), `element ${i}`).toBeLessThan(1e-5));
    });
  }
});

/**
 * The feature pyramid and the pixel decoder against their PyTorch mirrors (tools/pytorch/golden_pyramid.py:
 * mirror/pyramid.py and decoder.py with PyTorch's weights), batch 2 on a non-square image: names, P2..P5,
 * the fused map, the embeddings, and gradients of the levels and a few weights. Also the noMultiscale
 * ablation and the shape checks.
 */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { compile } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { resolveConfig, type ConfigOverrides } from '../../src/model/config.js';
import { pixelDecoder } from '../../src/model/decoder.js';
import { featurePyramid } from '../../src/model/pyramid.js';
import { expectClose } from '../helpers/check-op.js';
import { loadGolden } from '../helpers/golden.js';
import { expectParity, expectSameParameters, weightedSum } from '../helpers/model-parity.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const LEVELS = ['C2', 'C3', 'C4', 'C5'];

describe('feature pyramid and pixel decoder', () => {
  it('match the PyTorch mirror: names, P2..P5, F4, e and gradients', async () => {
    const f = loadGolden('model_pyramid_decoder');
    const cfg = resolveConfig('tiny', f.attrs.config as ConfigOverrides);
    const g = new Graph();
    const inputs = LEVELS.map((l) => g.input(l, f.tensors[`in:${l}`]!.shape));
    const pyramid = featurePyramid(g, cfg, inputs);
    const e = pixelDecoder(g, cfg, pyramid.fused);
    expectSameParameters(g, f);
    expect(pyramid.query8).toBe(pyramid.levels[1]);
    const outputs = { P2: pyramid.levels[0]!, P3: pyramid.levels[1]!, P4: pyramid.levels[2]!, P5: pyramid.levels[3]!, F4: pyramid.fused, e };
    const feeds = Object.fromEntries(LEVELS.map((l) => [l, f.tensors[`in:${l}`]!.data]));
    await expectParity(ctx.rt, g, f, { feeds, outputs, loss: weightedSum(g, [e], [f.tensors.grad_out!.data]) });
  });

  it('noMultiscale: one level from C2, F4 = P2, queries = avg_pool2d(F4, 2)', async () => {
    const cfg = resolveConfig('tiny', { imageSize: [32, 64], cnnWidths: [8, 8, 16, 16], embedDim: 8, normGroups: 4, ablation: { noMultiscale: true } });
    const g = new Graph();
    const levels = cfg.cnnWidths.map((c, l) => g.input(`C${l + 2}`, [2, c, 32 >> (l + 2), 64 >> (l + 2)]));
    const pyramid = featurePyramid(g, cfg, levels);
    expect([...g.params.keys()].map((p) => p.name)).toEqual(['fpn.lateral.0.weight', 'fpn.lateral.0.bias', 'fpn.smooth.0.weight', 'fpn.smooth.0.bias']);
    expect(pyramid.levels.length).toBe(1);
    expect(pyramid.fused).toBe(pyramid.levels[0]);
    expect(pyramid.query8.shape).toEqual([2, 8, 4, 8]);
    const exe = await compile(ctx.rt, g, { outputs: [pyramid.fused, pyramid.query8], seed: 2 });
    const got = await exe.run({ C2: randomValues(levels[0]!.size, 7) });
    exe.destroy();
    const p2 = got[pyramid.fused.name]!;
    const want = new Float64Array(pyramid.query8.size);
    want.forEach((_, i) => {
      const [x, y, plane] = [i % 8, Math.floor(i / 8) % 4, Math.floor(i / 32)];
      const at = (dy: number, dx: number) => p2[plane * 128 + (2 * y + dy) * 16 + 2 * x + dx]!;
      want[i] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
    });
    expectClose('query8', got[pyramid.query8.name]!, want, 1e-5, 1e-6);
  });

  it('refuses levels and features that do not fit the config', () => {
    const cfg = resolveConfig('tiny');
    const g = new Graph();
    const levels = cfg.cnnWidths.map((c, l) => g.input(`C${l + 2}`, [1, c, 128 >> (l + 2), 128 >> (l + 2)]));
    expect(() => featurePyramid(g, cfg, levels.slice(0, 3))).toThrow(ShapeError);
    const narrow = g.input('narrow', [1, 8, 32, 32]);
    expect(() => featurePyramid(g, cfg, [narrow, ...levels.slice(1)])).toThrow(/levels must be C2..C5 \[1, 16, 32, 32\].*got \[1, 8, 32, 32\]/);
    expect(() => pixelDecoder(g, cfg, g.input('f', [1, 64, 16, 16]))).toThrow(/features must be \[B, 64, 32, 32\].*got \[1, 64, 16, 16\]/);
  });
});

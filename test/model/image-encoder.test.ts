/**
 * The image encoders against their PyTorch mirrors (tools/pytorch/golden_encoder.py: mirror/encoder.py with
 * PyTorch's weights): parameter names, order and shapes; the levels C2..C5; gradients of the image and of
 * a few weights. Also the shape check against the config.
 */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { Graph } from '../../src/graph/graph.js';
import { resolveConfig, type ConfigOverrides } from '../../src/model/config.js';
import { imageEncoder } from '../../src/model/image-encoder.js';
import { loadGolden } from '../helpers/golden.js';
import { expectParity, expectSameParameters, weightedSum } from '../helpers/model-parity.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const LEVELS = ['C2', 'C3', 'C4', 'C5'];

async function checkEncoder(fixture: string): Promise<void> {
  const f = loadGolden(fixture);
  const cfg = resolveConfig('tiny', f.attrs.config as ConfigOverrides);
  const g = new Graph();
  const image = g.input('image', f.tensors.image!.shape);
  const levels = imageEncoder(g, cfg, image);
  expectSameParameters(g, f);
  const loss = weightedSum(
    g,
    levels,
    LEVELS.map((l) => f.tensors[`grad_out:${l}`]!.data),
  );
  const outputs = Object.fromEntries(LEVELS.map((l, i) => [l, levels[i]!]));
  await expectParity(ctx.rt, g, f, { feeds: { image: f.tensors.image!.data }, outputs, loss });
}

describe('image encoder', () => {
  it('CNN: names, C2..C5 and gradients match the PyTorch mirror', async () => {
    await checkEncoder('model_cnn_encoder');
  });

  it('ViT: names, C2..C5 and gradients match the PyTorch mirror', async () => {
    await checkEncoder('model_vit_encoder');
  });

  it('gives C2..C5 at strides 4..32 with cnnWidths for both backbones', () => {
    for (const backbone of ['cnn', 'vit'] as const) {
      const cfg = resolveConfig('tiny', { backbone, imageSize: [64, 96] });
      const g = new Graph();
      const levels = imageEncoder(g, cfg, g.input('images', [2, 3, 64, 96]));
      expect(levels.map((t) => t.shape)).toEqual(cfg.cnnWidths.map((c, l) => [2, c, 64 >> (l + 2), 96 >> (l + 2)]));
    }
  });

  it('refuses images that do not match cfg.imageSize, naming both', () => {
    const cfg = resolveConfig('tiny');
    const g = new Graph();
    expect(() => imageEncoder(g, cfg, g.input('big', [1, 3, 64, 64]))).toThrow(ShapeError);
    expect(() => imageEncoder(g, cfg, g.input('wrong', [1, 3, 64, 64]))).toThrow(/\[B, 3, 128, 128\] for cfg.imageSize \[128, 128\], got \[1, 3, 64, 64\]/);
    expect(() => imageEncoder(g, cfg, g.input('gray', [1, 1, 128, 128]))).toThrow(/got \[1, 1, 128, 128\]/);
  });
});

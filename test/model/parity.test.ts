/**
 * langseg against its PyTorch mirror on the whole tiny model (tools/pytorch/parity.py wrote the fixture
 * from PyTorch 1.13 on the same weights and batch): the five loss terms and the logits within 1e-4
 * relative, and every parameter's gradient within 1e-3 (its norm, and 16 sampled elements relative to the
 * largest element of that gradient). CI needs no PyTorch: this side rebuilds the same seeded model and
 * toy batch.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toyScenes, TOY_CLASSES } from '../../src/data/toy-scenes.js';
import { resolveConfig, type PresetName } from '../../src/model/config.js';
import { LangSegModel } from '../../src/model/model.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();

interface Sampled {
  indices: number[];
  values: number[];
  norm: number;
  max?: number;
}
interface ParityFixture {
  case: { preset: PresetName; seed: number; batch: number; dataSeed: number; ignoreRows: [number, number] };
  losses: Record<string, number>;
  logits: Sampled;
  grads: Record<string, Sampled & { max: number }>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/tiny.json', import.meta.url), 'utf8')) as ParityFixture;

const norm = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

describe('parity with the PyTorch mirror (tiny)', () => {
  it('losses, logits and every parameter gradient', async () => {
    const c = fixture.case;
    const cfg = resolveConfig(c.preset);
    const [h, w] = cfg.imageSize;
    const model = LangSegModel.create(ctx.rt, cfg, TOY_CLASSES, { seed: c.seed });
    const { images, labels } = toyScenes(c.batch, h, c.dataSeed);
    labels.fill(255, c.ignoreRows[0] * w, c.ignoreRows[1] * w);
    const ours = await model.gradients(images, labels);
    model.destroy();

    expect(Object.keys(ours.losses).sort()).toEqual(Object.keys(fixture.losses).sort());
    for (const [key, want] of Object.entries(fixture.losses)) {
      const got = ours.losses[key as keyof typeof ours.losses]!;
      expect(Math.abs(got - want) <= 1e-4 * Math.abs(want), `loss ${key}: ours ${got}, PyTorch ${want}`).toBe(true);
    }
    expect(Math.abs(norm(ours.logits) - fixture.logits.norm) <= 1e-4 * fixture.logits.norm).toBe(true);
    const rms = fixture.logits.norm / Math.sqrt(ours.logits.length);
    fixture.logits.indices.forEach((i, k) => {
      const want = fixture.logits.values[k]!;
      expect(Math.abs(ours.logits[i]! - want) <= 1e-4 * Math.max(Math.abs(want), rms), `logit ${i}: ours ${ours.logits[i]}, PyTorch ${want}`).toBe(true);
    });

    expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(fixture.grads).sort());
    for (const [name, want] of Object.entries(fixture.grads)) {
      const got = ours.grads[name]!;
      // The key-projection biases' gradients are 0 in exact arithmetic (a softmax does not see a shift
      // shared by all keys): both sides give rounding noise around 1e-8, hence the absolute floor.
      const floor = 1e-6;
      expect(Math.abs(norm(got) - want.norm) <= 1e-3 * want.norm + floor, `grad ${name} norm: ours ${norm(got)}, PyTorch ${want.norm}`).toBe(true);
      want.indices.forEach((i, k) => {
        const v = want.values[k]!;
        expect(Math.abs(got[i]! - v) <= 1e-3 * want.max + floor, `grad ${name}[${i}]: ours ${got[i]}, PyTorch ${v}`).toBe(true);
      });
    }
  });
});

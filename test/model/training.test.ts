/**
 * The LangSeg model end to end on toy scenes (src/data/toy-scenes.ts): the tiny config (at 64x64, so CI
 * stays short) learns (the loss halves within 200 steps), a rerun with the same seed gives identical
 * losses, every ablation switch builds and steps, inference works for the training classes and for a new
 * class set, a checkpoint round trip predicts the same, and bad input is refused with the numbers.
 */
import { describe, expect, it } from 'vitest';
import { toyScenes, TOY_CLASSES } from '../../src/data/toy-scenes.js';
import { resolveConfig, type Ablation } from '../../src/model/config.js';
import { buildLangSeg } from '../../src/model/langseg.js';
import { LangSegModel, type StepLosses } from '../../src/model/model.js';
import { flattenDescriptors } from '../../src/descriptors/descriptor-set.js';
import { readDescriptorEmbeddings } from '../../src/io/descriptor-embeddings.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { randomValues } from '../helpers/random.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const SIZE = 64;
const BATCH = 4;
const cfg = (ablation: Partial<Ablation> = {}) => resolveConfig('tiny', { imageSize: [SIZE, SIZE], ablation });
const data = toyScenes(64, SIZE, 0);
const batchAt = (step: number) => {
  const i0 = (step * BATCH) % 64;
  const plane = SIZE * SIZE;
  return { images: data.images.slice(i0 * 3 * plane, (i0 + BATCH) * 3 * plane), labels: data.labels.slice(i0 * plane, (i0 + BATCH) * plane) };
};

async function train(model: LangSegModel, maxSteps: number, stop?: (losses: number[]) => boolean): Promise<StepLosses[]> {
  const trainer = await model.trainer({ batch: BATCH, optimizer: { lr: 2e-3 } });
  const out: StepLosses[] = [];
  for (let s = 0; s < maxSteps; s++) {
    const { images, labels } = batchAt(s);
    out.push(await trainer.step(images, labels));
    if (stop?.(out.map((l) => l.total))) break;
  }
  trainer.destroy();
  return out;
}

describe('LangSeg training', () => {
  it('the loss falls by half within 200 steps, and a rerun with the same seed repeats the losses exactly', async () => {
    const model = LangSegModel.create(ctx.rt, cfg(), TOY_CLASSES, { seed: 1 });
    // Halved: the mean of the last 5 steps is at most half of the first step's loss.
    const halved = (l: number[]) => l.length >= 5 && l.slice(-5).reduce((a, b) => a + b, 0) / 5 <= l[0]! / 2;
    const losses = await train(model, 200, halved);
    const totals = losses.map((l) => l.total);
    expect(halved(totals), `losses ${totals.map((x) => x.toFixed(3)).join(' ')}`).toBe(true);
    for (const l of losses) for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
    model.destroy();

    const again = LangSegModel.create(ctx.rt, cfg(), TOY_CLASSES, { seed: 1 });
    const rerun = await train(again, 8);
    again.destroy();
    expect(rerun).toEqual(losses.slice(0, 8));
  });

  it('class weights reach every cross-entropy term (L_seg, L_gen, L_ms) and change them; a wrong count is refused', async () => {
    const weights = [0.5, 2, 1, 3, 0.25];
    const weighted = resolveConfig('tiny', { imageSize: [SIZE, SIZE], losses: { classWeights: weights } });
    const plainModel = LangSegModel.create(ctx.rt, cfg(), TOY_CLASSES, { seed: 2 });
    const built = buildLangSeg(weighted, { batch: 1, descriptors: TOY_CLASSES, tokenizer: plainModel.tokenizer, training: true });
    const ce = built.graph.nodes.filter((n) => n.op === 'cross_entropy');
    expect(ce.length).toBe(6); // seg, gen and one per pyramid level
    for (const n of ce) expect(n.attrs.weights).toEqual(weights);
    const { images, labels } = batchAt(0);
    const plain = await plainModel.gradients(images, labels);
    plainModel.destroy();
    const model = LangSegModel.create(ctx.rt, weighted, TOY_CLASSES, { seed: 2 });
    const { losses } = await model.gradients(images, labels);
    model.destroy();
    for (const key of ['seg', 'gen', 'ms'] as const) expect(losses[key]).not.toBeCloseTo(plain.losses[key]!, 3);
    expect(losses.triplet).toBeCloseTo(plain.losses.triplet!, 6); // the triplet term has no class weights
    const wrong = LangSegModel.create(ctx.rt, resolveConfig('tiny', { imageSize: [SIZE, SIZE], losses: { classWeights: [1, 2] } }), TOY_CLASSES);
    await expect(wrong.trainer({ batch: 1 })).rejects.toThrow(/classWeights has 2 weights but the descriptor set has 5 classes/);
    wrong.destroy();
    expect(() => resolveConfig('tiny', { losses: { classWeights: [1, -1] } })).toThrow(/losses.classWeights .*one finite weight >= 0 per class/);
  });

  const switches: (keyof Ablation)[] = ['noLanguage', 'noMultiscale', 'noTriplet', 'noGen', 'singleDescriptor'];
  for (const name of switches) {
    it(`ablation ${name}: builds, steps with finite losses, and leaves out its term`, async () => {
      const model = LangSegModel.create(ctx.rt, cfg({ [name]: true }), TOY_CLASSES, { seed: 2 });
      const [losses] = await train(model, 1);
      model.destroy();
      for (const v of Object.values(losses!)) expect(Number.isFinite(v)).toBe(true);
      if (name === 'noMultiscale') expect(losses!.ms).toBeUndefined();
      if (name === 'noTriplet') expect(losses!.triplet).toBeUndefined();
      if (name === 'noGen') expect(losses!.gen).toBeUndefined();
    });
  }
});

describe('LangSeg inference', () => {
  it('segments with the training classes and with a new class set, and a checkpoint predicts the same', async () => {
    const model = LangSegModel.create(ctx.rt, cfg(), TOY_CLASSES, { seed: 3 });
    const { images } = batchAt(0);
    const one = images.slice(0, 3 * SIZE * SIZE);
    const predictor = await model.predictor(1);
    const p = await predictor.predict(one);
    expect(p.classIds.length).toBe(SIZE * SIZE);
    expect(p.probabilities.length).toBe(TOY_CLASSES.classes.length * SIZE * SIZE);
    expect(p.classIds.every((c) => c < TOY_CLASSES.classes.length)).toBe(true);
    // Probabilities sum to 1 per pixel.
    for (const px of [0, 100, SIZE * SIZE - 1]) {
      let sum = 0;
      for (let c = 0; c < 5; c++) sum += p.probabilities[c * SIZE * SIZE + px]!;
      expect(sum).toBeCloseTo(1, 4);
    }
    // Open vocabulary: other classes, other descriptors, unseen words.
    const other = { classes: ['water', 'sand'], descriptors: [['calm blue lake', 'rippling seawater'], ['dry beach sand']] };
    const open = await model.predictor(1, other);
    const q = await open.predict(one);
    expect(q.classes).toEqual(['water', 'sand']);
    expect(q.classIds.every((c) => c < 2)).toBe(true);
    open.destroy();

    const bytes = await model.save();
    const loaded = await LangSegModel.load(ctx.rt, bytes);
    const again = await (await loaded.predictor(1)).predict(one);
    expect(Array.from(again.probabilities)).toEqual(Array.from(p.probabilities));
    expect(loaded.descriptors).toEqual(TOY_CLASSES);
    predictor.destroy();
    model.destroy();
    loaded.destroy();
  });

  it('refuses bad input with the numbers', async () => {
    const model = LangSegModel.create(ctx.rt, cfg(), TOY_CLASSES, { seed: 4 });
    const trainer = await model.trainer({ batch: 1 });
    const { images, labels } = batchAt(0);
    const img = images.slice(0, 3 * SIZE * SIZE);
    const bad = labels.slice(0, SIZE * SIZE);
    bad[10] = 7;
    await expect(trainer.step(img, bad)).rejects.toThrow(/7.*0.*4|range/);
    await expect(trainer.step(img.slice(0, 100), labels.slice(0, SIZE * SIZE))).rejects.toThrow(/images.*expects 12288 values/);
    trainer.destroy();
    expect(() => LangSegModel.create(ctx.rt, cfg(), { classes: ['a', 'b'], descriptors: [['x'], []] })).toThrow(/class 'b' \(id 1\) has no descriptors/);
    model.destroy();
  });
});

describe('frozen descriptor embeddings', () => {
  const k = flattenDescriptors(TOY_CLASSES).texts.length;
  const file = (width: number) => encodeSafetensors({ embeddings: { dtype: 'F32', shape: [k, width], data: randomValues(k * width, 9) } });

  it('train and predict with embeddings from a safetensors file instead of the language encoder; a checkpoint keeps them', async () => {
    const c = cfg();
    const { data } = readDescriptorEmbeddings(file(c.embedDim));
    const model = LangSegModel.create(ctx.rt, c, TOY_CLASSES, { seed: 5, frozenEmbeddings: data });
    expect([...model.parameters.entries].some((e) => e.name.startsWith('text.'))).toBe(false);
    const [losses] = await train(model, 1);
    expect(Number.isFinite(losses!.total)).toBe(true);
    const one = batchAt(0).images.slice(0, 3 * SIZE * SIZE);
    const p = await (await model.predictor(1)).predict(one);
    const loaded = await LangSegModel.load(ctx.rt, await model.save());
    expect(Array.from(loaded.frozenEmbeddings!)).toEqual(Array.from(data));
    const q = await (await loaded.predictor(1)).predict(one);
    expect(Array.from(q.probabilities)).toEqual(Array.from(p.probabilities));
    await expect(model.predictor(1, { classes: ['x'], descriptors: [['y']] })).rejects.toThrow(/give the new class set's embeddings/);
    model.destroy();
    loaded.destroy();
  });

  it('refuses embeddings of the wrong width or count, and malformed files', () => {
    const c = cfg();
    const wide = readDescriptorEmbeddings(file(32)).data;
    expect(() => LangSegModel.create(ctx.rt, c, TOY_CLASSES, { frozenEmbeddings: wide })).toThrow(/do not make 12 rows of embedDim 64 \(they are 32 wide: set embedDim to 32/);
    const two = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array(2) }, b: { dtype: 'F32', shape: [2], data: new Float32Array(2) } });
    expect(() => readDescriptorEmbeddings(two)).toThrow(/name the \[K, D\] one 'embeddings'/);
    const flat = encodeSafetensors({ embeddings: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    expect(() => readDescriptorEmbeddings(flat)).toThrow(/must be a float tensor \[K, D\]/);
  });
});

// Writes what tools/pytorch/parity.py needs from langseg's side into a folder: the tiny model's initial
// weights (a checkpoint), one toy batch, the descriptor tokens, and langseg's own losses, logits and
// parameter gradients for that batch. Uses the built library (node scripts/build.mjs first).
// Usage: node tools/pytorch/export_parity_inputs.mjs OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDevice, LangSegModel, resolveConfig, toyScenes, TOY_CLASSES, encodeSafetensors, flattenDescriptors } from '../../dist/node/index.js';

/** The parity case; test/model/parity.test.ts rebuilds exactly this from the fixture's `case`. */
export const PARITY_CASE = { preset: 'tiny', seed: 11, batch: 1, dataSeed: 5, ignoreRows: [0, 8] };

const out = process.argv[2];
if (!out) throw new Error('usage: node tools/pytorch/export_parity_inputs.mjs OUT_DIR');
mkdirSync(out, { recursive: true });
const dev = await getDevice();
// PARITY_CLASS_WEIGHTS='[...]' checks the weighted losses too (a one-off check; the committed fixture is unweighted).
const classWeights = process.env.PARITY_CLASS_WEIGHTS ? JSON.parse(process.env.PARITY_CLASS_WEIGHTS) : undefined;
const cfg = resolveConfig(PARITY_CASE.preset, classWeights ? { losses: { classWeights } } : {});
const model = LangSegModel.create(dev, cfg, TOY_CLASSES, { seed: PARITY_CASE.seed });
const [h, w] = cfg.imageSize;
const { images, labels } = toyScenes(PARITY_CASE.batch, h, PARITY_CASE.dataSeed);
// Some ignored pixels, so the ignore label is part of the check.
labels.fill(255, PARITY_CASE.ignoreRows[0] * w, PARITY_CASE.ignoreRows[1] * w);
const ours = await model.gradients(images, labels);
writeFileSync(join(out, 'checkpoint.safetensors'), await model.save());
const f32 = (data, shape) => ({ dtype: 'F32', shape, data });
writeFileSync(join(out, 'batch.safetensors'), encodeSafetensors({ images: f32(images, [PARITY_CASE.batch, 3, h, w]), labels: f32(labels, [PARITY_CASE.batch, h, w]) }));
const grads = Object.fromEntries(Object.entries(ours.grads).map(([name, g]) => [`grad:${name}`, f32(g, [g.length])]));
writeFileSync(join(out, 'ours.safetensors'), encodeSafetensors({ logits: f32(ours.logits, [ours.logits.length]), ...grads }));
const { texts, groups } = flattenDescriptors(TOY_CLASSES, { singleDescriptor: cfg.ablation.singleDescriptor });
const tokens = model.tokenizer.encode(texts);
writeFileSync(
  join(out, 'meta.json'),
  JSON.stringify({ case: PARITY_CASE, groups, losses: ours.losses, tokens: { offsets: Array.from(tokens.bagOffsets), ids: Array.from(tokens.bagIds), mask: Array.from(tokens.mask) } }),
);
model.destroy();
dev.destroy();

/**
 * `langseg segment`: segment image files with a checkpoint: a label PNG (class ids) and a colour overlay
 * with a legend per image, at the image's own size; `--classes` / `--descriptors` for open vocabulary.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { overlay } from '../app/overlay.js';
import { pngOf } from '../app/report.js';
import { resizeForModel, resizeLabelsNearest } from '../data/augment.js';
import { decodeImage, encodePng } from '../data/codecs.js';
import { rgbToPlanar } from '../data/pixels.js';
import type { DescriptorSet } from '../descriptors/descriptor-set.js';
import { readDescriptorFile } from '../descriptors/node/descriptor-file-io.js';
import { LangsegError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { LangSegModel } from '../model/model.js';
import { UsageError, type Command } from './command.js';
import { prepareRunDir } from './outputs.js';

/** `--classes a,b,c` (each class described by its name) or `--descriptors FILE`. */
async function classSet(values: Record<string, unknown>): Promise<DescriptorSet | undefined> {
  if (values.descriptors && values.classes) throw new UsageError('give --classes or --descriptors, not both');
  if (values.descriptors) return readDescriptorFile(values.descriptors as string);
  if (values.classes) {
    const classes = (values.classes as string).split(',').map((c) => c.trim()).filter(Boolean);
    if (classes.length === 0) throw new UsageError('--classes needs at least one class name');
    return { classes, descriptors: classes.map((c) => [c]) };
  }
  return undefined;
}

export const segmentCommand: Command = {
  name: 'segment',
  summary: 'segment images with a checkpoint (label PNGs and overlays; open vocabulary)',
  help: `usage: langseg segment --checkpoint FILE --out DIR [--classes a,b,c | --descriptors FILE] [--force] IMAGE...

Writes, for each IMAGE (JPEG or PNG), DIR/<name>.labels.png (class ids as grey values, 255 = none) and
DIR/<name>.overlay.png (the image with class colours and a legend), at the image's size. By default the
model's training classes are used; --classes names other classes (each described by its own name) and
--descriptors FILE gives classes with descriptors (see docs/DESCRIPTORS.md): open vocabulary.`,
  options: { checkpoint: { type: 'string' }, out: { type: 'string' }, classes: { type: 'string' }, descriptors: { type: 'string' }, force: { type: 'boolean' } },
  positionals: true,
  needsDevice: true,
  async run(ctx) {
    const path = ctx.values.checkpoint as string | undefined;
    const out = ctx.values.out as string | undefined;
    if (!path || !out) throw new UsageError('--checkpoint FILE and --out DIR are required');
    if (ctx.positionals.length === 0) throw new UsageError('give at least one IMAGE file');
    const set = await classSet(ctx.values);
    // Label PNGs are 8-bit: class ids up to 254 (255 means none).
    if (set && set.classes.length > 255) throw new UsageError(`at most 255 classes fit an 8-bit label PNG; got ${set.classes.length}`);
    const bytes = await readFile(path).catch((e: Error) => {
      throw new LangsegError(`cannot read checkpoint ${path}: ${e.message}`);
    });
    const model = await LangSegModel.load(new KernelRuntime(ctx.device!), bytes);
    await prepareRunDir(out, { force: !!ctx.values.force });
    const predictor = await model.predictor(1, set ?? model.descriptors);
    const [h, w] = model.config.imageSize;
    try {
      for (const file of ctx.positionals) {
        let decoded;
        try {
          decoded = decodeImage(await readFile(file), file);
        } catch (e) {
          throw new LangsegError(`${file}: ${(e as Error).message}`);
        }
        const sample = { id: file, width: decoded.width, height: decoded.height, image: rgbToPlanar(decoded.rgb, decoded.width, decoded.height), labels: new Uint8Array(decoded.width * decoded.height) };
        const resized = resizeForModel(sample, [h, w]);
        const { classIds } = await predictor.predict(resized.image);
        const full = resizeLabelsNearest(Uint8Array.from(classIds), [h, w], [decoded.height, decoded.width]);
        const name = basename(file, extname(file));
        await writeFileAtomic(join(out, `${name}.labels.png`), encodePng(full, decoded.width, decoded.height));
        await writeFileAtomic(join(out, `${name}.overlay.png`), pngOf(overlay(sample.image, full, decoded.width, decoded.height, predictor.classes)));
        const counts = new Map<number, number>();
        for (const c of full) counts.set(c, (counts.get(c) ?? 0) + 1);
        const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([c, n]) => `${predictor.classes[c]} ${Math.round((100 * n) / full.length)}%`);
        ctx.log(`${file}: ${decoded.width}x${decoded.height} -> ${join(out, `${name}.overlay.png`)} (${top.join(', ')})`);
      }
    } finally {
      predictor.destroy();
      model.destroy();
    }
    return 0;
  },
};

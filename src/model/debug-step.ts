/**
 * Debugging a training step of a LangSeg model: the first tensor that goes NaN or Inf on a batch, with the
 * model's current weights (see graph/numerics.ts). Builds and compiles the step afresh each call.
 */
import { firstNonFinite, type NonFiniteTensor } from '../graph/numerics.js';
import { buildLangSeg } from './langseg.js';
import { checkLabels } from './losses.js';
import type { LangSegModel } from './model.js';

/** The first non-finite tensor of one forward + backward pass of `model` on a batch, or null when all are finite. */
export async function firstNonFiniteInStep(model: LangSegModel, images: Float32Array, labels: ArrayLike<number>): Promise<NonFiniteTensor | null> {
  const [h, w] = model.config.imageSize;
  const batch = images.length / (3 * h * w);
  const built = buildLangSeg(model.config, {
    batch,
    descriptors: model.descriptors,
    tokenizer: model.tokenizer,
    training: true,
    frozenEmbeddings: model.frozenEmbeddings ?? undefined,
  });
  checkLabels(labels, built.classes.length, model.config.ignoreLabel);
  return firstNonFinite(model.rt, built.graph, built.losses!.total, model.parameters, { images, labels });
}

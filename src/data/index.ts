/** Data: the sample contract, toy scenes, class tables, codecs, augmentation, the batch loader and metrics. */
export { toyScenes, TOY_CLASSES } from './toy-scenes.js';
export type { ToyBatch } from './toy-scenes.js';
export { IGNORE_LABEL } from './dataset.js';
export type { Sample, Dataset } from './dataset.js';
export { ADE20K_CLASSES } from './ade20k-classes.js';
export {
  COCOSTUFF_CLASSES,
  COCOSTUFF_IDS,
  COCOSTUFF_RAW_NAMES,
  COCOSTUFF_UNUSED_IDS,
  COCOSTUFF_FIRST_STUFF_ID,
} from './cocostuff-classes.js';
export { ADE20K_LABEL_TABLE, COCOSTUFF_LABEL_TABLE, remapLabels } from './label-maps.js';
export type { LabelTable } from './label-maps.js';
export { decodeImage, decodeLabelMap, encodePng, sniffImageFormat, MAX_IMAGE_PIXELS } from './codecs.js';
export type { DecodedImage, DecodedLabelMap, ImageFormat } from './codecs.js';
export { rgbToPlanar, planarToRgb } from './pixels.js';
export {
  applyCrop,
  trainCrop,
  evalCrop,
  coverScale,
  resizeForModel,
  resizeLabelsNearest,
  fitSize,
  TRAIN_SCALE_RANGE,
} from './augment.js';
export type { CropPlan, CropOutput, ResizedSample, Size2 } from './augment.js';
export { batches } from './loader.js';
export type { Batch, BatchOptions } from './loader.js';
export { ConfusionMatrix } from './metrics.js';
export { classPixelFrequencies, classBalanceWeights, MAX_WEIGHT_RATIO } from './class-balance.js';
export type { ConfusionMatrixJSON } from './metrics.js';
export * from './synthetic/index.js';

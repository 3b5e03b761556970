/** langseg: LangSeg on WebGPU. The public API of the library. */
export * from './errors.js';
export * from './device/index.js';
export * from './kernels/index.js';
export * from './graph/index.js';
export * from './io/index.js';
export * from './descriptors/index.js';
export * as model from './model/index.js';
// The model's front door, also at the top level.
export { LangSegModel, resolveConfig, PRESETS } from './model/index.js';
export type { LangSegConfig, StepLosses, Prediction } from './model/index.js';
export * from './data/index.js';
export * as app from './app/index.js';

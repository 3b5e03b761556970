/** Synthetic indoor and outdoor scenes labelled with ADE20K classes: the default data of `langseg demo`. */
export { syntheticScene, renderSyntheticScene } from './scene.js';
export type { SyntheticScene, SyntheticSceneOptions } from './scene.js';
export { syntheticDataset, syntheticSceneSeed, MAX_SYNTHETIC_COUNT } from './dataset.js';
export type { SyntheticDatasetOptions, SyntheticSplit } from './dataset.js';
export { SYNTHETIC_CLASSES, SYNTHETIC_ADE20K_IDS, toAde20kIds } from './classes.js';
export type { SyntheticClassName } from './classes.js';

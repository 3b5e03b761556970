/** Data: toy scenes now; synthetic scenes, dataset readers, codecs and metrics later. */
export { toyScenes, TOY_CLASSES } from './toy-scenes.js';
export type { ToyBatch } from './toy-scenes.js';

/** langseg for Node: the whole library plus what needs Node's file system (atomic checkpoint files). */
export * from './index.js';
export { saveCheckpointFile, loadCheckpointFile } from './io/checkpoint-file.js';

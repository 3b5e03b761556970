/** langseg for Node: the whole library plus what needs Node's file system (atomic checkpoint files). */
export * from './index.js';
export { saveCheckpointFile, loadCheckpointFile } from './io/checkpoint-file.js';
export { openAde20k, type Ade20kSplit } from './data/node/ade20k.js';
export { openCocoStuff, type CocoStuffSplit } from './data/node/cocostuff.js';
export { FileDescriptorCache } from './descriptors/node/file-cache.js';
export { readDescriptorFile, writeDescriptorFile } from './descriptors/node/descriptor-file-io.js';
export { writeFileAtomic } from './io/atomic-file.js';

/**
 * Safetensors and checkpoints, the browser-safe part. The Node-only file functions
 * (saveCheckpointFile, loadCheckpointFile) live in ./checkpoint-file.js and are not re-exported
 * here, so this module bundles for the browser.
 */
export { encodeSafetensors, decodeSafetensors, decodeTensors } from './safetensors.js';
export type { DecodedSafetensors } from './safetensors.js';
export { readSafetensorsHeader, MAX_HEADER_BYTES } from './safetensors-header.js';
export type { SafetensorsHeader, TensorEntry } from './safetensors-header.js';
export { halfToFloat, floatToHalf } from './safetensors-dtypes.js';
export type { DecodedTensor, ReadableDType, TensorToWrite, WritableDType, WritableData } from './safetensors-dtypes.js';
export { serializeCheckpoint, parseCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.js';
export type { Checkpoint, CheckpointExpectation, CheckpointInput } from './checkpoint.js';
export { sha256Hex } from './sha256.js';
export { readDescriptorEmbeddings } from './descriptor-embeddings.js';
export type { DescriptorEmbeddings } from './descriptor-embeddings.js';

/**
 * Precomputed descriptor embeddings from a safetensors file, for LangSeg's frozen-embeddings option (a user
 * with a big text encoder elsewhere embeds the descriptors there). The file holds one 2-D float tensor
 * [K, D] named `embeddings` (or exactly one tensor of any name), row k for the k-th descriptor of the
 * descriptor set in order.
 */
import { CheckpointError } from '../errors.js';
import { decodeSafetensors } from './safetensors.js';

export interface DescriptorEmbeddings {
  /** Row-major [count, width]. */
  data: Float32Array;
  count: number;
  width: number;
}

export function readDescriptorEmbeddings(bytes: Uint8Array): DescriptorEmbeddings {
  const { tensors } = decodeSafetensors(bytes);
  const names = Object.keys(tensors);
  const name = 'embeddings' in tensors ? 'embeddings' : names.length === 1 ? names[0]! : null;
  if (!name) {
    throw new CheckpointError(`descriptor embeddings: the file has tensors ${names.join(', ') || '(none)'}; name the [K, D] one 'embeddings'`);
  }
  const t = tensors[name]!;
  if (!(t.data instanceof Float32Array) || t.shape.length !== 2) {
    throw new CheckpointError(`descriptor embeddings: '${name}' is ${t.dtype} [${t.shape.join(', ')}]; it must be a float tensor [K, D]`);
  }
  if (!t.data.every(Number.isFinite)) throw new CheckpointError(`descriptor embeddings: '${name}' holds NaN or infinite values`);
  return { data: t.data, count: t.shape[0]!, width: t.shape[1]! };
}

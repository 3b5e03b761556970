/**
 * Safetensors encoder and decoder (https://huggingface.co/docs/safetensors): 8-byte little-endian
 * header length, UTF-8 JSON header padded with spaces to 8 bytes, then the raw little-endian data.
 * The writer lays files out exactly as the reference implementation does, so the same tensors give
 * the same bytes. Pure: no Node built-ins, runs in a browser bundle.
 */
import { CheckpointError } from '../errors.js';
import {
  DTYPE_RANK,
  dataMatchesDType,
  decodeElements,
  DTYPE_BYTES,
  encodeElements,
  isWritableDType,
  type DecodedTensor,
  type TensorToWrite,
} from './safetensors-dtypes.js';
import { defineEntry, formatShape, quote, readSafetensorsHeader, type SafetensorsHeader } from './safetensors-header.js';

/** A decoded file: its tensors (in data order) and its `__metadata__` strings. */
export interface DecodedSafetensors {
  tensors: Record<string, DecodedTensor>;
  metadata: Record<string, string>;
}

const utf8 = new TextEncoder();

/** Encodes tensors and optional string metadata as a safetensors file. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => checkTensorToWrite(name, t));
  entries.sort(([an, at], [bn, bt]) => DTYPE_RANK[bt.dtype] - DTYPE_RANK[at.dtype] || compareUtf8(an, bn));

  const fields: string[] = [];
  const metaKeys = Object.keys(metadata).sort(compareUtf8);
  if (metaKeys.length > 0) {
    for (const key of metaKeys) {
      if (typeof metadata[key] !== 'string') {
        throw new CheckpointError(
          `cannot write safetensors metadata ${quote(key)}: its value is a ${typeof metadata[key]}; ` +
            'metadata values must be strings (JSON.stringify other values first)',
        );
      }
    }
    const pairs = metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    fields.push(`"__metadata__":{${pairs.join(',')}}`);
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.length * DTYPE_BYTES[t.dtype];
    // Key order and compact separators match the reference writer (serde_json).
    fields.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }

  const json = utf8.encode(`{${fields.join(',')}}`);
  // Pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of entries) {
    const bytes = encodeElements(t);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Decodes a safetensors file, validating it completely; any malformed input throws CheckpointError. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const header = readSafetensorsHeader(bytes);
  return { tensors: decodeTensors(bytes, header), metadata: header.metadata };
}

/** Copies every tensor of an already validated header out of the file's bytes. */
export function decodeTensors(bytes: Uint8Array, header: SafetensorsHeader): Record<string, DecodedTensor> {
  const tensors: Record<string, DecodedTensor> = {};
  for (const t of header.tensors) {
    const start = header.dataStart + t.begin;
    defineEntry(tensors, t.name, decodeElements(t.dtype, t.shape, bytes.subarray(start, header.dataStart + t.end)));
  }
  return tensors;
}

function checkTensorToWrite(name: string, t: TensorToWrite): [string, TensorToWrite] {
  const fail = (reason: string) => new CheckpointError(`cannot write tensor ${quote(name)}: ${reason}`);
  if (name === '__metadata__') throw fail('the name __metadata__ is reserved by the safetensors format; rename the tensor');
  if (!isWritableDType(t.dtype)) throw fail(`dtype ${String(t.dtype)} is not one langseg writes; use F32, F16, I32 or U32`);
  if (!dataMatchesDType(t.dtype, t.data)) {
    throw fail(`dtype ${t.dtype} needs a ${{ F32: 'Float32Array', F16: 'Float32Array', I32: 'Int32Array', U32: 'Uint32Array' }[t.dtype]} of data`);
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`shape ${String(t.shape)} is not an array of non-negative integers`);
  }
  const elements = t.shape.reduce((a, b) => a * b, 1);
  if (elements !== t.data.length) {
    throw fail(`shape ${formatShape(t.shape)} has ${elements} elements but the data has ${t.data.length}; reshape or fix the data`);
  }
  return [name, t];
}

/** Orders strings by their UTF-8 bytes (that is, by code point), as Rust's `String` ordering does. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/**
 * Reads and validates a safetensors header: the 8-byte little-endian length N, N bytes of UTF-8
 * JSON, then the data buffer, which the tensors must cover end to end with no hole and no overlap.
 * Every malformed input becomes a CheckpointError; nothing here indexes outside the buffer, so it
 * is safe on any bytes (it is fuzzed). Pure: no Node built-ins.
 */
import { CheckpointError } from '../errors.js';
import { DTYPE_BYTES, isReadableDType, type ReadableDType } from './safetensors-dtypes.js';

/** The reference implementation refuses headers over 100 MB; so do we, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's header entry; `begin` and `end` (exclusive) are relative to the data buffer. */
export interface TensorEntry {
  name: string;
  dtype: ReadableDType;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: where the data buffer starts, the tensors in data order, the metadata. */
export interface SafetensorsHeader {
  /** N, the JSON header's length in bytes (padding included). */
  headerLength: number;
  /** Offset of the data buffer in the file: 8 + N. */
  dataStart: number;
  /** Length of the data buffer: everything after the header. */
  dataLength: number;
  /** Tensors sorted by their offsets in the data buffer. */
  tensors: TensorEntry[];
  /** The `__metadata__` string map ({} when the file has none). */
  metadata: Record<string, string>;
}

const REMEDY = 'the file is truncated, corrupted or not a safetensors file: use an intact copy or an earlier checkpoint';

/** A CheckpointError for a malformed file, naming the tensor when there is one. */
function invalid(reason: string, tensor?: string): CheckpointError {
  const where = tensor === undefined ? '' : `tensor ${quote(tensor)}: `;
  return new CheckpointError(`invalid safetensors file: ${where}${reason}; ${REMEDY}`);
}

/** A JSON-quoted name, cut short so a hostile file cannot make a huge message. */
export function quote(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}

/** A short, non-recursive rendering of a JSON value for error messages (deeply nested input is safe). */
function describe(value: unknown): string {
  const one = (v: unknown): string => {
    if (typeof v === 'string') return quote(v.length > 20 ? `${v.slice(0, 20)}…` : v);
    if (Array.isArray(v)) return '[…]';
    if (v !== null && typeof v === 'object') return '{…}';
    return String(v);
  };
  if (!Array.isArray(value)) return one(value);
  const shown = value.slice(0, 8).map(one).join(', ');
  return `[${shown}${value.length > 8 ? ', …' : ''}]`;
}

/** `[2, 3]`-style rendering of a valid shape or offset pair. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Defines an own, enumerable property even for names like `__proto__`, which `obj[k] = v` would not. */
export function defineEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Reads and validates the header of a safetensors file held in `bytes`. */
export function readSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (bytes.length < 8) {
    throw invalid(`it is ${bytes.length} bytes long, shorter than the 8-byte header length that starts every file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw invalid(`its header length ${declared} is over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;
  if (dataStart > bytes.length) {
    throw invalid(`its header length ${headerLength} runs past the end of the ${bytes.length}-byte file`);
  }
  const header = parseHeaderJson(bytes.subarray(8, dataStart));
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') metadata = readMetadata(info);
    else tensors.push(readEntry(name, info, dataLength));
  }
  checkCoverage(tensors, dataLength);
  return { headerLength, dataStart, dataLength, tensors, metadata };
}

function parseHeaderJson(headerBytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    // A copy, because TextDecoder refuses views of a SharedArrayBuffer.
    if (!(headerBytes.buffer instanceof ArrayBuffer)) headerBytes = new Uint8Array(headerBytes);
    // fatal: reject invalid UTF-8 instead of replacing it; ignoreBOM: keep a BOM so JSON.parse
    // refuses it, as the reference implementation does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw invalid('its header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message.slice(0, 200) : 'unparseable';
    throw invalid(`its header is not valid JSON (${detail})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid(`its header is ${describe(parsed)}, not a JSON object of tensors`);
  }
  return parsed as Record<string, unknown>;
}

function readMetadata(value: unknown): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (value === null) return metadata; // the reference implementation reads null as "no metadata"
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`__metadata__ is ${describe(value)}, not an object of strings`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(`__metadata__ ${quote(key)} is ${describe(v)}, not a string`);
    defineEntry(metadata, key, v);
  }
  return metadata;
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function readEntry(name: string, info: unknown, dataLength: number): TensorEntry {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw invalid(`its entry is ${describe(info)}, not an object with dtype, shape and data_offsets`, name);
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw invalid(`dtype is ${describe(dtype)}, not a string`, name);
  if (!isReadableDType(dtype)) {
    throw new CheckpointError(
      `safetensors tensor ${quote(name)} has dtype ${quote(dtype)}, which langseg does not read ` +
        `(it reads ${Object.keys(DTYPE_BYTES).join(', ')}); convert the tensor to F32 before saving the file`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw invalid(`shape ${describe(shape)} is not an array of non-negative integers`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw invalid(`data_offsets ${describe(offsets)} is not [begin, end] of non-negative integers`, name);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw invalid(`data_offsets ${formatShape(offsets)} end before they begin`, name);
  if (end > dataLength) {
    throw invalid(`data_offsets ${formatShape(offsets)} run past the end of the ${dataLength}-byte data buffer`, name);
  }
  const size = DTYPE_BYTES[dtype];
  const elements = shape.includes(0) ? 0 : shape.reduce((a: number, b: number) => a * b, 1);
  // Past 2^53 the product is inexact, but such a tensor could not fit in any buffer anyway.
  if (elements * size !== end - begin) {
    const need = Number.isSafeInteger(elements * size) ? `${elements * size} bytes` : 'more bytes than any file holds';
    throw invalid(
      `data_offsets ${formatShape(offsets)} hold ${end - begin} bytes but shape ${formatShape(shape)} of ${dtype} needs ${need}`,
      name,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Checks that the tensors, sorted by offset, tile the data buffer exactly (the spec requires it). */
function checkCoverage(tensors: TensorEntry[], dataLength: number): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let cursor = 0;
  let previous: TensorEntry | undefined;
  for (const t of tensors) {
    if (t.begin < cursor && previous) {
      throw invalid(
        `data_offsets ${formatShape([t.begin, t.end])} start inside tensor ${quote(previous.name)} ` +
          `${formatShape([previous.begin, previous.end])}; tensors must follow one another without overlap`,
        t.name,
      );
    }
    if (t.begin > cursor) {
      throw invalid(`bytes ${cursor} to ${t.begin} of the data buffer, just before it, belong to no tensor`, t.name);
    }
    cursor = t.end;
    previous = t;
  }
  if (cursor !== dataLength) {
    throw invalid(`the last ${dataLength - cursor} bytes of the ${dataLength}-byte data buffer belong to no tensor`);
  }
}

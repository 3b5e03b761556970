/**
 * Checkpoints: safetensors files whose `__metadata__` records the training step, the model config
 * and two SHA-256 checksums, so a corrupted or changed file is refused instead of silently loaded.
 *
 * Metadata fields: `format` ("langseg-checkpoint"), `version` ("1"), `step` (decimal integer),
 * `config` (JSON), `sha256` (hex SHA-256 of the data buffer: every byte after the header) and
 * `header_sha256` (hex SHA-256 of the header's N bytes, padding included, with this field's own 64
 * hex digits written as "0"s). The second exists because the data checksum alone would let a
 * flipped byte in the header (step, config, a dtype or shape) through unnoticed.
 *
 * A file is taken as a checkpoint, and verified, when it has either mark: `format` or
 * `header_sha256`. A plain safetensors file (say, from Hugging Face's library) has neither and
 * loads unverified: step 0, config null, `verified: false`.
 *
 * Pure: no Node built-ins; disk I/O is in checkpoint-file.ts.
 */
import { CheckpointError } from '../errors.js';
import type { DecodedTensor, TensorToWrite } from './safetensors-dtypes.js';
import { decodeTensors, encodeSafetensors } from './safetensors.js';
import { formatShape, quote, readSafetensorsHeader, type SafetensorsHeader } from './safetensors-header.js';
import { sha256Hex } from './sha256.js';

/** The `format` metadata value that marks a langseg checkpoint. */
export const CHECKPOINT_FORMAT = 'langseg-checkpoint';
/** The checkpoint layout version this code writes and reads. */
export const CHECKPOINT_VERSION = '1';

/** The metadata keys a checkpoint writes itself; extra metadata may not use them. */
export const RESERVED_KEYS: readonly string[] = ['format', 'version', 'step', 'config', 'sha256', 'header_sha256'];
const HASH_PLACEHOLDER = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

/** What a checkpoint holds when saved. */
export interface CheckpointInput {
  tensors: Readonly<Record<string, TensorToWrite>>;
  /** Training step, a non-negative integer. */
  step: number;
  /** The model config, stored as JSON (anything JSON.stringify accepts). */
  config: unknown;
  /** More string metadata; must not use the reserved keys above. */
  extraMetadata?: Readonly<Record<string, string>>;
}

/** A loaded checkpoint. */
export interface Checkpoint {
  tensors: Record<string, DecodedTensor>;
  step: number;
  config: unknown;
  /** All `__metadata__` strings, ours included. */
  metadata: Record<string, string>;
  /** True when both checksums were present and matched; false for a plain safetensors file. */
  verified: boolean;
}

/** What the caller requires of a loaded checkpoint; any difference is refused. */
export interface CheckpointExpectation {
  shapes?: Readonly<Record<string, readonly number[]>>;
  /** Refuse plain safetensors files, which carry no checksums (say, when resuming training). */
  requireVerified?: boolean;
}

/** Serializes tensors, step and config as a checksummed safetensors checkpoint. */
export async function serializeCheckpoint(input: CheckpointInput): Promise<Uint8Array> {
  const { tensors, step, config, extraMetadata = {} } = input;
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new CheckpointError(`cannot save checkpoint: step ${step} is not a non-negative integer`);
  }
  for (const key of Object.keys(extraMetadata)) {
    if (RESERVED_KEYS.includes(key)) {
      throw new CheckpointError(`cannot save checkpoint: extra metadata key ${quote(key)} is reserved (${RESERVED_KEYS.join(', ')}); choose another key`);
    }
  }
  const bytes = encodeSafetensors(tensors, {
    ...extraMetadata,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: String(step),
    config: configJson(config),
    sha256: HASH_PLACEHOLDER,
    header_sha256: HASH_PLACEHOLDER,
  });
  // The checksums depend on the finished bytes, so they are written into the placeholders in place;
  // hex digits replace hex digits, so no offset moves.
  const dataStart = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = bytes.subarray(8, dataStart);
  writeAscii(header, mustLocateHash(header, 'sha256'), await sha256Hex(bytes.subarray(dataStart)));
  writeAscii(header, mustLocateHash(header, 'header_sha256'), await sha256Hex(header));
  return bytes;
}

function mustLocateHash(header: Uint8Array, key: string): number {
  const at = locateHash(header, key);
  // Unreachable: the writer emits each field once, and names and values cannot contain it unescaped.
  if (at < 0) throw new Error(`internal error: the written checkpoint header has no unique "${key}" field`);
  return at;
}

/** Parses and verifies a checkpoint (or loads a plain safetensors file unverified). */
export async function parseCheckpoint(bytes: Uint8Array, expect: CheckpointExpectation = {}): Promise<Checkpoint> {
  const header = readSafetensorsHeader(bytes);
  const metadata = header.metadata;
  let step = 0;
  let config: unknown = null;
  let verified = false;
  const format = own(metadata, 'format');
  // Either mark makes it ours, so that one damaged byte (in "format" or its value) cannot turn a
  // checkpoint into an unverified plain file.
  if (format === CHECKPOINT_FORMAT || own(metadata, 'header_sha256') !== undefined) {
    // The version first: another version may checksum differently, and "corrupted" would mislead.
    if (format === CHECKPOINT_FORMAT) checkVersion(own(metadata, 'version'));
    await verifyChecksums(bytes, header);
    if (format !== CHECKPOINT_FORMAT) {
      throw new CheckpointError(`checkpoint metadata "format" is ${format === undefined ? 'missing' : quote(format)}, not "${CHECKPOINT_FORMAT}"; ${CORRUPTED}`);
    }
    step = parseStep(own(metadata, 'step'));
    config = parseConfig(own(metadata, 'config'));
    verified = true;
  } else if (expect.requireVerified) {
    throw new CheckpointError(
      'this is a plain safetensors file, not a langseg checkpoint, so it has no checksums to verify; ' +
        'load it without requireVerified, or save it as a checkpoint first',
    );
  }
  const tensors = decodeTensors(bytes, header);
  if (expect.shapes) checkShapes(tensors, expect.shapes);
  return { tensors, step, config, metadata, verified };
}

function own(record: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function configJson(config: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(config);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new CheckpointError(`cannot save checkpoint: the config is not JSON-serializable (${detail}); pass plain objects, arrays, strings, numbers and booleans`);
  }
  return json ?? 'null'; // JSON.stringify(undefined) is undefined
}

function checkVersion(version: string | undefined): void {
  if (version === CHECKPOINT_VERSION) return;
  if (version === undefined) {
    throw new CheckpointError('checkpoint metadata has no "version"; the file is corrupted: use an earlier checkpoint');
  }
  throw new CheckpointError(
    `checkpoint version ${quote(version)} is not one this langseg reads (it reads version ${CHECKPOINT_VERSION}); ` +
      'load it with the langseg version that wrote it, or upgrade langseg',
  );
}

const CORRUPTED = 'the file is corrupted or was changed; use an earlier checkpoint';

async function verifyChecksums(bytes: Uint8Array, header: SafetensorsHeader): Promise<void> {
  const dataHash = own(header.metadata, 'sha256');
  const headerHash = own(header.metadata, 'header_sha256');
  if (dataHash === undefined || !HEX64.test(dataHash) || headerHash === undefined || !HEX64.test(headerHash)) {
    throw new CheckpointError(`checkpoint metadata lacks a valid "sha256" or "header_sha256" (64 hex digits); ${CORRUPTED}`);
  }
  // The header is checked first: if it was damaged, its recorded data checksum cannot be trusted.
  const headerCopy = new Uint8Array(bytes.subarray(8, header.dataStart)); // a copy: Buffer.slice would not be
  const at = locateHash(headerCopy, 'header_sha256');
  if (at < 0) {
    throw new CheckpointError(
      `checkpoint header does not hold "header_sha256" the way langseg writes it; ${CORRUPTED} ` +
        '(a file rewritten by another tool loads unverified once "format" is removed from its __metadata__)',
    );
  }
  writeAscii(headerCopy, at, HASH_PLACEHOLDER);
  if ((await sha256Hex(headerCopy)) !== headerHash) {
    throw new CheckpointError(`checkpoint header does not match its SHA-256 (header_sha256): ${CORRUPTED}`);
  }
  if ((await sha256Hex(bytes.subarray(header.dataStart))) !== dataHash) {
    throw new CheckpointError(`checkpoint data does not match its SHA-256: ${CORRUPTED}`);
  }
}

/**
 * Byte offset in `header` of the 64 hex digits of the string field `"key":"…"`, or -1 unless it
 * occurs exactly once. Inside JSON strings every quote is escaped, so the unescaped pattern can
 * only be the field itself.
 */
function locateHash(header: Uint8Array, key: string): number {
  const pattern = new TextEncoder().encode(`"${key}":"`);
  let found = -1;
  for (let i = 0; i + pattern.length + 65 <= header.length; i++) {
    let match = true;
    for (let j = 0; j < pattern.length && match; j++) match = header[i + j] === pattern[j];
    if (!match) continue;
    if (found >= 0) return -1;
    found = i + pattern.length;
  }
  return found >= 0 && header[found + 64] === 0x22 ? found : -1; // the closing quote
}

function writeAscii(target: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[at + i] = text.charCodeAt(i);
}

function parseStep(step: string | undefined): number {
  const value = step !== undefined && /^(0|[1-9][0-9]*)$/.test(step) ? Number(step) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new CheckpointError(`checkpoint step ${step === undefined ? 'is missing' : `${quote(step)} is not a non-negative integer`}; ${CORRUPTED}`);
  }
  return value;
}

function parseConfig(config: string | undefined): unknown {
  if (config === undefined) throw new CheckpointError(`checkpoint metadata has no "config"; ${CORRUPTED}`);
  try {
    return JSON.parse(config);
  } catch {
    throw new CheckpointError(`checkpoint config is not valid JSON; ${CORRUPTED}`);
  }
}

function checkShapes(tensors: Record<string, DecodedTensor>, expected: Readonly<Record<string, readonly number[]>>): void {
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const found = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
    if (!found) problems.push(`tensor ${quote(name)} is missing (expected shape ${formatShape(shape)})`);
    else if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      problems.push(`tensor ${quote(name)} has shape ${formatShape(found.shape)} but the model expects ${formatShape(shape)}`);
    }
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (!Object.hasOwn(expected, name)) problems.push(`tensor ${quote(name)} (shape ${formatShape(t.shape)}) is unexpected: the model has no such parameter`);
  }
  if (problems.length === 0) return;
  const shown = problems.slice(0, 10).join('; ') + (problems.length > 10 ? `; and ${problems.length - 10} more` : '');
  throw new CheckpointError(
    `checkpoint does not match the model: ${shown}. Load a checkpoint saved from a model with the same config, ` +
      'or rename and reshape its tensors to the model\'s parameter names first',
  );
}

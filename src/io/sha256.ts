/**
 * SHA-256 through Web Crypto (`globalThis.crypto.subtle`), which Node 20 and every secure browser
 * context provide, so checkpoints verify the same way everywhere without Node built-ins.
 */
import { CheckpointError } from '../errors.js';

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new CheckpointError(
      'SHA-256 is unavailable because globalThis.crypto.subtle is missing: browsers provide it only ' +
        'on https:// or localhost pages, Node from version 20; load checkpoints from such a context',
    );
  }
  // Web Crypto takes views of plain ArrayBuffers only; copy one backed by a SharedArrayBuffer.
  const view = bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', view));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

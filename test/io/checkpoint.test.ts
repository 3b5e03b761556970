import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { encodeSafetensors, parseCheckpoint, readSafetensorsHeader, serializeCheckpoint, sha256Hex } from '../../src/io/index.js';
import type { TensorToWrite } from '../../src/io/index.js';
import { rng } from '../helpers/random.js';
import { expectCheckpointRejection } from './expect-checkpoint-error.js';

const tensors: Record<string, TensorToWrite> = {
  'backbone.conv.weight': { dtype: 'F32', shape: [2, 1, 2, 2], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) },
  'backbone.conv.bias': { dtype: 'F32', shape: [2], data: new Float32Array([0.1, -0.1]) },
  'text.token_ids': { dtype: 'I32', shape: [3], data: new Int32Array([101, 2023, 102]) },
  'optim.step': { dtype: 'U32', shape: [], data: new Uint32Array([1200]) },
  'head.unused': { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
};
const config = { model: 'langseg-tiny', channels: [16, 32], dropout: 0.1, text: { vocab: 30522 } };
const shapes = Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, t.shape]));

const checkpoint = await serializeCheckpoint({ tensors, step: 1200, config, extraMetadata: { note: 'unit test' } });

function flipped(bytes: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at]! ^= mask;
  return copy;
}

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors, for views at any offset', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const host = new TextEncoder().encode('xxabcyy');
    expect(await sha256Hex(host.subarray(2, 5))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('serializeCheckpoint / parseCheckpoint', () => {
  it('round-trips tensors, step, config and extra metadata, verified', async () => {
    const loaded = await parseCheckpoint(checkpoint, { shapes });
    expect(loaded.verified).toBe(true);
    expect(loaded.step).toBe(1200);
    expect(loaded.config).toEqual(config);
    expect(loaded.metadata).toMatchObject({ format: 'langseg-checkpoint', version: '1', step: '1200', note: 'unit test' });
    expect(loaded.metadata.config).toBe(JSON.stringify(config));
    for (const [name, t] of Object.entries(tensors)) {
      expect(loaded.tensors[name]!.shape).toEqual(t.shape);
      expect(Array.from(loaded.tensors[name]!.data as ArrayLike<number>)).toEqual(Array.from(t.data));
    }
  });

  it('records the SHA-256 of the data buffer, checkable with any tool', async () => {
    const { dataStart, metadata } = readSafetensorsHeader(checkpoint);
    expect(metadata.sha256).toBe(await sha256Hex(checkpoint.subarray(dataStart)));
    expect(metadata.header_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic', async () => {
    expect(await serializeCheckpoint({ tensors, step: 1200, config, extraMetadata: { note: 'unit test' } })).toEqual(checkpoint);
  });

  it('stores an undefined config as null, and refuses configs JSON cannot hold', async () => {
    expect((await parseCheckpoint(await serializeCheckpoint({ tensors: {}, step: 0, config: undefined }))).config).toBeNull();
    await expectCheckpointRejection(serializeCheckpoint({ tensors: {}, step: 0, config: { n: 1n } }), /config is not JSON-serializable/);
  });

  it('refuses bad steps and reserved metadata keys', async () => {
    for (const step of [-1, 1.5, NaN, 2 ** 53]) {
      await expectCheckpointRejection(serializeCheckpoint({ tensors, step, config }), /step .* is not a non-negative integer/);
    }
    await expectCheckpointRejection(serializeCheckpoint({ tensors, step: 1, config, extraMetadata: { sha256: 'x' } }), /"sha256" is reserved/);
  });

  it('refuses a flipped byte in the data: checksum mismatch', async () => {
    const { dataStart } = readSafetensorsHeader(checkpoint);
    for (const at of [dataStart, dataStart + 13, checkpoint.length - 1]) {
      await expectCheckpointRejection(
        parseCheckpoint(flipped(checkpoint, at)),
        /data does not match its SHA-256: the file is corrupted or was changed; use an earlier checkpoint/,
      );
    }
  });

  it('refuses a flipped byte in the header, even one that leaves it valid JSON (a config digit)', async () => {
    const text = new TextDecoder().decode(checkpoint);
    const digit = text.indexOf('30522');
    expect(digit).toBeGreaterThan(8);
    const edited = new Uint8Array(checkpoint);
    edited[digit] = '4'.charCodeAt(0); // still valid JSON: vocab 40522
    await expectCheckpointRejection(parseCheckpoint(edited), /header does not match its SHA-256 \(header_sha256\)/, /use an earlier checkpoint/);
    // A changed step, the same way.
    const step = text.indexOf('"step":"1200"') + '"step":"'.length;
    const stepEdited = new Uint8Array(checkpoint);
    stepEdited[step] = '9'.charCodeAt(0);
    await expectCheckpointRejection(parseCheckpoint(stepEdited), /header does not match its SHA-256/);
  });

  it('refuses every single-byte change anywhere in the file', async () => {
    const next = rng(99);
    const unexpected: string[] = [];
    for (let at = 0; at < checkpoint.length; at++) {
      const mask = 1 + Math.floor(next() * 255);
      try {
        await parseCheckpoint(flipped(checkpoint, at, mask));
        unexpected.push(`byte ${at} ^ ${mask}: loaded`);
      } catch (e) {
        if (!(e instanceof CheckpointError)) unexpected.push(`byte ${at} ^ ${mask}: ${String(e)}`);
      }
    }
    expect(unexpected).toEqual([]);
  });

  it('refuses a truncated file, wherever it was cut', async () => {
    const { dataStart } = readSafetensorsHeader(checkpoint);
    for (const length of [0, 5, 8, 9, 100, dataStart - 1, dataStart, dataStart + 3, checkpoint.length - 1]) {
      await expectCheckpointRejection(parseCheckpoint(checkpoint.subarray(0, length)), /invalid safetensors file|does not match its SHA-256/);
    }
  });

  it('refuses a bad header length', async () => {
    const edited = new Uint8Array(checkpoint);
    edited[0]! += 8;
    await expectCheckpointRejection(parseCheckpoint(edited), /invalid safetensors file/);
    edited[7] = 1;
    await expectCheckpointRejection(parseCheckpoint(edited), /is over the 100000000-byte limit/);
  });

  it('refuses a version it does not know, and a checkpoint without its checksums', async () => {
    const v2 = encodeSafetensors({}, { format: 'langseg-checkpoint', version: '2', step: '0', config: 'null' });
    await expectCheckpointRejection(parseCheckpoint(v2), /checkpoint version "2" is not one this langseg reads/, /upgrade langseg/);
    const bare = encodeSafetensors({}, { format: 'langseg-checkpoint', version: '1', step: '0', config: 'null' });
    await expectCheckpointRejection(parseCheckpoint(bare), /lacks a valid "sha256" or "header_sha256"/);
  });

  it('fuzz: 500 random mutations of a checkpoint are all refused with CheckpointError', async () => {
    const next = rng(4242);
    const unexpected: string[] = [];
    for (let i = 0; i < 500; i++) {
      const bytes = [...checkpoint];
      const at = Math.floor(next() * bytes.length);
      const kind = Math.floor(next() * 3);
      if (kind === 0) bytes.splice(at, 1 + Math.floor(next() * 8));
      else if (kind === 1) bytes.splice(at, 0, Math.floor(next() * 256));
      else bytes[at] = (bytes[at]! + 1 + Math.floor(next() * 255)) % 256;
      try {
        await parseCheckpoint(new Uint8Array(bytes));
        unexpected.push(`mutation ${i} loaded`);
      } catch (e) {
        if (!(e instanceof CheckpointError)) unexpected.push(`mutation ${i}: ${String(e)}`);
      }
    }
    expect(unexpected).toEqual([]);
  });
});

describe('parseCheckpoint against the shapes the model expects', () => {
  it('names a tensor of the wrong shape, with both shapes', async () => {
    await expectCheckpointRejection(
      parseCheckpoint(checkpoint, { shapes: { ...shapes, 'backbone.conv.weight': [2, 2, 2, 1] } }),
      /checkpoint does not match the model: tensor "backbone.conv.weight" has shape \[2, 1, 2, 2\] but the model expects \[2, 2, 2, 1\]/,
      /same config/,
    );
    await expectCheckpointRejection(parseCheckpoint(checkpoint, { shapes: { ...shapes, 'optim.step': [1] } }), /"optim.step" has shape \[\] but the model expects \[1\]/);
  });

  it('names a missing tensor and an unexpected one', async () => {
    const { 'backbone.conv.bias': _bias, ...withoutBias } = shapes;
    await expectCheckpointRejection(parseCheckpoint(checkpoint, { shapes: withoutBias }), /tensor "backbone.conv.bias" \(shape \[2\]\) is unexpected/);
    await expectCheckpointRejection(
      parseCheckpoint(checkpoint, { shapes: { ...shapes, 'head.proj.weight': [4, 8] } }),
      /tensor "head.proj.weight" is missing \(expected shape \[4, 8\]\)/,
    );
  });

  it('lists every problem at once', async () => {
    const error = await expectCheckpointRejection(parseCheckpoint(checkpoint, { shapes: { x: [1], y: [2] } }));
    expect(error.message.match(/tensor "/g)!.length).toBe(7);
  });
});

describe('plain safetensors files (not written by langseg)', () => {
  it('load unverified, with step 0 and config null', async () => {
    const bytes = readFileSync(new URL('../fixtures/safetensors/reference.safetensors', import.meta.url));
    const loaded = await parseCheckpoint(bytes);
    expect(loaded.verified).toBe(false);
    expect(loaded.step).toBe(0);
    expect(loaded.config).toBeNull();
    expect(loaded.metadata).toEqual({ format: 'pt' });
    expect(loaded.tensors['head.bias']!.data).toEqual(new Float32Array([1, -0.5, 65504]));
  });

  it('are refused when the caller requires a verified checkpoint', async () => {
    const bytes = readFileSync(new URL('../fixtures/safetensors/reference.safetensors', import.meta.url));
    await expectCheckpointRejection(parseCheckpoint(bytes, { requireVerified: true }), /plain safetensors file, not a langseg checkpoint/);
    expect((await parseCheckpoint(checkpoint, { requireVerified: true })).verified).toBe(true);
  });

  it('still get structural validation', async () => {
    const bytes = readFileSync(new URL('../fixtures/safetensors/reference.safetensors', import.meta.url));
    await expectCheckpointRejection(parseCheckpoint(bytes.subarray(0, bytes.length - 1)), /belong to no tensor|run past the end/);
  });
});

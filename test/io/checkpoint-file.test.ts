import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCheckpointFile, saveCheckpointFile } from '../../src/io/checkpoint-file.js';
import { serializeCheckpoint } from '../../src/io/index.js';
import { expectCheckpointRejection } from './expect-checkpoint-error.js';

const weights = (v: number) => ({ w: { dtype: 'F32' as const, shape: [2, 2], data: new Float32Array([v, v + 1, v + 2, v + 3]) } });
const first = await serializeCheckpoint({ tensors: weights(1), step: 10, config: { depth: 1 } });
const second = await serializeCheckpoint({ tensors: weights(5), step: 20, config: { depth: 1 } });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'langseg-ckpt-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('saveCheckpointFile / loadCheckpointFile', () => {
  it('saves, loads and verifies', async () => {
    const path = join(dir, 'model.safetensors');
    await saveCheckpointFile(path, first);
    expect(readFileSync(path).equals(first)).toBe(true);
    const loaded = await loadCheckpointFile(path, { shapes: { w: [2, 2] }, requireVerified: true });
    expect(loaded.step).toBe(10);
    expect(loaded.tensors.w!.data).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('replaces an existing checkpoint, leaving no temp file', async () => {
    const path = join(dir, 'model.safetensors');
    await saveCheckpointFile(path, first);
    await saveCheckpointFile(path, second);
    expect(readFileSync(path).equals(second)).toBe(true);
    expect((await loadCheckpointFile(path)).step).toBe(20);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('says when the file does not exist', async () => {
    await expectCheckpointRejection(loadCheckpointFile(join(dir, 'nope.safetensors')), /checkpoint file ".*nope.safetensors" does not exist; check the path/);
  });

  it('names the path when the file is corrupted', async () => {
    const path = join(dir, 'bad.safetensors');
    const corrupted = new Uint8Array(first);
    corrupted[corrupted.length - 1]! ^= 0x40;
    writeFileSync(path, corrupted);
    await expectCheckpointRejection(loadCheckpointFile(path), /bad\.safetensors: checkpoint data does not match its SHA-256/);
  });

  it('refuses to load a directory', async () => {
    await expectCheckpointRejection(loadCheckpointFile(dir), /is a directory/);
  });

  it('fails cleanly when the target is a directory: it stays, and no temp file is left', async () => {
    const target = join(dir, 'model.safetensors');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    // The temp file is written in full, then the rename over a directory fails.
    await expectCheckpointRejection(saveCheckpointFile(target, first), /cannot save checkpoint .*model\.safetensors/);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('keep');
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    const path = join(dir, 'missing', 'model.safetensors');
    await expectCheckpointRejection(saveCheckpointFile(path, first), /cannot save checkpoint/, /any previous file there is unchanged/, /directory exists/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

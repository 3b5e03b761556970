/**
 * Atomic saves under injected failures: the disk fills mid-write, fsync fails, the rename fails.
 * node:fs/promises is wrapped so each failure strikes after the temp file exists; in every case
 * the previous checkpoint must stay byte-identical and no temp file may be left behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadCheckpointFile, saveCheckpointFile } from '../../src/io/checkpoint-file.js';
import { serializeCheckpoint } from '../../src/io/index.js';
import { expectCheckpointRejection } from './expect-checkpoint-error.js';

type Failure = 'write' | 'sync' | 'rename' | undefined;
const inject = vi.hoisted(() => ({ failure: undefined as Failure }));

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure`), { code });
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>): Promise<FileHandle> => {
      const handle = await real.open(...args);
      if (args[1] !== 'wx') return handle; // only the temp file is sabotaged
      if (inject.failure === 'write') {
        // Half the bytes reach the disk, then it is full.
        handle.writeFile = async (data: unknown) => {
          const bytes = data as Uint8Array;
          await handle.write(bytes.subarray(0, bytes.length >> 1));
          throw errno('ENOSPC');
        };
      }
      if (inject.failure === 'sync') handle.sync = async () => Promise.reject(errno('EIO'));
      return handle;
    },
    rename: async (...args: Parameters<typeof real.rename>) => {
      if (inject.failure === 'rename') throw errno('EXDEV');
      return real.rename(...args);
    },
  };
});

const previous = await serializeCheckpoint({ tensors: { w: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } }, step: 1, config: null });
const next = await serializeCheckpoint({ tensors: { w: { dtype: 'F32', shape: [3], data: new Float32Array([4, 5, 6]) } }, step: 2, config: null });

let dir: string;
let path: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'langseg-ckpt-fail-'));
  path = join(dir, 'model.safetensors');
  inject.failure = undefined;
  await saveCheckpointFile(path, previous);
});
afterEach(() => {
  inject.failure = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('a failed save leaves the previous checkpoint intact and no temp file', () => {
  it.each([
    ['the disk fills mid-write', 'write', /ENOSPC/],
    ['fsync fails', 'sync', /EIO/],
    ['the rename fails', 'rename', /EXDEV/],
  ] as const)('when %s', async (_what, failure, code) => {
    inject.failure = failure;
    await expectCheckpointRejection(saveCheckpointFile(path, next), /cannot save checkpoint to ".*model\.safetensors"/, code, /any previous file there is unchanged/);
    expect(readFileSync(path).equals(previous)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect((await loadCheckpointFile(path)).step).toBe(1);
  });

  it('and the next save, once the fault is gone, succeeds', async () => {
    inject.failure = 'write';
    await expectCheckpointRejection(saveCheckpointFile(path, next));
    inject.failure = undefined;
    await saveCheckpointFile(path, next);
    expect(readFileSync(path).equals(next)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

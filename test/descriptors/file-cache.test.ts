/** The on-disk descriptor cache and descriptor file I/O (Node only), in a temp dir. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescriptorError } from '../../src/errors.js';
import { descriptorCacheKey, PROMPT_VERSION, type CachedDescriptors } from '../../src/descriptors/index.js';
import { FileDescriptorCache } from '../../src/descriptors/node/file-cache.js';
import { readDescriptorFile, writeDescriptorFile } from '../../src/descriptors/node/descriptor-file-io.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'langseg-descriptors-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ENTRY: CachedDescriptors = { model: 'm', className: 'wall', promptVersion: PROMPT_VERSION, perClass: 2, descriptors: ['a brick wall', 'a white wall'] };

describe('FileDescriptorCache', () => {
  it('stores one JSON file per key, creating the directory, and reads it back', async () => {
    const cache = new FileDescriptorCache(join(dir, 'nested', 'cache'));
    const key = await descriptorCacheKey('m', 'wall', 2);
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, ENTRY);
    expect(await cache.get(key)).toEqual(ENTRY);
    expect(await readdir(join(dir, 'nested', 'cache'))).toEqual([`${key}.json`]); // no temp files left
    expect(JSON.parse(await readFile(join(dir, 'nested', 'cache', `${key}.json`), 'utf8'))).toEqual(ENTRY);
  });

  it('treats a corrupt entry as a miss, and overwrites it', async () => {
    const cache = new FileDescriptorCache(dir);
    const key = await descriptorCacheKey('m', 'wall', 2);
    await writeFile(join(dir, `${key}.json`), '{"model": "m", "descr');
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, ENTRY);
    expect(await cache.get(key)).toEqual(ENTRY);
  });

  it('refuses keys that are not hex digests (no path tricks)', async () => {
    const cache = new FileDescriptorCache(dir);
    await expect(cache.get('../../etc/passwd')).rejects.toThrow(DescriptorError);
    await expect(cache.set('abc/def', ENTRY)).rejects.toThrow(/is not a hex digest/);
  });
});

describe('descriptor files on disk', () => {
  const set = { classes: ['sky', 'sea'], descriptors: [['a clear blue sky', 'an overcast sky'], ['calm sea at sunset']] };

  it('writes atomically and reads back, refusing to overwrite without force', async () => {
    const path = join(dir, 'set.json');
    await writeDescriptorFile(path, set, { source: 'hand-written' });
    expect(await readDescriptorFile(path)).toEqual({ ...set, source: 'hand-written' });
    await expect(writeDescriptorFile(path, set)).rejects.toThrow(/already exists; choose another output file or pass --force/);
    await writeDescriptorFile(path, { classes: ['sky'], descriptors: [['a night sky']] }, {}, { force: true });
    expect((await readDescriptorFile(path)).classes).toEqual(['sky']);
    expect(await readdir(dir)).toEqual(['set.json']);
  });

  it('names the file in read errors', async () => {
    await expect(readDescriptorFile(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json" does not exist/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ format: 'langseg-descriptors', version: 1, classes: [{ name: 'sky', descriptors: ['x'] }] }));
    await expect(readDescriptorFile(bad)).rejects.toThrow(`${bad}: descriptor file: classes[0].descriptors[0] "x" is 1 character long`);
  });
});

/**
 * A descriptor cache on disk (Node only): one JSON file per key (`<dir>/<key>.json`, the key a sha256
 * hex of prompt version, model, count and class), written atomically, so parallel runs and crashes
 * never leave a torn entry. An entry that cannot be read or parsed counts as a miss and is overwritten.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescriptorError } from '../../errors.js';
import type { CachedDescriptors, DescriptorCache } from '../llm.js';
import { writeFileAtomic } from '../../io/atomic-file.js';

export class FileDescriptorCache implements DescriptorCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    // Keys are hex digests; anything else could name a path outside the cache directory.
    if (!/^[0-9a-f]{16,128}$/.test(key)) throw new DescriptorError(`descriptor cache: key ${JSON.stringify(key)} is not a hex digest`);
    return join(this.dir, `${key}.json`);
  }

  async get(key: string): Promise<CachedDescriptors | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return JSON.parse(text) as CachedDescriptors; // the client checks the shape before using it
    } catch {
      return undefined; // a corrupt entry: ask again, and the new answer replaces it
    }
  }

  async set(key: string, value: CachedDescriptors): Promise<void> {
    const path = this.file(key);
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
  }
}

/**
 * Descriptor files on disk (Node only): read and check one, or write one atomically without clobbering
 * an existing file unless asked to. Errors are DescriptorErrors that name the file.
 */
import { access, readFile } from 'node:fs/promises';
import { DescriptorError } from '../../errors.js';
import type { DescriptorSet } from '../descriptor-set.js';
import { parseDescriptorFile, serializeDescriptorFile, type DescriptorFile, type DescriptorFileMeta } from '../descriptor-file.js';
import { writeFileAtomic } from '../../io/atomic-file.js';

/** Reads and validates the descriptor file at `path`. */
export async function readDescriptorFile(path: string): Promise<DescriptorFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DescriptorError(
      code === 'ENOENT'
        ? `descriptor file ${JSON.stringify(path)} does not exist; check the path (relative paths start at ${process.cwd()})`
        : `cannot read descriptor file ${JSON.stringify(path)} (${(e as Error).message})`,
    );
  }
  try {
    return parseDescriptorFile(text);
  } catch (e) {
    if (!(e instanceof DescriptorError)) throw e;
    const named = new DescriptorError(`${path}: ${e.message}`);
    named.cause = e;
    throw named;
  }
}

export async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes `set` as a descriptor file at `path`, atomically. Refuses (DescriptorError) when the file
 * exists and `force` is not set, so nothing is overwritten by accident.
 */
export async function writeDescriptorFile(path: string, set: DescriptorSet, meta: DescriptorFileMeta = {}, options: { force?: boolean } = {}): Promise<void> {
  const text = serializeDescriptorFile(set, meta);
  if (!options.force && (await fileExists(path))) {
    throw new DescriptorError(`${JSON.stringify(path)} already exists; choose another output file or pass --force to replace it`);
  }
  try {
    await writeFileAtomic(path, text);
  } catch (e) {
    throw new DescriptorError(`cannot write descriptor file ${JSON.stringify(path)} (${(e as Error).message}); any previous file there is unchanged`);
  }
}

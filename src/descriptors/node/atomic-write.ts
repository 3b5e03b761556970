/**
 * Writing a text file atomically (Node only): the text goes to a temporary file beside the target, is
 * fsynced, then renamed over it, so a crash or a full disk leaves the old file or the new one, never
 * half of one. (Checkpoints do the same in src/io/checkpoint-file.ts, with their own error type.)
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';

/** Writes `text` (UTF-8) to `path` atomically; on failure no temp file remains and the error is rethrown. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  // Same directory as the target, so the rename never crosses file systems (where it is not atomic).
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(temp, 'wx');
    created = true;
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(temp).catch(() => undefined);
    throw e;
  }
}

/**
 * Atomic file writes (Node only): the data goes to a temporary file in the target's directory, is
 * fsynced, then renamed over the target (and the directory synced), so a crash or a full disk leaves the
 * old file or the new one, never a torn one, and no temporary file behind. Checkpoints, descriptor files,
 * caches and every output the CLI writes go through here.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Write `data` (bytes, or text as UTF-8) to `path` atomically; on failure the previous file is untouched. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  // Same directory as the target, so the rename never crosses file systems (where it is not atomic).
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(temp, 'wx'); // wx: never clobber a file we did not create
    created = true;
    await handle.writeFile(data);
    await handle.sync(); // the data must be on disk before the rename makes it the file
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(temp).catch(() => undefined);
    throw e;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable. Not every platform can fsync a directory (Windows), so failure is ignored. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: the file is already in place
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Remove the temporary files that writes killed mid-way (SIGKILL, power loss) left in `dir`: those of
 * processes that no longer run. Returns their names. The targets themselves are whole, old or new.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed; // no folder, nothing to clean
  }
  for (const name of names) {
    const m = /\.tmp-(\d+)-[0-9a-f]{12}$/.exec(name);
    if (!m || isRunning(Number(m[1]))) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but is someone else's
  }
}

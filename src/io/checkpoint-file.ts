/**
 * Checkpoint files on disk (Node only). Saving is atomic: the bytes go to a temporary file in the
 * same directory, are fsynced, then renamed over the target, so a crash or a full disk leaves
 * either the old checkpoint or the new one, never a torn file.
 */
import { readFile } from 'node:fs/promises';
import { CheckpointError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { parseCheckpoint, type Checkpoint, type CheckpointExpectation } from './checkpoint.js';

/** Writes `bytes` to `path` atomically; on failure the previous file is untouched and no temp file remains. */
export async function saveCheckpointFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw fileError(e, path, 'save');
  }
}

/** Reads, verifies and parses the checkpoint at `path`. */
export async function loadCheckpointFile(path: string, expect?: CheckpointExpectation): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileError(e, path, 'load');
  }
  try {
    return await parseCheckpoint(bytes, expect);
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    const withPath = new CheckpointError(`${path}: ${e.message}`);
    withPath.cause = e;
    throw withPath;
  }
}

function fileError(e: unknown, path: string, action: 'save' | 'load'): CheckpointError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  let message: string;
  if (action === 'load' && code === 'ENOENT') {
    message = `checkpoint file ${JSON.stringify(path)} does not exist; check the path (relative paths start at ${process.cwd()})`;
  } else if (code === 'EISDIR') {
    message = `cannot ${action} checkpoint ${JSON.stringify(path)}: it is a directory; give the path of a file`;
  } else if (action === 'save') {
    message =
      `cannot save checkpoint to ${JSON.stringify(path)} (${detail}); any previous file there is unchanged. ` +
      'Check that the directory exists and is writable and that the disk has free space';
  } else {
    message = `cannot read checkpoint ${JSON.stringify(path)} (${detail}); check that it is a readable file`;
  }
  const error = new CheckpointError(message);
  error.cause = e;
  return error;
}

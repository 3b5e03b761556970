/**
 * Figures of the reliability tests (kills survived, device losses recovered, soak buffers and RSS, fuzz
 * cases), merged into one JSON file per run so docs/RELIABILITY.md can quote the last run. Test files run
 * one at a time (vitest.config.ts), so read-merge-write is safe; the write is atomic.
 *
 * File: $LANGSEG_RELIABILITY_FIGURES, default test-results/reliability.json.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic-file.js';

export function figuresFile(): string {
  return process.env.LANGSEG_RELIABILITY_FIGURES ?? 'test-results/reliability.json';
}

/** Store `figures` under `key` (replacing that key's previous figures), with the time of the run. */
export async function recordFigures(key: string, figures: unknown): Promise<void> {
  const file = figuresFile();
  mkdirSync(dirname(file), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first figures of this run, or an unreadable file: start afresh
  }
  all[key] = { ...(figures as object), recordedAt: new Date().toISOString() };
  await writeFileAtomic(file, `${JSON.stringify(all, null, 2)}\n`);
}

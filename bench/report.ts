/** Present results: a fixed-width table for people, a JSON file for tools and later comparison. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CaseResult } from './run-case.js';

const fmt = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));

/** A plain-text table, one row per case. */
export function formatTable(results: readonly CaseResult[]): string {
  const header = ['op', 'shape', 'algorithm', 'ours ms', 'tfjs ms', 'speedup', 'ours rate', 'tfjs rate', 'metric', 'check'];
  const rows = results.map((r) => {
    const rate = (gflops: number | null, gbps: number | null) => fmt(r.metric === 'GFLOP/s' ? gflops : gbps, 2);
    return [
      r.op,
      r.shape,
      r.algorithm ?? '-',
      fmt(r.ours_ms, 2),
      fmt(r.tfjs_ms, 2),
      r.speedup === null ? '-' : `${r.speedup.toFixed(2)}x`,
      rate(r.ours_gflops, r.ours_gbps),
      rate(r.tfjs_gflops, r.tfjs_gbps),
      r.metric,
      r.check === 'ok' ? 'ok' : `${r.check}${r.max_rel_err !== null ? ` (err ${r.max_rel_err})` : ''}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Text columns left-aligned, numbers right-aligned.
  const numeric = new Set([3, 4, 5, 6, 7]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Write JSON atomically: a temp file in the same folder, then rename, so readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

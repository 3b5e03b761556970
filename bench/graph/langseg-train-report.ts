/** The `train` suite's extra table: per side ms/step, images/s and peak memory, the target, and where ours spends its time. */
import type { TrainBenchResult } from './run-langseg-train.js';

/** Issue #6's target: our steps/s at least 3x TF.js's. */
export const TARGET_SPEEDUP = 3;

const mib = (bytes: number | null | undefined): string => (bytes === null || bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(1));
const num = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? '-' : x.toFixed(digits));

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function formatTrainSummary(results: readonly TrainBenchResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const pt = r.pytorch;
    // Steps/s relative to ours = our ms / their ms (from the unrounded-enough ms, not the rounded speedups).
    const vsOurs = (ms: number | null | undefined) => (ms && r.ours_ms ? `${(r.ours_ms / ms).toFixed(2)}x` : '-');
    const rows = [
      ['ours (WebGPU)', num(r.ours_ms, 1), num(r.ours_images_per_s, 2), mib(r.ours_peak_bytes), '1.00x'],
      ['TF.js (WebGPU)', num(r.tfjs_ms, 1), num(r.tfjs_images_per_s, 2), mib(r.tfjs_peak_bytes), vsOurs(r.tfjs_ms)],
      [
        'PyTorch (CPU)',
        pt?.status === 'ok' ? num(pt.ms_per_step, 1) : `(${pt?.status ?? 'not run'})`,
        num(pt?.images_per_s, 2),
        pt?.status === 'ok' ? `${mib(pt.peak_rss_bytes)} RSS` : '-',
        vsOurs(pt?.ms_per_step),
      ],
    ];
    out.push(`${r.op} ${r.shape}:`, ...table(['side', 'ms/step', 'images/s', 'peak MiB', 'steps/s vs ours'], rows));
    if (pt && pt.status !== 'ok') out.push(`PyTorch ${pt.status}: ${pt.reason}`);
    const verdict = r.speedup === null ? 'n/a' : r.speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met';
    out.push(
      '',
      `target >= ${TARGET_SPEEDUP}x TF.js steps/s: ${verdict} (${num(r.speedup, 2)}x); first-step loss difference ${r.max_rel_err ?? '-'}, ` +
        `steps 2-${(r.later_rel_diffs?.length ?? 0) + 1}: ${r.later_rel_diffs?.join(', ') ?? '-'}`,
      `ours: ${r.ours_dispatches ?? '-'} dispatches, arena ${mib(r.ours_arena_bytes)} MiB (naive ${mib(r.ours_naive_arena_bytes)}), parameters ${mib(r.ours_parameter_bytes)} MiB x 4; ` +
        `TF.js: ${r.tfjs_kernels ?? '-'} kernels (${r.tfjs_layout_transposes ?? '-'} layout transposes), buffer pool ${mib(r.tfjs_pool_bytes)} MiB`,
    );
    if (r.ours_top_nodes) {
      out.push(`slowest nodes of ours (median of profiled steps; ${num(r.ours_gpu_ms, 1)} ms for all nodes):`);
      for (const n of r.ours_top_nodes) out.push(`  ${n.ms.toFixed(2).padStart(8)} ms  ${n.op} -> ${n.output} ${n.shape}`);
    }
  }
  return out.join('\n');
}

/** The graph suite's extra table: step rates, memory and our slowest nodes, plus the targets from the issue. */
import type { GraphCaseResult } from '../run-graph-case.js';

/** Targets the graph compiler was built to meet: step rate against TF.js, and the memory plan's saving. */
export const TARGET_SPEEDUP = 3;
export const TARGET_PEAK_RATIO = 0.6;

const mib = (bytes: number | null): string => (bytes === null ? '-' : (bytes / 2 ** 20).toFixed(2));
const num = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'met' : 'NOT met');

/** Plain-text table of the fields only graph rows have, then the top nodes of each case. */
export function formatGraphSummary(results: readonly GraphCaseResult[]): string {
  const header = ['op', 'shape', 'ours steps/s', 'tfjs steps/s', 'ours peak MiB', 'naive MiB', 'peak/naive', 'tfjs peak MiB', 'dispatches', 'tfjs kernels'];
  const rows = results.map((r) => [
    r.op,
    r.shape,
    num(r.ours_steps_per_s, 2),
    num(r.tfjs_steps_per_s, 2),
    mib(r.ours_peak_bytes),
    mib(r.ours_naive_bytes),
    num(r.ours_peak_ratio, 3),
    mib(r.tfjs_peak_bytes),
    num(r.ours_dispatches, 0),
    num(r.tfjs_kernels, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const r of results) {
    const speedOk = r.speedup === null ? null : r.speedup >= TARGET_SPEEDUP;
    const memOk = r.ours_peak_ratio === null ? null : r.ours_peak_ratio <= TARGET_PEAK_RATIO;
    out.push('', `${r.op} ${r.shape}: target >= ${TARGET_SPEEDUP}x TF.js steps/s ${verdict(speedOk)} (${num(r.speedup, 2)}x); ` +
      `planned peak <= ${TARGET_PEAK_RATIO}x naive ${verdict(memOk)} (${num(r.ours_peak_ratio, 3)}x)`);
    if (r.ours_top_nodes) {
      out.push(`  slowest nodes of ours (median of profiled steps; ${num(r.ours_gpu_ms, 2)} ms for all nodes):`);
      for (const n of r.ours_top_nodes) out.push(`    ${n.ms.toFixed(2).padStart(8)} ms  ${n.op} -> ${n.output} ${n.shape}`);
    }
  }
  return out.join('\n');
}

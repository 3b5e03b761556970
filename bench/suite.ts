/** What `--suite` selects: cases that each build, check and time themselves into one result row. */
import type { BenchContext, KernelCase } from './case.js';
import { formatGraphSummary } from './graph/graph-report.js';
import type { TrainCase } from './graph/train-case.js';
import type { TimingOptions } from './harness.js';
import { runCase, type CaseResult } from './run-case.js';
import { runGraphCase, type GraphCaseResult } from './run-graph-case.js';

export interface BenchCase {
  readonly op: string;
  readonly shape: string;
  /** Never throws: failures come back as a result with check 'ERROR' or 'MISMATCH'. */
  run(ctx: BenchContext, timing: TimingOptions): Promise<CaseResult>;
}

export interface Suite {
  readonly cases: readonly BenchCase[];
  /** Suite-specific lines printed after the common table. */
  summary?(results: readonly CaseResult[]): string;
}

/** A suite of single-kernel cases, each run by runCase(). */
export function kernelSuite(cases: readonly KernelCase[]): Suite {
  return { cases: cases.map((kc) => ({ op: kc.op, shape: kc.shape, run: (ctx, timing) => runCase(kc, ctx, timing) })) };
}

/** A suite of whole training steps, each run by runGraphCase(), with the graph summary table. */
export function trainSuite(cases: readonly TrainCase[]): Suite {
  return {
    cases: cases.map((tc) => ({ op: tc.op, shape: tc.shape, run: (ctx, timing) => runGraphCase(tc, ctx, timing) })),
    summary: (results) => formatGraphSummary(results as readonly GraphCaseResult[]),
  };
}

/**
 * The browser tests' page: bundled by the test (esbuild, like the library's browser bundle) and served from
 * 127.0.0.1, it exposes `langsegHarness` for the test to call with page.evaluate: the adapter, the kernel
 * checks of kernel-cases.ts, and a few training steps of the tiny model (training-run.ts).
 */
import { getDevice, KernelRuntime, type LangsegDevice } from '../../../src/index.js';
import { runOpCheck } from '../../helpers/op-check.js';
import { KERNEL_CASES } from './kernel-cases.js';
import { trainTinySteps, type TrainingRun } from './training-run.js';

let device: Promise<LangsegDevice> | null = null;
const runtime = async () => new KernelRuntime(await (device ??= getDevice()));

export interface KernelCheckResult {
  where: string;
  ok: boolean;
  message: string;
  maxAbsError: number;
}

const harness = {
  async adapter() {
    const rt = await runtime();
    return { adapter: rt.gpu.adapter, features: [...rt.gpu.features].sort(), limits: rt.gpu.limits };
  },

  async kernelChecks(): Promise<KernelCheckResult[]> {
    const rt = await runtime();
    const results: KernelCheckResult[] = [];
    for (const c of KERNEL_CASES) {
      try {
        const check = await runOpCheck(rt, c.op, c.shapes, c.options);
        results.push({ where: check.where, ok: check.ok, message: check.message, maxAbsError: check.comparison.maxAbsError });
      } catch (e) {
        results.push({ where: `${c.op}(${JSON.stringify(c.shapes)})`, ok: false, message: `threw ${(e as Error).stack ?? e}`, maxAbsError: NaN });
      }
    }
    return results;
  },

  /** Training steps of a fresh tiny model on one fixed batch (training-run.ts); the loss of each. */
  async trainSteps(run: TrainingRun): Promise<number[]> {
    return trainTinySteps(await runtime(), run);
  },
};

export type Harness = typeof harness;
(globalThis as { langsegHarness?: Harness }).langsegHarness = harness;

/**
 * `langseg demo`: until the model lands, run a real 1024^3 matmul on the GPU, verify sampled elements
 * against a float64 CPU dot product, and print the achieved GFLOP/s.
 */
import type { LangsegDevice } from '../device/device.js';
import { matmul, matmulPlan } from '../kernels/matmul/matmul.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { intOption, type Command } from './command.js';

export async function runDemo(dev: LangsegDevice, log: (line: string) => void, size = 1024): Promise<boolean> {
  const rt = new KernelRuntime(dev);
  const n = size;
  const a = new Float32Array(n * n).map((_, i) => Math.sin(i * 0.37));
  const b = new Float32Array(n * n).map((_, i) => Math.cos(i * 0.11));
  const ta = rt.upload(a, [n, n], 'f32', 'A');
  const tb = rt.upload(b, [n, n], 'f32', 'B');
  const plan = matmulPlan(rt, ta, tb);
  log(`matmul ${n}x${n} @ ${n}x${n} with the ${plan.algorithm} kernel on ${dev.adapter.description || 'this adapter'}`);
  const warm = await matmul(rt, ta, tb); // compiles the pipeline
  const c = await rt.read(warm);
  warm.destroy();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const out = await matmul(rt, ta, tb);
    await rt.sync();
    times.push(performance.now() - t0);
    out.destroy();
  }
  times.sort((x, y) => x - y);
  const ms = times[2]!;
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % n;
    const j = (s * 104729) % n;
    let want = 0;
    for (let k = 0; k < n; k++) want += a[i * n + k]! * b[k * n + j]!;
    worst = Math.max(worst, Math.abs(c[i * n + j]! - want) / (1 + Math.abs(want)));
  }
  const ok = worst < 1e-3;
  log(`verified 64 sampled elements against a float64 CPU dot product: max relative error ${worst.toExponential(2)} ${ok ? '(ok)' : '(FAILED)'}`);
  log(`median of 5 runs: ${ms.toFixed(1)} ms, ${((2 * n ** 3) / ms / 1e6).toFixed(2)} GFLOP/s`);
  ta.destroy();
  tb.destroy();
  return ok;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run and verify a 1024^3 matmul on the GPU and print its GFLOP/s',
  help: `usage: langseg demo [--size N]

Multiplies two N x N matrices on the GPU (default 1024), checks sampled elements against a float64
CPU reference, and prints the median time and GFLOP/s over 5 runs.`,
  options: { size: { type: 'string' } },
  needsDevice: true,
  async run({ values, device, log }) {
    const size = intOption(values, 'size', 1024, 1, 8192);
    return (await runDemo(device!, log, size)) ? 0 : 1;
  },
};

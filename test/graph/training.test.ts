/**
 * End-to-end training on the compiled executor: a small MLP learns a smooth function with AdamW, and the
 * runtime's promises hold (determinism, planned == naive memory results, no buffers made per run,
 * optimizer steps equal to the float64 reference).
 */
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../../src/graph/executor.js';
import { Graph } from '../../src/graph/graph.js';
import { Parameters } from '../../src/graph/parameters.js';
import { optimizerReference, warmupCosine, type OptimizerConfig } from '../../src/kernels/optimizer.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const B = 64;
const D = 8;
const H = 32;

function mlp() {
  const g = new Graph();
  const x = g.input('x', [B, D]);
  const y = g.input('y', [B, 1]);
  const h1 = g.linear(x, g.param('fc1.weight', [H, D]), g.param('fc1.bias', [H], { kind: 'zeros' }), 'relu');
  const h2 = g.linear(h1, g.param('fc2.weight', [H, H]), g.param('fc2.bias', [H], { kind: 'zeros' }), 'gelu');
  const out = g.linear(h2, g.param('head.weight', [1, H]), g.param('head.bias', [1], { kind: 'zeros' }));
  const loss = g.mean(g.square(g.sub(out, y)));
  return { g, loss, out };
}

/** y = sin(x0) * cos(x1) + 0.5 x2: smooth, learnable by a small MLP. */
function data() {
  const x = new Float32Array(B * D).map((_, i) => Math.sin(i * 1.37 + 0.3) * 1.5);
  const y = new Float32Array(B).map((_, b) => Math.sin(x[b * D]!) * Math.cos(x[b * D + 1]!) + 0.5 * x[b * D + 2]!);
  return { x, y };
}

async function train(options: Partial<CompileOptions>, steps: number): Promise<number[]> {
  const { g, loss } = mlp();
  const exe = await compile(ctx.rt, g, { loss, optimizer: { kind: 'adamw', lr: 3e-3, weightDecay: 0.01 }, seed: 42, ...options });
  const feeds = data();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await exe.run(feeds))[loss.name]![0]!);
  exe.destroy();
  return losses;
}

describe('training a small MLP with AdamW', () => {
  it('converges below 0.01 from ~0.6, deterministically', async () => {
    const first = await train({ verifyMemory: true }, 300);
    expect(first[0]).toBeGreaterThan(0.1);
    expect(first[first.length - 1]).toBeLessThan(0.01);
    const second = await train({}, 300);
    expect(second).toEqual(first); // same seed, same losses, bit for bit
  });

  it('planned and naive memory give identical results, and the plan needs less memory', async () => {
    const planned = await train({ memory: 'planned' }, 20);
    const naive = await train({ memory: 'naive' }, 20);
    expect(planned).toEqual(naive);
    const { g, loss } = mlp();
    const exe = await compile(ctx.rt, g, { loss, optimizer: { kind: 'adamw', lr: 1e-3 } });
    expect(exe.memory.plannedPeakBytes).toBeLessThan(exe.memory.naiveBytes);
    exe.destroy();
  });

  it('1000 runs create no GPU buffers after the first', async () => {
    const { g, loss } = mlp();
    const exe = await compile(ctx.rt, g, { loss, optimizer: { kind: 'adamw', lr: 1e-3, maxGradNorm: 1 } });
    const feeds = data();
    await exe.run(feeds);
    const device = ctx.rt.device;
    const original = device.createBuffer.bind(device);
    let created = 0;
    device.createBuffer = (descriptor: GPUBufferDescriptor) => {
      created++;
      return original(descriptor);
    };
    try {
      for (let i = 0; i < 1000; i++) await exe.run(feeds, { lr: 1e-3 * (1 - i / 1000) });
    } finally {
      device.createBuffer = original;
    }
    expect(created).toBe(0);
    exe.destroy();
  });
});

describe('optimizer steps match the float64 reference', () => {
  const cases: OptimizerConfig[] = [
    { kind: 'adamw', lr: 0.01, weightDecay: 0.1 },
    { kind: 'adamw', lr: 0.01, maxGradNorm: 0.5 },
    { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
  ];
  for (const config of cases) {
    it(`${config.kind} ${JSON.stringify(config)}`, async () => {
      // loss = sum(w * c) + sum(b * c2): the gradient of each parameter is a known constant.
      const g = new Graph();
      const w = g.param('w', [3, 5], { kind: 'uniform', bound: 1 });
      const b = g.param('b', [5], { kind: 'uniform', bound: 1 });
      const cw = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i + 1));
      const cb = Float32Array.from({ length: 5 }, (_, i) => Math.cos(i + 1));
      const loss = g.add(g.sum(g.mul(w, g.constant(cw, [3, 5]))), g.sum(g.mul(b, g.constant(cb, [5]))));
      const schedule = warmupCosine({ base: config.lr, warmupSteps: 2, totalSteps: 6 });
      const exe = await compile(ctx.rt, g, { loss, optimizer: config, lrSchedule: schedule, seed: 3 });
      const start = await exe.parameters.read();
      const state = {
        param: Float64Array.from([...start.w!, ...start.b!]),
        moment1: new Float64Array(20),
        moment2: new Float64Array(20),
      };
      const grad = [...cw, ...cb];
      const decay = [...new Array(15).fill(1), ...new Array(5).fill(0)]; // rank-1 params are not decayed
      for (let t = 1; t <= 6; t++) {
        await exe.run();
        optimizerReference(config, state, grad, decay, t, schedule(t - 1));
      }
      const got = await exe.parameters.read();
      const flat = [...got.w!, ...got.b!];
      flat.forEach((v, i) => expect(Math.abs(v - state.param[i]!), `element ${i}`).toBeLessThan(1e-5));
      expect(exe.parameters.step).toBe(6);
      exe.destroy();
    });
  }
});

describe('parameters', () => {
  it('are shared between a training and an evaluation executable, named like a state dict', async () => {
    const { g, loss, out } = mlp();
    const params = Parameters.create(ctx.rt, g, { seed: 1 });
    const trainExe = await compile(ctx.rt, g, { loss, optimizer: { kind: 'adamw', lr: 1e-2 }, parameters: params });
    const evalExe = await compile(ctx.rt, g, { outputs: [out], parameters: params });
    const feeds = data();
    const before = (await evalExe.run(feeds))[out.name]!;
    for (let i = 0; i < 5; i++) await trainExe.run(feeds);
    const after = (await evalExe.run(feeds))[out.name]!;
    expect(after).not.toEqual(before);
    const state = await params.read();
    expect(Object.keys(state)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'head.weight', 'head.bias']);
    expect(state['fc1.weight']!.length).toBe(H * D);
    expect(() => params.write({ ...state, 'fc1.weight': new Float32Array(3) })).toThrow(/'fc1.weight' should have 256 values/);
    trainExe.destroy();
    evalExe.destroy();
    params.destroy();
  });

  it('initialise deterministically per name: same seed, same values; other seed, other values', async () => {
    const a = await Parameters.create(ctx.rt, mlp().g, { seed: 5 }).read();
    const b = await Parameters.create(ctx.rt, mlp().g, { seed: 5 }).read();
    const c = await Parameters.create(ctx.rt, mlp().g, { seed: 6 }).read();
    expect(a).toEqual(b);
    expect(a['fc1.weight']).not.toEqual(c['fc1.weight']);
    // Kaiming uniform for ReLU layers: |w| <= sqrt(6 / fan_in).
    expect(Math.max(...a['fc1.weight']!.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / D));
    expect(Array.from(a['fc1.bias']!)).toEqual(new Array(H).fill(0));
  });
});

describe('profiling and caching', () => {
  it('profile() gives a GPU time for every node and the optimizer', async () => {
    const { g, loss } = mlp();
    const exe = await compile(ctx.rt, g, { loss, optimizer: { kind: 'adamw', lr: 1e-3 } });
    if (!ctx.rt.device.features.has('timestamp-query')) {
      await expect(exe.profile(data())).rejects.toThrow(/timestamp-query/);
      return;
    }
    const rows = await exe.profile(data());
    expect(rows.length).toBeGreaterThan(10);
    expect(rows[rows.length - 1]!.op).toBe('optimizer');
    expect(rows.some((r) => r.op === 'matmul')).toBe(true);
    for (const r of rows) expect(r.ms).toBeGreaterThanOrEqual(0);
    exe.destroy();
  });

  it('ExecutableCache compiles once per input shape', async () => {
    const { ExecutableCache } = await import('../../src/graph/executor.js');
    let compiles = 0;
    const cache = new ExecutableCache(async (shapes) => {
      compiles++;
      const g = new Graph();
      const x = g.input('x', shapes.x!);
      return compile(ctx.rt, g, { outputs: [g.scale(x, 2)] });
    });
    const a = await cache.get({ x: [2, 3] });
    expect(await cache.get({ x: [2, 3] })).toBe(a);
    await cache.get({ x: [4] });
    expect(compiles).toBe(2);
    await cache.destroy();
  });
});

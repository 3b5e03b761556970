/** Softmax and log-softmax over the last axis (shaders/softmax.wgsl). */
import { ShapeError } from '../errors.js';
import { runPlan, singleLaunch, type KernelPlan } from './launch.js';
import { matmulTarget } from './matmul/matmul.js';
import { subgroupsOf8, type MatmulTarget } from './matmul/select.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { sizeOf, type Shape } from './shape.js';
import { expectDType, type Tensor } from './tensor.js';

const WORKGROUP_SIZE = 64;

/** The kernel plan of (log-)softmax over the last axis; `target` lets CPU adapters take the subgroup kernel. */
export function softmaxPlan(shape: Shape, log: boolean, target?: MatmulTarget): KernelPlan {
  const op = log ? 'logSoftmax' : 'softmax';
  if (shape.length === 0) throw new ShapeError(`${op}: needs at least one axis, got a scalar`);
  const cols = shape[shape.length - 1]!;
  const rows = cols === 0 ? 0 : sizeOf(shape) / cols;
  // One subgroup per row, reductions without barriers, where subgroups are exactly 8 lanes.
  const subgroup = !!target && subgroupsOf8(target);
  return singleLaunch(
    { shape, dtype: 'f32' },
    {
      shader: subgroup ? 'softmax_subgroup' : 'softmax',
      entry: 'main',
      overrides: subgroup ? { LOG: log } : { LOG: log, WORKGROUP_SIZE },
      uniforms: { rows, cols },
      workgroups: grid1d(rows),
      bindings: { x: 'in0', y: 'out' },
    },
  );
}

/** softmax over the last axis. */
export async function softmax(rt: KernelRuntime, x: Tensor): Promise<Tensor> {
  expectDType('softmax', x, ['f32']);
  return runPlan(rt, softmaxPlan(x.shape, false, matmulTarget(rt)), [x], `softmax(${x.name})`);
}

/** log-softmax over the last axis (computed directly, not as log(softmax)). */
export async function logSoftmax(rt: KernelRuntime, x: Tensor): Promise<Tensor> {
  expectDType('logSoftmax', x, ['f32']);
  return runPlan(rt, softmaxPlan(x.shape, true, matmulTarget(rt)), [x], `logSoftmax(${x.name})`);
}

/** CPU reference of softmax() / logSoftmax(). */
export function softmaxReference(x: HostTensor, log = false): HostTensor {
  const cols = x.shape[x.shape.length - 1]!;
  const data = new Float64Array(x.data.length);
  for (let r = 0; r * cols < x.data.length; r++) {
    const row = x.data.subarray(r * cols, (r + 1) * cols);
    let m = -Infinity;
    for (const v of row) m = Math.max(m, v);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    for (let i = 0; i < cols; i++) data[r * cols + i] = log ? row[i]! - m - Math.log(s) : Math.exp(row[i]! - m) / s;
  }
  return { shape: x.shape, data };
}

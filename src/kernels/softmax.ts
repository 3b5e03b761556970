/** Softmax and log-softmax over the last axis (shaders/softmax.wgsl). */
import { ShapeError } from '../errors.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { shaderSource } from './shaders.js';
import { expectDType, type Tensor } from './tensor.js';

const WORKGROUP_SIZE = 64;

async function softmaxKernel(rt: KernelRuntime, x: Tensor, log: boolean): Promise<Tensor> {
  const op = log ? 'logSoftmax' : 'softmax';
  expectDType(op, x, ['f32']);
  if (x.shape.length === 0) throw new ShapeError(`${op}: needs at least one axis, got a scalar`);
  const cols = x.shape[x.shape.length - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const y = rt.empty(x.shape, 'f32', `${op}(${x.name})`);
  const program = await rt.program('softmax', shaderSource('softmax'), 'main', { LOG: log, WORKGROUP_SIZE });
  rt.dispatch(program, { bindings: { x, y }, uniforms: { rows, cols }, workgroups: grid1d(rows) });
  return y;
}

/** softmax over the last axis. */
export function softmax(rt: KernelRuntime, x: Tensor): Promise<Tensor> {
  return softmaxKernel(rt, x, false);
}

/** log-softmax over the last axis (computed directly, not as log(softmax)). */
export function logSoftmax(rt: KernelRuntime, x: Tensor): Promise<Tensor> {
  return softmaxKernel(rt, x, true);
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

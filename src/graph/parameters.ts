/**
 * All parameters of a graph in one flat f32 buffer (each tensor at an aligned offset), with flat buffers of
 * the same layout for gradients and optimizer moments, so an optimizer step is one dispatch. Named like
 * PyTorch state-dict keys. One Parameters object can serve several executables (training and eval).
 */
import { ShapeError } from '../errors.js';
import type { BufferRange, KernelRuntime } from '../kernels/runtime.js';
import { formatShape, sizeOf, type Shape } from '../kernels/shape.js';
import type { Graph, Initializer, SymbolicTensor } from './graph.js';
import { initialize } from './init.js';

export interface ParamEntry {
  tensor: SymbolicTensor;
  name: string;
  shape: Shape;
  /** Offset in floats into the flat buffers. */
  offset: number;
  size: number;
  decay: boolean;
  init: Initializer;
}

export type FlatBuffer = 'values' | 'grads' | 'moment1' | 'moment2';

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class Parameters {
  readonly entries: ParamEntry[];
  readonly totalFloats: number;
  readonly buffers: Record<FlatBuffer, GPUBuffer>;
  /** 1 where weight decay applies, per element. */
  readonly decayMask: GPUBuffer;
  /** Optimizer scratch: [norm, scale] and the partial sums of the norm. */
  readonly stats: GPUBuffer;
  readonly partials: GPUBuffer;
  /** Optimizer steps taken so far (bias correction and checkpoints use it). */
  step = 0;
  private readonly byTensor = new Map<SymbolicTensor, ParamEntry>();
  private readonly byName = new Map<string, ParamEntry>();

  private constructor(
    readonly rt: KernelRuntime,
    entries: ParamEntry[],
    totalFloats: number,
    seed: number,
  ) {
    this.entries = entries;
    this.totalFloats = totalFloats;
    for (const e of entries) {
      this.byTensor.set(e.tensor, e);
      this.byName.set(e.name, e);
    }
    const device = rt.device;
    const bytes = Math.max(4, totalFloats * 4);
    const make = (label: string) => device.createBuffer({ label, size: bytes, usage: USAGE() });
    this.buffers = { values: make('params'), grads: make('grads'), moment1: make('moment1'), moment2: make('moment2') };
    this.decayMask = make('decay_mask');
    this.stats = device.createBuffer({ label: 'optimizer_stats', size: 16, usage: USAGE() });
    this.partials = device.createBuffer({ label: 'norm_partials', size: 256 * 4, usage: USAGE() });
    const values = new Float32Array(totalFloats);
    const decay = new Float32Array(totalFloats);
    for (const e of entries) {
      initialize(values.subarray(e.offset, e.offset + e.size), e.shape, e.init, seed, e.name);
      if (e.decay) decay.fill(1, e.offset, e.offset + e.size);
    }
    device.queue.writeBuffer(this.buffers.values, 0, values);
    device.queue.writeBuffer(this.decayMask, 0, decay);
    // Gradient scale 1 until clipping says otherwise.
    device.queue.writeBuffer(this.stats, 0, new Float32Array([0, 1, 0, 0]));
  }

  /**
   * Where every parameter of `graph` goes in the flat buffers, and their length in floats; checks that each
   * tensor, and the flat buffer the optimizer binds whole, fit the device (BindingLimitError otherwise).
   * Allocates nothing, so a plan can be sized before anything is created.
   */
  static layout(rt: KernelRuntime, graph: Graph): { entries: ParamEntry[]; totalFloats: number } {
    // Offsets aligned so each tensor can be bound on its own (minStorageBufferOffsetAlignment <= 256).
    const alignFloats = Math.max(256, rt.limits.minStorageBufferOffsetAlignment ?? 256) / 4;
    let offset = 0;
    const entries: ParamEntry[] = [];
    for (const [tensor, info] of graph.params) {
      const size = sizeOf(tensor.shape);
      rt.checkFits(tensor.shape, tensor.name);
      entries.push({ tensor, name: tensor.name, shape: tensor.shape, offset, size, decay: info.decay, init: info.init });
      offset += Math.ceil(Math.max(size, 1) / alignFloats) * alignFloats;
    }
    rt.checkFits([offset], `all ${entries.length} parameters (one flat buffer, bound whole by the optimizer)`);
    return { entries, totalFloats: offset };
  }

  /** Lay out and initialise (seeded) every parameter of `graph`. */
  static create(rt: KernelRuntime, graph: Graph, options: { seed?: number } = {}): Parameters {
    const { entries, totalFloats } = Parameters.layout(rt, graph);
    return new Parameters(rt, entries, totalFloats, options.seed ?? 0);
  }

  /**
   * Whether `t` is one of these parameters: the tensor they were made from, or a parameter of another graph
   * with the same name and shape (so a training graph and an inference graph of one model share weights).
   */
  has(t: SymbolicTensor): boolean {
    return this.lookup(t) !== undefined;
  }

  private lookup(t: SymbolicTensor): ParamEntry | undefined {
    const e = this.byTensor.get(t) ?? this.byName.get(t.name);
    if (!e || e.tensor === t) return e;
    const same = e.shape.length === t.shape.length && e.shape.every((d, i) => d === t.shape[i]);
    if (!same) throw new ShapeError(`parameter '${t.name}' is ${formatShape(t.shape)} in this graph but ${formatShape(e.shape)} in the given Parameters`);
    return e;
  }

  entry(t: SymbolicTensor): ParamEntry {
    const e = this.lookup(t);
    if (!e) throw new ShapeError(`'${t.name}' is not a parameter of this Parameters object`);
    return e;
  }

  /** The byte range of one parameter in one of the flat buffers. */
  range(t: SymbolicTensor, which: FlatBuffer = 'values'): BufferRange {
    const e = this.entry(t);
    return { buffer: this.buffers[which], offset: e.offset * 4, size: e.size * 4 };
  }

  /** Copy one flat buffer back and split it by parameter name. */
  async read(which: FlatBuffer = 'values'): Promise<Record<string, Float32Array>> {
    const flat = new Float32Array(await this.rt.readBytes(this.buffers[which], this.totalFloats * 4));
    const out: Record<string, Float32Array> = {};
    for (const e of this.entries) out[e.name] = flat.slice(e.offset, e.offset + e.size);
    return out;
  }

  /** Write values (a state dict) into one flat buffer; every name and shape must match. */
  write(values: Record<string, Float32Array>, which: FlatBuffer = 'values'): void {
    for (const name of Object.keys(values)) {
      if (!this.entries.some((e) => e.name === name)) {
        throw new ShapeError(`'${name}' is not a parameter of this model (it has ${this.entries.length} parameters)`);
      }
    }
    for (const e of this.entries) {
      const v = values[e.name];
      if (!v) throw new ShapeError(`parameter '${e.name}' ${formatShape(e.shape)} is missing`);
      if (v.length !== e.size) {
        throw new ShapeError(`parameter '${e.name}' should have ${e.size} values (${formatShape(e.shape)}), got ${v.length}`);
      }
      this.rt.device.queue.writeBuffer(this.buffers[which], e.offset * 4, v as Float32Array<ArrayBuffer>);
    }
  }

  destroy(): void {
    for (const b of Object.values(this.buffers)) b.destroy();
    this.decayMask.destroy();
    this.stats.destroy();
    this.partials.destroy();
  }
}

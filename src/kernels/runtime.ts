/**
 * The kernel runtime: tensors on one device, pipelines cached per (shader, entry point, overrides),
 * bind-group layouts built from reflection, and a queue of dispatches submitted in one compute pass.
 *
 * Two ways to run a kernel: `dispatch()` (eager: prepare, enqueue, release after submit) and
 * `prepare()` + `enqueue()` (bind group and uniform buffer built once, then replayed; the graph executor
 * and the benchmarks use this).
 */
import type { LangsegDevice } from '../device/device.js';
import { BindingLimitError, DeviceError, DeviceLostError, ShapeError } from '../errors.js';
import { packUniforms, reflectShader, type EntryLayout } from './reflect.js';
import { checkShape, formatShape, sizeOf, type Shape } from './shape.js';
import { checkDType, Tensor, typedArrayFor, type DType } from './tensor.js';

export type Overrides = Record<string, number | boolean>;

/** A compiled pipeline with its reflected layout. */
export interface Program {
  readonly key: string;
  readonly shader: string;
  readonly entry: EntryLayout;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroupLayout: GPUBindGroupLayout;
}

/** A byte range of a buffer (a planned tensor inside an arena, a parameter inside the flat buffer). */
export interface BufferRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

export interface DispatchArgs {
  /** Buffers by the names the WGSL gives them: whole tensors/buffers or byte ranges of one. */
  bindings: Record<string, Tensor | GPUBuffer | BufferRange>;
  /** Uniform struct members by name (packed by reflected offset). */
  uniforms?: Record<string, number | readonly number[]>;
  workgroups: readonly [number, number?, number?];
}

/** A dispatch whose bind group and uniform buffer exist; encode it as often as wanted. */
export class PreparedDispatch {
  constructor(
    readonly program: Program,
    readonly bindGroup: GPUBindGroup,
    readonly workgroups: readonly [number, number, number],
    private readonly uniformBuffer: GPUBuffer | null,
  ) {}
  /** Rewrite the uniform values (e.g. a learning rate per step) without rebuilding anything. */
  writeUniforms(device: GPUDevice, values: Record<string, number | readonly number[]>): void {
    if (!this.uniformBuffer || !this.program.entry.uniform) {
      throw new DeviceError(`${this.program.key}: this dispatch has no uniforms to write`);
    }
    device.queue.writeBuffer(this.uniformBuffer, 0, packUniforms(this.program.entry.uniform, values, this.program.key));
  }
  encode(pass: GPUComputePassEncoder): void {
    if (this.workgroups[0] * this.workgroups[1] * this.workgroups[2] === 0) return;
    pass.setPipeline(this.program.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(...this.workgroups);
  }
  release(): void {
    this.uniformBuffer?.destroy();
  }
}

/** Split a 1-D count of workgroups over x and y so that neither exceeds the per-dimension limit. */
export function grid1d(workgroups: number, maxPerDim = 65535): [number, number, number] {
  if (workgroups <= maxPerDim) return [workgroups, 1, 1];
  const y = Math.ceil(workgroups / maxPerDim);
  return [Math.ceil(workgroups / y), y, 1];
}

export class KernelRuntime {
  readonly device: GPUDevice;
  private readonly programs = new Map<string, Promise<Program>>();
  private pending: PreparedDispatch[] = [];
  private transient: PreparedDispatch[] = [];
  private temporaries: Tensor[] = [];
  private anonymous = 0;

  constructor(readonly gpu: LangsegDevice) {
    this.device = gpu.device;
  }

  get limits(): Readonly<Record<string, number>> {
    return this.gpu.limits;
  }

  /** Largest tensor, in bytes, that one storage binding may hold on this device. */
  get maxBindingBytes(): number {
    return Math.min(this.limits.maxStorageBufferBindingSize ?? 134217728, this.limits.maxBufferSize ?? Infinity);
  }

  /** Throw BindingLimitError if a tensor of this shape cannot be bound on this device. */
  checkFits(shape: Shape, name: string): void {
    const bytes = sizeOf(shape) * 4;
    if (bytes > this.maxBindingBytes) {
      throw new BindingLimitError(
        `tensor '${name}' ${formatShape(shape)} needs ${bytes} bytes, but this device binds at most ` +
          `${this.maxBindingBytes} bytes per storage buffer (maxStorageBufferBindingSize/maxBufferSize); ` +
          'use a smaller batch or resolution, or split the tensor',
      );
    }
  }

  /** An uninitialised (zero-filled) tensor. */
  empty(shape: Shape, dtype: DType = 'f32', name?: string): Tensor {
    this.gpu.assertAlive();
    const label = name ?? `t${this.anonymous++}`;
    checkDType(dtype, `tensor '${label}'`);
    checkShape(shape, `tensor '${label}'`);
    this.checkFits(shape, label);
    const buffer = this.device.createBuffer({
      label,
      // Bind at least 4 bytes: WebGPU rejects zero-sized bindings.
      size: Math.max(4, sizeOf(shape) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    return new Tensor(buffer, [...shape], dtype, label);
  }

  /** Upload host data as a tensor. */
  upload(data: ArrayLike<number>, shape: Shape, dtype: DType = 'f32', name?: string): Tensor {
    const t = this.empty(shape, dtype, name);
    if (data.length !== t.size) {
      t.destroy();
      throw new ShapeError(`upload '${t.name}': ${data.length} values do not fill shape ${formatShape(shape)} (${t.size})`);
    }
    const host = data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint32Array
      ? data
      : typedArrayFor(dtype, new ArrayBuffer(t.size * 4)).map((_, i) => data[i]!);
    if (t.size > 0) this.device.queue.writeBuffer(t.buffer, 0, host.buffer, host.byteOffset, t.size * 4);
    return t;
  }

  /** Compile (or fetch from cache) the pipeline for a shader entry point with override constants. */
  program(shader: string, source: string, entryPoint = 'main', overrides: Overrides = {}): Promise<Program> {
    const key = `${shader}:${entryPoint}:${JSON.stringify(Object.entries(overrides).sort())}`;
    let found = this.programs.get(key);
    if (!found) {
      found = this.compile(key, shader, source, entryPoint, overrides);
      this.programs.set(key, found);
      found.catch(() => this.programs.delete(key));
    }
    return found;
  }

  private async compile(key: string, shader: string, source: string, entryPoint: string, overrides: Overrides): Promise<Program> {
    this.gpu.assertAlive();
    const layout = reflectShader(shader, source);
    const entry = layout.entries.get(entryPoint);
    if (!entry) throw new DeviceError(`shader '${shader}' has no compute entry point '${entryPoint}'`);
    const constants: Record<string, number> = {};
    for (const [name, value] of Object.entries(overrides)) {
      if (!layout.overrides.has(name)) {
        throw new DeviceError(`shader '${shader}' has no override '${name}' (has ${[...layout.overrides.keys()].join(', ')})`);
      }
      constants[name] = typeof value === 'boolean' ? Number(value) : value;
    }
    const bindGroupLayout = this.device.createBindGroupLayout({
      label: shader,
      entries: entry.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.kind },
      })),
    });
    const module = this.device.createShaderModule({ label: shader, code: source });
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
        compute: { module, entryPoint, constants },
      });
      return { key, shader, entry, pipeline, bindGroupLayout };
    } catch (err) {
      this.gpu.assertAlive();
      const info = await module.getCompilationInfo();
      const messages = info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
      throw new DeviceError(`shader '${shader}' (${entryPoint}) failed to compile: ${(err as Error).message}\n${messages}`);
    }
  }

  /** Build the bind group (and uniform buffer) for one dispatch of a program. */
  prepare(program: Program, args: DispatchArgs): PreparedDispatch {
    this.gpu.assertAlive();
    const where = program.key;
    let uniformBuffer: GPUBuffer | null = null;
    const entries: GPUBindGroupEntry[] = program.entry.bindings.map((b) => {
      if (b.kind === 'uniform') {
        const bytes = packUniforms(program.entry.uniform!, args.uniforms ?? {}, where);
        uniformBuffer = this.device.createBuffer({
          label: `${where}.${b.name}`,
          size: bytes.byteLength,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        });
        this.device.queue.writeBuffer(uniformBuffer, 0, bytes);
        return { binding: b.binding, resource: { buffer: uniformBuffer } };
      }
      const given = args.bindings[b.name];
      if (!given) throw new DeviceError(`${where}: no buffer given for binding '${b.name}'`);
      if (given instanceof Tensor && given.isDestroyed) {
        throw new DeviceError(`${where}: tensor '${given.name}' bound to '${b.name}' was destroyed`);
      }
      if (given instanceof Tensor) return { binding: b.binding, resource: { buffer: given.buffer } };
      if ('offset' in given) {
        // WebGPU rejects zero-sized bindings: an empty tensor binds 4 bytes it never reads.
        return { binding: b.binding, resource: { buffer: given.buffer, offset: given.offset, size: Math.max(4, given.size) } };
      }
      return { binding: b.binding, resource: { buffer: given } };
    });
    for (const name of Object.keys(args.bindings)) {
      if (!program.entry.bindings.some((b) => b.name === name)) {
        throw new DeviceError(`${where}: the shader has no binding '${name}'`);
      }
    }
    const bindGroup = this.device.createBindGroup({ label: where, layout: program.bindGroupLayout, entries });
    const [x, y = 1, z = 1] = args.workgroups;
    const max = this.limits.maxComputeWorkgroupsPerDimension ?? 65535;
    if (x > max || y > max || z > max) {
      throw new DeviceError(`${where}: dispatch (${x}, ${y}, ${z}) exceeds maxComputeWorkgroupsPerDimension=${max}`);
    }
    return new PreparedDispatch(program, bindGroup, [x, y, z], uniformBuffer);
  }

  /** Queue a prepared dispatch; it runs at the next flush(). */
  enqueue(dispatch: PreparedDispatch): void {
    this.pending.push(dispatch);
  }

  /** Prepare, queue, and release the dispatch's uniform buffer after it has been submitted. */
  dispatch(program: Program, args: DispatchArgs): void {
    const prepared = this.prepare(program, args);
    this.enqueue(prepared);
    this.transient.push(prepared);
  }

  /**
   * A kernel's intermediate tensor (e.g. a transposed copy) that nothing needs once the queued work has
   * run: destroyed right after the next submit (WebGPU lets submitted work finish with it).
   */
  disposeAfterSubmit(t: Tensor): void {
    this.temporaries.push(t);
  }

  /** Encode every queued dispatch into one compute pass and submit it. */
  flush(): void {
    if (this.pending.length === 0) return;
    this.gpu.assertAlive();
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of this.pending) d.encode(pass);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.pending = [];
    for (const d of this.transient) d.release();
    this.transient = [];
    for (const t of this.temporaries) t.destroy();
    this.temporaries = [];
  }

  /** Flush and wait until the GPU has finished everything submitted so far. */
  async sync(): Promise<void> {
    this.device.pushErrorScope('validation');
    this.flush();
    const error = await this.device.popErrorScope();
    await this.guardLoss(this.device.queue.onSubmittedWorkDone());
    if (error) throw new DeviceError(`WebGPU validation error: ${error.message}`);
  }

  /** Copy a tensor back to the host. */
  async read(t: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
    return typedArrayFor(t.dtype, await this.readBytes(t.buffer, t.byteLength));
  }

  /** Flush, then copy the first `byteLength` bytes of any storage buffer back to the host. */
  async readBytes(buffer: GPUBuffer, byteLength: number): Promise<ArrayBuffer> {
    this.device.pushErrorScope('validation');
    this.flush();
    const bytes = Math.max(4, byteLength);
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    const error = await this.device.popErrorScope();
    if (error) {
      staging.destroy();
      throw new DeviceError(`WebGPU validation error: ${error.message}`);
    }
    try {
      await this.guardLoss(staging.mapAsync(GPUMapMode.READ));
      const copy = staging.getMappedRange().slice(0, byteLength);
      staging.unmap();
      return copy;
    } finally {
      staging.destroy();
    }
  }

  /** Await a GPU promise, turning a rejection caused by device loss into DeviceLostError. */
  private async guardLoss<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      return this.rethrowWithLoss(err);
    }
  }

  /**
   * Rethrow a failure of GPU work, as DeviceLostError when the device is gone: a lost device explains any
   * failure, and its loss may be reported just after the failed promise, so it gets one short wait.
   */
  async rethrowWithLoss(err: unknown): Promise<never> {
    this.gpu.assertAlive();
    const lost = await Promise.race([this.gpu.lost, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (lost instanceof DeviceLostError) throw lost;
    throw err;
  }
}

/**
 * compile(): turn a graph into an Executable. Everything that can be decided once is decided at compile
 * time: the node order, the kernel plans, the memory plan, every buffer, pipeline, bind group and uniform
 * buffer. A run then writes the inputs, encodes one compute pass, submits once, and reads back only the
 * requested outputs. New input shapes need a new compile (see ExecutableCache).
 */
import type { LangsegDevice } from '../device/device.js';
import { BindingLimitError, GraphError, MemoryBudgetError, ShapeError } from '../errors.js';
import { slotIndex, type KernelPlan, type Slot } from '../kernels/launch.js';
import { matmulTarget } from '../kernels/matmul/matmul.js';
import { optimizerLaunches, optimizerUniforms, type OptimizerConfig } from '../kernels/optimizer.js';
import { KernelRuntime, type BufferRange, type PreparedDispatch } from '../kernels/runtime.js';
import { shaderSource } from '../kernels/shaders.js';
import { formatShape, sizeOf } from '../kernels/shape.js';
import { backward } from './autodiff.js';
import type { Graph, GraphNode, SymbolicTensor } from './graph.js';
import { getOp } from './ops/index.js';
import { Parameters } from './parameters.js';
import { planMemory, planNaive, verifyPlan, type MemoryPlan, type PlanItem } from './planner.js';

export interface CompileOptions {
  /** Tensors to read back after each run. */
  outputs?: SymbolicTensor[];
  /** Train: differentiate this scalar with respect to every parameter and step the optimizer. */
  loss?: SymbolicTensor;
  optimizer?: OptimizerConfig;
  /** Learning rate per step (0-based step index); defaults to the optimizer's constant lr. */
  lrSchedule?: (step: number) => number;
  /** Share parameters with other executables of the same graph; created (seeded) when omitted. */
  parameters?: Parameters;
  /** Seed of the parameter initialisers when `parameters` is not given. */
  seed?: number;
  /** 'planned' (default) reuses dead tensors' memory; 'naive' gives every tensor its own range. */
  memory?: 'planned' | 'naive';
  /** Check the memory plan (no two live tensors share a byte) at compile time. */
  verifyMemory?: boolean;
  /**
   * Refuse (MemoryBudgetError) a plan whose buffers together need more bytes than this, before any is
   * created. Every buffer is checked against the device's binding and buffer size limits in any case.
   */
  memoryBudget?: number;
}

export interface MemoryReport {
  /** Bytes of the arena for intermediates under the chosen plan. */
  plannedPeakBytes: number;
  /** Bytes if every intermediate tensor had its own buffer. */
  naiveBytes: number;
  parameterBytes: number;
  inputBytes: number;
  /** Bytes of every buffer the executable needs: the arena, the parameters with their gradients, moments and
   * decay mask (5x parameterBytes), inputs, constants and read-back copies. What memoryBudget is checked against. */
  totalBytes: number;
  /** The largest single tensor of the plan (the first to shrink when it does not fit). */
  largest: { name: string; shape: number[]; bytes: number };
}

export interface ProfileRow {
  step: number;
  op: string;
  output: string;
  shape: string;
  /** The implementation the op's plan chose, where it has several (e.g. attention's fused kernel or its fallback). */
  variant?: string;
  ms: number;
}

interface Step {
  node: GraphNode | null;
  label: string;
  variant?: string;
  dispatches: PreparedDispatch[];
}

type Feeds = Record<string, ArrayLike<number>>;

const gradientCache = new WeakMap<Graph, Map<SymbolicTensor, Map<SymbolicTensor, SymbolicTensor>>>();

/** Parameter gradients of `loss`, built once per (graph, loss) however often the graph is compiled. */
export function parameterGradients(graph: Graph, loss: SymbolicTensor): Map<SymbolicTensor, SymbolicTensor> {
  let perLoss = gradientCache.get(graph);
  if (!perLoss) gradientCache.set(graph, (perLoss = new Map()));
  let grads = perLoss.get(loss);
  if (!grads) perLoss.set(loss, (grads = backward(graph, loss, [...graph.params.keys()])));
  return grads;
}

export class Executable {
  private busy = false;
  private readonly owned: GPUBuffer[];

  constructor(
    readonly rt: KernelRuntime,
    readonly parameters: Parameters,
    private readonly steps: Step[],
    private readonly optimizerStep: {
      config: OptimizerConfig;
      dispatches: PreparedDispatch[];
      schedule?: (t: number) => number;
      /** Gradients that could not be written in place, copied into the flat buffer before the step. */
      copies: { from: BufferRange; to: BufferRange }[];
    } | null,
    private readonly inputs: { tensor: SymbolicTensor; buffer: GPUBuffer }[],
    private readonly outputs: { tensor: SymbolicTensor; location: BufferRange; staging: GPUBuffer }[],
    readonly memory: MemoryReport,
    owned: GPUBuffer[],
    private readonly ownsParameters: boolean,
    /** Every input of the graph: feeding one this executable does not need is allowed and ignored. */
    private readonly graphInputs: ReadonlySet<string>,
  ) {
    this.owned = owned;
  }

  /** Number of kernel dispatches per run. */
  get dispatchCount(): number {
    return this.steps.reduce((n, s) => n + s.dispatches.length, 0) + (this.optimizerStep?.dispatches.length ?? 0);
  }

  private writeFeeds(feeds: Feeds): void {
    for (const { tensor, buffer } of this.inputs) {
      const data = feeds[tensor.name];
      if (!data) {
        throw new GraphError(`run: no value fed for input '${tensor.name}' ${formatShape(tensor.shape)} (feeds: ${Object.keys(feeds).join(', ') || 'none'})`);
      }
      if (data.length !== tensor.size) {
        throw new ShapeError(
          `run: input '${tensor.name}' expects ${tensor.size} values (${formatShape(tensor.shape)}), got ${data.length}; ` +
            'a new shape needs a new compile',
        );
      }
      const typed = tensor.dtype === 'f32' ? Float32Array : tensor.dtype === 'i32' ? Int32Array : Uint32Array;
      const host = data instanceof typed ? data : typed.from(data);
      if (tensor.size > 0) this.rt.device.queue.writeBuffer(buffer, 0, host.buffer, host.byteOffset, tensor.size * 4);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.graphInputs.has(name)) {
        throw new GraphError(`run: '${name}' is not an input of the graph (inputs: ${[...this.graphInputs].join(', ')})`);
      }
    }
  }

  private prepareOptimizer(lr?: number): void {
    if (!this.optimizerStep) return;
    const { config, dispatches, schedule } = this.optimizerStep;
    const t = this.parameters.step + 1;
    const rate = lr ?? schedule?.(t - 1) ?? config.lr;
    const uniforms = optimizerUniforms(config, this.parameters.totalFloats, t, rate);
    for (const d of dispatches) d.writeUniforms(this.rt.device, uniforms);
  }

  /**
   * Run once: forward (and backward and the optimizer step, when compiled for training). Returns the
   * requested outputs by tensor name.
   */
  async run(feeds: Feeds = {}, options: { lr?: number } = {}): Promise<Record<string, Float32Array>> {
    this.rt.gpu.assertAlive();
    // Read-back buffers are shared by all runs: a second run before the first is read would map them twice.
    if (this.busy) throw new GraphError('run: the previous run of this executable has not finished; await it first');
    this.busy = true;
    try {
      return await this.runOnce(feeds, options);
    } catch (err) {
      return await this.rt.rethrowWithLoss(err); // a lost device explains any failure: say that instead
    } finally {
      this.busy = false;
    }
  }

  private async runOnce(feeds: Feeds, options: { lr?: number }): Promise<Record<string, Float32Array>> {
    this.writeFeeds(feeds);
    this.prepareOptimizer(options.lr);
    const device = this.rt.device;
    this.rt.flush(); // anything queued eagerly goes first
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const step of this.steps) for (const d of step.dispatches) d.encode(pass);
    const opt = this.optimizerStep;
    if (opt && opt.copies.length === 0) for (const d of opt.dispatches) d.encode(pass);
    pass.end();
    if (opt && opt.copies.length > 0) {
      for (const c of opt.copies) encoder.copyBufferToBuffer(c.from.buffer, c.from.offset, c.to.buffer, c.to.offset, c.to.size);
      const optimizerPass = encoder.beginComputePass();
      for (const d of opt.dispatches) d.encode(optimizerPass);
      optimizerPass.end();
    }
    for (const o of this.outputs) {
      if (o.location.size > 0) encoder.copyBufferToBuffer(o.location.buffer, o.location.offset, o.staging, 0, o.location.size);
    }
    device.queue.submit([encoder.finish()]);
    if (this.optimizerStep) this.parameters.step++;
    const results: Record<string, Float32Array> = {};
    await Promise.all(
      this.outputs.map(async (o) => {
        await o.staging.mapAsync(GPUMapMode.READ);
        results[o.tensor.name] = new Float32Array(o.staging.getMappedRange().slice(0, o.location.size));
        o.staging.unmap();
      }),
    );
    this.rt.gpu.assertAlive();
    return results;
  }

  /**
   * Run once with a timestamp around every node (one compute pass each) and return the time per node
   * (needs 'timestamp-query'). A training executable takes its optimizer step here too.
   */
  async profile(feeds: Feeds = {}): Promise<ProfileRow[]> {
    const device = this.rt.device;
    if (!device.features.has('timestamp-query')) {
      throw new GraphError("profile: this device has no 'timestamp-query' feature; time whole runs instead");
    }
    const timed = [...this.steps, ...(this.optimizerStep ? [{ node: null, label: 'optimizer', dispatches: this.optimizerStep.dispatches }] : [])];
    this.writeFeeds(feeds);
    this.prepareOptimizer();
    const count = 2 * timed.length;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolve = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = device.createCommandEncoder();
      timed.forEach((step, i) => {
        const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        for (const d of step.dispatches) d.encode(pass);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, count * 8);
      device.queue.submit([encoder.finish()]);
      if (this.optimizerStep) this.parameters.step++;
      await staging.mapAsync(GPUMapMode.READ);
      const ticks = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      return timed.map((step, i) => ({
        step: i,
        op: step.node?.op ?? step.label,
        output: step.node?.output.name ?? step.label,
        shape: step.node ? formatShape(step.node.output.shape) : `[${this.parameters.totalFloats}]`,
        ...('variant' in step && step.variant ? { variant: step.variant } : {}),
        ms: Number(ticks[2 * i + 1]! - ticks[2 * i]!) / 1e6,
      }));
    } finally {
      querySet.destroy();
      resolve.destroy();
      staging.destroy();
    }
  }

  /** Release every GPU buffer this executable made (and its parameters, if it created them). */
  destroy(): void {
    for (const b of this.owned) b.destroy();
    for (const step of this.steps) for (const d of step.dispatches) d.release();
    this.optimizerStep?.dispatches.forEach((d) => d.release());
    if (this.ownsParameters) this.parameters.destroy();
  }
}

/** Nodes needed to compute `targets`, in graph (topological) order. */
export function neededNodes(graph: Graph, targets: SymbolicTensor[]): GraphNode[] {
  const needed = new Set<GraphNode>();
  const stack = targets.map((t) => t.node).filter((n): n is GraphNode => n !== null);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    for (const t of n.inputs) if (t.node) stack.push(t.node);
  }
  return graph.nodes.filter((n) => needed.has(n));
}

interface GraphPlan {
  grads: Map<SymbolicTensor, SymbolicTensor>;
  outputs: SymbolicTensor[];
  nodes: GraphNode[];
  plans: KernelPlan[];
  pinnedGrad: Map<SymbolicTensor, SymbolicTensor>;
  copiedGrad: Map<SymbolicTensor, SymbolicTensor>;
  items: PlanItem[];
  itemOf: Map<SymbolicTensor, number>;
  tempItems: number[][];
  plan: MemoryPlan;
  memory: MemoryReport;
}

/**
 * Everything compile decides before it creates a buffer: the nodes, their kernel plans, where each tensor
 * lives, the memory plan and its size, every tensor checked against the device's limits and the whole plan
 * against options.memoryBudget.
 */
function planGraph(rt: KernelRuntime, graph: Graph, options: CompileOptions): GraphPlan {
  if (options.optimizer && !options.loss) throw new GraphError('compile: an optimizer needs a loss to differentiate');
  const grads = options.optimizer ? parameterGradients(graph, options.loss!) : new Map<SymbolicTensor, SymbolicTensor>();
  const outputs = [...new Set([...(options.outputs ?? []), ...(options.loss ? [options.loss] : [])])];
  if (outputs.length === 0 && !options.optimizer) throw new GraphError('compile: nothing to compute (give outputs, or a loss and an optimizer)');
  if (options.parameters) {
    for (const p of graph.params.keys()) {
      if (!options.parameters.has(p)) throw new GraphError(`compile: parameter '${p.name}' is not in the given Parameters (made for another graph?)`);
    }
  }
  const trainGrads = options.optimizer ? [...grads.values()] : [];
  const nodes = neededNodes(graph, [...outputs, ...trainGrads]);
  const target = matmulTarget(rt);
  const plans: KernelPlan[] = nodes.map((n) => {
    const plan = getOp(n.op).plan(target, n.inputs.map((t) => ({ shape: t.shape, dtype: t.dtype })), n.attrs);
    if (sizeOf(plan.out.shape) !== n.output.size) throw new GraphError(`compile: plan of ${n.output} disagrees with its shape`);
    return plan;
  });
  // Where each tensor lives. Parameter gradients are written straight into the flat gradient buffer
  // ("pinned") unless that would make one dispatch read and write that buffer (WebGPU forbids it); those
  // few are copied there after the pass instead.
  const pinnedGrad = new Map<SymbolicTensor, SymbolicTensor>();
  const copiedGrad = new Map<SymbolicTensor, SymbolicTensor>();
  if (options.optimizer) {
    const readers = new Map<SymbolicTensor, GraphNode[]>();
    for (const n of nodes) for (const t of n.inputs) readers.set(t, [...(readers.get(t) ?? []), n]);
    for (const [param, grad] of grads) {
      if (grad.kind !== 'intermediate' || pinnedGrad.has(grad) || copiedGrad.has(grad)) {
        if (grad.kind === 'intermediate' && !pinnedGrad.has(grad)) copiedGrad.set(grad, param);
        continue;
      }
      const producerReadsPinned = grad.node!.inputs.some((t) => pinnedGrad.has(t));
      const readerWritesPinned = (readers.get(grad) ?? []).some((n) => pinnedGrad.has(n.output));
      if (producerReadsPinned || readerWritesPinned) copiedGrad.set(grad, param);
      else pinnedGrad.set(grad, param);
    }
  }

  const lastUse = new Map<SymbolicTensor, number>();
  nodes.forEach((n, i) => n.inputs.forEach((t) => lastUse.set(t, i)));
  const end = nodes.length - 1;
  const items: PlanItem[] = [];
  const itemOf = new Map<SymbolicTensor, number>();
  const tempItems: number[][] = [];
  const outputSet = new Set(outputs);
  for (const [i, n] of nodes.entries()) {
    for (const t of [n.output, ...n.aux]) {
      if (pinnedGrad.has(t)) continue;
      rt.checkFits(t.shape, t.name);
      const id = items.length;
      const keep = outputSet.has(t) || copiedGrad.has(t);
      items.push({ id, bytes: t.size * 4, start: i, end: keep ? end : Math.max(i, lastUse.get(t) ?? i) });
      itemOf.set(t, id);
    }
    const t = n.output;
    tempItems.push(
      plans[i]!.temps.map((spec, k) => {
        rt.checkFits(spec.shape, `${t.name}.tmp${k}`);
        const id = items.length;
        items.push({ id, bytes: sizeOf(spec.shape) * 4, start: i, end: i });
        return id;
      }),
    );
  }
  const alignment = Math.max(256, rt.limits.minStorageBufferOffsetAlignment ?? 256);
  const plan: MemoryPlan = options.memory === 'naive' ? planNaive(items, alignment) : planMemory(items, alignment);
  if (options.verifyMemory) verifyPlan(items, plan);

  const memory = sizePlan(rt, graph, options, { nodes, plans, items, plan, outputs, itemOf, pinnedGrad });
  return { grads, outputs, nodes, plans, pinnedGrad, copiedGrad, items, itemOf, tempItems, plan, memory };
}

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The bytes of a plan, every buffer checked against the device's limits and the whole against the budget. */
function sizePlan(
  rt: KernelRuntime,
  graph: Graph,
  options: CompileOptions,
  p: Pick<GraphPlan, 'nodes' | 'plans' | 'items' | 'plan' | 'outputs' | 'itemOf' | 'pinnedGrad'>,
): MemoryReport {
  const maxBuffer = rt.limits.maxBufferSize ?? Infinity;
  p.plan.slotBytes.forEach((bytes, i) => {
    if (bytes > maxBuffer) throw new BindingLimitError(`memory slot ${i} needs ${bytes} bytes, over this device's maxBufferSize (${maxBuffer}); use a smaller batch or resolution`);
  });
  const parameterFloats = options.parameters?.totalFloats ?? Parameters.layout(rt, graph).totalFloats;
  const needed = new Set(p.nodes.flatMap((n) => n.inputs));
  const inputs = graph.tensors.filter((t) => t.kind === 'input' && (p.outputs.includes(t) || needed.has(t)));
  const constants = graph.tensors.filter((t) => t.kind === 'constant' && needed.has(t));
  for (const t of [...inputs, ...constants]) rt.checkFits(t.shape, t.name);
  const inputBytes = inputs.reduce((n, t) => n + t.size * 4, 0);
  const constantBytes = constants.reduce((n, t) => n + t.size * 4, 0) + p.plans.reduce((n, plan) => n + (plan.constants ?? []).reduce((m, c) => m + c.byteLength, 0), 0);
  const stagingBytes = p.outputs.reduce((n, t) => n + Math.max(4, t.size * 4), 0);
  const parameterBytes = parameterFloats * 4;
  const totalBytes = p.plan.peakBytes + 5 * parameterBytes + inputBytes + constantBytes + stagingBytes;
  let largest = { name: '', shape: [] as number[], bytes: 0 };
  for (const t of [...p.itemOf.keys(), ...p.pinnedGrad.keys(), ...inputs]) {
    if (t.size * 4 > largest.bytes) largest = { name: t.name, shape: [...t.shape], bytes: t.size * 4 };
  }
  if (options.memoryBudget !== undefined && totalBytes > options.memoryBudget) {
    throw new MemoryBudgetError(
      `the compiled plan needs ${MiB(totalBytes)}, over the memory budget of ${MiB(options.memoryBudget)}: intermediates ${MiB(p.plan.peakBytes)} ` +
        `(planned), parameters with gradients, moments and decay mask ${MiB(5 * parameterBytes)}, inputs ${MiB(inputBytes)}, ` +
        `constants ${MiB(constantBytes)}, read-back ${MiB(stagingBytes)}; the largest tensor is '${largest.name}' ${formatShape(largest.shape)} ` +
        `(${MiB(largest.bytes)}). Use a smaller batch or resolution, or raise the budget`,
    );
  }
  return { plannedPeakBytes: p.plan.peakBytes, naiveBytes: p.plan.naiveBytes, parameterBytes, inputBytes, totalBytes, largest };
}

/**
 * What compile would allocate for `graph`, without allocating it: the memory report, after the same checks
 * against the device's limits and options.memoryBudget (BindingLimitError / MemoryBudgetError).
 */
export function planCompile(device: LangsegDevice | KernelRuntime, graph: Graph, options: CompileOptions = {}): MemoryReport {
  const rt = device instanceof KernelRuntime ? device : new KernelRuntime(device);
  return planGraph(rt, graph, options).memory;
}

/** Compile `graph` for `device`: see CompileOptions. */
export async function compile(device: LangsegDevice | KernelRuntime, graph: Graph, options: CompileOptions = {}): Promise<Executable> {
  const rt = device instanceof KernelRuntime ? device : new KernelRuntime(device);
  rt.gpu.assertAlive();
  const { outputs, nodes, plans, pinnedGrad, copiedGrad, items, itemOf, tempItems, plan, memory } = planGraph(rt, graph, options);
  const ownsParameters = !options.parameters;
  const parameters = options.parameters ?? Parameters.create(rt, graph, { seed: options.seed });

  const dev = rt.device;
  const owned: GPUBuffer[] = [];
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const slots = plan.slotBytes.map((bytes, i) => dev.createBuffer({ label: `slot${i}`, size: bytes, usage }));
  owned.push(...slots);
  const own = (t: SymbolicTensor): GPUBuffer => {
    rt.checkFits(t.shape, t.name);
    const b = dev.createBuffer({ label: t.name, size: Math.max(4, t.size * 4), usage });
    owned.push(b);
    return b;
  };
  const locations = new Map<SymbolicTensor, BufferRange>();
  const inputs: { tensor: SymbolicTensor; buffer: GPUBuffer }[] = [];
  const locate = (t: SymbolicTensor): BufferRange => {
    let loc = locations.get(t);
    if (loc) return loc;
    if (t.kind === 'param') loc = parameters.range(t, 'values');
    else if (t.kind === 'input') {
      const buffer = own(t);
      inputs.push({ tensor: t, buffer });
      loc = { buffer, offset: 0, size: t.size * 4 };
    } else if (t.kind === 'constant') {
      const buffer = own(t);
      const data = graph.constants.get(t)!;
      if (data.length > 0) dev.queue.writeBuffer(buffer, 0, data);
      loc = { buffer, offset: 0, size: t.size * 4 };
    } else if (pinnedGrad.has(t)) loc = parameters.range(pinnedGrad.get(t)!, 'grads');
    else loc = { buffer: slots[plan.slotOf.get(itemOf.get(t)!)!]!, offset: 0, size: t.size * 4 };
    locations.set(t, loc);
    return loc;
  };
  // Inputs that some needed node reads (or that are outputs) get buffers; others are not fed.
  for (const t of graph.tensors) if (t.kind === 'input' && (outputs.includes(t) || nodes.some((n) => n.inputs.includes(t)))) locate(t);

  const steps: Step[] = [];
  for (const [i, n] of nodes.entries()) {
    const p = plans[i]!;
    const constants = (p.constants ?? []).map((data, k) => {
      const buffer = dev.createBuffer({ label: `${n.output.name}.const${k}`, size: Math.max(4, data.byteLength), usage });
      if (data.length > 0) dev.queue.writeBuffer(buffer, 0, data);
      owned.push(buffer);
      return { buffer, offset: 0, size: data.byteLength };
    });
    const slot = (s: Slot): BufferRange => {
      if (s === 'out') return locate(n.output);
      const k = slotIndex(s);
      if (s.startsWith('tmp')) {
        const id = tempItems[i]![k]!;
        return { buffer: slots[plan.slotOf.get(id)!]!, offset: 0, size: items[id]!.bytes };
      }
      if (s.startsWith('aux')) return locate(n.aux[k]!);
      if (s.startsWith('const')) return constants[k]!;
      return locate(n.inputs[k]!);
    };
    const dispatches = await Promise.all(
      p.launches.map(async (l) => {
        const program = await rt.program(l.shader, shaderSource(l.shader), l.entry, l.overrides);
        const bindings: Record<string, BufferRange> = {};
        for (const [name, s] of Object.entries(l.bindings)) bindings[name] = slot(s);
        return rt.prepare(program, { bindings, uniforms: l.uniforms, workgroups: l.workgroups });
      }),
    );
    steps.push({ node: n, label: n.op, variant: p.variant, dispatches });
  }

  let optimizerStep: ConstructorParameters<typeof Executable>[3] = null;
  if (options.optimizer) {
    const config = options.optimizer;
    const flat: Record<string, GPUBuffer> = {
      param: parameters.buffers.values,
      grad: parameters.buffers.grads,
      moment1: parameters.buffers.moment1,
      moment2: parameters.buffers.moment2,
      decay: parameters.decayMask,
      stats: parameters.stats,
      partial: parameters.partials,
    };
    const uniforms = optimizerUniforms(config, parameters.totalFloats, 1, config.lr);
    const dispatches = await Promise.all(
      optimizerLaunches(config, parameters.totalFloats).map(async (l) => {
        const program = await rt.program(l.shader, shaderSource(l.shader), l.entry, l.overrides);
        const bindings: Record<string, GPUBuffer> = {};
        for (const [name, buffer] of Object.entries(l.bindings)) bindings[name] = flat[buffer]!;
        return rt.prepare(program, { bindings, uniforms, workgroups: l.workgroups });
      }),
    );
    const copies = [...copiedGrad].map(([grad, param]) => ({ from: locate(grad), to: parameters.range(param, 'grads') }));
    optimizerStep = { config, dispatches, schedule: options.lrSchedule, copies };
  }

  const outputSlots = outputs.map((t) => {
    const location = locate(t);
    const staging = dev.createBuffer({ label: `read:${t.name}`, size: Math.max(4, location.size), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    owned.push(staging);
    return { tensor: t, location, staging };
  });
  const graphInputs = new Set(graph.tensors.filter((t) => t.kind === 'input').map((t) => t.name));
  return new Executable(rt, parameters, steps, optimizerStep, inputs, outputSlots, memory, owned, ownsParameters, graphInputs);
}

/** Executables of one graph family keyed by input shapes: compiled on first use of a shape, then reused. */
export class ExecutableCache {
  private readonly cache = new Map<string, Promise<Executable>>();
  constructor(private readonly build: (shapes: Record<string, number[]>) => Promise<Executable>) {}

  get(shapes: Record<string, number[]>): Promise<Executable> {
    const key = JSON.stringify(Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b)));
    let exe = this.cache.get(key);
    if (!exe) {
      exe = this.build(shapes);
      this.cache.set(key, exe);
      exe.catch(() => this.cache.delete(key));
    }
    return exe;
  }

  async destroy(): Promise<void> {
    for (const exe of this.cache.values()) (await exe.catch(() => null))?.destroy();
    this.cache.clear();
  }
}

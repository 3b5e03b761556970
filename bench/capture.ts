/**
 * Turn an eager kernel call into prepared dispatches that can be replayed, the way a graph executor
 * runs a kernel: bind groups and uniform buffers built once, only encode + submit per run.
 * Capturing the production call (rather than rebuilding its dispatch here) means the benchmark runs
 * exactly the pipeline, overrides, uniforms and grid that matmul()/binary()/softmax() choose.
 */
import { KernelRuntime, type DispatchArgs, type PreparedDispatch, type Program } from '../src/kernels/runtime.js';
import type { Tensor } from '../src/kernels/tensor.js';

export interface Captured {
  readonly output: Tensor;
  readonly dispatches: readonly PreparedDispatch[];
  /** Intermediates the dispatches use (e.g. a transposed copy of B); destroy with the dispatches. */
  readonly temporaries: readonly Tensor[];
}

export class CapturingRuntime extends KernelRuntime {
  private captured: PreparedDispatch[] | null = null;
  private capturedTemporaries: Tensor[] = [];

  /** Record dispatches while capturing; otherwise behave like the base runtime. */
  override dispatch(program: Program, args: DispatchArgs): void {
    if (!this.captured) return super.dispatch(program, args);
    this.captured.push(this.prepare(program, args));
  }

  /** While capturing, intermediates must outlive every replay: keep them until the case is released. */
  override disposeAfterSubmit(t: Tensor): void {
    if (!this.captured) return super.disposeAfterSubmit(t);
    this.capturedTemporaries.push(t);
  }

  /** Run an eager kernel call and keep its dispatches instead of queueing them. */
  async capture(call: () => Promise<Tensor>): Promise<Captured> {
    if (this.captured) throw new Error('CapturingRuntime.capture() does not nest');
    this.captured = [];
    this.capturedTemporaries = [];
    try {
      const output = await call();
      return { output, dispatches: this.captured, temporaries: this.capturedTemporaries };
    } finally {
      this.captured = null;
    }
  }
}

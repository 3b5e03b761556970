/**
 * Compute-pass timestamps ('timestamp-query'): one begin/end pair per timed run, resolved and read
 * back once after all runs, so reading them adds no round trip to the runs being timed.
 */
export class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly staging: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    readonly capacity: number,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    this.resolve = device.createBuffer({
      size: 16 * capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.staging = device.createBuffer({ size: 16 * capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** The timestampWrites for run `i` of this timer's runs. */
  writes(i: number): GPUComputePassTimestampWrites {
    if (i < 0 || i >= this.capacity) throw new RangeError(`PassTimer: run ${i} is outside 0..${this.capacity - 1}`);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Milliseconds between begin and end of each of the first `count` runs. */
  async readMs(count: number): Promise<number[]> {
    const encoder = this.device.createCommandEncoder();
    encoder.resolveQuerySet(this.querySet, 0, 2 * count, this.resolve, 0);
    encoder.copyBufferToBuffer(this.resolve, 0, this.staging, 0, 16 * count);
    this.device.queue.submit([encoder.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ, 0, 16 * count);
    const ticks = new BigUint64Array(this.staging.getMappedRange(0, 16 * count).slice(0));
    this.staging.unmap();
    const out: number[] = [];
    // Timestamps are nanoseconds; take the difference as BigInt before converting so no precision is lost.
    for (let i = 0; i < count; i++) out.push(Number(ticks[2 * i + 1]! - ticks[2 * i]!) / 1e6);
    return out;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolve.destroy();
    this.staging.destroy();
  }
}

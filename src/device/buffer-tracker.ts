/**
 * Counting a device's live GPU buffers and bytes, for leak checks (the soak test) and memory reports. WebGPU
 * has no query for it, so the tracker wraps `createBuffer` and each buffer's `destroy`. A buffer dropped
 * without destroy() stays counted: its memory is only returned when the garbage collector gets to it, which
 * for GPU memory is a leak in all but name.
 */

export interface BufferCounts {
  /** Buffers created and not destroyed. */
  live: number;
  bytes: number;
  /** Most bytes live at once since tracking began. */
  peakBytes: number;
  /** Buffers created since tracking began. */
  created: number;
}

export interface BufferTracker {
  counts(): BufferCounts;
  /** Stop counting (buffers created from now on are not wrapped). */
  stop(): void;
}

/** Start counting the buffers of `device` (a GPUDevice; only buffers created from now on are seen). */
export function trackBuffers(device: GPUDevice): BufferTracker {
  const original = device.createBuffer;
  const counts: BufferCounts = { live: 0, bytes: 0, peakBytes: 0, created: 0 };
  device.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = original.call(this, descriptor);
    const size = descriptor.size;
    counts.live++;
    counts.created++;
    counts.bytes += size;
    counts.peakBytes = Math.max(counts.peakBytes, counts.bytes);
    const destroy = buffer.destroy;
    let destroyed = false;
    buffer.destroy = function (this: GPUBuffer): undefined {
      if (!destroyed) {
        destroyed = true; // destroy() may be called twice; count it once
        counts.live--;
        counts.bytes -= size;
      }
      return destroy.call(this);
    };
    return buffer;
  };
  return {
    counts: () => ({ ...counts }),
    stop: () => {
      device.createBuffer = original;
    },
  };
}

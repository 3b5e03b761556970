/** One WebGPU device per test file, destroyed after it so the worker can exit. */
import { afterAll, beforeAll } from 'vitest';
import { getDevice, type DeviceOptions, type LangsegDevice } from '../../src/device/index.js';
import { KernelRuntime } from '../../src/kernels/runtime.js';

export function useRuntime(options: DeviceOptions = {}): { readonly rt: KernelRuntime; readonly dev: LangsegDevice } {
  const holder = {} as { rt: KernelRuntime; dev: LangsegDevice };
  beforeAll(async () => {
    holder.dev = await getDevice(options);
    holder.rt = new KernelRuntime(holder.dev);
  });
  afterAll(() => holder.dev?.destroy());
  return holder;
}

import { describe, expect, it } from 'vitest';
import { getDevice, WANTED_FEATURES } from '../../src/device/index.js';
import { DeviceError, DeviceLostError } from '../../src/errors.js';
import { KernelRuntime } from '../../src/kernels/runtime.js';
import { unary } from '../../src/kernels/elementwise/unary.js';

describe('getDevice', () => {
  it('returns a device with the optional features the adapter has and its maximum limits', async () => {
    const dev = await getDevice();
    try {
      expect(dev.device).toBeDefined();
      expect(typeof dev.adapter.vendor).toBe('string');
      for (const f of dev.features) expect(dev.device.features.has(f)).toBe(true);
      // Lavapipe offers every wanted feature; on other adapters we only check we asked for no more than given.
      if (dev.adapter.isSoftware && dev.adapter.vendor === 'mesa') {
        for (const f of WANTED_FEATURES) expect(dev.features.has(f)).toBe(true);
      }
      expect(dev.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
      expect(dev.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
    } finally {
      dev.destroy();
      dev.destroy(); // twice is harmless
    }
  });

  it('honours requested limits and rejects impossible ones', async () => {
    const dev = await getDevice({ limits: { maxStorageBufferBindingSize: 16 * 1024 * 1024 } });
    expect(dev.limits.maxStorageBufferBindingSize).toBe(16 * 1024 * 1024);
    expect(new KernelRuntime(dev).maxBindingBytes).toBe(16 * 1024 * 1024);
    dev.destroy();
    await expect(getDevice({ limits: { maxStorageBufferBindingSize: 2 ** 52 } })).rejects.toThrow(DeviceError);
    await expect(getDevice({ limits: { noSuchLimit: 1 } })).rejects.toThrow(/unknown limit 'noSuchLimit'/);
    await expect(getDevice({ features: ['texture-compression-astc'] })).rejects.toThrow(/does not support feature/);
  });

  it('surfaces device loss as DeviceLostError, and later work fails with it', async () => {
    const dev = await getDevice();
    const rt = new KernelRuntime(dev);
    const x = rt.upload(new Float32Array([1, -2, 3]), [3]);
    // Simulate a lost GPU: the device is destroyed behind the library's back.
    dev.device.destroy();
    const lost = await dev.lost;
    expect(lost).toBeInstanceOf(DeviceLostError);
    expect(lost.reason).toBe('destroyed');
    expect(lost.message).toMatch(/acquire a new device with getDevice\(\)/);
    expect(dev.isLost).toBe(true);
    await expect(unary(rt, 'relu', x)).rejects.toBeInstanceOf(DeviceLostError);
    expect(() => rt.empty([2])).toThrow(DeviceLostError);
  });

  it('does not report our own destroy() as a loss', async () => {
    const dev = await getDevice();
    dev.destroy();
    const raced = await Promise.race([dev.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('quiet'), 200))]);
    expect(raced).toBe('quiet');
  });
});

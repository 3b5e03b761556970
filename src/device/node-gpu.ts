/**
 * Dawn's `navigator.gpu` for Node, from the `webgpu` package. Loaded lazily with a dynamic import so the
 * browser bundle never pulls it in (the bundler marks `webgpu` external for the browser entry).
 */

/**
 * One Dawn instance per process (per set of flags), held for the life of the process. If the instance is
 * garbage-collected while Dawn's event loop still polls it (a pending device.lost, a just-destroyed
 * device), the process deadlocks or aborts on exit in InstanceBase::ProcessEvents (seen with webgpu 0.6.2:
 * "terminate called after throwing an instance of 'std::system_error'"). Never letting go of it avoids that.
 */
const instances = new Map<string, Promise<GPU>>();

export function nodeGPU(dawnFlags: string[] = []): Promise<GPU> {
  const key = JSON.stringify(dawnFlags);
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = createInstance(dawnFlags);
    instances.set(key, gpu);
    gpu.catch(() => instances.delete(key));
  }
  return gpu;
}

async function createInstance(dawnFlags: string[]): Promise<GPU> {
  const mod = (await import('webgpu')) as unknown as {
    create: (flags: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  // Dawn's classes (GPUBufferUsage, GPUShaderStage, ...) are what WebGPU code expects to find globally.
  for (const [name, value] of Object.entries(mod.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  return mod.create(dawnFlags);
}

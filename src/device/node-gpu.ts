/**
 * Dawn's `navigator.gpu` for Node, from the `webgpu` package. Loaded lazily with a dynamic import so the
 * browser bundle never pulls it in (the bundler marks `webgpu` external for the browser entry).
 */
export async function nodeGPU(dawnFlags: string[] = []): Promise<GPU> {
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

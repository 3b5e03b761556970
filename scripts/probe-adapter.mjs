// Exit 0 and print the adapter when Dawn (the `webgpu` package) finds a WebGPU adapter, else exit 1.
// Kept dependency-free beyond `webgpu` so scripts/ensure-webgpu can run it before anything is built.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const gpu = create([]);
let adapter = null;
try {
  adapter = await gpu.requestAdapter();
} catch (err) {
  console.error(`requestAdapter failed: ${err?.message ?? err}`);
}
if (!adapter) {
  console.error('no WebGPU adapter found');
  process.exit(1);
}
const { vendor, architecture, description } = adapter.info;
console.log(`WebGPU adapter: ${[vendor, architecture, description].filter(Boolean).join(' / ')}`);
process.exit(0);

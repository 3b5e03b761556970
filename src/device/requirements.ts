/**
 * What an adapter must offer for langseg's kernels: WebGPU's default limits for compute, which every core
 * adapter has; compatibility-mode and some mobile adapters offer less. Checked up front (the demo page does)
 * so that a weak adapter gets one clear message instead of a pipeline error deep in a model.
 */

/** Each limit the kernels rely on, its minimum, and why. */
export const REQUIRED_LIMITS: readonly { limit: string; min: number; why: string }[] = [
  { limit: 'maxComputeInvocationsPerWorkgroup', min: 256, why: 'the elementwise and AdamW kernels run 256-wide workgroups' },
  { limit: 'maxComputeWorkgroupSizeX', min: 256, why: 'the elementwise and AdamW kernels run 256-wide workgroups' },
  { limit: 'maxStorageBuffersPerShaderStage', min: 8, why: 'the AdamW step binds 7 storage buffers' },
  { limit: 'maxComputeWorkgroupStorageSize', min: 16384, why: 'the tiled matmul keeps its tiles in workgroup memory' },
];

/** The requirements `limits` falls short of, as sentences; empty when the adapter is strong enough. */
export function unmetRequirements(limits: Readonly<Record<string, number>>): string[] {
  return REQUIRED_LIMITS.filter((r) => (limits[r.limit] ?? 0) < r.min).map(
    (r) => `${r.limit} is ${limits[r.limit] ?? 'missing'}, langseg needs at least ${r.min} (${r.why})`,
  );
}

/**
 * The page's GPU: acquire a device through navigator.gpu (getDevice), and say plainly what is wrong when
 * there is no WebGPU, no adapter, or an adapter too weak for the kernels.
 */
import { getDevice, unmetRequirements, type LangsegDevice } from 'langseg';

export type GpuResult = { ok: true; device: LangsegDevice; warnings: string[] } | { ok: false; title: string; detail: string };

/** Limits the page lists under "Adapter". */
export const SHOWN_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
];

export async function openGpu(): Promise<GpuResult> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return {
      ok: false,
      title: 'This browser has no WebGPU.',
      detail:
        'Use a recent Chrome or Edge (WebGPU is on by default on Windows, macOS and ChromeOS; on Linux start Chromium with ' +
        '--enable-unsafe-webgpu), or Firefox / Safari with WebGPU enabled. The page must come from https or 127.0.0.1 (npm run web).',
    };
  }
  let device: LangsegDevice;
  try {
    device = await getDevice();
  } catch (e) {
    return { ok: false, title: 'No WebGPU adapter.', detail: `${(e as Error).message}. Check chrome://gpu: the GPU may be blocklisted or hardware acceleration turned off.` };
  }
  const unmet = unmetRequirements(device.limits);
  if (unmet.length > 0) {
    device.destroy();
    return { ok: false, title: 'This WebGPU adapter is too weak for langseg.', detail: `${unmet.join('; ')}. Try another browser or GPU.` };
  }
  const warnings = device.adapter.isSoftware
    ? ['This is a software (CPU) adapter: segmenting takes seconds and each training step several seconds. A GPU is far faster.']
    : [];
  return { ok: true, device, warnings };
}

/** Name, kind, features and key limits, as rows for the page. */
export function adapterRows(device: LangsegDevice): [string, string][] {
  const a = device.adapter;
  return [
    ['adapter', [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || '(the browser does not say)'],
    ['kind', a.isSoftware ? 'software (CPU)' : 'GPU'],
    ['subgroups', a.subgroupMaxSize ? `${a.subgroupMinSize}-${a.subgroupMaxSize} lanes` : device.features.has('subgroups') ? 'yes' : 'no'],
    ['features', [...device.features].filter((f) => ['subgroups', 'shader-f16', 'timestamp-query'].includes(f)).join(', ') || 'none of subgroups, shader-f16, timestamp-query'],
    ...SHOWN_LIMITS.map((k): [string, string] => [k, String(device.limits[k] ?? '-')]),
  ];
}

/**
 * Acquire a GPUDevice: Dawn in Node, `navigator.gpu` in a browser, or one the caller brings.
 * This is the only module (with node-gpu.ts) that touches an adapter; everything else takes a GPUDevice.
 */
import { DeviceError, DeviceLostError } from '../errors.js';
import { nodeGPU } from './node-gpu.js';

/** Optional features we use when the adapter has them; none is required. */
export const WANTED_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups'] as const;

export interface DeviceOptions {
  /** A `GPU` object to use instead of `navigator.gpu` / Dawn. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Force a software adapter (lavapipe, SwiftShader) where the platform offers one. */
  forceFallbackAdapter?: boolean;
  /** Limits to request instead of the adapter's maximum, e.g. a smaller binding size for tests. */
  limits?: Record<string, number>;
  /** Features to request; defaults to every one of WANTED_FEATURES the adapter has. */
  features?: GPUFeatureName[];
  /** Extra Dawn toggles for Node, e.g. `enable-dawn-features=...`; ignored in browsers. */
  dawnFlags?: string[];
}

/** What the adapter says about itself, copied into a plain object. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU implementations (lavapipe/llvmpipe, SwiftShader, WARP). */
  isSoftware: boolean;
  /** Subgroup sizes the adapter may use (0 when it does not say). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
}

/** A device with what it was given, its loss state, and a way to release it so Node can exit. */
export interface LangsegDevice {
  /** Objects that must outlive the device (see wrapDevice). */
  readonly _keepAlive?: unknown[];
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly features: ReadonlySet<string>;
  /** The limits the device actually got (a plain copy of `device.limits`). */
  readonly limits: Readonly<Record<string, number>>;
  /** Resolves once, when the device is lost for any reason other than our own destroy(). */
  readonly lost: Promise<DeviceLostError>;
  readonly isLost: boolean;
  /** Throws DeviceLostError if the device is gone; kernels call this before encoding work. */
  assertAlive(): void;
  /** Destroy the device. Needed for a Node process to exit promptly; safe to call twice. */
  destroy(): void;
}

const SOFTWARE_HINTS = /llvmpipe|lavapipe|swiftshader|software|warp|basic render/i;

function summarize(info: GPUAdapterInfo | undefined): AdapterSummary {
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const extra = info as { isFallbackAdapter?: boolean; subgroupMinSize?: number; subgroupMaxSize?: number } | undefined;
  const fallback = extra?.isFallbackAdapter === true;
  return {
    subgroupMinSize: extra?.subgroupMinSize ?? 0,
    subgroupMaxSize: extra?.subgroupMaxSize ?? 0,
    vendor,
    architecture,
    device,
    description,
    isSoftware: fallback || SOFTWARE_HINTS.test(`${vendor} ${architecture} ${description}`),
  };
}

function copyLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // Limits are getters on the prototype, so Object.keys() sees nothing: walk with for..in.
  for (const key in limits) {
    const value = (limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}

async function findGPU(options: DeviceOptions): Promise<GPU> {
  if (options.gpu) return options.gpu;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) {
    throw new DeviceError(
      'this browser has no WebGPU (navigator.gpu is missing): use a recent Chrome/Edge, or Firefox/Safari with WebGPU enabled',
    );
  }
  try {
    return await nodeGPU(options.dawnFlags);
  } catch (err) {
    throw new DeviceError(
      `could not load Dawn from the 'webgpu' package (${(err as Error).message}); run npm install`,
    );
  }
}

/** Request an adapter and a device with the adapter's maximum limits and the optional features we use. */
export async function getDevice(options: DeviceOptions = {}): Promise<LangsegDevice> {
  const gpu = await findGPU(options);
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference,
    forceFallbackAdapter: options.forceFallbackAdapter,
  });
  if (!adapter) {
    throw new DeviceError(
      'no WebGPU adapter found. On Linux without a GPU, run scripts/ensure-webgpu (installs Mesa lavapipe); ' +
        'in a browser, check chrome://gpu or start Chromium with --enable-unsafe-webgpu',
    );
  }
  const features = (options.features ?? WANTED_FEATURES.filter((f) => adapter.features.has(f))) as GPUFeatureName[];
  for (const f of features) {
    if (!adapter.features.has(f)) throw new DeviceError(`the adapter does not support feature '${f}'`);
  }
  const adapterLimits = copyLimits(adapter.limits);
  // Every limit at the adapter's maximum, except dynamic-offset buffer counts: we never use dynamic
  // offsets, and Dawn warns on stderr when asked for lavapipe's advertised 1000000 of them.
  const requiredLimits: Record<string, number> = {};
  for (const [key, value] of Object.entries(adapterLimits)) {
    if (!key.startsWith('maxDynamic')) requiredLimits[key] = value;
  }
  Object.assign(requiredLimits, options.limits);
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    if (!(key in adapterLimits)) throw new DeviceError(`unknown limit '${key}'`);
    const max = adapterLimits[key]!;
    const isMin = key.startsWith('min');
    if (isMin ? value < max : value > max) {
      throw new DeviceError(`limit ${key}=${value} is beyond what the adapter offers (${max})`);
    }
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits });
  } catch {
    // Some implementations list limits they refuse to raise; retry with defaults rather than fail.
    device = await adapter.requestDevice({ requiredFeatures: features });
  }
  return wrapDevice(device, adapter.info, [gpu, adapter], options.limits);
}

/** Wrap a GPUDevice the caller already has (bring your own device), e.g. one shared with a renderer. */
export function wrapDevice(
  device: GPUDevice,
  info?: GPUAdapterInfo,
  keepAlive: unknown[] = [],
  requested: Record<string, number> = {},
): LangsegDevice {
  // Implementations may round limits up to a tier (Dawn does); a limit the caller asked for is the one
  // the library keeps to, so tests and users can cap e.g. the binding size below what the device allows.
  const limits = copyLimits(device.limits);
  for (const [key, value] of Object.entries(requested)) {
    if (key in limits) limits[key] = key.startsWith('min') ? Math.max(limits[key]!, value) : Math.min(limits[key]!, value);
  }
  let lostError: DeviceLostError | null = null;
  let destroyedByUs = false;
  const lost = device.lost.then((lostInfo) => {
    lostError = new DeviceLostError(lostInfo.reason ?? 'unknown', lostInfo.message);
    return lostError;
  });
  const summary = summarize(info ?? (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo);
  return {
    // Dawn's node bindings tear down the instance when the GPU object is collected, which crashes later
    // calls on the device: hold the GPU and adapter for as long as the device is in use (node-gpu.ts also
    // keeps its instance for the life of the process).
    _keepAlive: keepAlive,
    device,
    adapter: summary,
    features: new Set([...device.features]),
    limits,
    lost: lost.then((e) => (destroyedByUs ? new Promise<DeviceLostError>(() => {}) : e)),
    get isLost() {
      return lostError !== null;
    },
    assertAlive() {
      if (lostError) throw lostError;
    },
    destroy() {
      if (destroyedByUs) return;
      destroyedByUs = true;
      device.destroy();
    },
  };
}

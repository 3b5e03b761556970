/**
 * TF.js (tfjs-core + tfjs-backend-webgpu 4.22) running on *our* GPUDevice, so both sides of every
 * comparison share one device, one queue and one driver instance in one process.
 */
import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { LangsegDevice } from '../src/device/device.js';

export type Tf = typeof TfCore;

/** The backend name we register; the stock 'webgpu' one would request a second device. */
const SHARED_BACKEND = 'webgpu-shared';

export interface TfjsOnDevice {
  readonly tf: Tf;
  readonly backend: WebGPUBackend;
  /** How TF.js is attached to the device, for the JSON output. */
  readonly note: string;
  /** Submit whatever TF.js has recorded but not yet submitted (it batches up to 15 dispatches). */
  submit(): void;
  /** Dispose every TF.js tensor and the backend's buffer pool. */
  dispose(): void;
}

/**
 * Make `gpu` visible as `navigator.gpu`. Must run before the webgpu backend package is loaded: the
 * package checks navigator.gpu at import time, and the WebGPUBackend constructor checks it again.
 */
export function exposeNavigatorGPU(gpu: GPU): void {
  // Node 21+ defines a navigator without `gpu`; Node 20 has none. defineProperty covers both.
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: `node ${process.version}` },
    configurable: true,
    writable: true,
  });
}

/** Load TF.js and make it run on the given device through a WebGPUBackend built on that device. */
export async function tfjsOnDevice(dev: LangsegDevice, adapterInfo: Pick<GPUAdapterInfo, 'vendor' | 'architecture'>): Promise<TfjsOnDevice> {
  // The packages' `main` entries are CommonJS bundles; require() gives core and backend one shared
  // tfjs-core instance (the backend requires it too), which two ESM/CJS copies would not.
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs-core') as Tf;
  const webgpu = require('@tensorflow/tfjs-backend-webgpu') as typeof import('@tensorflow/tfjs-backend-webgpu');
  // TF.js reads only vendor and architecture (to spot Intel GPUs), which our adapter summary has.
  const backend = new webgpu.WebGPUBackend(dev.device, adapterInfo as GPUAdapterInfo);
  // TF.js kernels are registered per backend name; copy the webgpu ones to our backend's name.
  for (const kernel of tf.getKernelsForBackend('webgpu')) {
    tf.registerKernel({ ...kernel, backendName: SHARED_BACKEND });
  }
  tf.registerBackend(SHARED_BACKEND, () => backend);
  if (!(await tf.setBackend(SHARED_BACKEND)) || tf.backend() !== backend) {
    throw new Error(`could not make TF.js use the '${SHARED_BACKEND}' backend`);
  }
  return {
    tf,
    backend,
    note: 'TF.js runs on the same GPUDevice as ours: new WebGPUBackend(device) registered as "webgpu-shared"',
    submit() {
      // submitQueue() assumes an open command encoder and no open pass; make both true first.
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
    },
    dispose() {
      tf.disposeVariables();
      tf.engine().reset();
    },
  };
}

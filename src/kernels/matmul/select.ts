/**
 * Which matmul algorithm and tile configuration to run, from the adapter and the problem: the one place
 * where that choice is made (measurements behind it: bench/results/kernels.json, README "Kernels").
 */
import type { AdapterSummary } from '../../device/device.js';
import type { Overrides } from '../runtime.js';
import type { ShaderName } from '../shaders.js';

export type MatmulAlgorithm = 'register-tiled-vec4' | 'register-tiled' | 'workgroup-tiled';

export interface MatmulProblem {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

export interface MatmulPlan {
  algorithm: MatmulAlgorithm;
  shader: ShaderName;
  /** Tunables passed as WGSL override constants. */
  overrides: Overrides;
  /** Rows and columns of C covered by one workgroup. */
  block: [number, number];
}

/** Can the vec4 kernel run this problem? It reads B as vec4 rows, so B must be [K, N] with N % 4 == 0. */
export function vec4Eligible(p: MatmulProblem): boolean {
  return !p.transB && p.n % 4 === 0;
}

/** The configuration of one algorithm (for tests and benchmarks that pin it). */
export function planFor(algorithm: MatmulAlgorithm): MatmulPlan {
  switch (algorithm) {
    case 'register-tiled-vec4':
      // 8x8 per invocation is fixed in the shader; 16x4 invocations measured best on lavapipe.
      return { algorithm, shader: 'matmul_register_tiled_vec4', overrides: { WG_X: 16, WG_Y: 4 }, block: [32, 128] };
    case 'register-tiled':
      return {
        algorithm,
        shader: 'matmul_register_tiled',
        overrides: { TM: 8, TN: 8, WG_X: 8, WG_Y: 8 },
        block: [64, 64],
      };
    case 'workgroup-tiled':
      // 64x64 output tiles, 4x4 per invocation, K staged 16 at a time: a common sweet spot on discrete GPUs.
      return {
        algorithm,
        shader: 'matmul_workgroup_tiled',
        overrides: { TM: 4, TN: 4, WG_X: 16, WG_Y: 16, TILE_K: 16 },
        block: [64, 64],
      };
  }
}

/**
 * CPU adapters (lavapipe, SwiftShader) get the barrier-free register-tiled kernels: there a workgroup
 * barrier costs more than workgroup memory saves. GPUs get the workgroup-memory tiled kernel.
 */
export function chooseMatmul(adapter: AdapterSummary, problem: MatmulProblem, pinned?: MatmulAlgorithm): MatmulPlan {
  if (pinned) return planFor(pinned === 'register-tiled-vec4' && !vec4Eligible(problem) ? 'register-tiled' : pinned);
  if (adapter.isSoftware) return planFor(vec4Eligible(problem) ? 'register-tiled-vec4' : 'register-tiled');
  return planFor('workgroup-tiled');
}

/**
 * Which matmul algorithm and tile configuration to run, from the adapter and the problem: the one place
 * where that choice is made. The measurements behind it are in bench/results/kernels.json and the README.
 */
import type { AdapterSummary } from '../../device/device.js';
import type { Overrides } from '../runtime.js';
import type { ShaderName } from '../shaders.js';

export type MatmulAlgorithm = 'register-tiled-subgroup' | 'register-tiled-vec4' | 'register-tiled' | 'workgroup-tiled';

export const MATMUL_ALGORITHMS: readonly MatmulAlgorithm[] = [
  'register-tiled-subgroup',
  'register-tiled-vec4',
  'register-tiled',
  'workgroup-tiled',
];

export interface MatmulProblem {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** What the device offers that the choice depends on. */
export interface MatmulTarget {
  adapter: AdapterSummary;
  features: ReadonlySet<string>;
}

export interface MatmulPlan {
  algorithm: MatmulAlgorithm;
  shader: ShaderName;
  /** Tunables passed as WGSL override constants. */
  overrides: Overrides;
  /** Rows and columns of C covered by one workgroup. */
  block: [number, number];
  /**
   * Copy B transposed into a temporary first. The vec4 kernels read B along N; for a stored-[N, K] B on a
   * CPU adapter, one transpose plus the fast kernel beats the strided scalar kernel by ~2x.
   */
  pretransposeB: boolean;
  /** Whether the kernel takes the TRANS_B override (the vec4 kernels do not). */
  takesTransB: boolean;
}

/** Can a kernel that reads B as vec4 rows run this problem (after any pre-transpose)? */
function vec4Ready(p: MatmulProblem): boolean {
  return p.n % 4 === 0;
}

/** Subgroups as the subgroup kernel needs them: the feature, and exactly 8 lanes (lavapipe on AVX2). */
export function subgroupsOf8(t: MatmulTarget): boolean {
  return t.features.has('subgroups') && t.adapter.subgroupMinSize === 8 && t.adapter.subgroupMaxSize === 8;
}

/** Whether `algorithm` can run `problem` on `target` at all. */
export function canRun(algorithm: MatmulAlgorithm, problem: MatmulProblem, target: MatmulTarget): boolean {
  switch (algorithm) {
    case 'register-tiled-subgroup':
      return subgroupsOf8(target) && vec4Ready(problem);
    case 'register-tiled-vec4':
      return vec4Ready(problem);
    default:
      return true;
  }
}

/** The configuration of one algorithm for one problem. */
export function planFor(algorithm: MatmulAlgorithm, problem: MatmulProblem): MatmulPlan {
  const vec4B = algorithm === 'register-tiled-subgroup' || algorithm === 'register-tiled-vec4';
  const common = { algorithm, pretransposeB: vec4B && problem.transB, takesTransB: !vec4B };
  switch (algorithm) {
    case 'register-tiled-subgroup': {
      // 16x8 per invocation is fixed in the shader. 32x2 invocations measured best at 1024^3; narrower
      // workgroups keep lanes busy when N is small (a workgroup spans WG_X * 8 columns).
      const wgX = problem.n > 128 ? 32 : problem.n > 64 ? 16 : 8;
      const wgY = 64 / wgX;
      return { ...common, shader: 'matmul_register_tiled_subgroup', overrides: { WG_X: wgX, WG_Y: wgY }, block: [16 * wgY, 8 * wgX] };
    }
    case 'register-tiled-vec4':
      // 8x8 per invocation is fixed in the shader; 16x4 invocations measured best on lavapipe.
      return { ...common, shader: 'matmul_register_tiled_vec4', overrides: { WG_X: 16, WG_Y: 4 }, block: [32, 128] };
    case 'register-tiled':
      return { ...common, shader: 'matmul_register_tiled', overrides: { TM: 8, TN: 8, WG_X: 8, WG_Y: 8 }, block: [64, 64] };
    case 'workgroup-tiled':
      // 64x64 output tiles, 4x4 per invocation, K staged 16 at a time: a common sweet spot on discrete GPUs.
      return {
        ...common,
        shader: 'matmul_workgroup_tiled',
        overrides: { TM: 4, TN: 4, WG_X: 16, WG_Y: 16, TILE_K: 16 },
        block: [64, 64],
      };
  }
}

/**
 * CPU adapters (lavapipe, SwiftShader) get barrier-free register-tiled kernels: there a workgroup barrier
 * costs more than workgroup memory saves, and per-lane loads are what is expensive. The subgroup kernel
 * where 8-lane subgroups exist, else the vec4 kernel, else the scalar one. GPUs get workgroup tiling.
 * A pinned algorithm that cannot run the problem falls back along the same order.
 */
export function chooseMatmul(target: MatmulTarget, problem: MatmulProblem, pinned?: MatmulAlgorithm): MatmulPlan {
  if (pinned) {
    const order = MATMUL_ALGORITHMS.slice(MATMUL_ALGORITHMS.indexOf(pinned));
    return planFor(order.find((a) => canRun(a, problem, target)) ?? 'register-tiled', problem);
  }
  if (!target.adapter.isSoftware) return planFor('workgroup-tiled', problem);
  const cpuOrder: MatmulAlgorithm[] = ['register-tiled-subgroup', 'register-tiled-vec4', 'register-tiled'];
  return planFor(cpuOrder.find((a) => canRun(a, problem, target))!, problem);
}

/**
 * Every WGSL source, imported as text at build time (no `fs` at run time, so the browser bundle has them),
 * with `//!include <path>` lines replaced by the named file from shaders/ (once each).
 */
import activation from '../../shaders/lib/activation.wgsl';
import attentionBody from '../../shaders/lib/attention_body.wgsl';
import bilinear from '../../shaders/lib/bilinear.wgsl';
import convParams from '../../shaders/lib/conv_params.wgsl';
import matmulParams from '../../shaders/lib/matmul_params.wgsl';
import shape8 from '../../shaders/lib/shape8.wgsl';
import attention from '../../shaders/attention.wgsl';
import attentionSubgroup from '../../shaders/attention_subgroup.wgsl';
import binary from '../../shaders/binary.wgsl';
import conv2d from '../../shaders/conv2d.wgsl';
import conv2dSubgroup from '../../shaders/conv2d_subgroup.wgsl';
import crossEntropy from '../../shaders/cross_entropy.wgsl';
import conv2dNhwc from '../../shaders/conv2d_nhwc.wgsl';
import groupLogsumexp from '../../shaders/group_logsumexp.wgsl';
import groupMask from '../../shaders/group_mask.wgsl';
import matmulRegisterTiled from '../../shaders/matmul_register_tiled.wgsl';
import matmulRegisterTiledSubgroup from '../../shaders/matmul_register_tiled_subgroup.wgsl';
import matmulRegisterTiledVec4 from '../../shaders/matmul_register_tiled_vec4.wgsl';
import matmulWorkgroupTiled from '../../shaders/matmul_workgroup_tiled.wgsl';
import norm from '../../shaders/norm.wgsl';
import optimizer from '../../shaders/optimizer.wgsl';
import pool from '../../shaders/pool.wgsl';
import pyramid from '../../shaders/pyramid.wgsl';
import reduce from '../../shaders/reduce.wgsl';
import resize from '../../shaders/resize.wgsl';
import segmentSum from '../../shaders/segment_sum.wgsl';
import shapeOps from '../../shaders/shape_ops.wgsl';
import softmax from '../../shaders/softmax.wgsl';
import softmaxSubgroup from '../../shaders/softmax_subgroup.wgsl';
import transpose from '../../shaders/transpose.wgsl';
import unary from '../../shaders/unary.wgsl';
import { DeviceError } from '../errors.js';

const LIBRARY: Record<string, string> = {
  'lib/activation.wgsl': activation,
  'lib/attention_body.wgsl': attentionBody,
  'lib/bilinear.wgsl': bilinear,
  'lib/conv_params.wgsl': convParams,
  'lib/matmul_params.wgsl': matmulParams,
  'lib/shape8.wgsl': shape8,
};

const SOURCES = {
  attention,
  attention_subgroup: attentionSubgroup,
  unary,
  binary,
  reduce,
  optimizer,
  softmax,
  softmax_subgroup: softmaxSubgroup,
  norm,
  transpose,
  pool,
  resize,
  pyramid,
  shape_ops: shapeOps,
  conv2d,
  conv2d_subgroup: conv2dSubgroup,
  conv2d_nhwc: conv2dNhwc,
  matmul_register_tiled: matmulRegisterTiled,
  matmul_register_tiled_subgroup: matmulRegisterTiledSubgroup,
  matmul_register_tiled_vec4: matmulRegisterTiledVec4,
  matmul_workgroup_tiled: matmulWorkgroupTiled,
  segment_sum: segmentSum,
  group_logsumexp: groupLogsumexp,
  cross_entropy: crossEntropy,
  group_mask: groupMask,
} as const;

export type ShaderName = keyof typeof SOURCES;

function resolveIncludes(name: string, source: string): string {
  const seen = new Set<string>();
  return source.replace(/^\/\/!include\s+(\S+)\s*$/gm, (_, path: string) => {
    const lib = LIBRARY[path];
    if (lib === undefined) throw new DeviceError(`shader '${name}' includes unknown file '${path}'`);
    if (seen.has(path)) return '';
    seen.add(path);
    return lib;
  });
}

const resolved = new Map<ShaderName, string>();

/** The full WGSL text of a shader, includes resolved. */
export function shaderSource(name: ShaderName): string {
  let source = resolved.get(name);
  if (source === undefined) {
    source = resolveIncludes(name, SOURCES[name]);
    resolved.set(name, source);
  }
  return source;
}

export const SHADER_NAMES = Object.keys(SOURCES) as ShaderName[];

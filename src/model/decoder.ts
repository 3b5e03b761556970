/**
 * LangSeg's pixel decoder, `decoder.*` (docs/MODEL.md section 5): two 3x3 conv + GN + ReLU layers at
 * stride 4, then every pixel's D-vector is L2-normalised, so the descriptor head's scores are cosines.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';
import type { LangSegConfig } from './config.js';
import { convNormRelu } from './conv.js';
import { l2Normalize } from './descriptor-head.js';

/** features [B, D, H/4, W/4] (the fused map, text attention added) -> e [B, D, H/4, W/4], unit length over D. */
export function pixelDecoder(g: Graph, cfg: LangSegConfig, features: SymbolicTensor): SymbolicTensor {
  const d = cfg.embedDim;
  const [h, w] = [cfg.imageSize[0] / 4, cfg.imageSize[1] / 4];
  const s = features.shape;
  if (s.length !== 4 || s[1] !== d || s[2] !== h || s[3] !== w) {
    throw new ShapeError(`pixelDecoder: features must be [B, ${d}, ${h}, ${w}] (embedDim, imageSize / 4), got ${formatShape(s)}`);
  }
  let x = features;
  for (let i = 0; i < 2; i++) x = convNormRelu(g, `decoder.${i}`, x, d, cfg.normGroups, { kernel: 3, padding: 1 });
  return l2Normalize(g, x, 1);
}

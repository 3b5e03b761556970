/**
 * LangSeg's feature pyramid, `fpn.*` (docs/MODEL.md section 2): 1x1 laterals bring C2..C5 to width D,
 * a top-down pass adds each coarser map, bilinearly upsampled, to the next finer one, 3x3 convs smooth
 * the sums into P2..P5, and the fused map F4 is the sum of all four upsampled to stride 4.
 * Each "upsample and add" is one pyramid_fuse kernel: a level already at the target size passes through
 * the bilinear resize unchanged (align_corners=False at scale 1 samples exactly the source pixels), so
 * L + up(P) needs no resized temporary.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';
import type { LangSegConfig } from './config.js';
import { conv2d } from './conv.js';

export interface FeaturePyramid {
  /** [P2, P3, P4, P5], P_{l+2} [B, D, H / 2^(l+2), W / 2^(l+2)]; only [P2] under ablation.noMultiscale. */
  levels: SymbolicTensor[];
  /** F4 [B, D, H/4, W/4]: every level upsampled to stride 4 and summed (P2 under noMultiscale). */
  fused: SymbolicTensor;
  /** The queries of the text-visual cross-attention [B, D, H/8, W/8]: P3, or avg_pool2d(F4, 2) under noMultiscale. */
  query8: SymbolicTensor;
}

/** Check that levels are C2..C5 of this config: [B, cnnWidths[l], H / 2^(l+2), W / 2^(l+2)]. */
function checkLevels(cfg: LangSegConfig, levels: SymbolicTensor[]): void {
  const [h, w] = cfg.imageSize;
  const want = cfg.cnnWidths.map((c, l) => [levels[0]?.shape[0] ?? 1, c, h >> (l + 2), w >> (l + 2)]);
  const ok = levels.length === 4 && levels.every((t, l) => t.shape.length === 4 && t.shape.every((d, i) => d === want[l]![i]));
  if (!ok) {
    throw new ShapeError(
      `featurePyramid: levels must be C2..C5 ${want.map((s) => formatShape(s)).join(', ')} for imageSize [${h}, ${w}] and ` +
        `cnnWidths [${cfg.cnnWidths.join(', ')}], got ${levels.map((t) => formatShape(t.shape)).join(', ') || 'none'}`,
    );
  }
}

/** C2..C5 (from imageEncoder) -> the pyramid P2..P5, the fused stride-4 map and the stride-8 queries. */
export function featurePyramid(g: Graph, cfg: LangSegConfig, levels: SymbolicTensor[]): FeaturePyramid {
  checkLevels(cfg, levels);
  const d = cfg.embedDim;
  const lateral = (l: number) => conv2d(g, `fpn.lateral.${l}`, levels[l]!, d, { kernel: 1 });
  const smooth = (l: number, x: SymbolicTensor) => conv2d(g, `fpn.smooth.${l}`, x, d, { kernel: 3, padding: 1 });
  if (cfg.ablation.noMultiscale) {
    const p2 = smooth(0, lateral(0));
    return { levels: [p2], fused: p2, query8: g.apply('avg_pool2d', [p2], { kernel: 2 }) };
  }
  const laterals = [0, 1, 2, 3].map(lateral);
  // Top-down: P5' = L5, P_l' = L_l + bilinear(P_{l+1}', size of L_l).
  const merged: SymbolicTensor[] = [];
  merged[3] = laterals[3]!;
  for (let l = 2; l >= 0; l--) {
    const target = laterals[l]!;
    merged[l] = g.apply('pyramid_fuse', [target, merged[l + 1]!], { size: target.shape.slice(2) });
  }
  const pyramid = merged.map((x, l) => smooth(l, x));
  const p2 = pyramid[0]!;
  return { levels: pyramid, fused: g.apply('pyramid_fuse', pyramid, { size: p2.shape.slice(2) }), query8: pyramid[1]! };
}

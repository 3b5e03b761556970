/**
 * Text-visual cross-attention (docs/MODEL.md section 3): the stride-8 pixel features attend to every
 * descriptor embedding (residual + LayerNorm), and the result is upsampled and added to the stride-4
 * fused pyramid map.
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';
import type { LangSegConfig } from './config.js';
import { layerNorm, multiHeadAttention } from './transformer.js';

/** F = fused4 + bilinear(LN(Q8 + MHA(Q8, t, t)), stride 4); query8 [B, D, h, w], t [K, D], fused4 [B, D, H4, W4]. */
export function textVisualFusion(g: Graph, cfg: LangSegConfig, query8: SymbolicTensor, descriptors: SymbolicTensor, fused4: SymbolicTensor): SymbolicTensor {
  const [b, d, h, w] = query8.shape as [number, number, number, number];
  const k = descriptors.shape[0]!;
  if (descriptors.shape.length !== 2 || descriptors.shape[1] !== d) {
    throw new ShapeError(`textVisualFusion: descriptor embeddings must be [K, ${d}] (the pixel features' width), got ${formatShape(descriptors.shape)}`);
  }
  const tokens = g.transpose(g.reshape(query8, [b, d, h * w]), [0, 2, 1]);
  const kv = g.broadcastTo(g.reshape(descriptors, [1, k, d]), [b, k, d]);
  const attended = layerNorm(g, 'fusion.norm', multiHeadAttention(g, 'fusion.cross_attn', tokens, kv, { heads: cfg.crossHeads }));
  const map = g.reshape(g.transpose(attended, [0, 2, 1]), [b, d, h, w]);
  const up = g.apply('resize_bilinear', [map], { size: [fused4.shape[2]!, fused4.shape[3]!] });
  return g.add(fused4, up);
}

/**
 * LangSeg's image encoder (docs/MODEL.md section 1): checks the images against the config and builds the
 * configured backbone, which returns the feature levels C2..C5 at strides 4, 8, 16, 32 with widths
 * cfg.cnnWidths (the same for both backbones, so the pyramid does not care which one made them).
 */
import { ShapeError } from '../errors.js';
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import { formatShape } from '../kernels/shape.js';
import { cnnEncoder } from './cnn-encoder.js';
import type { LangSegConfig } from './config.js';
import { vitEncoder } from './vit-encoder.js';

/** images [B, 3, H, W] (normalised RGB, [H, W] = cfg.imageSize) -> [C2, C3, C4, C5]. */
export function imageEncoder(g: Graph, cfg: LangSegConfig, images: SymbolicTensor): SymbolicTensor[] {
  const [h, w] = cfg.imageSize;
  const s = images.shape;
  if (s.length !== 4 || s[1] !== 3 || s[2] !== h || s[3] !== w) {
    throw new ShapeError(
      `imageEncoder: images must be [B, 3, ${h}, ${w}] for cfg.imageSize [${h}, ${w}], got ${formatShape(s)}; ` +
        'resize the images to the configured size or build the model with imageSize set to theirs',
    );
  }
  switch (cfg.backbone) {
    case 'cnn':
      return cnnEncoder(g, cfg, images);
    case 'vit':
      return vitEncoder(g, cfg, images);
    default:
      throw new ShapeError(`imageEncoder: unknown backbone '${String(cfg.backbone)}' (use 'cnn' or 'vit')`);
  }
}

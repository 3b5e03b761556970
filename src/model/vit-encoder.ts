/**
 * The ViT backbone of LangSeg (docs/MODEL.md section 1, `backbone: 'vit'`): 16x16 patch tokens with a
 * learned position embedding, pre-norm transformer blocks and a final layer norm give one stride-16 map
 * F [B, Dv, H/16, W/16]; four convolutions turn it into the pyramid C2..C5 (two transposed convs up to
 * strides 4 and 8, a 1x1 conv at 16, a stride-2 conv down to 32) with the CNN's widths cfg.cnnWidths.
 */
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import type { LangSegConfig } from './config.js';
import { conv2d, convTranspose2d } from './conv.js';
import { layerNorm, transformerBlock } from './transformer.js';

/** images [B, 3, H, W] -> [C2, C3, C4, C5], C_{l+2} [B, cnnWidths[l], H / 2^(l+2), W / 2^(l+2)]. */
export function vitEncoder(g: Graph, cfg: LangSegConfig, images: SymbolicTensor): SymbolicTensor[] {
  const { patch, width, depth, heads } = cfg.vit;
  const [b, , height, imageWidth] = images.shape as [number, number, number, number];
  const [gh, gw] = [height / patch, imageWidth / patch];
  const n = gh * gw;
  // Created first: PyTorch's state dict lists a module's own parameters before its children's.
  const posEmbed = g.param('encoder.pos_embed', [1, n, width], { kind: 'normal', std: 0.02 });
  const patches = conv2d(g, 'encoder.patch_embed', images, width, { kernel: patch, stride: patch });
  // [B, Dv, gh, gw] -> [B, N, Dv] with the tokens row-major over the patch grid.
  let tokens = g.add(g.transpose(g.reshape(patches, [b, width, n]), [0, 2, 1]), posEmbed);
  for (let i = 0; i < depth; i++) tokens = transformerBlock(g, `encoder.blocks.${i}`, tokens, { heads, mlpRatio: 4 });
  tokens = layerNorm(g, 'encoder.norm', tokens);
  const map = g.reshape(g.transpose(tokens, [0, 2, 1]), [b, width, gh, gw]);
  const [w0, w1, w2, w3] = cfg.cnnWidths;
  return [
    convTranspose2d(g, 'encoder.to_level.0', map, w0, { kernel: 4, stride: 4 }),
    convTranspose2d(g, 'encoder.to_level.1', map, w1, { kernel: 2, stride: 2 }),
    conv2d(g, 'encoder.to_level.2', map, w2, { kernel: 1 }),
    conv2d(g, 'encoder.to_level.3', map, w3, { kernel: 3, stride: 2, padding: 1 }),
  ];
}

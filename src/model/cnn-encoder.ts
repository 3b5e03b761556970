/**
 * The CNN backbone of LangSeg (docs/MODEL.md section 1, `backbone: 'cnn'`): a two-conv stem to stride 4,
 * then four stages of basic residual blocks whose outputs are C2..C5 at strides 4, 8, 16, 32 with widths
 * cfg.cnnWidths. Every conv is bias-free and followed by a group norm.
 */
import type { Graph, SymbolicTensor } from '../graph/graph.js';
import type { LangSegConfig } from './config.js';
import { conv2d, convNormRelu, groupNorm } from './conv.js';

/**
 * relu(norm2(conv2(relu(norm1(conv1(x))))) + shortcut(x)); the shortcut is a 1x1 conv + GN where the
 * stride or the width changes, the identity otherwise. Parameters are created in the order of the
 * PyTorch mirror's state dict (conv1, norm1, conv2, norm2, shortcut).
 */
export function basicBlock(g: Graph, prefix: string, x: SymbolicTensor, outChannels: number, stride: number, groups: number): SymbolicTensor {
  const conv3x3 = (name: string, input: SymbolicTensor, s: number) =>
    conv2d(g, `${prefix}.${name}`, input, outChannels, { kernel: 3, stride: s, padding: 1, bias: false });
  const h = g.relu(groupNorm(g, `${prefix}.norm1`, conv3x3('conv1', x, stride), groups));
  const residual = groupNorm(g, `${prefix}.norm2`, conv3x3('conv2', h, 1), groups);
  const projected = stride !== 1 || x.shape[1] !== outChannels;
  const shortcut = projected
    ? groupNorm(g, `${prefix}.shortcut.norm`, conv2d(g, `${prefix}.shortcut.conv`, x, outChannels, { kernel: 1, stride, bias: false }), groups)
    : x;
  return g.relu(g.add(residual, shortcut));
}

/** images [B, 3, H, W] -> [C2, C3, C4, C5], C_{s+2} [B, cnnWidths[s], H / 2^(s+2), W / 2^(s+2)]. */
export function cnnEncoder(g: Graph, cfg: LangSegConfig, images: SymbolicTensor): SymbolicTensor[] {
  const groups = cfg.normGroups;
  const [w0] = cfg.cnnWidths;
  let x = convNormRelu(g, 'encoder.stem.0', images, w0, groups, { kernel: 3, stride: 2, padding: 1 });
  x = convNormRelu(g, 'encoder.stem.1', x, w0, groups, { kernel: 3, stride: 2, padding: 1 });
  const levels: SymbolicTensor[] = [];
  cfg.cnnWidths.forEach((width, s) => {
    for (let b = 0; b < cfg.cnnBlocks[s]!; b++) {
      // Stage 0 keeps the stem's stride 4; every later stage halves the resolution in its first block.
      const stride = s > 0 && b === 0 ? 2 : 1;
      x = basicBlock(g, `encoder.stages.${s}.${b}`, x, width, stride, groups);
    }
    levels.push(x);
  });
  return levels;
}

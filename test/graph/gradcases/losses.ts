/**
 * Gradient-check cases of the loss ops (see ../gradcheck.test.ts). Labels are fixed integer class ids
 * (GradCase.values), so the finite differences only move the logits.
 */
import type { GradCase } from './types.js';

export const LOSSES_CASES: Record<string, GradCase[]> = {
  cross_entropy: [
    // [B, C, L]: ignored pixels (255) mixed in.
    { shapes: [[2, 3, 4], [2, 4]], values: [undefined, [0, 2, 255, 1, 1, 255, 0, 2]] },
    // [B, C, H, W] with another ignore label; a class no pixel has.
    { shapes: [[1, 4, 2, 3], [1, 2, 3]], attrs: { ignore: 7 }, values: [undefined, [0, 1, 7, 3, 3, 0]] },
    // [N, C]: no spatial axes, one class per row.
    { shapes: [[3, 5], [3]], values: [undefined, [4, 0, 2]] },
    // Class weights (PyTorch's weight): each valid pixel counts its class's weight.
    { shapes: [[2, 3, 4], [2, 4]], attrs: { weights: [0.5, 2, 1.5] }, values: [undefined, [0, 2, 255, 1, 1, 255, 0, 2]] },
    // Every pixel ignored: the loss is 0 and so is every gradient.
    { shapes: [[2, 2, 2], [2, 2]], values: [undefined, [255, 255, 255, 255]] },
  ],
};

/** Backward kernels and masks of labels: differentiated by nothing. */
export const LOSSES_NO_GRADIENT = new Set(['cross_entropy_backward', 'group_mask']);

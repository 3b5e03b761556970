/**
 * Gradient-check cases of the language-side and head ops (see ../gradcheck.test.ts). Index data (bags,
 * groups) goes in attrs; add new ops of the family as entries below.
 */
import type { GradCase } from './types.js';

export const LANGUAGE_CASES: Record<string, GradCase[]> = {
  embedding_bag: [
    // Repeated ids within a bag and across bags, an empty bag, rows no bag uses, D not a multiple of 4.
    { shapes: [[6, 3]], attrs: { offsets: [0, 3, 3, 5], ids: [1, 4, 1, 4, 0], mode: 'mean' } },
    { shapes: [[5, 4]], attrs: { offsets: [0, 2, 5, 6], ids: [2, 2, 0, 3, 2, 4], mode: 'sum' } },
    { shapes: [[3, 1]], attrs: { offsets: [0, 1, 3], ids: [2, 0, 2] } },
    // No ids at all: empty constants in a compiled graph, a zero output and a zero gradient.
    { shapes: [[3, 2]], attrs: { offsets: [0, 0], ids: [] } },
  ],
  group_logsumexp: [
    { shapes: [[2, 6, 3]], attrs: { groups: [0, 2, 3, 6] } },
    { shapes: [[3, 5]], attrs: { groups: [0, 4, 5], axis: 1 } },
    { shapes: [[2, 3, 7]], attrs: { groups: [0, 1, 7], axis: -1 } },
  ],
  attention: [
    // q [B, Nq, H, dh], k and v [B, Nk, H, dh]: keys not a multiple of the kernel's block of 4, two heads.
    { shapes: [[1, 3, 2, 4], [1, 5, 2, 4], [1, 5, 2, 4]] },
    { shapes: [[2, 2, 1, 8], [2, 3, 1, 8], [2, 3, 1, 8]], attrs: { scale: 0.7 } },
    // With a key mask (random non-zero values: every key kept; the mask itself gets no gradient).
    { shapes: [[1, 2, 1, 4], [1, 6, 1, 4], [1, 6, 1, 4], [1, 6]] },
  ],
};

/** Backward kernels: differentiated by nothing. */
export const LANGUAGE_NO_GRADIENT = new Set(['embedding_bag_backward', 'group_logsumexp_backward', 'attention_backward']);

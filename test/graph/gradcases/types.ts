import type { OpAttrs } from '../../../src/graph/ops/index.js';

export interface GradCase {
  shapes: number[][];
  attrs?: OpAttrs;
  /** Draw inputs from (0.5, 2): for log, sqrt, pow... */
  positive?: boolean;
}

import type { OpAttrs } from '../../../src/graph/ops/index.js';

export interface GradCase {
  shapes: number[][];
  attrs?: OpAttrs;
  /** Draw inputs from (0.5, 2): for log, sqrt, pow... */
  positive?: boolean;
  /**
   * Fixed values for some inputs (by position; leave others undefined), e.g. integer class labels that a
   * finite-difference step would make invalid. Inputs given here are held fixed and not differentiated.
   */
  values?: (readonly number[] | undefined)[];
}

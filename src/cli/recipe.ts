/**
 * The recipe that `demo`, `ablate` and `train`'s defaults share for the tiny model on synthetic scenes, so
 * the demo's figures, the ablation table and a plain `langseg train` measure the same thing.
 *
 * Measured on 2 CPU cores under lavapipe (issue #7; 0.8-0.9 s a step, batch 4 at 128x128), validation
 * mIoU on the 64 held-out scenes after 600 steps: 0.462 at peak rate 1e-3 with unweighted losses, 0.508
 * with class balance 0.5 (door, table, chair and mountain, ~1.2-1.6% of the pixels each, go from 0-0.03
 * to 0.13-0.41; `npm run demo` itself: 0.503 in 9 min 20 s), 0.466 with balance 1.0, 0.488 with balance
 * 0.5 at peak rate 1.5e-3. Before the token embeddings were initialised N(0, 1) 600 steps reached 0.438.
 */
export const SYNTHETIC_RECIPE = {
  /** Steps of the demo: 600 steps and the report fit the 10 minutes of issue #7 on 2 CPU cores. */
  steps: 600,
  batch: 4,
  /** Peak learning rate (5% warm-up, then cosine down to a tenth of it at the last step). */
  lr: 1e-3,
  /** Cross-entropy class weights frequency^-P (`train --class-balance`). */
  classBalance: 0.5,
  syntheticTrain: 4096,
  syntheticVal: 64,
} as const;

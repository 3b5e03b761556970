/**
 * The sample contract every data source (synthetic scenes, ADE20K, COCO-Stuff) implements, so the
 * loader, the trainer and the evaluator never care where pixels come from.
 */

/** Label value meaning "not labelled": no loss, not counted in metrics. */
export const IGNORE_LABEL = 255;

export interface Sample {
  id: string;
  width: number;
  height: number;
  /** [3, H, W] RGB in [0, 1], channel-major. */
  image: Float32Array;
  /** [H, W] class ids into the dataset's `classes` (0..C-1); 255 = ignore. */
  labels: Uint8Array;
}

export interface Dataset {
  readonly name: string;
  /** Class names; label value c means classes[c]. */
  readonly classes: readonly string[];
  readonly size: number;
  get(index: number): Promise<Sample>;
}

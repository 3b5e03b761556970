/**
 * Segmentation metrics from a confusion matrix, with the standard definitions (as mmseg and the ADE20K
 * benchmark compute them): IoU_c = TP / (TP + FP + FN); mIoU = mean of IoU_c over the classes with
 * TP + FP + FN > 0 (present in the labels or predicted); pixel accuracy = correct / labelled pixels.
 * Ignored pixels (label 255) count nowhere. Counts are float64, exact up to 2^53 pixels.
 */
import { DataError, ShapeError } from '../errors.js';
import { IGNORE_LABEL } from './dataset.js';

type Labels = ArrayLike<number>;

export interface ConfusionMatrixJSON {
  numClasses: number;
  ignore: number;
  /** counts[label][prediction]. */
  counts: number[][];
  miou: number | null;
  pixelAccuracy: number | null;
  meanClassAccuracy: number | null;
  /** null for classes neither labelled nor predicted. */
  perClassIoU: (number | null)[];
}

export class ConfusionMatrix {
  /** Row-major [label][prediction]. */
  readonly counts: Float64Array;

  constructor(
    readonly numClasses: number,
    readonly ignore = IGNORE_LABEL,
  ) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new DataError(`ConfusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
    }
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Counts one prediction map against its labels (same length; pixels labelled `ignore` skipped). Throws
   * DataError for a label or prediction outside 0..C-1 (a prediction equal to `ignore` is not allowed either).
   */
  add(pred: Uint8Array | Uint16Array | Int32Array | Labels, labels: Uint8Array | Float32Array | Labels): this {
    if (pred.length !== labels.length) {
      throw new ShapeError(`ConfusionMatrix.add: ${pred.length} predictions for ${labels.length} labels; they must match`);
    }
    const c = this.numClasses;
    const counts = this.counts;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (label === this.ignore) continue;
      const p = pred[i]!;
      // One test each that also rejects negatives, NaN and fractions (labels may arrive as floats).
      if (!(label >= 0 && label < c && label === Math.floor(label))) {
        throw new DataError(
          `ConfusionMatrix.add: label ${label} at pixel ${i} is not a class id 0..${c - 1} or ${this.ignore}`,
        );
      }
      if (!(p >= 0 && p < c && p === Math.floor(p))) {
        throw new DataError(`ConfusionMatrix.add: prediction ${p} at pixel ${i} is not a class id 0..${c - 1}`);
      }
      counts[label * c + p]!++;
    }
    return this;
  }

  /** Adds another matrix's counts (e.g. from another worker). */
  merge(other: ConfusionMatrix): this {
    if (other.numClasses !== this.numClasses) {
      throw new ShapeError(`ConfusionMatrix.merge: ${other.numClasses} classes into ${this.numClasses}`);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    return this;
  }

  reset(): this {
    this.counts.fill(0);
    return this;
  }

  /** Labelled (non-ignored) pixels counted so far. */
  get total(): number {
    let sum = 0;
    for (const v of this.counts) sum += v;
    return sum;
  }

  /** IoU per class; NaN for a class with TP + FP + FN = 0 (neither labelled nor predicted). */
  perClassIoU(): number[] {
    const c = this.numClasses;
    const { rows, cols } = this.margins();
    return Array.from({ length: c }, (_, k) => {
      const tp = this.counts[k * c + k]!;
      const union = rows[k]! + cols[k]! - tp;
      return union > 0 ? tp / union : NaN;
    });
  }

  /** Mean IoU over classes with TP + FP + FN > 0; NaN when nothing was counted. */
  miou(): number {
    return meanDefined(this.perClassIoU());
  }

  /** Correctly predicted / labelled pixels; NaN when nothing was counted. */
  pixelAccuracy(): number {
    const c = this.numClasses;
    let correct = 0;
    for (let k = 0; k < c; k++) correct += this.counts[k * c + k]!;
    const total = this.total;
    return total > 0 ? correct / total : NaN;
  }

  /** Mean over labelled classes of TP / (TP + FN) (mmseg's mAcc); NaN when nothing was counted. */
  meanClassAccuracy(): number {
    const c = this.numClasses;
    const { rows } = this.margins();
    return meanDefined(Array.from({ length: c }, (_, k) => (rows[k]! > 0 ? this.counts[k * c + k]! / rows[k]! : NaN)));
  }

  toJSON(): ConfusionMatrixJSON {
    const c = this.numClasses;
    const orNull = (v: number) => (Number.isNaN(v) ? null : v);
    return {
      numClasses: c,
      ignore: this.ignore,
      counts: Array.from({ length: c }, (_, k) => Array.from(this.counts.subarray(k * c, (k + 1) * c))),
      miou: orNull(this.miou()),
      pixelAccuracy: orNull(this.pixelAccuracy()),
      meanClassAccuracy: orNull(this.meanClassAccuracy()),
      perClassIoU: this.perClassIoU().map(orNull),
    };
  }

  /** Rebuilds a matrix from toJSON() output (the derived metrics are recomputed, not trusted). */
  static fromJSON(json: Pick<ConfusionMatrixJSON, 'numClasses' | 'ignore' | 'counts'>): ConfusionMatrix {
    const m = new ConfusionMatrix(json.numClasses, json.ignore);
    const c = json.numClasses;
    if (!Array.isArray(json.counts) || json.counts.length !== c || json.counts.some((row) => row.length !== c)) {
      throw new DataError(`ConfusionMatrix.fromJSON: counts must be ${c} rows of ${c} numbers`);
    }
    json.counts.forEach((row, k) =>
      row.forEach((v, p) => {
        if (!(Number.isInteger(v) && v >= 0)) {
          throw new DataError(`ConfusionMatrix.fromJSON: counts[${k}][${p}] = ${v} is not a count`);
        }
        m.counts[k * c + p] = v;
      }),
    );
    return m;
  }

  /** Row sums (pixels labelled k) and column sums (pixels predicted k). */
  private margins(): { rows: Float64Array; cols: Float64Array } {
    const c = this.numClasses;
    const rows = new Float64Array(c);
    const cols = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < c; p++) {
        const v = this.counts[k * c + p]!;
        rows[k]! += v;
        cols[p]! += v;
      }
    }
    return { rows, cols };
  }
}

function meanDefined(values: number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../src/data/metrics.js';
import { DataError, ShapeError } from '../../src/errors.js';

describe('ConfusionMatrix', () => {
  // labels 0 0 1 1 2 255, predictions 0 1 1 1 0 2 -> counts (0,0)=1 (0,1)=1 (1,1)=2 (2,0)=1.
  const labels = Uint8Array.from([0, 0, 1, 1, 2, 255]);
  const pred = Uint8Array.from([0, 1, 1, 1, 0, 2]);

  it('computes IoU = TP / (TP + FP + FN), mIoU, pixel and class accuracy on a hand-made case', () => {
    const m = new ConfusionMatrix(3).add(pred, labels);
    expect(Array.from(m.counts)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 0]);
    expect(m.total).toBe(5);
    const iou = m.perClassIoU();
    expect(iou[0]).toBeCloseTo(1 / 3); // TP 1, FP 1 (label 2), FN 1 (predicted 1)
    expect(iou[1]).toBeCloseTo(2 / 3); // TP 2, FP 1
    expect(iou[2]).toBe(0); // labelled, never predicted right
    expect(m.miou()).toBeCloseTo(1 / 3);
    expect(m.pixelAccuracy()).toBeCloseTo(3 / 5);
    expect(m.meanClassAccuracy()).toBeCloseTo((1 / 2 + 1 + 0) / 3);
  });

  it('leaves classes neither labelled nor predicted out of the mean; a predicted-only class counts as 0', () => {
    const m = new ConfusionMatrix(4).add(Uint8Array.from([0, 0, 2]), Uint8Array.from([0, 0, 0]));
    const iou = m.perClassIoU();
    expect(iou[0]).toBeCloseTo(2 / 3);
    expect(Number.isNaN(iou[1]!)).toBe(true);
    expect(iou[2]).toBe(0);
    expect(Number.isNaN(iou[3]!)).toBe(true);
    expect(m.miou()).toBeCloseTo(1 / 3); // (2/3 + 0) / 2
    expect(m.toJSON().perClassIoU).toEqual([2 / 3, null, 0, null]);
  });

  it('is perfect on a perfect prediction and NaN (null in JSON) when empty', () => {
    const m = new ConfusionMatrix(3).add(Uint16Array.from([2, 1, 2]), Float32Array.from([2, 1, 2]));
    expect(m.miou()).toBe(1);
    expect(m.pixelAccuracy()).toBe(1);
    const empty = new ConfusionMatrix(3).add(Uint8Array.from([1]), Uint8Array.from([255]));
    expect(Number.isNaN(empty.miou())).toBe(true);
    expect(Number.isNaN(empty.pixelAccuracy())).toBe(true);
    expect(empty.toJSON()).toMatchObject({ miou: null, pixelAccuracy: null, meanClassAccuracy: null });
  });

  it('merges, resets and round-trips through JSON', () => {
    const a = new ConfusionMatrix(3).add(pred, labels);
    const b = new ConfusionMatrix(3).add(pred.subarray(0, 3), labels.subarray(0, 3));
    const ab = new ConfusionMatrix(3).add(pred, labels).add(pred.subarray(0, 3), labels.subarray(0, 3));
    expect(a.merge(b).counts).toEqual(ab.counts);
    const json = JSON.parse(JSON.stringify(ab)) as ReturnType<ConfusionMatrix['toJSON']>;
    expect(json.counts).toEqual([[2, 2, 0], [0, 3, 0], [1, 0, 0]]);
    expect(ConfusionMatrix.fromJSON(json).miou()).toBe(ab.miou());
    expect(ab.reset().total).toBe(0);
    expect(() => ConfusionMatrix.fromJSON({ numClasses: 2, ignore: 255, counts: [[1, 2]] })).toThrow(DataError);
  });

  it('refuses mismatched lengths and ids out of range, with the value and pixel', () => {
    const m = new ConfusionMatrix(3);
    expect(() => m.add(Uint8Array.from([0]), Uint8Array.from([0, 1]))).toThrow(ShapeError);
    expect(() => m.add(Uint8Array.from([0, 0]), Uint8Array.from([0, 3]))).toThrow(/label 3 at pixel 1 is not a class id 0..2 or 255/);
    expect(() => m.add(Uint8Array.from([0, 7]), Uint8Array.from([0, 1]))).toThrow(/prediction 7 at pixel 1/);
    expect(() => m.add(Uint8Array.from([0]), Float32Array.from([0.5]))).toThrow(DataError);
    expect(() => new ConfusionMatrix(0)).toThrow(DataError);
  });
});

import { describe, expect, it } from 'vitest';
import {
  applyCrop,
  coverScale,
  evalCrop,
  fitSize,
  resizeForModel,
  resizeLabelsNearest,
  trainCrop,
  type CropPlan,
} from '../../src/data/augment.js';
import type { Sample } from '../../src/data/dataset.js';
import { mulberry32 } from '../../src/random.js';
import { DataError, ShapeError } from '../../src/errors.js';

/** A sample whose channel c at (y, x) is c * 100 + y * 10 + x (scaled into [0, 1) by 1/1000) and label y * W + x. */
function rampSample(width: number, height: number): Sample {
  const plane = width * height;
  const image = new Float32Array(3 * plane);
  const labels = new Uint8Array(plane);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image[c * plane + y * width + x] = (c * 100 + y * 10 + x) / 1000;
  }
  for (let p = 0; p < plane; p++) labels[p] = p % 250;
  return { id: 'ramp', width, height, image, labels };
}

const plan = (p: Partial<CropPlan> & Pick<CropPlan, 'scaledHeight' | 'scaledWidth'>): CropPlan => ({ top: 0, left: 0, flip: false, ...p });

describe('applyCrop', () => {
  it('copies exactly at scale 1 and mirrors with flip', () => {
    const s = rampSample(5, 4);
    const same = applyCrop(s, [4, 5], plan({ scaledHeight: 4, scaledWidth: 5 }));
    expect(same.image).toEqual(s.image);
    expect(same.labels).toEqual(s.labels);
    const flipped = applyCrop(s, [4, 5], plan({ scaledHeight: 4, scaledWidth: 5, flip: true }));
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) expect(flipped.labels[y * 5 + x]).toBe(s.labels[y * 5 + 4 - x]);
  });

  it('upsamples bilinearly with half-pixel centres (PyTorch align_corners=False)', () => {
    // [a, b] -> [a, 3/4 a + 1/4 b, 1/4 a + 3/4 b, b] along each axis.
    const s: Sample = { id: 's', width: 2, height: 1, image: Float32Array.from([0, 1, 0, 1, 0, 1]), labels: Uint8Array.from([3, 7]) };
    const up = applyCrop(s, [1, 4], plan({ scaledHeight: 1, scaledWidth: 4 }));
    expect(Array.from(up.image.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(up.labels)).toEqual([3, 3, 7, 7]);
  });

  it('downsamples to block means (box prefilter from 2x on), labels by nearest', () => {
    const s = rampSample(8, 8);
    for (const factor of [2, 4]) {
      const n = 8 / factor;
      const down = applyCrop(s, [n, n], plan({ scaledHeight: n, scaledWidth: n }));
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          // Mean of a factor x factor block of the ramp: its centre value.
          const cy = y * factor + (factor - 1) / 2;
          const cx = x * factor + (factor - 1) / 2;
          expect(down.image[y * n + x]).toBeCloseTo((cy * 10 + cx) / 1000, 6);
          // Nearest: the source pixel under the output pixel's centre.
          expect(down.labels[y * n + x]).toBe(s.labels[Math.floor((y + 0.5) * factor) * 8 + Math.floor((x + 0.5) * factor)]);
        }
      }
    }
  });

  it('pads with the image mean colour and the ignore label', () => {
    const s = rampSample(4, 2);
    const out = applyCrop(s, [4, 6], plan({ scaledHeight: 2, scaledWidth: 4, top: -1, left: -1 }));
    const mean0 = s.image.subarray(0, 8).reduce((a, b) => a + b, 0) / 8;
    expect(out.image[0]).toBeCloseTo(mean0, 6); // row 0 is padding
    expect(out.image[6]).toBeCloseTo(mean0, 6); // row 1, column 0 is padding
    expect(out.image[7]).toBeCloseTo(s.image[0]!, 6); // row 1, column 1 is pixel (0, 0)
    expect(Array.from(out.labels.subarray(0, 6))).toEqual([255, 255, 255, 255, 255, 255]);
    expect(Array.from(out.labels.subarray(6, 12))).toEqual([255, 0, 1, 2, 3, 255]);
    expect(Array.from(out.labels.subarray(18, 24))).toEqual([255, 255, 255, 255, 255, 255]);
  });

  it('never blends label values, at any scale', () => {
    const s = rampSample(37, 23);
    const valid = new Set(s.labels);
    const random = mulberry32(5);
    for (let i = 0; i < 20; i++) {
      const out = applyCrop(s, [16, 24], trainCrop(37, 23, [16, 24], random));
      for (const v of out.labels) expect(v === 255 || valid.has(v)).toBe(true);
    }
  });

  it('checks shapes', () => {
    const s = rampSample(4, 4);
    expect(() => applyCrop(s, [0, 4], plan({ scaledHeight: 4, scaledWidth: 4 }))).toThrow(DataError);
    expect(() => applyCrop({ ...s, width: 5 }, [4, 4], plan({ scaledHeight: 4, scaledWidth: 4 }))).toThrow(ShapeError);
    expect(() =>
      applyCrop(s, [4, 4], plan({ scaledHeight: 4, scaledWidth: 4 }), { image: new Float32Array(3), labels: new Uint8Array(16) }),
    ).toThrow(/expected 48 and 16/);
  });
});

describe('crop plans', () => {
  it('eval: covers the output with the short side and centres the window', () => {
    expect(coverScale(200, 100, [50, 50])).toBe(0.5);
    expect(evalCrop(200, 100, [50, 50])).toEqual({ scaledHeight: 50, scaledWidth: 100, top: 0, left: 25, flip: false });
    expect(evalCrop(100, 300, [64, 32])).toEqual({ scaledHeight: 96, scaledWidth: 32, top: 16, left: 0, flip: false });
  });

  it('train: scale within 0.5..2 of the covering scale, the window inside the image or the padding, seeded', () => {
    const random = mulberry32(1);
    let flips = 0;
    let padded = 0;
    for (let i = 0; i < 200; i++) {
      const p = trainCrop(300, 200, [64, 96], random);
      const relative = p.scaledHeight / 200 / coverScale(300, 200, [64, 96]);
      expect(relative).toBeGreaterThanOrEqual(0.5 - 0.01);
      expect(relative).toBeLessThanOrEqual(2 + 0.01);
      expect(Math.abs(p.scaledWidth / p.scaledHeight - 1.5)).toBeLessThan(0.05);
      for (const [offset, scaled, out] of [[p.top, p.scaledHeight, 64], [p.left, p.scaledWidth, 96]] as const) {
        if (scaled >= out) expect(offset >= 0 && offset + out <= scaled).toBe(true);
        else expect(offset <= 0 && offset + out >= scaled).toBe(true);
      }
      if (p.flip) flips++;
      if (p.scaledHeight < 64) padded++;
    }
    expect(flips).toBeGreaterThan(60);
    expect(flips).toBeLessThan(140);
    expect(padded).toBeGreaterThan(0);
    expect(trainCrop(300, 200, [64, 96], mulberry32(9))).toEqual(trainCrop(300, 200, [64, 96], mulberry32(9)));
  });
});

describe('resizing for inference', () => {
  it('resizeForModel keeps the original size; resizeLabelsNearest maps predictions back', () => {
    const s = rampSample(6, 4);
    const resized = resizeForModel(s, [8, 12]);
    expect([resized.height, resized.width, resized.original.height, resized.original.width]).toEqual([8, 12, 4, 6]);
    expect(resized.image).toHaveLength(3 * 8 * 12);
    expect(resizeLabelsNearest(resized.labels, [8, 12], [4, 6])).toEqual(s.labels);
    const pred = Uint16Array.from({ length: 8 * 12 }, (_, i) => 1000 + i);
    const back = resizeLabelsNearest(pred, [8, 12], [4, 6]);
    expect(back).toBeInstanceOf(Uint16Array);
    expect(back[0]).toBe(1000 + 12 + 1); // output (0, 0) centre lies in source pixel (1, 1)
    expect(() => resizeLabelsNearest(pred, [8, 8], [4, 6])).toThrow(ShapeError);
  });

  it('fitSize keeps the aspect ratio at a multiple of the stride', () => {
    expect(fitSize(640, 480, 256, 32)).toEqual([256, 352]);
    expect(fitSize(100, 1000, 20, 32)).toEqual([192, 32]); // 200 x 20 rounded to the stride
    expect(() => fitSize(0, 10, 10)).toThrow(DataError);
  });
});

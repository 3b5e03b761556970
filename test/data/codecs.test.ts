import { encode as encodeRawPng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeLabelMap, encodePng, MAX_IMAGE_PIXELS, sniffImageFormat } from '../../src/data/codecs.js';
import { planarToRgb, rgbToPlanar } from '../../src/data/pixels.js';
import { DataError } from '../../src/errors.js';
import { encodeJpeg, gradientRgb } from './fixtures.js';

function expectDataError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a DataError').toBeInstanceOf(DataError);
  for (const part of parts) expect((caught as Error).message).toMatch(part);
}

describe('PNG', () => {
  it('round-trips RGB, and reads grey as replicated RGB and RGBA without alpha', () => {
    const rgb = gradientRgb(5, 3);
    expect(decodeImage(encodePng(rgb, 5, 3))).toEqual({ width: 5, height: 3, rgb });

    const grey = Uint8Array.from([0, 50, 100, 150, 200, 250]);
    const fromGrey = decodeImage(encodePng(grey, 3, 2));
    expect(Array.from(fromGrey.rgb.subarray(3, 6))).toEqual([50, 50, 50]);

    const rgba = Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 255]);
    expect(Array.from(decodeImage(encodePng(rgba, 2, 1)).rgb)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('looks up palette colours, rounds 16-bit samples and scales low bit depths', () => {
    const palette = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
    const indexed = encodeRawPng({ width: 3, height: 1, data: Uint8Array.from([2, 0, 1]), channels: 1, depth: 8, palette });
    expect(Array.from(decodeImage(indexed).rgb)).toEqual([0, 0, 255, 255, 0, 0, 0, 255, 0]);

    const deep = encodeRawPng({ width: 2, height: 1, data: Uint16Array.from([65535, 0, 32896, 257, 514, 771]), channels: 3, depth: 16 });
    expect(Array.from(decodeImage(deep).rgb)).toEqual([255, 0, 128, 1, 2, 3]);

    // 2-bit grey, 3 pixels per row packed into one byte per row: values 3, 1, 0 / 2, 2, 2.
    const packed = Uint8Array.from([0b11_01_00_00, 0b10_10_10_00]);
    const lowDepth = encodeRawPng({ width: 3, height: 2, data: packed, channels: 1, depth: 2 });
    expect(Array.from(decodeImage(lowDepth).rgb.filter((_, i) => i % 3 === 0))).toEqual([255, 85, 0, 170, 170, 170]);
  });

  it('encodePng refuses a length that is not w * h * (1, 3 or 4)', () => {
    expectDataError(() => encodePng(new Uint8Array(10), 2, 2), '10 values for 2 x 2');
    expectDataError(() => encodePng(new Uint8Array(4), 0, 2), 'positive integers');
  });
});

describe('JPEG', () => {
  it('decodes what jpeg-js encodes, close to the original', () => {
    const rgb = gradientRgb(24, 16);
    const decoded = decodeImage(encodeJpeg(rgb, 24, 16, 95), 'gradient.jpg');
    expect([decoded.width, decoded.height]).toEqual([24, 16]);
    let worst = 0;
    for (let i = 0; i < rgb.length; i++) worst = Math.max(worst, Math.abs(rgb[i]! - decoded.rgb[i]!));
    expect(worst).toBeLessThan(12);
  });
});

describe('label maps', () => {
  it('returns raw values of 8-bit grey and palette PNGs (indices, not colours)', () => {
    const values = Uint8Array.from([0, 1, 150, 255, 7, 9]);
    expect(decodeLabelMap(encodePng(values, 3, 2))).toEqual({ width: 3, height: 2, values });
    const palette = Array.from({ length: 16 }, (_, i) => [i * 16, 0, 0]);
    const indexed = encodeRawPng({ width: 2, height: 2, data: Uint8Array.from([3, 15, 0, 4]), channels: 1, depth: 8, palette });
    expect(Array.from(decodeLabelMap(indexed).values)).toEqual([3, 15, 0, 4]);
    // A 4-bit palette PNG (packed rows): values 5, 10, 15.
    const packed = encodeRawPng({ width: 3, height: 1, data: Uint8Array.from([0x5a, 0xf0]), channels: 1, depth: 4, palette });
    expect(Array.from(decodeLabelMap(packed).values)).toEqual([5, 10, 15]);
  });

  it('refuses RGB, 16-bit and JPEG label maps, naming the file', () => {
    expectDataError(() => decodeLabelMap(encodePng(gradientRgb(2, 2), 2, 2), 'a.png'), 'a.png', '8-bit RGB PNG', 'colourised');
    const deep = encodeRawPng({ width: 1, height: 1, data: Uint16Array.from([3]), channels: 1, depth: 16 });
    expectDataError(() => decodeLabelMap(deep, 'b.png'), 'b.png', '16-bit grey');
    expectDataError(() => decodeLabelMap(encodeJpeg(gradientRgb(8, 8), 8, 8), 'c.jpg'), 'c.jpg', 'must be PNG');
  });
});

describe('corrupt and unsupported input', () => {
  const png = encodePng(gradientRgb(16, 16), 16, 16);
  const jpg = encodeJpeg(gradientRgb(32, 32), 32, 32);

  it('says what is wrong, naming the file', () => {
    expectDataError(() => decodeImage(new Uint8Array(0), 'empty.jpg'), 'empty.jpg', 'empty');
    expectDataError(() => decodeImage(new TextEncoder().encode('GIF89a....'), 'x.gif'), 'x.gif', 'not a JPEG or PNG', '47 49 46 38');
    expectDataError(() => decodeImage(png.subarray(0, 20), 'short.png'), 'short.png', 'truncated');
    expectDataError(() => decodeImage(png.subarray(0, png.length - 20), 'cut.png'), 'cut.png');
    const flipped = png.slice();
    flipped[45] = flipped[45]! ^ 0xff; // inside IDAT: the CRC no longer matches
    expectDataError(() => decodeImage(flipped, 'flipped.png'), 'flipped.png', 'corrupt');
    expectDataError(() => decodeImage(jpg.subarray(0, jpg.length / 2), 'cut.jpg'), 'cut.jpg', 'cannot decode the JPEG');
    expectDataError(() => decodeLabelMap(png.subarray(0, 40), 'cut-label.png'), 'cut-label.png');
  });

  it('fails fast on a header claiming a huge image, before allocating it', () => {
    const huge = png.slice();
    const view = new DataView(huge.buffer);
    view.setUint32(16, 100_000);
    view.setUint32(20, 100_000);
    expectDataError(() => decodeImage(huge, 'huge.png'), 'huge.png', '100000 x 100000', String(MAX_IMAGE_PIXELS));

    // The JPEG SOF0 marker (ff c0) holds height then width after length and precision.
    const bigJpeg = jpg.slice();
    let sof = -1;
    for (let i = 2; i < bigJpeg.length - 1; i++) if (bigJpeg[i] === 0xff && bigJpeg[i + 1] === 0xc0) { sof = i; break; }
    expect(sof).toBeGreaterThan(0);
    const jview = new DataView(bigJpeg.buffer);
    jview.setUint16(sof + 5, 60_000);
    jview.setUint16(sof + 7, 60_000);
    expectDataError(() => decodeImage(bigJpeg, 'huge.jpg'), 'huge.jpg', /maxResolutionInMP|limit/);
  });

  it('sniffs formats by content', () => {
    expect(sniffImageFormat(png)).toBe('png');
    expect(sniffImageFormat(jpg)).toBe('jpeg');
    expect(sniffImageFormat(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});

describe('pixel layouts', () => {
  it('converts interleaved 8-bit to planar [0, 1] and back', () => {
    const rgb = Uint8Array.from([255, 0, 51, 0, 102, 255]);
    const planar = rgbToPlanar(rgb, 2, 1);
    expect(Array.from(planar)).toEqual([1, 0, 0, 0.4, 0.2, 1].map((v) => Math.fround(v)));
    expect(planarToRgb(planar, 2, 1)).toEqual(rgb);
  });
});

/** Pixel layout conversions between decoded files (interleaved 8-bit) and model tensors (planar float). */

/** [H, W, 3] interleaved 8-bit RGB -> [3, H, W] channel-major floats in [0, 1] (the Sample layout). */
export function rgbToPlanar(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const scale = 1 / 255;
  for (let p = 0; p < plane; p++) {
    out[p] = rgb[3 * p]! * scale;
    out[plane + p] = rgb[3 * p + 1]! * scale;
    out[2 * plane + p] = rgb[3 * p + 2]! * scale;
  }
  return out;
}

/** [3, H, W] floats in [0, 1] -> [H, W, 3] interleaved 8-bit RGB (rounded, clamped), e.g. to encode a PNG. */
export function planarToRgb(image: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round(Math.min(1, Math.max(0, image[c * plane + p]!)) * 255);
  }
  return out;
}

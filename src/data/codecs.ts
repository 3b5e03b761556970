/**
 * Image codecs for datasets and outputs, pure JS so they run in the browser too: JPEG through jpeg-js
 * (decoder only), PNG through fast-png (grey, grey+alpha, palette, RGB, RGBA; 1 to 16 bits). Corrupt,
 * truncated, unsupported or absurdly large files fail fast with a DataError naming the file.
 */
import { decode as decodePngRaw, encode as encodePngRaw, hasPngSignature, type DecodedPng } from 'fast-png';
import decodeJpegRaw from 'jpeg-js/lib/decoder.js';
import { DataError } from '../errors.js';

/** Refuse images above this many pixels (a 8000 x 6000 photo fits): a corrupt header must not allocate gigabytes. */
export const MAX_IMAGE_PIXELS = 48_000_000;
/** jpeg-js's own allocation cap: coefficient buffers plus output for MAX_IMAGE_PIXELS with room to spare. */
const MAX_JPEG_MEMORY_MB = 640;

export interface DecodedImage {
  width: number;
  height: number;
  /** [H, W, 3] interleaved 8-bit RGB. */
  rgb: Uint8Array;
}

export interface DecodedLabelMap {
  width: number;
  height: number;
  /** [H, W] raw 8-bit values (class ids or palette indices, not colours). */
  values: Uint8Array;
}

export type ImageFormat = 'jpeg' | 'png';

/** The format from the first bytes, or undefined when it is neither JPEG nor PNG. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && hasPngSignature(bytes)) return 'png';
  return undefined;
}

/** Decodes a JPEG or PNG (by content, not by name) to 8-bit RGB. `source` names the file in errors. */
export function decodeImage(bytes: Uint8Array, source = 'image'): DecodedImage {
  const format = requireFormat(bytes, source);
  if (format === 'jpeg') return decodeJpeg(bytes, source);
  const png = decodePng(bytes, source);
  return { width: png.width, height: png.height, rgb: pngToRgb(png, source) };
}

/**
 * Decodes a label map: a greyscale or palette PNG of at most 8 bits whose raw values are class ids
 * (palette colours are ignored). JPEG (lossy: it would invent ids at edges), RGB and 16-bit PNGs are refused.
 */
export function decodeLabelMap(bytes: Uint8Array, source = 'label map'): DecodedLabelMap {
  const format = requireFormat(bytes, source);
  if (format === 'jpeg') {
    throw new DataError(
      `${source}: is a JPEG; label maps must be PNG (JPEG compression changes class ids at region edges)`,
    );
  }
  const png = decodePng(bytes, source);
  if (png.channels !== 1 || png.depth > 8) {
    const kind = png.palette ? 'palette' : (['grey', 'grey+alpha', 'RGB', 'RGBA'][png.channels - 1] ?? '?');
    throw new DataError(
      `${source}: is a ${png.depth}-bit ${kind} PNG; label maps must be 8-bit greyscale or palette PNGs ` +
        'whose values are class ids (a colourised visualisation is not a label map)',
    );
  }
  return { width: png.width, height: png.height, values: unpackSamples(png) as Uint8Array };
}

/**
 * Encodes 8-bit pixels as a PNG: `pixels` holds width * height * c values, c = 1 (grey), 3 (RGB) or 4 (RGBA),
 * row-major and interleaved.
 */
export function encodePng(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DataError(`encodePng: width and height must be positive integers, got ${width} x ${height}`);
  }
  const channels = pixels.length / (width * height);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DataError(
      `encodePng: ${pixels.length} values for ${width} x ${height} pixels; expected ${width * height} (grey), ` +
        `${width * height * 3} (RGB) or ${width * height * 4} (RGBA)`,
    );
  }
  return encodePngRaw({ width, height, data: pixels, channels, depth: 8 });
}

function requireFormat(bytes: Uint8Array, source: string): ImageFormat {
  if (bytes.length === 0) throw new DataError(`${source}: the file is empty`);
  const format = sniffImageFormat(bytes);
  if (!format) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(`${source}: not a JPEG or PNG file (it starts with bytes ${head})`);
  }
  return format;
}

function decodeJpeg(bytes: Uint8Array, source: string): DecodedImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodeJpegRaw(bytes, {
      useTArray: true, // plain Uint8Array instead of Node's Buffer: browser-safe
      formatAsRGBA: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: MAX_JPEG_MEMORY_MB,
    });
  } catch (e) {
    throw new DataError(`${source}: cannot decode the JPEG (${messageOf(e)}); the file is corrupt, truncated or unsupported`);
  }
  if (!(decoded.width > 0 && decoded.height > 0)) {
    throw new DataError(`${source}: the JPEG has no image data (size ${decoded.width} x ${decoded.height})`);
  }
  return { width: decoded.width, height: decoded.height, rgb: decoded.data };
}

function decodePng(bytes: Uint8Array, source: string): DecodedPng {
  // IHDR is the first chunk at byte 8: length (4), "IHDR" (4), width (4), height (4). Check the size before
  // fast-png allocates for it.
  if (bytes.length < 33) throw new DataError(`${source}: the PNG is truncated (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(12) !== 0x49484452) {
    throw new DataError(`${source}: the PNG does not start with an IHDR chunk; it is corrupt`);
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0 || width * height > MAX_IMAGE_PIXELS) {
    throw new DataError(
      `${source}: the PNG header says ${width} x ${height} pixels; supported are 1 to ${MAX_IMAGE_PIXELS} pixels`,
    );
  }
  let png: DecodedPng;
  try {
    png = decodePngRaw(bytes, { checkCrc: true });
  } catch (e) {
    throw new DataError(`${source}: cannot decode the PNG (${messageOf(e)}); the file is corrupt or truncated`);
  }
  const expected = Math.ceil((png.width * png.channels * png.depth) / 8) * png.height;
  const got = png.depth === 16 ? png.data.length * 2 : png.data.length;
  if (got !== expected) {
    throw new DataError(`${source}: the PNG's pixel data is ${got} bytes, ${expected} expected; it is truncated`);
  }
  return png;
}

/**
 * One sample per channel per pixel: fast-png keeps 1/2/4-bit rows packed (each row padded to a byte);
 * 8- and 16-bit data are already one value per sample.
 */
function unpackSamples(png: DecodedPng): Uint8Array | Uint16Array {
  if (png.depth >= 8) return png.data as Uint8Array | Uint16Array;
  const { width, height, depth } = png;
  const perRow = width * png.channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(perRow * height);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = png.data[y * rowBytes + (bit >> 3)]!;
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Any decoded PNG -> 8-bit RGB: palette looked up, grey replicated, alpha dropped, 16 bits rounded, low depths scaled. */
function pngToRgb(png: DecodedPng, source: string): Uint8Array {
  const samples = unpackSamples(png);
  const n = png.width * png.height;
  const channels = png.channels;
  const rgb = new Uint8Array(n * 3);
  if (png.palette) {
    const palette = png.palette;
    for (let p = 0; p < n; p++) {
      const colour = palette[samples[p]!];
      if (!colour) {
        throw new DataError(`${source}: palette index ${samples[p]} but the palette has ${palette.length} colours`);
      }
      rgb[3 * p] = colour[0]!;
      rgb[3 * p + 1] = colour[1]!;
      rgb[3 * p + 2] = colour[2]!;
    }
    return rgb;
  }
  const max = 2 ** png.depth - 1;
  const to8 = max === 255 ? (v: number) => v : (v: number) => Math.round((v * 255) / max);
  const colour = channels >= 3; // RGB or RGBA; otherwise grey (+ alpha)
  for (let p = 0; p < n; p++) {
    const base = p * channels;
    if (colour) {
      rgb[3 * p] = to8(samples[base]!);
      rgb[3 * p + 1] = to8(samples[base + 1]!);
      rgb[3 * p + 2] = to8(samples[base + 2]!);
    } else {
      const g = to8(samples[base]!);
      rgb[3 * p] = g;
      rgb[3 * p + 1] = g;
      rgb[3 * p + 2] = g;
    }
  }
  return rgb;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A small RGBA raster for the images langseg writes (plots, overlays, legends): rectangles, lines and
 * 5x7 bitmap text. Browser-safe; encode it with encodePng (src/data/codecs.ts).
 */
import { GLYPH_ADVANCE, GLYPH_HEIGHT, glyph } from './font.js';

export type Rgb = readonly [number, number, number];

export class Raster {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, [r, g, b]: Rgb, alpha = 1): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    const p = this.pixels;
    p[i] = Math.round(p[i]! * (1 - alpha) + r * alpha);
    p[i + 1] = Math.round(p[i + 1]! * (1 - alpha) + g * alpha);
    p[i + 2] = Math.round(p[i + 2]! * (1 - alpha) + b * alpha);
    p[i + 3] = 255;
  }

  fillRect(x0: number, y0: number, w: number, h: number, color: Rgb): void {
    const xs = Math.max(0, Math.floor(x0));
    const ys = Math.max(0, Math.floor(y0));
    const xe = Math.min(this.width, Math.floor(x0 + w));
    const ye = Math.min(this.height, Math.floor(y0 + h));
    for (let y = ys; y < ye; y++) {
      for (let x = xs; x < xe; x++) {
        const i = (y * this.width + x) * 4;
        this.pixels[i] = color[0];
        this.pixels[i + 1] = color[1];
        this.pixels[i + 2] = color[2];
        this.pixels[i + 3] = 255;
      }
    }
  }

  /** A line of the given thickness (Bresenham, stamped). */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      if (thickness <= 1) this.setPixel(x, y, color);
      else this.fillRect(x - half, y - half, thickness, thickness, color);
    }
  }

  /** Text with its top-left corner at (x, y); `scale` enlarges each font pixel. Returns the width drawn. */
  text(x: number, y: number, s: string, color: Rgb, scale = 1): number {
    let cx = x;
    for (const ch of s) {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let c = 0; c < 5; c++) if (rows[r]! & (16 >> c)) this.fillRect(cx + c * scale, y + r * scale, scale, scale, color);
      }
      cx += GLYPH_ADVANCE * scale;
    }
    return cx - x;
  }
}

/** Width in pixels of `s` drawn at `scale`. */
export function textWidth(s: string, scale = 1): number {
  return [...s].length * GLYPH_ADVANCE * scale;
}

/**
 * The paint buffers of one scene: per pixel a label, a material index and a shade (the light the
 * surface receives: form shading times shadows). Painters overwrite all three, far to near, so the
 * label of a pixel is always the class of the surface that is visible there. Colour comes later, in
 * one pass over the finished buffers (render.ts).
 */
import { Mapping, Material, type MaterialSpec } from './materials.js';

/** A light: unit direction towards it (world X right, Y up, Z away from the camera) and its mix. */
export interface Light {
  dirX: number;
  dirY: number;
  dirZ: number;
  /** Light every surface receives whatever its orientation. */
  ambient: number;
  /** Extra light on a surface facing the light squarely. */
  diffuse: number;
}

/** Extra shading across a span: `side` brightens the +x end, `round` darkens both ends (a cylinder). */
export interface SpanShading {
  side: number;
  round: number;
}

const FLAT: SpanShading = { side: 0, round: 0 };

export class Canvas {
  readonly labels: Uint8Array;
  readonly material: Uint16Array;
  readonly shade: Float32Array;
  readonly materials: Material[] = [];
  /** Scratch for polygon edge crossings of one row. */
  private readonly crossings = new Float64Array(256);

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const n = width * height;
    this.labels = new Uint8Array(n);
    this.material = new Uint16Array(n);
    this.shade = new Float32Array(n).fill(1);
  }

  /** Registers a material lying on the given surface; returns its index for the painters. */
  addMaterial(spec: MaterialSpec, mapping: number, plane = 0): number {
    if (this.materials.length >= 65535) throw new Error('synthetic scene: more than 65535 materials');
    this.materials.push(new Material(spec, mapping, plane));
    return this.materials.length - 1;
  }

  /** Fills image rows [y0, y1) entirely. */
  fillRows(y0: number, y1: number, label: number, material: number, shade = 1): void {
    const a = Math.max(0, Math.floor(y0)) * this.width;
    const b = Math.min(this.height, Math.floor(y1)) * this.width;
    if (b <= a) return;
    this.labels.fill(label, a, b);
    this.material.fill(material, a, b);
    this.shade.fill(shade, a, b);
  }

  /**
   * Fills a polygon given as [x0, y0, x1, y1, ...] in pixels (any winding, even-odd rule), sampling
   * at pixel centres.
   */
  fillPolygon(points: readonly number[], label: number, material: number, shade: number, shading: SpanShading = FLAT): void {
    const n = points.length >> 1;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const y = points[2 * i + 1]!;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const rowStart = Math.max(0, Math.ceil(minY - 0.5));
    const rowEnd = Math.min(this.height - 1, Math.floor(maxY - 0.5));
    const xs = this.crossings;
    for (let row = rowStart; row <= rowEnd; row++) {
      const yc = row + 0.5;
      let count = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const yi = points[2 * i + 1]!;
        const yj = points[2 * j + 1]!;
        if (yi <= yc !== yj <= yc && count < xs.length) {
          const xi = points[2 * i]!;
          const xj = points[2 * j]!;
          xs[count++] = xi + ((yc - yi) * (xj - xi)) / (yj - yi);
        }
      }
      // Insertion sort: a handful of crossings per row.
      for (let i = 1; i < count; i++) {
        const v = xs[i]!;
        let k = i - 1;
        while (k >= 0 && xs[k]! > v) {
          xs[k + 1] = xs[k]!;
          k--;
        }
        xs[k + 1] = v;
      }
      for (let i = 0; i + 1 < count; i += 2) this.span(row, xs[i]!, xs[i + 1]!, label, material, shade, shading);
    }
  }

  /** Fills the pixels of row `row` whose centres lie in [xa, xb). */
  private span(row: number, xa: number, xb: number, label: number, material: number, shade: number, shading: SpanShading): void {
    const start = Math.max(0, Math.ceil(xa - 0.5));
    const end = Math.min(this.width, Math.ceil(xb - 0.5));
    if (end <= start) return;
    const base = row * this.width;
    if (shading.side === 0 && shading.round === 0) {
      this.labels.fill(label, base + start, base + end);
      this.material.fill(material, base + start, base + end);
      this.shade.fill(shade, base + start, base + end);
      return;
    }
    const mid = 0.5 * (xa + xb);
    const inv = 2 / Math.max(1e-6, xb - xa);
    for (let x = start; x < end; x++) {
      const t = (x + 0.5 - mid) * inv;
      const p = base + x;
      this.labels[p] = label;
      this.material[p] = material;
      this.shade[p] = shade * (1 + shading.side * t - shading.round * t * t);
    }
  }

  /**
   * Fills an ellipse shaded as a sphere (or, with `flatten`, a bulging disc) lit by `light`:
   * heads, tree crowns, wheels.
   */
  fillEllipse(cx: number, cy: number, rx: number, ry: number, label: number, material: number, light: Light, flatten = 0): void {
    if (rx <= 0 || ry <= 0) return;
    const rowStart = Math.max(0, Math.ceil(cy - ry - 0.5));
    const rowEnd = Math.min(this.height - 1, Math.floor(cy + ry - 0.5));
    for (let row = rowStart; row <= rowEnd; row++) {
      const dy = (row + 0.5 - cy) / ry;
      const half = rx * Math.sqrt(Math.max(0, 1 - dy * dy));
      const start = Math.max(0, Math.ceil(cx - half - 0.5));
      const end = Math.min(this.width, Math.ceil(cx + half - 0.5));
      const base = row * this.width;
      for (let x = start; x < end; x++) {
        const dx = (x + 0.5 - cx) / rx;
        const nz = Math.sqrt(Math.max(0, 1 - dx * dx - dy * dy));
        // Normal (dx, -dy, -nz) flattened towards the viewer; the light direction points to the light.
        const nx = dx * (1 - flatten);
        const ny = -dy * (1 - flatten);
        const nzz = -(nz + flatten);
        const len = Math.sqrt(nx * nx + ny * ny + nzz * nzz) || 1;
        const lambert = (nx * light.dirX + ny * light.dirY + nzz * light.dirZ) / len;
        const p = base + x;
        this.labels[p] = label;
        this.material[p] = material;
        this.shade[p] = light.ambient + light.diffuse * Math.max(0, lambert);
      }
    }
  }

  /**
   * A soft shadow: darkens the horizontal surfaces (floor, road, grass) already painted inside the
   * ellipse, most at its centre. Painted just before the object that casts it, so the object itself
   * is not darkened.
   */
  softShadow(cx: number, cy: number, rx: number, ry: number, strength: number): void {
    if (rx <= 0 || ry <= 0 || strength <= 0) return;
    const rowStart = Math.max(0, Math.ceil(cy - ry - 0.5));
    const rowEnd = Math.min(this.height - 1, Math.floor(cy + ry - 0.5));
    for (let row = rowStart; row <= rowEnd; row++) {
      const dy = (row + 0.5 - cy) / ry;
      const half = rx * Math.sqrt(Math.max(0, 1 - dy * dy));
      const start = Math.max(0, Math.ceil(cx - half - 0.5));
      const end = Math.min(this.width, Math.ceil(cx + half - 0.5));
      const base = row * this.width;
      for (let x = start; x < end; x++) {
        const p = base + x;
        if (this.materials[this.material[p]!]!.mapping !== Mapping.planeY) continue;
        const dx = (x + 0.5 - cx) / rx;
        const d = 1 - dx * dx - dy * dy;
        if (d > 0) this.shade[p] = this.shade[p]! * (1 - strength * Math.min(1, 1.6 * d));
      }
    }
  }
}

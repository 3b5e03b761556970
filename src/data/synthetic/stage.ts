/**
 * Painting in the world: projects boxes, upright rectangles, blobs and ground shadows through the
 * camera onto the canvas, shading each face by its orientation to the light. Objects are built from
 * these parts (people.ts, furniture.ts, street.ts); a part's faces never overlap each other, so only
 * whole objects need ordering (scene.ts paints them far to near).
 */
import type { Camera } from './camera.js';
import type { Canvas, Light, SpanShading } from './canvas.js';
import { Mapping, type MaterialSpec } from './materials.js';

/** An axis-aligned box in world metres (camera at X = 0, Y = eye height, Z = 0). */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  z0: number;
  z1: number;
}

/** Nearest depth anything may have: keeps projections finite for parts that reach towards the camera. */
const NEAR = 0.25;

export class Stage {
  constructor(
    readonly canvas: Canvas,
    readonly camera: Camera,
    readonly light: Light,
  ) {}

  /** Light on a flat face with outward normal n. */
  lambert(nx: number, ny: number, nz: number): number {
    const l = this.light;
    return l.ambient + l.diffuse * Math.max(0, nx * l.dirX + ny * l.dirY + nz * l.dirZ);
  }

  /** A material on the upright plane Z = z, facing the camera. */
  frontMaterial(spec: MaterialSpec, z: number): number {
    return this.canvas.addMaterial(spec, Mapping.planeZ, z);
  }

  /**
   * Paints the faces of a box that the camera sees: front, top or bottom, and the side facing the
   * camera. Each face's pattern starts at the box's corner (a facade's windows line up with its edges).
   */
  box(b: Box, label: number, spec: MaterialSpec, shading?: SpanShading): void {
    const cam = this.camera;
    const z0 = Math.max(NEAR, b.z0);
    const z1 = Math.max(z0 + 1e-3, b.z1);
    const eye = cam.eyeHeight;
    const canvas = this.canvas;
    const offU = spec.offU ?? 0;
    const offV = spec.offV ?? 0;
    if (b.y1 < eye || b.y0 > eye) {
      const y = b.y1 < eye ? b.y1 : b.y0;
      const mat = canvas.addMaterial({ ...spec, offU: offU - b.x0, offV: offV - z0 }, Mapping.planeY, y);
      const pts = [cam.x(b.x0, z0), cam.y(y, z0), cam.x(b.x1, z0), cam.y(y, z0), cam.x(b.x1, z1), cam.y(y, z1), cam.x(b.x0, z1), cam.y(y, z1)];
      canvas.fillPolygon(pts, label, mat, this.lambert(0, b.y1 < eye ? 1 : -1, 0));
    }
    if (b.x0 > 0 || b.x1 < 0) {
      const x = b.x0 > 0 ? b.x0 : b.x1;
      const mat = canvas.addMaterial({ ...spec, offU: offU - z0, offV: offV - b.y0 }, Mapping.planeX, x);
      const pts = [cam.x(x, z0), cam.y(b.y0, z0), cam.x(x, z1), cam.y(b.y0, z1), cam.x(x, z1), cam.y(b.y1, z1), cam.x(x, z0), cam.y(b.y1, z0)];
      canvas.fillPolygon(pts, label, mat, this.lambert(b.x0 > 0 ? -1 : 1, 0, 0));
    }
    const front = this.frontMaterial({ ...spec, offU: offU - b.x0, offV: offV - b.y0 }, z0);
    this.rect(b.x0, b.x1, b.y0, b.y1, z0, label, front, this.lambert(0, 0, -1), shading);
  }

  /** An upright rectangle facing the camera at depth z, with a material made for it (see frontMaterial). */
  rect(x0: number, x1: number, y0: number, y1: number, z: number, label: number, material: number, shade: number, shading?: SpanShading): void {
    const cam = this.camera;
    const zz = Math.max(NEAR, z);
    const pts = [cam.x(x0, zz), cam.y(y0, zz), cam.x(x1, zz), cam.y(y0, zz), cam.x(x1, zz), cam.y(y1, zz), cam.x(x0, zz), cam.y(y1, zz)];
    this.canvas.fillPolygon(pts, label, material, shade, shading);
  }

  /** An upright polygon facing the camera at depth z, vertices [X0, Y0, X1, Y1, ...] in metres. */
  polygon(points: readonly number[], z: number, label: number, material: number, shade: number, shading?: SpanShading): void {
    const cam = this.camera;
    const zz = Math.max(NEAR, z);
    const pts = points.map((v, i) => (i % 2 === 0 ? cam.x(v, zz) : cam.y(v, zz)));
    this.canvas.fillPolygon(pts, label, material, shade, shading);
  }

  /** Any planar polygon, vertices [X0, Y0, Z0, X1, Y1, Z1, ...] in metres (walls, openings in side walls). */
  polygon3(points: readonly number[], label: number, material: number, shade: number): void {
    const cam = this.camera;
    const pts: number[] = [];
    for (let i = 0; i < points.length; i += 3) {
      const z = Math.max(NEAR, points[i + 2]!);
      pts.push(cam.x(points[i]!, z), cam.y(points[i + 1]!, z));
    }
    this.canvas.fillPolygon(pts, label, material, shade);
  }

  /** A polygon on the ground or another horizontal plane Y = y, vertices [X0, Z0, X1, Z1, ...]. */
  flat(points: readonly number[], y: number, label: number, material: number, shade: number): void {
    const cam = this.camera;
    const pts: number[] = [];
    for (let i = 0; i < points.length; i += 2) {
      const z = Math.max(NEAR, points[i + 1]!);
      pts.push(cam.x(points[i]!, z), cam.y(y, z));
    }
    this.canvas.fillPolygon(pts, label, material, shade);
  }

  /** A round blob (head, crown of leaves, wheel) centred at (x, y, z) with radii in metres. */
  blob(x: number, y: number, z: number, rx: number, ry: number, label: number, material: number, flatten = 0): void {
    const cam = this.camera;
    const zz = Math.max(NEAR, z);
    const s = cam.scale(zz);
    this.canvas.fillEllipse(cam.x(x, zz), cam.y(y, zz), rx * s, ry * s, label, material, this.light, flatten);
  }

  /**
   * The soft shadow on the ground of an object of the given footprint radii and height standing at
   * (x, z): shifted away from the light and stretched by the object's height.
   */
  groundShadow(x: number, z: number, radiusX: number, radiusZ: number, height: number, strength: number): void {
    const l = this.light;
    const rise = Math.max(0.25, l.dirY);
    const reach = Math.min(1.2, (0.5 * height) / rise);
    const cx = x - l.dirX * reach;
    const cz = Math.max(NEAR + radiusZ, z - l.dirZ * reach);
    const rx = radiusX + 0.5 * Math.abs(l.dirX) * reach;
    const rz = radiusZ + 0.5 * Math.abs(l.dirZ) * reach;
    const cam = this.camera;
    const top = cam.y(0, cz + rz);
    const bottom = cam.y(0, Math.max(NEAR, cz - rz));
    this.canvas.softShadow(cam.x(cx, cz), 0.5 * (top + bottom), rx * cam.scale(cz), 0.5 * (bottom - top), strength * (1 - 0.6 * l.ambient));
  }
}

/** Something painted as one piece, ordered by `depth` (metres; larger is painted first). */
export interface Drawable {
  depth: number;
  paint(): void;
}

/** Paints far to near, so nearer objects cover farther ones and the labels are what is visible. */
export function paintInOrder(drawables: Drawable[]): void {
  drawables.sort((a, b) => b.depth - a.depth);
  for (const d of drawables) d.paint();
}

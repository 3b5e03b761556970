/**
 * Surface materials: what a painted pixel looks like, kept apart from where it is. Painters write a
 * material index per pixel; the shading pass (render.ts) turns each into a colour with the material's
 * texture, sampled in the world coordinates of the surface the material lies on (`mapping`), so
 * bricks, planks and tiles shrink and converge with perspective instead of being pasted flat.
 */

export type Rgb = readonly [number, number, number];

/** How a pixel's texture coordinates (u, v), in metres, are recovered from its image position. */
export const Mapping = {
  /** u, v = image column, row (pixels): the sky. */
  screen: 0,
  /** A horizontal plane Y = plane (floor, road, ceiling, table top): u = X, v = Z. */
  planeY: 1,
  /** A vertical plane X = plane facing sideways (side walls, building sides): u = Z, v = Y. */
  planeX: 2,
  /** A vertical plane Z = plane facing the camera (back wall, fronts, sprites): u = X, v = Y. */
  planeZ: 3,
} as const;

/** The procedural textures (render.ts / textures.ts). */
export const Texture = {
  plain: 0,
  sky: 1,
  bricks: 2,
  planks: 3,
  wood: 4,
  tiles: 5,
  foliage: 6,
  grass: 7,
  asphalt: 8,
  facade: 9,
  glass: 10,
  door: 11,
  stripes: 12,
  mountain: 13,
} as const;

/** What a painter asks for; every field but texture and the first colour has a default. */
export interface MaterialSpec {
  texture: number;
  /** Base colour, linear RGB in [0, 1]. */
  a: Rgb;
  /** Second colour (mortar, grout, dark grain, window glass...); defaults to a darker `a`. */
  b?: Rgb;
  /** Third colour (cloud, lane marking, frame, snow, handle...); defaults to `b`. */
  c?: Rgb;
  /** Main pattern period in metres along u (brick length, plank width, tile size, window spacing). */
  period?: number;
  /** Pattern period along v (brick course, storey height). */
  periodV?: number;
  /** Noise texels per metre (noise features are about 4 texels across). */
  noiseScale?: number;
  /** Strength of the multiplicative noise on brightness. */
  detail?: number;
  /** Texture-specific parameters (see textures.ts). */
  p0?: number;
  p1?: number;
  p2?: number;
  /** Added to u and v: where the pattern starts (a door's corner) or a per-object random shift. */
  offU?: number;
  offV?: number;
  /** False for surfaces that do not fade into the haze with distance (the sky itself). */
  haze?: boolean;
}

/** A material as the shading pass reads it: one hidden class, every field a number, no optional fields. */
export class Material {
  texture: number;
  mapping: number;
  plane: number;
  ar: number;
  ag: number;
  ab: number;
  br: number;
  bg: number;
  bb: number;
  cr: number;
  cg: number;
  cb: number;
  period: number;
  periodV: number;
  noiseScale: number;
  detail: number;
  p0: number;
  p1: number;
  p2: number;
  offU: number;
  offV: number;
  haze: number;

  constructor(spec: MaterialSpec, mapping: number, plane: number) {
    const b = spec.b ?? [spec.a[0] * 0.7, spec.a[1] * 0.7, spec.a[2] * 0.7];
    const c = spec.c ?? b;
    this.texture = spec.texture;
    this.mapping = mapping;
    this.plane = plane;
    this.ar = spec.a[0];
    this.ag = spec.a[1];
    this.ab = spec.a[2];
    this.br = b[0];
    this.bg = b[1];
    this.bb = b[2];
    this.cr = c[0];
    this.cg = c[1];
    this.cb = c[2];
    this.period = spec.period ?? 1;
    this.periodV = spec.periodV ?? this.period;
    this.noiseScale = spec.noiseScale ?? 8;
    this.detail = spec.detail ?? 0.08;
    this.p0 = spec.p0 ?? 0;
    this.p1 = spec.p1 ?? 0;
    this.p2 = spec.p2 ?? 0;
    this.offU = spec.offU ?? 0;
    this.offV = spec.offV ?? 0;
    this.haze = spec.haze === false ? 0 : 1;
  }
}

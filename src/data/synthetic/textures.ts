/**
 * The procedural textures. Each takes a material and the surface coordinates (u, v) of a pixel in
 * metres (offsets already added), plus `footprint`, the metres one pixel spans there, and writes the
 * unlit colour to `texel`. A pattern finer than a few pixels fades to its average colour instead of
 * aliasing into noise (`visible`). Parameters p0..p2 mean what each function's comment says.
 */
import type { Material } from './materials.js';
import { noise } from './noise.js';
import { hash2 } from './random.js';

/** The colour a texture function produced (a shared scratch: no allocation per pixel). */
export const texel = { r: 0, g: 0, b: 0 };

/** Colour = mix(mix(a, b, t), c, k) * lum. */
function put(m: Material, t: number, k: number, lum: number): void {
  const r = m.ar + (m.br - m.ar) * t;
  const g = m.ag + (m.bg - m.ag) * t;
  const b = m.ab + (m.bb - m.ab) * t;
  texel.r = (r + (m.cr - r) * k) * lum;
  texel.g = (g + (m.cg - g) * k) * lum;
  texel.b = (b + (m.cb - b) * k) * lum;
}

/** 0 for a pattern of this period (metres) that would alias at this footprint, 1 for one clearly resolved. */
function visible(period: number, footprint: number): number {
  const k = period / footprint;
  return k <= 2 ? 0 : k >= 6 ? 1 : (k - 2) * 0.25;
}

/** Whether a lies within `width` inside either end of [lo, hi]. */
function nearEdge(a: number, lo: number, hi: number, width: number): boolean {
  return (a > lo && a < lo + width) || (a < hi && a > hi - width);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Mottled plain surface (paint, skin, cloth, metal). p0: strength of the a/b mottling. */
export function plain(m: Material, u: number, v: number, fp: number): void {
  const s = m.noiseScale;
  const n = noise(u * s, v * s);
  const fine = noise(u * s * 4 + 91.7, v * s * 4 + 13.3) * visible(1 / s, fp);
  put(m, m.p0 > 0 ? clamp01(0.5 + m.p0 * n) : 0, 0, 1 + m.detail * (n + 0.5 * fine));
}

/** Sky: a = zenith, b = horizon, c = cloud. u, v are pixels; p0: cloud threshold (higher, fewer), p1: horizon row. */
export function sky(m: Material, u: number, v: number): void {
  const t = m.p1 > 0 ? clamp01(v / m.p1) : 1;
  const s = m.noiseScale;
  const n = noise(u * s, v * s * 2.5) + 0.4 * noise(u * s * 3 + 40, v * s * 5);
  const cloud = clamp01((n - m.p0) * 3) * (1 - 0.5 * t);
  put(m, Math.sqrt(t), cloud, 1);
}

/** Running-bond bricks: period = brick length, periodV = course height, p0 = mortar width (metres); b = mortar. */
export function bricks(m: Material, u: number, v: number, fp: number): void {
  const w = m.period;
  const h = m.periodV;
  const row = Math.floor(v / h);
  const uu = u + (row & 1) * 0.5 * w;
  const col = Math.floor(uu / w);
  const mortar = uu - col * w < m.p0 || v - row * h < m.p0 ? 1 : 0;
  const vis = visible(h, fp);
  const mean = m.p0 / h + m.p0 / w;
  const lum = 1 + vis * 0.3 * (hash2(col, row) - 0.5) + m.detail * noise(u * m.noiseScale, v * m.noiseScale);
  put(m, mean + (mortar - mean) * vis, 0, lum);
}

/** Floor planks along v: period = plank width, periodV = plank length, p0 = seam width; b = dark grain, c = seam. */
export function planks(m: Material, u: number, v: number, fp: number): void {
  const w = m.period;
  const len = m.periodV;
  const col = Math.floor(u / w);
  const shifted = v + hash2(col, 17) * len;
  const seg = Math.floor(shifted / len);
  const seam = u - col * w < m.p0 || shifted - seg * len < m.p0 ? 1 : 0;
  const vis = visible(w, fp);
  const grain = 0.5 + 0.5 * Math.sin(u * 90 + 6 * noise(u * 30, v * 3));
  const lum = 1 + vis * 0.35 * (hash2(col, seg) - 0.5) + m.detail * noise(u * m.noiseScale, v * m.noiseScale);
  put(m, 0.3 + (grain * 0.6 - 0.3) * visible(0.07, fp), 0.6 * (0.08 + (seam - 0.08) * vis), lum);
}

/** Wood grain along u (furniture, doors): period = grain spacing; b = dark grain. */
export function wood(m: Material, u: number, v: number, fp: number): void {
  const grain = 0.5 + 0.5 * Math.sin(((v + 0.04 * noise(u * 4, v * 25)) * 6.283) / m.period);
  const vis = visible(m.period, fp);
  put(m, 0.35 + (grain * 0.7 - 0.35) * vis, 0, 1 + m.detail * noise(u * m.noiseScale, v * m.noiseScale));
}

/** Square tiles or paving slabs: period = tile size, p0 = joint width, p1 = checker (0 or 1); b = other tile, c = joint. */
export function tiles(m: Material, u: number, v: number, fp: number): void {
  const size = m.period;
  const iu = Math.floor(u / size);
  const iv = Math.floor(v / size);
  const joint = u - iu * size < m.p0 || v - iv * size < m.p0 ? 1 : 0;
  const vis = visible(size, fp);
  const mean = (2 * m.p0) / size;
  const checker = ((iu + iv) & 1) * m.p1;
  const lum = 1 + vis * 0.12 * (hash2(iu, iv) - 0.5) + m.detail * noise(u * m.noiseScale, v * m.noiseScale);
  put(m, 0.5 * m.p1 + (checker - 0.5 * m.p1) * visible(2 * size, fp), mean + (joint - mean) * vis, lum);
}

/** Leaves: clumps of light (a) and shadowed (b) foliage at noiseScale texels per metre. */
export function foliage(m: Material, u: number, v: number, fp: number): void {
  const s = m.noiseScale;
  const n = noise(u * s, v * s) + 0.6 * noise(u * s * 2.3 + 50, v * s * 2.3 + 20);
  const fine = noise(u * s * 6, v * s * 6) * visible(0.6 / s, fp);
  put(m, clamp01(0.45 - 1.6 * n), 0, 1 + m.detail * fine);
}

/** Grass on the ground (u = X, v = Z): patches of a and b, with blade streaks near the camera. */
export function grass(m: Material, u: number, v: number, fp: number): void {
  const s = m.noiseScale;
  const patches = noise(u * 0.6, v * 0.6);
  const blades = noise(u * s * 5, v * s * 1.2) * visible(0.8 / s, fp);
  put(m, clamp01(0.5 + 1.2 * patches), 0, 1 + m.detail * blades);
}

/**
 * Asphalt (u = X, v = Z): speckle and patches; with p0 > 0 a dashed centre line at X = p1 of half
 * width p2 and dash period periodV; c = marking.
 */
export function asphalt(m: Material, u: number, v: number, fp: number): void {
  const patches = noise(u * 0.4 + 30, v * 0.4);
  const speckle = noise(u * m.noiseScale, v * m.noiseScale) * visible(4 / m.noiseScale, fp);
  let mark = 0;
  if (m.p0 > 0 && Math.abs(u - m.p1) < m.p2) {
    const phase = v / m.periodV;
    mark = phase - Math.floor(phase) < 0.45 ? 0.9 : 0;
  }
  put(m, clamp01(0.5 + patches), mark, 1 + m.detail * speckle);
}

/**
 * Building facade (u along the wall from its corner, v = height): storeys of periodV with a window every
 * `period`; p0, p1 = window width and height as fractions of the bay and storey; p2 > 0: shop windows on
 * the ground floor. a = wall, b = glass, c = window frame.
 */
export function facade(m: Material, u: number, v: number, fp: number): void {
  const bayW = m.period;
  const storey = m.periodV;
  const bay = Math.floor(u / bayW);
  const level = Math.floor(v / storey);
  const fu = u / bayW - bay;
  const fv = v / storey - level;
  const shop = level === 0 && m.p2 > 0;
  const halfW = (shop ? 0.42 : 0.5 * m.p0) * bayW;
  const bottom = (shop ? 0.08 : 0.3) * storey;
  const top = bottom + (shop ? 0.7 : m.p1) * storey;
  const du = Math.abs(fu - 0.5) * bayW;
  const dv = fv * storey;
  const frame = 0.08;
  let t = 0;
  let k = 0;
  if (du < halfW + frame && dv > bottom - frame && dv < top + frame) {
    if (du < halfW && dv > bottom && dv < top) t = 1;
    else k = 1;
  }
  const vis = visible(halfW, fp);
  const mean = m.p0 * m.p1;
  const glassLum = t > 0 ? 0.75 + 0.5 * hash2(bay, level) * (1 - 0.5 * (dv - bottom) / (top - bottom)) : 1;
  const lum = (1 + m.detail * noise(u * m.noiseScale, v * m.noiseScale)) * (1 + (glassLum - 1) * vis);
  put(m, mean + (t - mean) * vis, k * vis, lum);
}

/**
 * A window seen from inside (u, v from its lower corner): period x periodV in size, frame width p0,
 * p1 columns of panes; a = sky at the top, b = paler towards the bottom, c = frame.
 */
export function glass(m: Material, u: number, v: number): void {
  const w = m.period;
  const h = m.periodV;
  const f = m.p0;
  let frame = u < f || u > w - f || v < f || v > h - f ? 1 : 0;
  const cols = Math.max(1, m.p1);
  const pane = w / cols;
  const inPane = u - Math.floor(u / pane) * pane;
  if (inPane < 0.5 * f || inPane > pane - 0.5 * f) frame = 1;
  const cloud = clamp01(noise(u * 3 + 70, v * 6) * 2);
  put(m, clamp01(1 - v / h), frame, frame ? 1 : 1 + 0.15 * cloud);
}

/** A panelled door (u, v from its lower corner): period x periodV in size, p1 > 0 handle on the left; b = groove, c = handle. */
export function door(m: Material, u: number, v: number, fp: number): void {
  const w = m.period;
  const h = m.periodV;
  const margin = 0.12;
  const groove = 0.025;
  const panelTop = v > 0.55 * h + 0.05;
  const lo = panelTop ? 0.55 * h + 0.05 : margin;
  const hi = panelTop ? h - margin : 0.55 * h - 0.05;
  const inU = u > margin && u < w - margin;
  const inV = v > lo && v < hi;
  const line = (inU && inV && (nearEdge(u, margin, w - margin, groove) || nearEdge(v, lo, hi, groove)) ? 1 : 0) * visible(0.1, fp);
  const hx = m.p1 > 0 ? 0.12 * w : 0.88 * w;
  const handle = (u - hx) * (u - hx) + (v - 1.0) * (v - 1.0) < 0.0025 ? 1 : 0;
  const grain = 0.5 + 0.5 * Math.sin(u * 70 + 5 * noise(u * 20, v * 2));
  put(m, line ? 1 : 0.25 * grain * m.p0, handle, 1 + m.detail * noise(u * m.noiseScale, v * m.noiseScale));
}

/** Stripes of period `period`: p0 = 0 horizontal (along v), 1 vertical (along u); p1 = share of b. */
export function stripes(m: Material, u: number, v: number, fp: number): void {
  const a = m.p0 > 0 ? u : v;
  const phase = a / m.period;
  const on = phase - Math.floor(phase) < m.p1 ? 1 : 0;
  const vis = visible(m.period, fp);
  put(m, m.p1 + (on - m.p1) * vis, 0, 1 + m.detail * noise(u * m.noiseScale, v * m.noiseScale));
}

/** Distant mountains (u = X, v = height): rock mottling a/b, snow c above the snow line p0 (metres, 0 = none). */
export function mountain(m: Material, u: number, v: number): void {
  const s = m.noiseScale;
  const n = noise(u * s, v * s * 1.5);
  const snowLine = m.p0 + 0.3 * m.p0 * noise(u * s * 0.5, 3.5);
  const snow = m.p0 > 0 && v > snowLine ? 1 : 0;
  put(m, clamp01(0.5 + 1.5 * n), snow * 0.9, 1 + m.detail * noise(u * s * 3, v * s * 3));
}

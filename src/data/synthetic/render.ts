/**
 * The shading pass: one loop over the finished paint buffers that turns (material, shade) into RGB.
 * Per pixel it recovers the surface coordinates from the material's plane, evaluates the texture,
 * multiplies by the painted shade and the scene's light falloff, fades distant surfaces into the haze,
 * adds sensor grain, and writes channel-major [3, H, W] in [0, 1].
 */
import type { Camera } from './camera.js';
import type { Canvas } from './canvas.js';
import { Mapping, Texture, type Material, type Rgb } from './materials.js';
import { grainAt } from './noise.js';
import * as tex from './textures.js';

/** Scene-wide light and camera response. */
export interface Look {
  /** Colour of the light (white balance), multiplies everything. */
  tint: Rgb;
  /** Colour distant surfaces fade to, and the distance (metres) at which they are 63% faded (Infinity: none). */
  hazeColor: Rgb;
  hazeDistance: number;
  /** Separable light falloff: brightness factor per column and per row. */
  columnLight: Float32Array;
  rowLight: Float32Array;
  /** Amplitude of the per-pixel grain, and where in the grain table this scene starts. */
  grain: number;
  grainOffset: number;
}

/** Depth used for a plane seen edge-on or behind the camera: far enough that every pattern fades. */
const FAR = 1e4;

export function render(canvas: Canvas, camera: Camera, look: Look): Float32Array {
  const { width, height } = canvas;
  const plane = width * height;
  const image = new Float32Array(3 * plane);
  const mats = canvas.materials;
  const { material, shade } = canvas;
  const { horizon, vanishX, focal, eyeHeight } = camera;
  const invFocal = 1 / focal;
  const [tr, tg, tb] = look.tint;
  const [hr, hg, hb] = look.hazeColor;
  const invHaze = Number.isFinite(look.hazeDistance) ? 1 / look.hazeDistance : 0;
  const out = tex.texel;
  const { columnLight, rowLight: rowLights, grain: grainAmp, grainOffset } = look;
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    const below = yc - horizon;
    const rowLight = rowLights[y]!;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const m = mats[material[p]!]!;
      const xc = x + 0.5 - vanishX;
      let u: number;
      let v: number;
      let depth: number;
      switch (m.mapping) {
        case Mapping.planeY: {
          depth = (focal * (eyeHeight - m.plane)) / below;
          if (!(depth > 0) || depth > FAR) depth = FAR;
          u = xc * depth * invFocal;
          v = depth;
          break;
        }
        case Mapping.planeX: {
          depth = (focal * m.plane) / xc;
          if (!(depth > 0) || depth > FAR) depth = FAR;
          u = depth;
          v = eyeHeight - below * depth * invFocal;
          break;
        }
        case Mapping.planeZ: {
          depth = m.plane;
          u = xc * depth * invFocal;
          v = eyeHeight - below * depth * invFocal;
          break;
        }
        default: {
          depth = FAR;
          u = x + 0.5;
          v = yc;
        }
      }
      shadeTexture(m, u + m.offU, v + m.offV, depth * invFocal);
      const light = shade[p]! * rowLight * columnLight[x]!;
      let r = out.r * light * tr;
      let g = out.g * light * tg;
      let b = out.b * light * tb;
      if (m.haze > 0 && invHaze > 0) {
        const h = 1 - Math.exp(-depth * invHaze);
        r += (hr - r) * h;
        g += (hg - g) * h;
        b += (hb - b) * h;
      }
      const grain = grainAmp * grainAt(p + grainOffset);
      image[p] = clamp01(r + grain);
      image[plane + p] = clamp01(g + grain);
      image[2 * plane + p] = clamp01(b + grain);
    }
  }
  return image;
}

function shadeTexture(m: Material, u: number, v: number, footprint: number): void {
  switch (m.texture) {
    case Texture.sky:
      return tex.sky(m, u, v);
    case Texture.bricks:
      return tex.bricks(m, u, v, footprint);
    case Texture.planks:
      return tex.planks(m, u, v, footprint);
    case Texture.wood:
      return tex.wood(m, u, v, footprint);
    case Texture.tiles:
      return tex.tiles(m, u, v, footprint);
    case Texture.foliage:
      return tex.foliage(m, u, v, footprint);
    case Texture.grass:
      return tex.grass(m, u, v, footprint);
    case Texture.asphalt:
      return tex.asphalt(m, u, v, footprint);
    case Texture.facade:
      return tex.facade(m, u, v, footprint);
    case Texture.glass:
      return tex.glass(m, u, v);
    case Texture.door:
      return tex.door(m, u, v, footprint);
    case Texture.stripes:
      return tex.stripes(m, u, v, footprint);
    case Texture.mountain:
      return tex.mountain(m, u, v);
    default:
      return tex.plain(m, u, v, footprint);
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

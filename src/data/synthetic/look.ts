/** Scene-wide light: the sun or room light (a Light for the painters) and the camera response (a Look for render.ts). */
import type { Light } from './canvas.js';
import type { Rgb } from './materials.js';
import type { Rng } from './random.js';
import type { Look } from './render.js';

/** A light from elevation `elevation` and azimuth `azimuth` (radians; azimuth 0 = from straight ahead, far away). */
export function directionalLight(elevation: number, azimuth: number, ambient: number, diffuse: number): Light {
  const flat = Math.cos(elevation);
  return { dirX: flat * Math.sin(azimuth), dirY: Math.sin(elevation), dirZ: flat * Math.cos(azimuth), ambient, diffuse };
}

/**
 * A camera response with a vignette, grain, exposure and a left-right light falloff: `sideFalloff` is
 * the brightness slope across the image, positive brighter on the right (0.1: +10% at the right edge,
 * -10% at the left).
 */
export function cameraLook(
  rng: Rng,
  width: number,
  height: number,
  tint: Rgb,
  haze: { color: Rgb; distance: number },
  sideFalloff: number,
): Look {
  const vignette = rng.range(0, 0.15);
  const exposure = rng.range(0.88, 1.12);
  const columnLight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const t = (2 * (x + 0.5)) / width - 1;
    columnLight[x] = (1 - vignette * t * t) * (1 + sideFalloff * t);
  }
  const rowLight = new Float32Array(height);
  for (let y = 0; y < height; y++) {
    const t = (2 * (y + 0.5)) / height - 1;
    rowLight[y] = 1 - vignette * t * t;
  }
  return {
    tint: [tint[0] * exposure, tint[1] * exposure, tint[2] * exposure],
    hazeColor: haze.color,
    hazeDistance: haze.distance,
    columnLight,
    rowLight,
    grain: rng.range(0.004, 0.025),
    grainOffset: rng.int(0, 65535),
  };
}

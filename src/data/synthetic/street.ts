/** Outdoor objects: buildings, cars and trees. */
import { LABEL } from './classes.js';
import { Texture, type MaterialSpec, type Rgb } from './materials.js';
import { mix, palette, scale, vary } from './palette.js';
import type { Rng } from './random.js';
import type { Box, Drawable, Stage } from './stage.js';

/** A facade: wall colour, a window grid in storeys, sometimes bricks-coloured or all glass. */
export function facadeMaterial(rng: Rng): MaterialSpec {
  const wall = palette.building(rng);
  const glassy = rng.chance(0.12);
  return {
    texture: Texture.facade,
    a: glassy ? palette.facadeGlass(rng) : wall,
    b: glassy ? scale(palette.facadeGlass(rng), 1.3) : palette.facadeGlass(rng),
    c: rng.chance(0.6) ? vary(rng, [0.85, 0.85, 0.82], 0.05) : scale(wall, 0.6),
    period: rng.range(2, 3.6),
    periodV: rng.range(2.9, 3.6),
    p0: glassy ? 0.9 : rng.range(0.3, 0.6),
    p1: glassy ? 0.8 : rng.range(0.35, 0.55),
    p2: rng.chance(0.5) ? 1 : 0,
    detail: 0.06,
    noiseScale: 3,
  };
}

export function building(stage: Stage, rng: Rng, box: Box, depth: number): Drawable {
  const spec = facadeMaterial(rng);
  const roof = rng.chance(0.3);
  const roofColor: Rgb = vary(rng, [0.35, 0.3, 0.28], 0.2);
  return {
    depth,
    paint() {
      stage.box(box, LABEL.building, spec);
      if (roof) {
        // A parapet in a darker tone along the top.
        stage.box({ ...box, y0: box.y1, y1: box.y1 + 0.6 }, LABEL.building, { texture: Texture.plain, a: roofColor, detail: 0.1 });
      }
    },
  };
}

export interface CarShape {
  x: number;
  /** Nearest end of the car. */
  z: number;
  length: number;
  width: number;
  /** Whether the end facing the camera is the back (red lights) or the front (white lights). */
  showsRear: boolean;
}

export function car(stage: Stage, rng: Rng, shape: CarShape): Drawable {
  const paint: MaterialSpec = { texture: Texture.plain, a: palette.carPaint(rng), detail: 0.05, noiseScale: 2 };
  const glass: MaterialSpec = { texture: Texture.plain, a: vary(rng, [0.12, 0.15, 0.2], 0.2), detail: 0.15, noiseScale: 3 };
  const tyre: MaterialSpec = { texture: Texture.plain, a: [0.06, 0.06, 0.06], detail: 0.1 };
  const lamp: MaterialSpec = { texture: Texture.plain, a: shape.showsRear ? [0.8, 0.1, 0.08] : [0.95, 0.92, 0.8], detail: 0.02 };
  const bodyTop = rng.range(0.95, 1.1);
  const cabinTop = bodyTop + rng.range(0.38, 0.55);
  const cabinStart = rng.range(0.2, 0.35);
  const cabinEnd = rng.range(0.65, 0.8);
  return {
    depth: shape.z + 0.5 * shape.length,
    paint() {
      const { x, z, length, width } = shape;
      const x0 = x - width / 2;
      const x1 = x + width / 2;
      stage.groundShadow(x, z + length / 2, width * 0.65, length * 0.55, 1.2, 0.7);
      for (const wz of [z + length - 0.75, z + 0.75]) {
        for (const wx of [x0 + 0.05, x1 - 0.3]) stage.box({ x0: wx, x1: wx + 0.25, y0: 0, y1: 0.4, z0: wz - 0.32, z1: wz + 0.32 }, LABEL.car, tyre);
      }
      stage.box({ x0, x1, y0: 0.28, y1: bodyTop, z0: z, z1: z + length }, LABEL.car, paint, { side: 0.1, round: 0.2 });
      const cabin = { x0: x0 + 0.1, x1: x1 - 0.1, y0: bodyTop, y1: cabinTop, z0: z + cabinStart * length, z1: z + cabinEnd * length };
      stage.box(cabin, LABEL.car, glass);
      // Roof: the cabin's top in the body colour.
      stage.box({ ...cabin, y0: cabinTop - 0.06 }, LABEL.car, paint);
      const lampMat = stage.frontMaterial(lamp, z);
      const shade = stage.lambert(0, 0, -1);
      stage.rect(x0 + 0.08, x0 + 0.35, bodyTop - 0.28, bodyTop - 0.12, z, LABEL.car, lampMat, shade);
      stage.rect(x1 - 0.35, x1 - 0.08, bodyTop - 0.28, bodyTop - 0.12, z, LABEL.car, lampMat, shade);
      const plate = stage.frontMaterial({ texture: Texture.plain, a: [0.9, 0.9, 0.85], detail: 0.02 }, z);
      stage.rect(x - 0.26, x + 0.26, 0.42, 0.54, z, LABEL.car, plate, shade);
    },
  };
}

export interface TreeShape {
  x: number;
  z: number;
  height: number;
  /** Radius of the crown, metres. */
  crown: number;
  conifer: boolean;
}

export function tree(stage: Stage, rng: Rng, shape: TreeShape): Drawable {
  const leaves = palette.leaves(rng);
  const foliage: MaterialSpec = { texture: Texture.foliage, a: leaves, b: scale(leaves, 0.45), noiseScale: rng.range(10, 18), detail: 0.25 };
  const bark: MaterialSpec = { texture: Texture.wood, a: palette.bark(rng), period: 0.05, detail: 0.15 };
  // Crown made of several overlapping blobs, each offset from the crown's centre.
  const blobs: number[] = [];
  const count = rng.int(3, 6);
  for (let i = 0; i < count; i++) {
    blobs.push(rng.normal(0.35), rng.normal(0.25), rng.range(0.55, 0.85));
  }
  const lean = rng.normal(0.1);
  return {
    depth: shape.z,
    paint() {
      const { x, z, height, crown } = shape;
      const trunkW = Math.max(0.12, crown * 0.12);
      stage.groundShadow(x, z, crown * 0.8, crown * 0.6, height, 0.6);
      const trunkTop = shape.conifer ? height * 0.35 : height - crown * 1.2;
      const trunk = stage.frontMaterial(bark, z);
      stage.polygon([
        x - trunkW,
        0,
        x + trunkW,
        0,
        x + lean + trunkW * 0.6,
        trunkTop + crown * 0.3,
        x + lean - trunkW * 0.6,
        trunkTop + crown * 0.3,
      ], z, LABEL.tree, trunk, stage.lambert(0, 0, -1), { side: 0.25, round: 0.35 });
      const mat = stage.frontMaterial(foliage, z);
      if (shape.conifer) {
        // Stacked triangles, wider at the bottom.
        const tiers = 4;
        for (let i = 0; i < tiers; i++) {
          const y0 = trunkTop * 0.7 + ((height - trunkTop * 0.7) * i) / tiers;
          const w = crown * (1 - i / (tiers + 0.5));
          stage.polygon([
            x + lean - w,
            y0,
            x + lean + w,
            y0,
            x + lean,
            y0 + (height - trunkTop * 0.7) * (1.6 / tiers),
          ], z, LABEL.tree, mat, stage.lambert(0, 0.3, -0.95), { side: 0.2, round: 0.2 });
        }
      } else {
        const cy = height - crown;
        for (let i = 0; i < blobs.length; i += 3) {
          const r = crown * blobs[i + 2]!;
          stage.blob(x + lean + crown * blobs[i]!, cy + crown * blobs[i + 1]!, z, r, r * 0.9, LABEL.tree, mat, 0.35);
        }
        stage.blob(x + lean, cy, z, crown * 0.8, crown * 0.75, LABEL.tree, mat, 0.35);
      }
    },
  };
}

/** Sky colours for a mood: [zenith, horizon, cloud]. */
export function skyColors(rng: Rng, mood: 'sunny' | 'overcast' | 'evening'): [Rgb, Rgb, Rgb] {
  if (mood === 'overcast') {
    const g = vary(rng, [0.62, 0.65, 0.7], 0.08);
    return [g, mix(g, [0.85, 0.85, 0.86], 0.6), vary(rng, [0.82, 0.82, 0.84], 0.05)];
  }
  if (mood === 'evening') {
    return [vary(rng, [0.3, 0.38, 0.65], 0.1), vary(rng, [0.98, 0.7, 0.45], 0.08), vary(rng, [0.95, 0.75, 0.65], 0.05)];
  }
  return [vary(rng, [0.22, 0.45, 0.85], 0.1), vary(rng, [0.68, 0.8, 0.95], 0.05), vary(rng, [0.96, 0.96, 0.97], 0.02)];
}

/** Tables and chairs, built from boxes. A chair is two drawables (seat and back) so a sitter fits between. */
import { LABEL } from './classes.js';
import { Texture, type MaterialSpec } from './materials.js';
import { palette } from './palette.js';
import type { Rng } from './random.js';
import type { Drawable, Stage } from './stage.js';

export interface TableShape {
  x: number;
  z: number;
  /** Half width (along X) and half depth (along Z), metres. */
  halfW: number;
  halfD: number;
  /** Height of the top surface. */
  topY: number;
}

export function furnitureMaterial(rng: Rng): MaterialSpec {
  const a = palette.furniture(rng);
  const woody = a[0] > a[2] * 1.25 && a[0] - a[2] > 0.1;
  return woody
    ? { texture: Texture.wood, a, period: rng.range(0.015, 0.04), detail: 0.08, noiseScale: 4 }
    : { texture: Texture.plain, a, detail: 0.06, noiseScale: 4 };
}

export function table(stage: Stage, rng: Rng, shape: TableShape): Drawable {
  const cloth = rng.chance(0.3);
  const top: MaterialSpec = cloth ? { texture: Texture.plain, a: palette.shirt(rng), detail: 0.06 } : furnitureMaterial(rng);
  const legs = cloth ? furnitureMaterial(rng) : top;
  const thickness = cloth ? rng.range(0.15, 0.3) : rng.range(0.03, 0.06);
  const legW = rng.range(0.04, 0.08);
  const inset = rng.range(0.03, 0.1);
  return {
    depth: shape.z,
    paint() {
      const { x, z, halfW, halfD, topY } = shape;
      stage.groundShadow(x, z, halfW * 0.9, halfD * 0.9, topY, 0.45);
      for (const dz of [halfD, -halfD]) {
        for (const dx of [-halfW, halfW]) {
          const lx = x + dx - Math.sign(dx) * inset;
          const lz = z + dz - Math.sign(dz) * inset;
          stage.box({ x0: lx - legW / 2, x1: lx + legW / 2, y0: 0, y1: topY - thickness, z0: lz - legW / 2, z1: lz + legW / 2 }, LABEL.table, legs);
        }
      }
      stage.box({ x0: x - halfW, x1: x + halfW, y0: topY - thickness, y1: topY, z0: z - halfD, z1: z + halfD }, LABEL.table, top);
    },
  };
}

export interface ChairShape {
  x: number;
  z: number;
  /** Whether its sitter faces the camera (back on the far side) or away (back on the near side). */
  facingCamera: boolean;
  seatY: number;
}

/** The seat and legs, and the back, as separate drawables: [seat, back]. */
export function chair(stage: Stage, rng: Rng, shape: ChairShape): [Drawable, Drawable] {
  const spec = furnitureMaterial(rng);
  const half = rng.range(0.19, 0.25);
  const legW = rng.range(0.025, 0.05);
  const backTop = shape.seatY + rng.range(0.35, 0.55);
  const ladder = rng.chance(0.4);
  const { x, z, seatY, facingCamera } = shape;
  const backZ = facingCamera ? z + half - 0.03 : z - half + 0.03;
  const seat: Drawable = {
    depth: z + 0.02,
    paint() {
      stage.groundShadow(x, z, half, half, seatY, 0.35);
      for (const dz of [half, -half]) {
        for (const dx of [-half, half]) {
          const lx = x + dx - Math.sign(dx) * legW;
          const lz = z + dz - Math.sign(dz) * legW;
          stage.box({ x0: lx - legW / 2, x1: lx + legW / 2, y0: 0, y1: seatY - 0.03, z0: lz - legW / 2, z1: lz + legW / 2 }, LABEL.chair, spec);
        }
      }
      stage.box({ x0: x - half, x1: x + half, y0: seatY - 0.04, y1: seatY, z0: z - half, z1: z + half }, LABEL.chair, spec);
    },
  };
  const back: Drawable = {
    depth: facingCamera ? z + half : z - half,
    paint() {
      const b = { z0: backZ - 0.02, z1: backZ + 0.02 };
      if (ladder) {
        for (const dx of [-half + legW / 2, half - legW / 2]) {
          stage.box({ x0: x + dx - legW / 2, x1: x + dx + legW / 2, y0: seatY, y1: backTop, ...b }, LABEL.chair, spec);
        }
        for (const y of [backTop - 0.08, shape.seatY + 0.5 * (backTop - seatY)]) {
          stage.box({ x0: x - half, x1: x + half, y0: y, y1: y + 0.07, ...b }, LABEL.chair, spec);
        }
      } else {
        stage.box({ x0: x - half, x1: x + half, y0: seatY, y1: backTop, ...b }, LABEL.chair, spec);
      }
    },
  };
  return [seat, back];
}

/**
 * People, standing or seated, drawn as upright parts facing the camera (legs, torso, arms, head and
 * hair) at one depth: flat, but their silhouettes, sizes and occlusions are what a segmenter sees.
 */
import { LABEL } from './classes.js';
import { Texture, type MaterialSpec, type Rgb } from './materials.js';
import { palette } from './palette.js';
import type { Rng } from './random.js';
import type { Drawable, Stage } from './stage.js';

export interface PersonLook {
  /** Height in metres when standing. */
  height: number;
  skin: Rgb;
  hair: Rgb;
  shirt: MaterialSpec;
  trousers: MaterialSpec;
  shoes: Rgb;
  /** Half the stride, metres: how far apart the feet are. */
  stride: number;
  /** Hair length below the top of the head, as a share of the head. */
  hairLength: number;
}

export function personLook(rng: Rng): PersonLook {
  const shirt = palette.shirt(rng);
  return {
    height: rng.range(1.5, 1.92),
    skin: palette.skin(rng),
    hair: palette.hair(rng),
    shirt: rng.chance(0.25)
      ? { texture: Texture.stripes, a: shirt, b: palette.shirt(rng), period: rng.range(0.04, 0.1), p1: 0.5, detail: 0.05 }
      : { texture: Texture.plain, a: shirt, detail: 0.12, noiseScale: 6 },
    trousers: { texture: Texture.plain, a: palette.trousers(rng), detail: 0.1, noiseScale: 6 },
    shoes: rng.pick<Rgb>([[0.08, 0.07, 0.07], [0.35, 0.22, 0.12], [0.85, 0.85, 0.85]]),
    stride: rng.range(0, 0.16),
    hairLength: rng.range(0.2, 1),
  };
}

const ROUND = { side: 0.15, round: 0.35 };

/** A standing person with feet at (x, 0, z), facing the camera or away from it. */
export function standingPerson(stage: Stage, look: PersonLook, x: number, z: number, facingCamera: boolean): Drawable {
  return {
    depth: z,
    paint() {
      const k = look.height / 1.75;
      const label = LABEL.person;
      stage.groundShadow(x, z, 0.28 * k, 0.22 * k, look.height, 0.55);
      const trousers = stage.frontMaterial(look.trousers, z);
      const shoes = stage.frontMaterial({ texture: Texture.plain, a: look.shoes, detail: 0.05 }, z);
      const shade = stage.lambert(0, 0, -1);
      for (const side of [-1, 1]) {
        const foot = x + side * (0.09 * k + look.stride);
        const hip = x + side * 0.1 * k;
        stage.polygon([
          foot - 0.07 * k,
          0.05,
          foot + 0.07 * k,
          0.05,
          hip + 0.08 * k,
          0.9 * k,
          hip - 0.08 * k,
          0.9 * k,
        ], z, label, trousers, shade, ROUND);
        stage.rect(foot - 0.07 * k, foot + 0.08 * k, 0, 0.07 * k, z, label, shoes, shade);
      }
      upperBody(stage, look, x, 0.86 * k, z, facingCamera, true);
    },
  };
}

/**
 * A person seated on a seat of height `seatY` centred at (x, z). Facing the camera, the lower legs
 * stand `reach` metres nearer (under a table, where the table then hides them); facing away, the
 * legs are hidden by the body and the chair.
 */
export function seatedPerson(stage: Stage, look: PersonLook, x: number, z: number, seatY: number, facingCamera: boolean): Drawable {
  return {
    depth: z,
    paint() {
      const k = look.height / 1.75;
      const label = LABEL.person;
      const shade = stage.lambert(0, 0, -1);
      if (facingCamera) {
        const knees = z - 0.42 * k;
        const trousers = stage.frontMaterial(look.trousers, knees);
        const shoes = stage.frontMaterial({ texture: Texture.plain, a: look.shoes, detail: 0.05 }, knees);
        for (const side of [-1, 1]) {
          const kx = x + side * 0.11 * k;
          stage.rect(kx - 0.075 * k, kx + 0.075 * k, 0.06, seatY + 0.08 * k, knees, label, trousers, shade, ROUND);
          stage.rect(kx - 0.07 * k, kx + 0.08 * k, 0, 0.07, knees, label, shoes, shade);
        }
        const thighs = stage.frontMaterial(look.trousers, z - 0.2 * k);
        stage.rect(x - 0.2 * k, x + 0.2 * k, seatY - 0.02, seatY + 0.14 * k, z - 0.2 * k, label, thighs, stage.lambert(0, 0.5, -0.85));
      }
      upperBody(stage, look, x, seatY, z, facingCamera, !facingCamera);
    },
  };
}

/**
 * Forearms and hands resting on a table top at height `topY` for a person seated at (x, z) facing the
 * camera: painted after the table, so the person reaches over it.
 */
export function armsOnTable(stage: Stage, look: PersonLook, x: number, z: number, topY: number, tableNearZ: number): Drawable {
  return {
    depth: tableNearZ + 0.02,
    paint() {
      const k = look.height / 1.75;
      const reach = Math.max(0.12, Math.min(0.4 * k, z - tableNearZ - 0.1));
      for (const side of [-1, 1]) {
        const ax = x + side * 0.2 * k;
        const sleeve = { x0: ax - 0.05 * k, x1: ax + 0.05 * k, y0: topY, y1: topY + 0.07 * k, z0: z - 0.55 * reach, z1: z - 0.05 };
        stage.box(sleeve, LABEL.person, look.shirt);
        const hand = { x0: ax - 0.045 * k, x1: ax + 0.045 * k, y0: topY, y1: topY + 0.05 * k, z0: z - reach, z1: z - 0.55 * reach };
        stage.box(hand, LABEL.person, { texture: Texture.plain, a: look.skin, detail: 0.05 });
      }
    },
  };
}

/** Torso, arms, neck and head from the hips (at height hipY) up. */
function upperBody(stage: Stage, look: PersonLook, x: number, hipY: number, z: number, facingCamera: boolean, armsDown: boolean): void {
  const k = look.height / 1.75;
  const label = LABEL.person;
  const shade = stage.lambert(0, 0, -1);
  const shirt = stage.frontMaterial(look.shirt, z);
  const skin = stage.frontMaterial({ texture: Texture.plain, a: look.skin, detail: 0.06, noiseScale: 10 }, z);
  const hair = stage.frontMaterial({ texture: Texture.plain, a: look.hair, detail: 0.2, noiseScale: 30 }, z);
  const shoulders = hipY + 0.56 * k;
  const neckTop = shoulders + 0.09 * k;
  const headY = neckTop + 0.11 * k;
  if (armsDown) {
    for (const side of [-1, 1]) {
      const ax = x + side * 0.235 * k;
      stage.polygon([
        ax - 0.05 * k,
        shoulders - 0.02 * k,
        ax + 0.05 * k,
        shoulders - 0.02 * k,
        ax + 0.045 * k + side * 0.02 * k,
        hipY - 0.04 * k,
        ax - 0.045 * k + side * 0.02 * k,
        hipY - 0.04 * k,
      ], z, label, shirt, shade, ROUND);
      stage.blob(ax + side * 0.02 * k, hipY - 0.08 * k, z, 0.045 * k, 0.06 * k, label, skin, 0.3);
    }
  }
  stage.polygon([
    x - 0.17 * k,
    hipY - 0.03 * k,
    x + 0.17 * k,
    hipY - 0.03 * k,
    x + 0.21 * k,
    shoulders,
    x + 0.12 * k,
    shoulders + 0.04 * k,
    x - 0.12 * k,
    shoulders + 0.04 * k,
    x - 0.21 * k,
    shoulders,
  ], z, label, shirt, shade, ROUND);
  stage.rect(x - 0.045 * k, x + 0.045 * k, shoulders, neckTop + 0.02 * k, z, label, facingCamera ? skin : hair, shade, ROUND);
  if (facingCamera) {
    stage.blob(x, headY + 0.02 * k, z, 0.1 * k, (0.1 + 0.02 * (1 - look.hairLength)) * k, label, hair, 0.4);
    stage.blob(x, headY - 0.01 * k, z, 0.088 * k, 0.11 * k * (1 - 0.25 * (1 - look.hairLength)), label, skin, 0.3);
  } else {
    stage.blob(x, headY, z, 0.098 * k, 0.12 * k, label, hair, 0.3);
  }
}

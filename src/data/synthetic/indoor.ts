/**
 * Indoor scenes: a room in one-point perspective (floor, ceiling, back and side walls with skirting),
 * windows and doors in its walls, tables with chairs and people seated at them (behind the table and
 * partly hidden by it, or in front of it with their backs to the camera and partly hidden by their
 * chairs), empty chairs, people standing. Daylight from a window side or warm lamp light.
 */
import { Camera } from './camera.js';
import type { Canvas } from './canvas.js';
import { LABEL } from './classes.js';
import { chair, table, type TableShape } from './furniture.js';
import { cameraLook, directionalLight } from './look.js';
import { Mapping, Texture, type MaterialSpec, type Rgb } from './materials.js';
import { palette, scale, vary } from './palette.js';
import { armsOnTable, personLook, seatedPerson, standingPerson } from './people.js';
import type { Rng } from './random.js';
import type { Look } from './render.js';
import { Stage, paintInOrder, type Drawable } from './stage.js';

interface Room {
  left: number;
  right: number;
  depth: number;
  height: number;
}

/** Slightly in front of a wall, so openings sort and paint over it. */
const ON_WALL = 0.01;

export function paintIndoor(rng: Rng, canvas: Canvas): { camera: Camera; look: Look } {
  const { width, height } = canvas;
  const room: Room = { left: 0, right: 0, depth: rng.range(5, 11), height: rng.range(2.5, 3.3) };
  const roomWidth = rng.range(4, 9);
  const shift = rng.range(-0.3, 0.3) * roomWidth;
  room.left = shift - roomWidth / 2;
  room.right = shift + roomWidth / 2;
  const camera = new Camera(width, height, height * rng.range(0.3, 0.55), width * rng.range(0.35, 0.65), width * rng.range(0.6, 1.0), rng.range(1.2, 1.7));
  // The light (a window, a lamp) is off to one side: -1 left, +1 right.
  const lightSide = rng.chance(0.5) ? -1 : 1;
  const daylight = rng.chance(0.6);
  const light = directionalLight(rng.range(0.5, 1.1), lightSide * rng.range(1.2, 2.2), rng.range(0.55, 0.7), rng.range(0.3, 0.45));
  const stage = new Stage(canvas, camera, light);
  const tint: Rgb = daylight ? vary(rng, [1, 1, 1.02], 0.02) : vary(rng, [1.08, 0.97, 0.84], 0.03);
  const look = cameraLook(rng, width, height, tint, { color: [1, 1, 1], distance: Infinity }, lightSide * rng.range(0, 0.2));

  paintRoom(stage, rng, room);
  const drawables: Drawable[] = [];
  openings(stage, rng, room, drawables);
  const nearest = Math.max(1.6, camera.groundDepth(height) * 0.85);
  const spots: [number, number][] = [];
  const free = (x: number, z: number, r: number) => spots.every(([sx, sz]) => Math.hypot(sx - x, sz - z) > r);
  const groups = rng.int(1, 3);
  for (let g = 0; g < groups; g++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const halfW = rng.range(0.45, 1.0);
      const halfD = rng.range(0.38, 0.6);
      const x = rng.range(room.left + halfW + 0.5, room.right - halfW - 0.5);
      const z = rng.nearer(nearest + halfD + 0.8, room.depth - halfD - 0.8);
      if (z <= nearest + halfD + 0.7 || !free(x, z, 2.6)) continue;
      spots.push([x, z]);
      diningGroup(stage, rng, { x, z, halfW, halfD, topY: rng.range(0.7, 0.78) }, drawables);
      break;
    }
  }
  const extraChairs = rng.int(0, 2);
  for (let i = 0; i < extraChairs; i++) {
    const x = rng.range(room.left + 0.4, room.right - 0.4);
    const z = rng.nearer(nearest, room.depth - 0.4);
    if (!free(x, z, 1)) continue;
    spots.push([x, z]);
    drawables.push(...chair(stage, rng, { x, z, facingCamera: rng.chance(0.5), seatY: rng.range(0.42, 0.48) }));
  }
  const standing = rng.int(0, 2);
  for (let i = 0; i < standing; i++) {
    const x = rng.range(room.left + 0.4, room.right - 0.4);
    const z = rng.nearer(nearest + 0.5, room.depth - 0.4);
    if (!free(x, z, 0.9)) continue;
    spots.push([x, z]);
    drawables.push(standingPerson(stage, personLook(rng), x, z, rng.chance(0.6)));
  }
  paintInOrder(drawables);
  return { camera, look };
}

/** Floor and ceiling fill the image; side walls and the back wall go over them; skirting along the walls' feet. */
function paintRoom(stage: Stage, rng: Rng, room: Room): void {
  const { canvas, camera } = stage;
  const split = Math.max(0, Math.min(canvas.height, Math.ceil(camera.horizon - 0.5)));
  const ceilingColor = palette.ceiling(rng);
  const ceilingSpec: MaterialSpec = rng.chance(0.3)
    ? { texture: Texture.tiles, a: ceilingColor, b: ceilingColor, c: scale(ceilingColor, 0.8), period: 0.6, p0: 0.02, detail: 0.04 }
    : { texture: Texture.plain, a: ceilingColor, detail: 0.04 };
  canvas.fillRows(0, split, LABEL.ceiling, canvas.addMaterial(ceilingSpec, Mapping.planeY, room.height), stage.lambert(0, -1, 0));
  canvas.fillRows(split, canvas.height, LABEL.floor, canvas.addMaterial(floorMaterial(rng), Mapping.planeY, 0), stage.lambert(0, 1, 0));

  const wall = wallMaterial(rng);
  const skirting: MaterialSpec = { texture: Texture.plain, a: rng.chance(0.6) ? vary(rng, [0.92, 0.91, 0.88], 0.03) : palette.wood(rng), detail: 0.03 };
  const skirtH = rng.range(0.06, 0.14);
  const near = 0.3;
  const { left, right, depth, height } = room;
  for (const x of [left, right]) {
    const mat = canvas.addMaterial({ ...wall, offU: rng.range(0, 50) }, Mapping.planeX, x);
    const shade = stage.lambert(x < 0 ? 1 : -1, 0, 0);
    stage.polygon3([x, 0, near, x, 0, depth, x, height, depth, x, height, near], LABEL.wall, mat, shade);
    const skirt = canvas.addMaterial(skirting, Mapping.planeX, x);
    stage.polygon3([x, 0, near, x, 0, depth, x, skirtH, depth, x, skirtH, near], LABEL.wall, skirt, shade);
  }
  const back = stage.frontMaterial(wall, depth);
  const shade = stage.lambert(0, 0, -1);
  stage.rect(left, right, 0, height, depth, LABEL.wall, back, shade);
  stage.rect(left, right, 0, skirtH, depth, LABEL.wall, stage.frontMaterial(skirting, depth), shade);
}

function floorMaterial(rng: Rng): MaterialSpec {
  const kind = rng.next();
  if (kind < 0.5) {
    const wood = palette.wood(rng);
    return {
      texture: Texture.planks,
      a: wood,
      b: scale(wood, 0.75),
      c: scale(wood, 0.45),
      period: rng.range(0.1, 0.22),
      periodV: rng.range(1, 2.5),
      p0: 0.006,
      detail: 0.08,
      noiseScale: 6,
    };
  }
  if (kind < 0.85) {
    const tile = palette.tile(rng);
    const checker = rng.chance(0.35);
    return {
      texture: Texture.tiles,
      a: tile,
      b: checker ? palette.tile(rng) : vary(rng, tile, 0.05),
      c: scale(tile, 0.6),
      period: rng.range(0.25, 0.6),
      p0: 0.012,
      p1: checker ? 1 : 0,
      detail: 0.06,
    };
  }
  return { texture: Texture.plain, a: palette.carpet(rng), p0: 0.3, detail: 0.15, noiseScale: 30 };
}

function wallMaterial(rng: Rng): MaterialSpec {
  const paint = palette.wallPaint(rng);
  const kind = rng.next();
  if (kind < 0.6) return { texture: Texture.plain, a: paint, p0: 0.2, detail: 0.04, noiseScale: 2 };
  if (kind < 0.85) return {
    texture: Texture.stripes,
    a: paint,
    b: vary(rng, paint, 0.1),
    period: rng.range(0.08, 0.3),
    p0: 1,
    p1: 0.5,
    detail: 0.03,
  };
  const brick = vary(rng, [0.6, 0.33, 0.25], 0.12);
  return {
    texture: Texture.bricks,
    a: brick,
    b: vary(rng, [0.78, 0.76, 0.7], 0.05),
    period: 0.24,
    periodV: 0.075,
    p0: 0.012,
    detail: 0.08,
    noiseScale: 10,
  };
}

/** Windows and doors in the back and side walls. */
function openings(stage: Stage, rng: Rng, room: Room, drawables: Drawable[]): void {
  const windows = rng.int(1, 3);
  // Every room has a way in; a small class (about 1% of pixels otherwise) needs to be seen often to be learned.
  const doors = rng.int(1, 2);
  const frame = palette.windowFrame(rng);
  const skyTop = vary(rng, [0.62, 0.78, 0.97], 0.06);
  const used: [number, number, number][] = [];
  const place = (w: number): [number, number] | null => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const wallIndex = rng.int(0, 2);
      const span = wallIndex === 1 ? [room.left + 0.3, room.right - 0.3] : [1.5, room.depth - 0.3];
      if (span[1]! - span[0]! < w + 0.2) continue;
      const a = rng.range(span[0]!, span[1]! - w);
      if (used.some(([wi, u0, u1]) => wi === wallIndex && a < u1 + 0.2 && a + w > u0 - 0.2)) continue;
      used.push([wallIndex, a, a + w]);
      return [wallIndex, a];
    }
    return null;
  };
  for (let i = 0; i < windows + doors; i++) {
    const isWindow = i < windows;
    const w = isWindow ? rng.range(0.8, 2.2) : rng.chance(0.25) ? rng.range(1.4, 1.8) : rng.range(0.8, 1.0); // some double doors
    const y0 = isWindow ? rng.range(0.7, 1.0) : 0;
    const h = isWindow ? Math.min(room.height - y0 - 0.25, rng.range(1, 1.7)) : Math.min(room.height - 0.2, rng.range(1.95, 2.15));
    const spot = place(w);
    if (!spot) continue;
    const [wallIndex, a] = spot;
    const spec: MaterialSpec = isWindow
      ? {
        texture: Texture.glass,
        a: skyTop,
        b: vary(rng, [0.88, 0.92, 0.97], 0.04),
        c: frame,
        period: w,
        periodV: h,
        p0: rng.range(0.04, 0.08),
        p1: rng.int(1, 3),
        haze: false,
      }
      : {
        texture: Texture.door,
        a: palette.door(rng),
        c: [0.75, 0.7, 0.55],
        period: w,
        periodV: h,
        p0: rng.chance(0.5) ? 1 : 0,
        p1: rng.chance(0.5) ? 1 : 0,
        detail: 0.04,
      };
    const label = isWindow ? LABEL.windowpane : LABEL.door;
    // Light through a window is brighter than what falls on the wall around it.
    const glow = isWindow ? rng.range(1.15, 1.4) : 1;
    const trim = rng.range(0.04, 0.09);
    drawables.push({
      depth: wallIndex === 1 ? room.depth - ON_WALL : room.depth + 1,
      paint() {
        if (wallIndex === 1) {
          const z = room.depth - ON_WALL;
          const mat = stage.frontMaterial({ ...spec, offU: -a, offV: -y0 }, z);
          if (!isWindow) {
            const trimMat = stage.frontMaterial({ texture: Texture.plain, a: frame, detail: 0.03 }, z);
            stage.rect(a - trim, a + w + trim, 0, y0 + h + trim, z, label, trimMat, stage.lambert(0, 0, -1));
          }
          stage.rect(a, a + w, y0, y0 + h, z, label, mat, isWindow ? glow : stage.lambert(0, 0, -1));
        } else {
          const x = wallIndex === 0 ? room.left + ON_WALL : room.right - ON_WALL;
          const mat = stage.canvas.addMaterial({ ...spec, offU: -a, offV: -y0 }, Mapping.planeX, x);
          const shade = isWindow ? glow : stage.lambert(x < 0 ? 1 : -1, 0, 0);
          if (!isWindow) {
            const trimMat = stage.canvas.addMaterial({ texture: Texture.plain, a: frame, detail: 0.03 }, Mapping.planeX, x);
            stage.polygon3([x, 0, a - trim, x, 0, a + w + trim, x, y0 + h + trim, a + w + trim, x, y0 + h + trim, a - trim], label, trimMat, shade);
          }
          stage.polygon3([x, y0, a, x, y0, a + w, x, y0 + h, a + w, x, y0 + h, a], label, mat, shade);
        }
      },
    });
  }
}

/** A table with chairs around it: sitters behind it face the camera, sitters in front show their backs. */
function diningGroup(stage: Stage, rng: Rng, shape: TableShape, drawables: Drawable[]): void {
  drawables.push(table(stage, rng, shape));
  const seatY = rng.range(0.42, 0.48);
  for (const side of [1, -1]) {
    const seats = shape.halfW > 0.6 ? rng.int(side > 0 ? 1 : 0, 2) : rng.int(side > 0 ? 1 : 0, 1);
    for (let i = 0; i < seats; i++) {
      const x = seats === 1 ? shape.x + rng.normal(0.1) : shape.x + (i === 0 ? -0.5 : 0.5) * shape.halfW;
      const facingCamera = side > 0;
      const z = shape.z + side * (shape.halfD + rng.range(0.22, 0.38));
      drawables.push(...chair(stage, rng, { x, z, facingCamera, seatY }));
      if (!rng.chance(side > 0 ? 0.75 : 0.6)) continue;
      const look = personLook(rng);
      drawables.push(seatedPerson(stage, look, x, z, seatY, facingCamera));
      if (facingCamera && rng.chance(0.7)) drawables.push(armsOnTable(stage, look, x, z, shape.topY, shape.z - shape.halfD));
    }
  }
}

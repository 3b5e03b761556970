/**
 * Outdoor scenes: a street receding to the horizon (road, sidewalks, buildings along both sides and
 * across its end, cars, people, street trees) or a park (grass, trees, people, a path), under a sky
 * with clouds, sometimes with mountains or a tree line at the horizon. Sunny, overcast or evening light.
 */
import { Camera } from './camera.js';
import type { Canvas } from './canvas.js';
import { LABEL } from './classes.js';
import { directionalLight, cameraLook } from './look.js';
import { Mapping, Texture, type MaterialSpec, type Rgb } from './materials.js';
import { noise } from './noise.js';
import { mix, palette, scale, vary } from './palette.js';
import { personLook, standingPerson } from './people.js';
import type { Rng } from './random.js';
import type { Look } from './render.js';
import { Stage, paintInOrder, type Drawable } from './stage.js';
import { building, car, skyColors, tree } from './street.js';

/** Paint-order keys: backdrops first (mountains, then the tree line and skyline), then the side buildings, then the street. */
const MOUNTAINS = 40000;
const BACKDROP = 20000;
const SIDE_BUILDINGS = 10000;

interface Street {
  centre: number;
  halfWidth: number;
  sidewalk: number;
  /** Z range of a crossing road, if any. */
  cross: [number, number] | null;
}

export function paintOutdoor(rng: Rng, canvas: Canvas): { camera: Camera; look: Look } {
  const { width, height } = canvas;
  const eye = rng.chance(0.15) ? rng.range(3, 7) : rng.range(1.4, 2);
  const camera = new Camera(width, height, height * rng.range(0.28, 0.52), width * rng.range(0.3, 0.7), width * rng.range(0.75, 1.25), eye);
  const mood = rng.next() < 0.6 ? 'sunny' : rng.chance(0.6) ? 'overcast' : 'evening';
  const light =
    mood === 'sunny'
      ? directionalLight(rng.range(0.35, 1.1), rng.range(-Math.PI, Math.PI), rng.range(0.42, 0.55), rng.range(0.55, 0.7))
      : mood === 'overcast'
        ? directionalLight(rng.range(0.8, 1.4), rng.range(-Math.PI, Math.PI), rng.range(0.78, 0.9), rng.range(0.15, 0.25))
        : directionalLight(rng.range(0.08, 0.25), rng.range(-2.4, 2.4), rng.range(0.45, 0.6), rng.range(0.45, 0.6));
  const stage = new Stage(canvas, camera, light);
  const [zenith, horizonColor, cloud] = skyColors(rng, mood);
  const tint: Rgb = mood === 'evening' ? [1.08, 0.93, 0.8] : mood === 'overcast' ? [0.95, 0.97, 1.02] : vary(rng, [1.02, 1, 0.97], 0.02);
  const look = cameraLook(rng, width, height, tint, { color: horizonColor, distance: rng.range(mood === 'overcast' ? 200 : 400, 1400) }, rng.normal(0.05));

  // Sky above the horizon, ground below; everything else is painted over these two.
  const skyRows = Math.max(0, Math.min(height, Math.ceil(camera.horizon - 0.5)));
  const sky = canvas.addMaterial(
    {
      texture: Texture.sky,
      a: zenith,
      b: horizonColor,
      c: cloud,
      p0: mood === 'overcast' ? rng.range(-0.3, 0) : rng.range(0.05, 0.5),
      p1: camera.horizon,
      noiseScale: 256 / width / rng.range(0.8, 2),
      offU: rng.range(0, 256),
      offV: rng.range(0, 256),
      haze: false,
    },
    Mapping.screen,
  );
  canvas.fillRows(0, skyRows, LABEL.sky, sky);
  const grassColor = palette.grass(rng);
  const grass = canvas.addMaterial({
    texture: Texture.grass,
    a: grassColor,
    b: scale(grassColor, rng.range(0.65, 0.85)),
    noiseScale: rng.range(6, 12),
    detail: 0.3,
    offU: rng.range(0, 256),
    offV: rng.range(0, 256),
  }, Mapping.planeY, 0);
  canvas.fillRows(skyRows, height, LABEL.grass, grass, stage.lambert(0, 1, 0));

  const drawables: Drawable[] = [];
  const nearest = Math.max(2.5, camera.groundDepth(height) * 0.9);
  if (rng.chance(0.75)) drawables.push(mountains(stage, rng, horizonColor));
  if (rng.chance(0.3)) drawables.push(treeLine(stage, rng));

  const hasRoad = rng.chance(0.72);
  if (hasRoad) {
    const street = paintStreet(stage, rng);
    const edge = street.halfWidth + street.sidewalk;
    let farthest = 0;
    for (const side of [-1, 1]) {
      if (!rng.chance(0.8)) continue;
      let z = rng.range(nearest * 0.6, 14);
      const end = rng.range(50, 140);
      while (z < end) {
        const length = rng.range(8, 26);
        const setback = rng.chance(0.5) ? 0 : rng.range(0.5, 4);
        const depthX = rng.range(8, 20);
        const inner = street.centre + side * (edge + setback);
        const x0 = side > 0 ? inner : inner - depthX;
        const y1 = rng.int(2, 12) * rng.range(3, 3.5);
        drawables.push(building(stage, rng, { x0, x1: x0 + depthX, y0: 0, y1, z0: z, z1: z + length }, SIDE_BUILDINGS + z + length));
        z += length + (rng.chance(0.35) ? rng.range(1, 8) : 0);
        farthest = Math.max(farthest, z);
      }
    }
    if (rng.chance(0.55)) skyline(stage, rng, Math.max(farthest + 10, rng.range(60, 120)), drawables);
    const cars = rng.int(1, 6);
    const taken: [number, number, number][] = [];
    for (let i = 0; i < cars; i++) {
      const lane = rng.pick([-0.5, 0.5, -1, 1]);
      const carWidth = rng.range(1.7, 1.95);
      const x = street.centre + lane * (street.halfWidth - (Math.abs(lane) === 1 ? carWidth / 2 + 0.25 : 0));
      const z = rng.nearer(Math.max(nearest * 0.8, 3), 60);
      const length = rng.range(3.8, 4.9);
      if (taken.some(([tx, tz0, tz1]) => Math.abs(tx - x) < 2.2 && z < tz1 + 1 && z + length > tz0 - 1)) continue;
      taken.push([x, z, z + length]);
      drawables.push(car(stage, rng, { x, z, length, width: carWidth, showsRear: lane > 0 || (Math.abs(lane) === 1 && rng.chance(0.5)) }));
    }
    const streetTrees = rng.chance(0.5) ? rng.int(1, 6) : 0;
    for (let i = 0; i < streetTrees; i++) {
      const x = street.centre + rng.pick([-1, 1]) * (street.halfWidth + street.sidewalk * rng.range(0.55, 0.85));
      drawables.push(tree(stage, rng, treeShape(rng, x, rng.nearer(nearest + 2, 70))));
    }
    const people = rng.int(0, 6);
    for (let i = 0; i < people; i++) {
      const x = street.centre + rng.pick([-1, 1]) * (street.halfWidth + rng.range(0.3, Math.max(0.4, street.sidewalk - 0.3)));
      const z = rng.nearer(nearest, 40);
      if (street.cross && z > street.cross[0] - 1 && z < street.cross[1] + 1) continue;
      drawables.push(standingPerson(stage, personLook(rng), x, z, rng.chance(0.5)));
    }
  } else {
    paintPark(stage, rng, nearest, drawables);
  }
  paintInOrder(drawables);
  return { camera, look };
}

function treeShape(rng: Rng, x: number, z: number) {
  const conifer = rng.chance(0.25);
  const height = rng.range(4, 12);
  return { x, z, height, crown: height * (conifer ? rng.range(0.18, 0.26) : rng.range(0.24, 0.38)), conifer };
}

/** Road along Z (with a dashed centre line), sidewalks with kerbs, sometimes a crossing road. */
function paintStreet(stage: Stage, rng: Rng): Street {
  const halfWidth = rng.range(3, 6.5);
  const sidewalk = rng.range(1.8, 4);
  const centre = rng.range(-(halfWidth + 0.7 * sidewalk), halfWidth + 0.7 * sidewalk);
  const cross: [number, number] | null = rng.chance(0.3) ? [rng.range(14, 35), 0] : null;
  if (cross) cross[1] = cross[0] + rng.range(6, 12);
  const canvas = stage.canvas;
  const asphaltColor = palette.asphalt(rng);
  const asphaltSpec: MaterialSpec = {
    texture: Texture.asphalt,
    a: asphaltColor,
    b: scale(asphaltColor, rng.range(0.8, 0.92)),
    c: rng.chance(0.8) ? [0.92, 0.92, 0.9] : [0.9, 0.75, 0.2],
    p0: rng.chance(0.75) ? 1 : 0,
    p1: centre,
    p2: rng.range(0.06, 0.1),
    periodV: rng.range(4, 9),
    noiseScale: 60,
    detail: 0.12,
  };
  const ground = stage.lambert(0, 1, 0);
  const road = canvas.addMaterial(asphaltSpec, Mapping.planeY, 0);
  const far = 3000;
  stage.flat([centre - halfWidth, 0.3, centre + halfWidth, 0.3, centre + halfWidth, far, centre - halfWidth, far], 0, LABEL.road, road, ground);
  const pave = palette.paving(rng);
  const slabs = canvas.addMaterial(
    {
      texture: Texture.tiles,
      a: pave,
      b: vary(rng, pave, 0.06),
      c: scale(pave, 0.7),
      period: rng.range(0.4, 0.9),
      p0: 0.025,
      p1: rng.chance(0.3) ? 1 : 0,
      detail: 0.08,
      noiseScale: 10,
    },
    Mapping.planeY,
    0,
  );
  const kerb = canvas.addMaterial({ texture: Texture.plain, a: vary(rng, [0.72, 0.72, 0.7], 0.05), detail: 0.05 }, Mapping.planeY, 0);
  const spans: [number, number][] = cross ? [[0.3, cross[0]], [cross[1], far]] : [[0.3, far]];
  for (const side of [-1, 1]) {
    const inner = centre + side * halfWidth;
    const outer = inner + side * sidewalk;
    for (const [z0, z1] of spans) {
      stage.flat([inner, z0, outer, z0, outer, z1, inner, z1], 0, LABEL.sidewalk, slabs, ground);
      stage.flat([inner, z0, inner + side * 0.18, z0, inner + side * 0.18, z1, inner, z1], 0, LABEL.sidewalk, kerb, ground * 1.05);
    }
  }
  if (cross) {
    const band = canvas.addMaterial({ ...asphaltSpec, p0: 0 }, Mapping.planeY, 0);
    stage.flat([-far, cross[0], far, cross[0], far, cross[1], -far, cross[1]], 0, LABEL.road, band, ground);
  }
  return { centre, halfWidth, sidewalk, cross };
}

/** A park: a path receding across the grass, trees, people, sometimes buildings behind. */
function paintPark(stage: Stage, rng: Rng, nearest: number, drawables: Drawable[]): void {
  const ground = stage.lambert(0, 1, 0);
  if (rng.chance(0.6)) {
    const half = rng.range(1, 2.5);
    const x = rng.range(-4, 4);
    const drift = rng.range(-0.3, 0.3);
    const pave = palette.paving(rng);
    const path = stage.canvas.addMaterial({
      texture: Texture.tiles,
      a: pave,
      b: pave,
      c: scale(pave, 0.75),
      period: rng.range(0.3, 0.7),
      p0: 0.03,
      detail: 0.1,
      noiseScale: 12,
    }, Mapping.planeY, 0);
    const far = 400;
    stage.flat([x - half, 0.3, x + half, 0.3, x + drift * far + half, far, x + drift * far - half, far], 0, LABEL.sidewalk, path, ground);
  }
  if (rng.chance(0.5)) skyline(stage, rng, rng.range(40, 150), drawables);
  const trees = rng.int(2, 9);
  const spread = (stage.camera.width / stage.camera.focal) * 0.6;
  for (let i = 0; i < trees; i++) {
    const z = rng.nearer(nearest + 3, 60);
    drawables.push(tree(stage, rng, treeShape(rng, rng.range(-spread, spread) * z, z)));
  }
  const people = rng.int(0, 6);
  for (let i = 0; i < people; i++) {
    const z = rng.nearer(nearest, 30);
    drawables.push(standingPerson(stage, personLook(rng), rng.range(-spread, spread) * z, z, rng.chance(0.5)));
  }
}

/** Buildings across the end of the view at depth `z`, wide enough to fill the image's width there. */
function skyline(stage: Stage, rng: Rng, z: number, drawables: Drawable[]): void {
  const cam = stage.camera;
  let x = (-cam.vanishX / cam.focal) * z - 10;
  const end = ((cam.width - cam.vanishX) / cam.focal) * z + 10;
  while (x < end) {
    const w = rng.range(10, 35);
    const zz = z + rng.range(0, 25);
    if (rng.chance(0.85)) drawables.push(building(stage, rng, { x0: x, x1: x + w, y0: 0, y1: rng.range(8, 60), z0: zz, z1: zz + 15 }, BACKDROP + zz));
    x += w;
  }
}

/** A hazy mountain ridge far away, its base at the horizon. */
function mountains(stage: Stage, rng: Rng, haze: Rgb): Drawable {
  const cam = stage.camera;
  const z = rng.range(800, 2500);
  const peak = (rng.range(0.45, 0.95) * Math.max(cam.horizon, cam.height * 0.25) * z) / cam.focal;
  const rock = palette.mountain(rng);
  const spec: MaterialSpec = {
    texture: Texture.mountain,
    a: mix(rock, haze, 0.3),
    b: mix(scale(rock, 0.7), haze, 0.3),
    c: mix([0.95, 0.95, 0.97], haze, 0.2),
    p0: rng.chance(0.4) ? peak * rng.range(0.55, 0.85) : 0,
    noiseScale: (256 / peak) * 0.5,
    detail: 0.1,
    haze: false,
  };
  const off = rng.range(0, 200);
  const roughness = rng.range(1.5, 4);
  return {
    depth: MOUNTAINS + z,
    paint() {
      const mat = stage.frontMaterial(spec, z);
      const n = 32;
      const x0 = (-cam.vanishX / cam.focal) * z * 1.1;
      const x1 = ((cam.width - cam.vanishX) / cam.focal) * z * 1.1;
      const pts: number[] = [x1, 0, x0, 0];
      for (let i = 0; i <= n; i++) {
        const t = i / n;
        const ridge = noise(t * roughness * 16 + off, off) * 0.5 + 0.5;
        pts.push(x0 + (x1 - x0) * t, peak * Math.max(0.1, Math.min(1, ridge * 1.4 - 0.1)));
      }
      stage.polygon(pts, z, LABEL.mountain, mat, stage.lambert(0, 0.3, -0.95));
    },
  };
}

/** A band of woods at the horizon with a bumpy top. */
function treeLine(stage: Stage, rng: Rng): Drawable {
  const cam = stage.camera;
  const z = rng.range(120, 400);
  const top = rng.range(8, 20);
  const leaves = palette.leaves(rng);
  const spec: MaterialSpec = { texture: Texture.foliage, a: leaves, b: scale(leaves, 0.5), noiseScale: rng.range(0.8, 1.5), detail: 0.2 };
  const off = rng.range(0, 200);
  return {
    depth: BACKDROP + z,
    paint() {
      const mat = stage.frontMaterial(spec, z);
      const n = 64;
      const x0 = (-cam.vanishX / cam.focal) * z * 1.1;
      const x1 = ((cam.width - cam.vanishX) / cam.focal) * z * 1.1;
      const pts: number[] = [x1, 0, x0, 0];
      for (let i = 0; i <= n; i++) {
        const t = i / n;
        pts.push(x0 + (x1 - x0) * t, top * (0.7 + 0.5 * noise(t * 90 + off, off)));
      }
      stage.polygon(pts, z, LABEL.tree, mat, stage.lambert(0, 0, -1));
    },
  };
}

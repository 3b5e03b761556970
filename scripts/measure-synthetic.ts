/**
 * Synthetic scene speed on one core: images/s at 128 x 128 (the demo's size, indoor and outdoor
 * apart and mixed) and at 256 x 256. Run: npx tsx scripts/measure-synthetic.ts [count]
 */
import { renderSyntheticScene, type SyntheticSceneOptions } from '../src/data/synthetic/scene.js';

const count = Number(process.argv[2] ?? 400);

function rate(size: number, options: SyntheticSceneOptions, seed0: number): number {
  for (let i = 0; i < 30; i++) renderSyntheticScene(seed0 + i, [size, size], options); // warm-up: JIT
  const start = performance.now();
  for (let i = 0; i < count; i++) renderSyntheticScene(seed0 + 1000 + i, [size, size], options);
  return (count / (performance.now() - start)) * 1000;
}

for (const [label, size, options] of [
  ['128x128 mixed', 128, {}],
  ['128x128 indoor', 128, { kind: 'indoor' }],
  ['128x128 outdoor', 128, { kind: 'outdoor' }],
  ['256x256 mixed', 256, {}],
] as const) {
  console.log(`${label.padEnd(16)} ${rate(size, options, 0).toFixed(0).padStart(6)} images/s`);
}

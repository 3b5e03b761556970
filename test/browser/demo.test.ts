/**
 * The demo page (web/) in Chromium, driven like a person would: it loads a checkpoint and segments a
 * synthetic scene exactly as Node does with the same weights (Node runs the page's own segmenter and picture
 * code on Dawn + lavapipe; the page runs dist/langseg.browser.js on SwiftShader), segments classes typed in
 * the page (open vocabulary), refuses a bad class list with the line named, fine-tunes the bundled model
 * with "train here" and plots the loss, and says plainly when the browser has no WebGPU. A screenshot of
 * the demo is left in test-results/browser/demo.png (the README's picture: docs/web-demo.png).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDescriptors, LangSegModel, renderSyntheticScene, resolveConfig, subsetDescriptors, SYNTHETIC_CLASSES, weightsOnlyCheckpoint } from '../../src/index.js';
import type { DemoState } from '../../web/src/main.js';
import { syntheticPicture } from '../../web/src/picture.js';
import { Segmenter, type Segmentation } from '../../web/src/segmenter.js';
import { parseVocabulary } from '../../web/src/vocabulary.js';
import { useRuntime } from '../helpers/runtime.js';
import { RESULTS_DIR, startBrowser, type BrowserSession } from './chromium.js';

const node = useRuntime();
const SIZE = 64; // a 64x64 tiny model keeps SwiftShader quick
const SCENE = 5;
const assets = mkdtempSync(join(tmpdir(), 'langseg-demo-assets-'));
let session: BrowserSession;
let nodeSegmenter: Segmenter;

/** A tiny model trained a few steps (so its scores are decisive, not the near-uniform ones of a fresh init), as the page's weights-only F16 file. */
async function testCheckpoint(): Promise<Uint8Array> {
  const descriptors = subsetDescriptors(builtinDescriptors('ade20k'), [...SYNTHETIC_CLASSES]);
  const model = LangSegModel.create(node.rt, resolveConfig('tiny', { imageSize: [SIZE, SIZE] }), descriptors, { seed: 0 });
  const trainer = await model.trainer({ batch: 2, optimizer: { lr: 3e-3 } });
  const images = new Float32Array(2 * 3 * SIZE * SIZE);
  const labels = new Uint8Array(2 * SIZE * SIZE);
  for (let i = 0; i < 2; i++) {
    const scene = renderSyntheticScene(2000 + i, [SIZE, SIZE]);
    images.set(scene.image, i * 3 * SIZE * SIZE);
    labels.set(scene.labels, i * SIZE * SIZE);
  }
  for (let s = 0; s < 4; s++) await trainer.step(images, labels);
  trainer.destroy();
  const bytes = await weightsOnlyCheckpoint(await model.save(), { dtype: 'F16' });
  model.destroy();
  return bytes;
}

beforeAll(async () => {
  const bytes = await testCheckpoint();
  writeFileSync(join(assets, 'model.safetensors'), bytes);
  nodeSegmenter = await Segmenter.load(node.rt, bytes);
  session = await startBrowser([{ prefix: '/test-assets/', dir: assets }]);
});

afterAll(async () => {
  nodeSegmenter?.destroy();
  await session?.close();
  rmSync(assets, { recursive: true, force: true });
});

/** Wait until the page has finished its task (it says so in body[data-state]). */
async function settled(page: Page): Promise<string> {
  await page.waitForFunction(() => ['ready', 'unavailable'].includes(document.body.dataset.state ?? ''), null, { timeout: 240_000 });
  return (await page.getAttribute('body', 'data-state'))!;
}

/** The page's last segmentation, and its last error. */
function pageResult(page: Page): Promise<{ error: string | null; seg: { classes: string[]; classIds: number[]; probabilities: number[] } | null }> {
  return page.evaluate(() => {
    const state = (globalThis as unknown as { langsegDemo: DemoState }).langsegDemo;
    const s = state.segmentation;
    return { error: state.error, seg: s && { classes: s.classes, classIds: Array.from(s.classIds), probabilities: Array.from(s.probabilities) } };
  });
}

/** Expect the page's segmentation to be Node's: probabilities within `tol`, and the same class wherever Node's top two differ by more than 2 tol. */
function expectSameSegmentation(what: string, got: { classes: string[]; classIds: number[]; probabilities: number[] }, want: Segmentation, tol: number): void {
  expect(got.classes).toEqual(want.classes);
  expect(got.probabilities.length).toBe(want.probabilities.length);
  let worst = 0;
  for (let i = 0; i < want.probabilities.length; i++) worst = Math.max(worst, Math.abs(got.probabilities[i]! - want.probabilities[i]!));
  const c = want.classes.length;
  const plane = want.probabilities.length / c;
  let differing = 0;
  let decisive = 0;
  for (let p = 0; p < plane; p++) {
    const column = Array.from({ length: c }, (_, k) => want.probabilities[k * plane + p]!).sort((a, b) => b - a);
    if (column[0]! - (column[1] ?? 0) <= 2 * tol) continue;
    decisive++;
    if (got.classIds[p] !== want.classIds[p]) differing++;
  }
  console.log(`${what}: max |browser - node| probability ${worst.toExponential(2)}; ${differing} of ${decisive} decisive pixels differ in class`);
  expect(worst, `${what}: largest probability difference`).toBeLessThan(tol);
  expect(differing, `${what}: pixels whose class differs`).toBe(0);
}

describe('the demo page in Chromium', () => {
  let page: Page;

  it('loads a checkpoint and segments a synthetic scene as Node does with the same weights', async () => {
    page = await session.open(`/?checkpoint=/test-assets/model.safetensors&scene=${SCENE}`);
    expect(await settled(page)).toBe('ready');
    const { error, seg } = await pageResult(page);
    expect(error).toBeNull();
    const want = await nodeSegmenter.segment(syntheticPicture(SCENE, [SIZE, SIZE]));
    expectSameSegmentation('built-in classes', seg!, want, 1e-3);
    // The legend lists every class present, with its area.
    const rows = await page.locator('#legend tbody tr').count();
    expect(rows).toBe(new Set(want.classIds).size);
    expect(await page.textContent('#model-info')).toMatch(/input 64x64.*16 classes/);
    expect(session.errors).toEqual([]);
  });

  it('segments classes typed in the page (open vocabulary), as Node does', async () => {
    const text = 'sky: a clear blue sky; a cloudy grey sky\nroad: an asphalt road; a street with lane markings\ntree: a green leafy tree\nperson';
    await page.fill('#vocabulary', text);
    await page.click('#resegment-button');
    expect(await settled(page)).toBe('ready');
    const { error, seg } = await pageResult(page);
    expect(error).toBeNull();
    expect(seg!.classes).toEqual(['sky', 'road', 'tree', 'person']);
    const want = await nodeSegmenter.segment(syntheticPicture(SCENE, [SIZE, SIZE]), parseVocabulary(text));
    expectSameSegmentation('typed classes', seg!, want, 1e-3);
  });

  it('refuses a bad class list, naming the line, and stays usable', async () => {
    await page.fill('#vocabulary', 'sky: blue sky\nroad: x');
    await page.click('#resegment-button');
    expect(await settled(page)).toBe('ready');
    expect(await page.isVisible('#vocabulary-error')).toBe(true);
    expect(await page.textContent('#vocabulary-error')).toMatch(/line 2/);
    expect((await pageResult(page)).error).toMatch(/line 2/);
    await page.click('#vocabulary-reset');
    expect(await settled(page)).toBe('ready');
    expect((await pageResult(page)).seg!.classes).toHaveLength(16);
    await page.close();
  });

  it('fine-tunes the bundled tiny model with "train here", plots the loss, and is saved as a screenshot', async () => {
    const demo = await session.open('/');
    expect(await settled(demo)).toBe('ready');
    expect(await demo.textContent('#model-info')).toMatch(/models\/tiny\.safetensors: tiny cnn, input 128x128/);
    await demo.fill('#train-steps', '2');
    await demo.fill('#train-batch', '1');
    await demo.click('#train-button');
    expect(await settled(demo)).toBe('ready');
    const losses = await demo.evaluate(() => (globalThis as unknown as { langsegDemo: DemoState }).langsegDemo.losses);
    expect(losses).toHaveLength(2);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    expect(await demo.textContent('#train-info')).toMatch(/^Trained 2 steps of 1 scenes/);
    expect((await pageResult(demo)).error).toBeNull();
    mkdirSync(RESULTS_DIR, { recursive: true });
    await demo.screenshot({ path: join(RESULTS_DIR, 'demo.png'), fullPage: true });
    expect(session.errors).toEqual([]);
    await demo.close();
  });

  it('says plainly that WebGPU is missing when the browser has none', async () => {
    const bare = await session.open('/', (p) => p.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true })));
    expect(await settled(bare)).toBe('unavailable');
    expect(await bare.isVisible('#banner')).toBe(true);
    expect(await bare.textContent('#banner')).toMatch(/This browser has no WebGPU\..*Chrome or Edge/);
    expect(await bare.isDisabled('#train-button')).toBe(true);
    await bare.close();
  });
});

/**
 * Training inside Chromium: the tiny LangSeg model (forward, all four losses, backward, clipping, AdamW as
 * one compiled step) trains on the browser's WebGPU, its loss falls over a few steps on one batch, and the
 * losses are Node's (Dawn on lavapipe) for the same run. Small images and few steps: SwiftShader runs
 * WebGPU on the CPU.
 */
import { describe, expect, it } from 'vitest';
import { useRuntime } from '../helpers/runtime.js';
import { callHarness, useHarnessBrowser } from './chromium.js';
import { trainTinySteps, type TrainingRun } from './pages/training-run.js';

const node = useRuntime();
const chromium = useHarnessBrowser();

const RUN: TrainingRun = { size: 64, batch: 2, steps: 5, lr: 2e-3 };

describe('training in Chromium', () => {
  it('runs training steps of the tiny model; the loss falls on a repeated batch and matches Node step by step', async () => {
    const page = await chromium.session.open('/harness/');
    await page.waitForFunction(() => 'langsegHarness' in globalThis);
    const browser = await callHarness(page, 'trainSteps', RUN);
    const inNode = await trainTinySteps(node.rt, RUN);
    const worst = Math.max(...browser.map((l, i) => Math.abs(l - inNode[i]!)));
    console.log(`training losses, browser: ${browser.map((l) => l.toFixed(5)).join(', ')}; node: ${inNode.map((l) => l.toFixed(5)).join(', ')}; max |difference| ${worst.toExponential(2)}`);
    expect(browser).toHaveLength(RUN.steps);
    for (const l of browser) expect(Number.isFinite(l)).toBe(true);
    // Five AdamW steps on the same batch: the last loss is clearly below the first.
    expect(browser.at(-1)!).toBeLessThan(browser[0]! * 0.9);
    // Same weights, same batch, different WebGPU (SwiftShader vs lavapipe): summation order and transcendentals
    // differ in the last bits, and five steps of Adam amplify that a little.
    browser.forEach((l, i) => expect(Math.abs(l - inNode[i]!), `step ${i + 1}`).toBeLessThan(1e-3 * Math.abs(inNode[i]!) + 1e-4 * (i + 1)));
    expect(chromium.session.errors).toEqual([]);
  });
});

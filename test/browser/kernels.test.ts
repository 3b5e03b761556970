/**
 * Kernels inside Chromium: the cases of pages/kernel-cases.ts run in a real page on the browser's WebGPU
 * (SwiftShader here) through the same helper and float64 references as the Node kernel tests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { callHarness, useHarnessBrowser } from './chromium.js';
import { KERNEL_CASES } from './pages/kernel-cases.js';

const chromium = useHarnessBrowser();
let page: Page;

beforeAll(async () => {
  page = await chromium.session.open('/harness/');
  await page.waitForFunction(() => 'langsegHarness' in globalThis);
});

describe('kernels in Chromium', () => {
  it('get a WebGPU adapter in the page', async () => {
    const { adapter, features } = await callHarness(page, 'adapter');
    console.log(`browser adapter: ${JSON.stringify(adapter)}; features ${features.join(', ')}`);
    expect(adapter.vendor + adapter.architecture + adapter.description).not.toBe('');
  });

  it('match their float64 CPU references', async () => {
    const results = await callHarness(page, 'kernelChecks');
    expect(results.length).toBe(KERNEL_CASES.length);
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => r.message), `${failed.length} of ${results.length} kernel checks failed in the page`).toEqual([]);
    expect(chromium.session.errors).toEqual([]);
  });
});

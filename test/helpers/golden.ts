/**
 * PyTorch golden fixtures (test/fixtures/golden/*.json, written by tools/pytorch/gen_golden.py): named
 * tensors with shape and row-major values, plus optional attrs. CI reads them; it never needs PyTorch.
 */
import { readFileSync } from 'node:fs';
import { host, type HostTensor } from '../../src/kernels/reference.js';

export interface GoldenFixture {
  tensors: Record<string, HostTensor>;
  attrs: Record<string, unknown>;
}

/** Load fixture `name` (without .json). */
export function loadGolden(name: string): GoldenFixture {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  const tensors: Record<string, HostTensor> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'attrs') continue;
    const t = value as { shape: number[]; data: number[] };
    tensors[key] = host(t.shape, t.data);
  }
  return { tensors, attrs: (raw.attrs as Record<string, unknown> | undefined) ?? {} };
}

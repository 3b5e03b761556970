/** Benchmark cases of the norm kernels (filled in by the norm work). */
import type { KernelCase } from '../case.js';

export const normCases: readonly KernelCase[] = [];

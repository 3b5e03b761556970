/** Benchmark cases of the sampling kernels (filled in by the sampling work). */
import type { KernelCase } from '../case.js';

export const samplingCases: readonly KernelCase[] = [];

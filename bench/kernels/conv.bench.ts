/** Benchmark cases of the conv kernels (filled in by the conv work). */
import type { KernelCase } from '../case.js';

export const convCases: readonly KernelCase[] = [];

/** The `vision` suite: convolution, pooling/resize/pyramid/shape ops and normalisation vs TF.js. */
import type { KernelCase } from '../case.js';
import { convCases } from './conv.bench.js';
import { normCases } from './norm.bench.js';
import { samplingCases } from './sampling.bench.js';

export const visionCases: readonly KernelCase[] = [...convCases, ...samplingCases, ...normCases];

/**
 * Every op family's gradient-check cases, merged. Each family file exports its cases and the ops it
 * declares gradient-free; add one import line here for a new family.
 */
import { CONV_CASES, CONV_NO_GRADIENT } from './conv.js';
import { CORE_CASES, CORE_NO_GRADIENT } from './core.js';
import { LANGUAGE_CASES, LANGUAGE_NO_GRADIENT } from './language.js';
import { LOSSES_CASES, LOSSES_NO_GRADIENT } from './losses.js';
import { NORM_CASES, NORM_NO_GRADIENT } from './norm.js';
import { SAMPLING_CASES, SAMPLING_NO_GRADIENT } from './sampling.js';
import type { GradCase } from './types.js';

export type { GradCase };

export const GRAD_CASES: Record<string, GradCase[]> = { ...CORE_CASES, ...NORM_CASES, ...CONV_CASES, ...SAMPLING_CASES, ...LANGUAGE_CASES, ...LOSSES_CASES };

export const NO_GRADIENT = new Set<string>([...CORE_NO_GRADIENT, ...NORM_NO_GRADIENT, ...CONV_NO_GRADIENT, ...SAMPLING_NO_GRADIENT, ...LANGUAGE_NO_GRADIENT, ...LOSSES_NO_GRADIENT]);

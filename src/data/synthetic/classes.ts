/**
 * The classes the synthetic scenes draw: a subset of ADE20K-150, listed in ADE20K order, so a model
 * trained on them predicts ADE20K names and its labels map back to ADE20K ids with one table.
 */
import { DataError } from '../../errors.js';
import { ADE20K_CLASSES } from '../ade20k-classes.js';
import { IGNORE_LABEL } from '../dataset.js';

const NAMES = [
  'wall',
  'building',
  'sky',
  'floor',
  'tree',
  'ceiling',
  'road',
  'windowpane',
  'grass',
  'sidewalk',
  'person',
  'door',
  'table',
  'mountain',
  'chair',
  'car',
] as const;

export type SyntheticClassName = (typeof NAMES)[number];

/** Class names of the synthetic scenes (ADE20K short names, in ADE20K order); label c means SYNTHETIC_CLASSES[c]. */
export const SYNTHETIC_CLASSES: readonly SyntheticClassName[] = Object.freeze([...NAMES]);

/** SYNTHETIC_ADE20K_IDS[c]: the ADE20K class index (into ADE20K_CLASSES) of synthetic class c. */
export const SYNTHETIC_ADE20K_IDS: Uint8Array = Uint8Array.from(NAMES, (name) => {
  const id = ADE20K_CLASSES.indexOf(name);
  if (id < 0) throw new Error(`synthetic class '${name}' is not an ADE20K class name`);
  return id;
});
for (let c = 1; c < SYNTHETIC_ADE20K_IDS.length; c++) {
  if (SYNTHETIC_ADE20K_IDS[c]! <= SYNTHETIC_ADE20K_IDS[c - 1]!) throw new Error('SYNTHETIC_CLASSES must be in ADE20K order');
}

/** Label value of each synthetic class, by name: what the painters write. */
export const LABEL: Readonly<Record<SyntheticClassName, number>> = Object.freeze(
  Object.fromEntries(NAMES.map((name, c) => [name, c])) as Record<SyntheticClassName, number>,
);

/**
 * Synthetic labels (indices into SYNTHETIC_CLASSES, 255 = ignore) -> ADE20K class indices (into
 * ADE20K_CLASSES, 255 kept). Throws DataError on a value that is neither a synthetic class nor 255.
 */
export function toAde20kIds(labels: Uint8Array): Uint8Array {
  const table = new Uint8Array(256).fill(0);
  const valid = new Uint8Array(256);
  SYNTHETIC_ADE20K_IDS.forEach((id, c) => {
    table[c] = id;
    valid[c] = 1;
  });
  table[IGNORE_LABEL] = IGNORE_LABEL;
  valid[IGNORE_LABEL] = 1;
  const out = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) {
    const v = labels[p]!;
    if (!valid[v]) {
      throw new DataError(
        `toAde20kIds: label ${v} at pixel ${p} is not a synthetic class (0..${SYNTHETIC_CLASSES.length - 1}) or ${IGNORE_LABEL}; ` +
          'pass labels produced by syntheticDataset',
      );
    }
    out[p] = table[v]!;
  }
  return out;
}

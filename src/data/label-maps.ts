/**
 * Raw label-map values -> contiguous class ids. Each dataset stores labels its own way (ADE20K: 0 =
 * unlabelled, 1..150; COCO-Stuff: 182 ids with 11 gaps, 255 = unlabelled); a 256-entry lookup table turns
 * any of them into 0..C-1 plus IGNORE_LABEL in one pass and flags values the dataset never uses.
 */
import { DataError } from '../errors.js';
import { COCOSTUFF_IDS } from './cocostuff-classes.js';
import { IGNORE_LABEL } from './dataset.js';

/** Marks a raw value the dataset does not use in a LabelTable. */
const INVALID = -1;

/** How one dataset's raw label values map to class ids. */
export interface LabelTable {
  /** For raw value v (0..255): its class id, IGNORE_LABEL, or -1 when v is not a value of this dataset. */
  readonly lut: Int16Array;
  /** The valid raw values, in words, for error messages. */
  readonly describe: string;
}

/** ADE20K: 0 -> ignore, v in 1..150 -> v - 1, anything above 150 is invalid. */
export const ADE20K_LABEL_TABLE: LabelTable = {
  lut: buildLut((v) => (v === 0 ? IGNORE_LABEL : v <= 150 ? v - 1 : INVALID)),
  describe: 'ADE20K label maps hold 0 (unlabelled) or 1..150',
};

/** COCO-Stuff: the 171 used ids of 0..181 -> 0..170 in id order, 255 -> ignore, the rest invalid. */
export const COCOSTUFF_LABEL_TABLE: LabelTable = {
  lut: buildLut((v) => (v === 255 ? IGNORE_LABEL : COCOSTUFF_IDS.indexOf(v))),
  describe: 'COCO-Stuff label maps hold the 171 used ids of 0..181 or 255 (unlabelled)',
};

function buildLut(map: (raw: number) => number): Int16Array {
  const lut = new Int16Array(256);
  for (let v = 0; v < 256; v++) lut[v] = map(v);
  return lut;
}

/**
 * Maps raw label values to class ids. Throws DataError naming `source`, the first bad value with its
 * pixel, and how many pixels are bad: a label map from another dataset, or a colourised visualisation
 * saved by mistake, must not train silently.
 */
export function remapLabels(raw: Uint8Array, width: number, table: LabelTable, source: string): Uint8Array {
  const out = new Uint8Array(raw.length);
  const lut = table.lut;
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < raw.length; i++) {
    const mapped = lut[raw[i]!]!;
    if (mapped < 0) {
      if (bad++ === 0) firstBad = i;
    } else {
      out[i] = mapped;
    }
  }
  if (bad > 0) {
    const x = firstBad % width;
    const y = Math.floor(firstBad / width);
    throw new DataError(
      `${source}: label value ${raw[firstBad]} at pixel (x=${x}, y=${y}) is out of range (${table.describe}); ` +
        `${bad} of ${raw.length} pixels have such values. Is this label map from another dataset, or a ` +
        'colourised visualisation instead of a class-id map?',
    );
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { ADE20K_CLASSES } from '../../src/data/ade20k-classes.js';
import {
  COCOSTUFF_CLASSES,
  COCOSTUFF_FIRST_STUFF_ID,
  COCOSTUFF_IDS,
  COCOSTUFF_RAW_NAMES,
  COCOSTUFF_UNUSED_IDS,
} from '../../src/data/cocostuff-classes.js';
import { ADE20K_LABEL_TABLE, COCOSTUFF_LABEL_TABLE } from '../../src/data/label-maps.js';

describe('ADE20K class table', () => {
  it('has the 150 objectInfo150 classes, unique, in the official order', () => {
    expect(ADE20K_CLASSES).toHaveLength(150);
    expect(new Set(ADE20K_CLASSES).size).toBe(150);
    const known: [number, string][] = [
      [0, 'wall'], [1, 'building'], [2, 'sky'], [3, 'floor'], [4, 'tree'], [12, 'person'], [15, 'table'],
      [19, 'chair'], [20, 'car'], [39, 'cushion'], [44, 'chest of drawers'], [89, 'television receiver'],
      [136, 'traffic light'], [149, 'flag'],
    ];
    for (const [id, name] of known) expect(ADE20K_CLASSES[id], `class ${id}`).toBe(name);
  });

  it('maps annotation 0 to ignore and v to v - 1', () => {
    expect(ADE20K_LABEL_TABLE.lut[0]).toBe(255);
    expect(ADE20K_LABEL_TABLE.lut[1]).toBe(0);
    expect(ADE20K_LABEL_TABLE.lut[150]).toBe(149);
    expect(ADE20K_LABEL_TABLE.lut[151]).toBe(-1);
    expect(ADE20K_LABEL_TABLE.lut[255]).toBe(-1);
  });
});

describe('COCO-Stuff class table', () => {
  it('has 182 raw names (91 things, 91 stuff) as labels.txt, 171 used', () => {
    expect(COCOSTUFF_RAW_NAMES).toHaveLength(182);
    expect(COCOSTUFF_RAW_NAMES[0]).toBe('person');
    expect(COCOSTUFF_RAW_NAMES[90]).toBe('hair brush');
    expect(COCOSTUFF_RAW_NAMES[COCOSTUFF_FIRST_STUFF_ID]).toBe('banner');
    expect(COCOSTUFF_RAW_NAMES[181]).toBe('wood');
    expect(COCOSTUFF_CLASSES).toHaveLength(171);
    expect(COCOSTUFF_IDS).toHaveLength(171);
    expect(new Set(COCOSTUFF_CLASSES).size).toBe(171);
    expect(COCOSTUFF_IDS.every((id, i) => i === 0 || id > COCOSTUFF_IDS[i - 1]!)).toBe(true);
  });

  it('uses the 80 COCO thing classes and all 91 stuff classes', () => {
    expect(COCOSTUFF_IDS.filter((id) => id < COCOSTUFF_FIRST_STUFF_ID)).toHaveLength(80);
    expect(COCOSTUFF_IDS.filter((id) => id >= COCOSTUFF_FIRST_STUFF_ID)).toHaveLength(91);
    expect(COCOSTUFF_UNUSED_IDS.map((id) => COCOSTUFF_RAW_NAMES[id])).toEqual([
      'street sign', 'hat', 'shoe', 'eye glasses', 'plate', 'mirror', 'window', 'desk', 'door', 'blender', 'hair brush',
    ]);
  });

  it('names known classes', () => {
    expect(COCOSTUFF_CLASSES[0]).toBe('person');
    expect(COCOSTUFF_CLASSES[1]).toBe('bicycle');
    expect(COCOSTUFF_CLASSES[2]).toBe('car');
    expect(COCOSTUFF_CLASSES[79]).toBe('toothbrush');
    expect(COCOSTUFF_CLASSES[80]).toBe('banner'); // the first stuff class
    expect(COCOSTUFF_IDS[80]).toBe(91);
    expect(COCOSTUFF_CLASSES[170]).toBe('wood');
    // The example in ../shared/data/SOURCES.md: raw 23 zebra, 123 grass, 61 chair, 66 dining table.
    for (const [raw, name] of [[23, 'zebra'], [123, 'grass'], [61, 'chair'], [66, 'dining table'], [71, 'tv']] as const) {
      expect(COCOSTUFF_CLASSES[COCOSTUFF_LABEL_TABLE.lut[raw]!]).toBe(name);
    }
  });

  it('maps used ids to 0..170, 255 to ignore and unused ids to invalid', () => {
    const lut = COCOSTUFF_LABEL_TABLE.lut;
    COCOSTUFF_IDS.forEach((id, c) => expect(lut[id]).toBe(c));
    for (const id of COCOSTUFF_UNUSED_IDS) expect(lut[id]).toBe(-1);
    expect(lut[182]).toBe(-1);
    expect(lut[254]).toBe(-1);
    expect(lut[255]).toBe(255);
  });
});

/** The built-in descriptor sets: complete, well formed, matching the dataset class tables and the schema. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADE20K_CLASSES } from '../../src/data/ade20k-classes.js';
import { COCOSTUFF_CLASSES } from '../../src/data/cocostuff-classes.js';
import { DescriptorError } from '../../src/errors.js';
import { BUILTIN_DESCRIPTOR_SETS, builtinDescriptors, flattenDescriptors, serializeDescriptorFile, type BuiltinDescriptorSetName } from '../../src/descriptors/index.js';
import { schemaErrors } from './json-schema-subset.js';

const TABLES: Record<BuiltinDescriptorSetName, readonly string[]> = { ade20k: ADE20K_CLASSES, cocostuff: COCOSTUFF_CLASSES };
const COUNTS: Record<BuiltinDescriptorSetName, number> = { ade20k: 150, cocostuff: 171 };
const SCHEMA = JSON.parse(readFileSync('docs/descriptors.schema.json', 'utf8')) as Record<string, unknown>;

describe.each(BUILTIN_DESCRIPTOR_SETS)('built-in set %s', (name) => {
  const set = builtinDescriptors(name);

  it('has every class of the dataset, named and ordered as its class table', () => {
    expect(set.classes).toHaveLength(COUNTS[name]);
    expect(set.classes).toEqual([...TABLES[name]]);
    expect(set.dataset).toBe(name);
    expect(set.source).toBe('built-in');
  });

  it('gives every class 3 to 8 distinct descriptors of readable length', () => {
    set.descriptors.forEach((list, c) => {
      expect(list.length, set.classes[c]).toBeGreaterThanOrEqual(3);
      expect(list.length, set.classes[c]).toBeLessThanOrEqual(8);
      for (const text of list) {
        expect(text, set.classes[c]).toMatch(/^[a-z0-9][a-z0-9 ,'-]*[a-z0-9]$/i); // plain phrases: no trailing period, no odd characters
        expect(text.length, set.classes[c]).toBeLessThanOrEqual(80);
      }
    });
    const { texts } = flattenDescriptors(set);
    console.log(`${name}: ${set.classes.length} classes, ${texts.length} descriptors, ${(texts.length / set.classes.length).toFixed(2)} per class`);
  });

  it('never gives two classes the same descriptor (the model could not tell them apart by it)', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    set.descriptors.forEach((list, c) => {
      for (const text of list) {
        const key = text.toLowerCase();
        const other = owner.get(key);
        if (other !== undefined) clashes.push(`${JSON.stringify(text)} in ${other} and ${set.classes[c]}`);
        owner.set(key, set.classes[c]!);
      }
    });
    expect(clashes).toEqual([]);
  });

  it('is valid under docs/descriptors.schema.json and stored in canonical form', () => {
    const file = `src/descriptors/builtin/${name}.json`;
    const text = readFileSync(file, 'utf8');
    expect(schemaErrors(SCHEMA, JSON.parse(text))).toEqual([]);
    expect(text).toBe(serializeDescriptorFile(set, { dataset: set.dataset, source: set.source }));
  });

  it('hands out a fresh copy each call', () => {
    const first = builtinDescriptors(name);
    first.descriptors[0]!.push('an edited look');
    first.classes[0] = 'edited';
    expect(builtinDescriptors(name)).toEqual(set);
  });
});

describe('built-in sets', () => {
  it('refuses an unknown name with the known ones', () => {
    expect(() => builtinDescriptors('pascal' as BuiltinDescriptorSetName)).toThrow(DescriptorError);
    expect(() => builtinDescriptors('pascal' as BuiltinDescriptorSetName)).toThrow(/no built-in set named "pascal"; the built-in sets are ade20k, cocostuff/);
  });

});

describe('the schema', () => {
  it('agrees with the parser on the limits and rejects what the parser rejects', () => {
    const valid = { format: 'langseg-descriptors', version: 1, classes: [{ name: 'sky', descriptors: ['ab', 'c'.repeat(200)] }] };
    expect(schemaErrors(SCHEMA, valid)).toEqual([]);
    const bad: unknown[] = [
      { ...valid, version: 2 },
      { ...valid, extra: 1 },
      { ...valid, classes: [] },
      { ...valid, classes: [{ name: 'bed ', descriptors: ['a bed'] }] },
      { ...valid, classes: [{ name: 'sky', descriptors: [] }] },
      { ...valid, classes: [{ name: 'sky', descriptors: Array.from({ length: 17 }, (_, i) => `d${i}`) }] },
      { ...valid, classes: [{ name: 'sky', descriptors: [' x '] }] },
      { ...valid, classes: [{ name: 'sky', descriptors: ['c'.repeat(201)] }] },
      { ...valid, classes: [{ name: 'sky', descriptors: ['a sky'], id: 3 }] },
      { ...valid, dataset: ' ' },
    ];
    for (const value of bad) expect(schemaErrors(SCHEMA, value), JSON.stringify(value).slice(0, 80)).not.toEqual([]);
  });
});

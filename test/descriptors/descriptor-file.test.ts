/** The descriptor file format: parsing, every rejection (with its JSON path), serialising, subsets. */
import { describe, expect, it } from 'vitest';
import { DescriptorError, LangsegError } from '../../src/errors.js';
import { flattenDescriptors, parseDescriptorFile, serializeDescriptorFile, subsetDescriptors } from '../../src/descriptors/index.js';

const VALID = {
  format: 'langseg-descriptors',
  version: 1,
  dataset: 'ade20k',
  source: 'hand-written',
  classes: [
    { name: 'wall', descriptors: ['a painted interior wall', 'an exposed red brick wall'] },
    { name: 'person', descriptors: ['a standing adult in everyday clothes', 'a seated person at a table', 'a child'] },
    { name: 'chest of drawers', descriptors: ['a wooden dresser'] },
  ],
};

/** VALID with `edit` applied to a deep copy. */
function variant(edit: (file: { [key: string]: unknown; classes: Array<Record<string, unknown>> }) => void): unknown {
  const copy = structuredClone(VALID) as unknown as { [key: string]: unknown; classes: Array<Record<string, unknown>> };
  edit(copy);
  return copy;
}

function rejection(input: unknown): string {
  try {
    parseDescriptorFile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(DescriptorError);
    expect(e).toBeInstanceOf(LangsegError);
    return (e as Error).message;
  }
  throw new Error('expected the file to be rejected');
}

describe('parseDescriptorFile', () => {
  it('reads a valid file, from an object or its text', () => {
    const fromObject = parseDescriptorFile(VALID);
    expect(fromObject.classes).toEqual(['wall', 'person', 'chest of drawers']);
    expect(fromObject.descriptors[1]).toEqual(['a standing adult in everyday clothes', 'a seated person at a table', 'a child']);
    expect(fromObject.dataset).toBe('ade20k');
    expect(fromObject.source).toBe('hand-written');
    expect(parseDescriptorFile(JSON.stringify(VALID))).toEqual(fromObject);
    expect(flattenDescriptors(fromObject).groups).toEqual([0, 2, 5, 6]);
  });

  it('leaves dataset and source out when the file has none, and trims descriptors', () => {
    const file = parseDescriptorFile(variant((f) => {
      delete f.dataset;
      delete f.source;
      f.classes[0]!.descriptors = ['  a painted wall \n', 'brick'];
    }));
    expect('dataset' in file).toBe(false);
    expect('source' in file).toBe(false);
    expect(file.descriptors[0]).toEqual(['a painted wall', 'brick']);
  });

  it('accepts 1 and 16 descriptors and lengths 2 and 200', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => `look number ${i}`);
    expect(parseDescriptorFile(variant((f) => (f.classes[0]!.descriptors = sixteen))).descriptors[0]).toHaveLength(16);
    const edges = ['ab', 'x'.repeat(200)];
    expect(parseDescriptorFile(variant((f) => (f.classes[0]!.descriptors = edges))).descriptors[0]).toEqual(edges);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['text that is not JSON', '{"format": ', /is not valid JSON/],
    ['an array', [], /must be a JSON object, got an array of 0/],
    ['another format', variant((f) => (f.format = 'langseg-tokenizer')), /format must be "langseg-descriptors", got "langseg-tokenizer"/],
    ['a newer version', variant((f) => (f.version = 2)), /version 2 is not supported: this langseg reads version 1; update langseg/],
    ['no version', variant((f) => delete f.version), /version undefined is not supported/],
    ['an unknown top-level field', variant((f) => (f.comment = 'hi')), /has unknown field\(s\) "comment"; allowed: format, version, dataset, source, classes/],
    ['a blank dataset', variant((f) => (f.dataset = ' ')), /dataset must be a non-empty string/],
    ['a numeric source', variant((f) => (f.source = 3)), /source must be a non-empty string .*got 3/],
    ['classes not an array', variant((f) => (f.classes = {} as never)), /classes must be an array .*got an object/],
    ['no classes', variant((f) => (f.classes = [])), /classes is empty/],
    ['a class that is a string', variant((f) => (f.classes[1] = 'person' as never)), /classes\[1\] must be an object/],
    ['an unknown class field', variant((f) => (f.classes[2]!.id = 5)), /classes\[2\] has unknown field\(s\) "id"/],
    ['a missing name', variant((f) => delete f.classes[1]!.name), /classes\[1\]\.name must be a string, got undefined/],
    ['an empty name', variant((f) => (f.classes[1]!.name = '')), /classes\[1\]\.name is empty/],
    ['a name with a trailing blank', variant((f) => (f.classes[0]!.name = 'bed ')), /classes\[0\]\.name "bed " has leading or trailing blanks/],
    ['a name too long', variant((f) => (f.classes[0]!.name = 'n'.repeat(101))), /classes\[0\]\.name is 101 characters long; class names may have at most 100/],
    ['a repeated name', variant((f) => (f.classes[2]!.name = 'wall')), /classes\[2\]\.name "wall" repeats classes\[0\]\.name; class names must be unique/],
    ['descriptors missing', variant((f) => delete f.classes[1]!.descriptors), /classes\[1\]\.descriptors must be an array of strings, got undefined/],
    ['no descriptors', variant((f) => (f.classes[1]!.descriptors = [])), /classes\[1\]\.descriptors has 0 descriptors; a class needs 1 to 16/],
    ['17 descriptors', variant((f) => (f.classes[1]!.descriptors = Array.from({ length: 17 }, (_, i) => `d${i}`))), /classes\[1\]\.descriptors has 17 descriptors/],
    ['a descriptor that is a number', variant((f) => (f.classes[1]!.descriptors = ['a child', 7])), /classes\[1\]\.descriptors\[1\] must be a string, got 7/],
    ['a one-letter descriptor', variant((f) => (f.classes[1]!.descriptors = ['a child', ' x '])), /classes\[1\]\.descriptors\[1\] " x " is 1 character long \(trimmed\); a descriptor needs 2 to 200/],
    ['a blank descriptor', variant((f) => (f.classes[0]!.descriptors = ['   '])), /classes\[0\]\.descriptors\[0\] .* is 0 characters long/],
    ['a descriptor too long', variant((f) => (f.classes[0]!.descriptors = ['y'.repeat(201)])), /classes\[0\]\.descriptors\[0\] .* is 201 characters long/],
    ['a repeated descriptor', variant((f) => (f.classes[1]!.descriptors = ['a child', 'a seated person', 'A Child '])), /classes\[1\]\.descriptors\[2\] "A Child" repeats classes\[1\]\.descriptors\[0\]; remove the duplicate/],
  ];
  it.each(cases)('rejects %s, naming where and what', (_what, input, message) => {
    expect(rejection(input)).toMatch(message);
  });

  it('starts every message with "descriptor file:"', () => {
    for (const [, input] of cases) expect(rejection(input)).toMatch(/^descriptor file: /);
  });
});

describe('serializeDescriptorFile', () => {
  it('writes what parseDescriptorFile reads back, one class per line', () => {
    const set = parseDescriptorFile(VALID);
    const text = serializeDescriptorFile(set, { dataset: set.dataset, source: set.source });
    expect(parseDescriptorFile(text)).toEqual(set);
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.split('\n');
    expect(lines.filter((l) => l.includes('"name"'))).toHaveLength(3);
    expect(lines).toContain('    {"name":"wall","descriptors":["a painted interior wall","an exposed red brick wall"]},');
    expect(JSON.parse(text)).toEqual(VALID);
  });

  it('omits metadata it is not given', () => {
    const text = serializeDescriptorFile({ classes: ['sky'], descriptors: [['a clear blue sky']] });
    expect(JSON.parse(text)).toEqual({ format: 'langseg-descriptors', version: 1, classes: [{ name: 'sky', descriptors: ['a clear blue sky'] }] });
  });

  it('refuses a set it could not read back', () => {
    expect(() => serializeDescriptorFile({ classes: ['sky', 'sea'], descriptors: [['a blue sky']] })).toThrow(/2 classes and 1 descriptor lists/);
    expect(() => serializeDescriptorFile({ classes: ['sky'], descriptors: [['a blue sky', 'a blue sky']] })).toThrow(DescriptorError);
    expect(() => serializeDescriptorFile({ classes: ['sky'], descriptors: [['ok sky']] }, { source: '' })).toThrow(/source must be a non-empty string/);
  });
});

describe('subsetDescriptors', () => {
  const set = parseDescriptorFile(VALID);

  it('picks classes in the order asked, keeping metadata and copying lists', () => {
    const sub = subsetDescriptors(set, ['person', 'wall']);
    expect(sub.classes).toEqual(['person', 'wall']);
    expect(sub.descriptors).toEqual([set.descriptors[1], set.descriptors[0]]);
    expect(sub.dataset).toBe('ade20k');
    sub.descriptors[0]!.push('an extra look');
    expect(set.descriptors[1]).toHaveLength(3);
  });

  it('names every unknown class', () => {
    expect(() => subsetDescriptors(set, ['wall', 'Person', 'tree'])).toThrow(/no classes named "Person", "tree" among its 3 classes; .*case-sensitive/);
    expect(() => subsetDescriptors(set, ['sky'])).toThrow(DescriptorError);
  });

  it('refuses a class asked for twice, and an empty list', () => {
    expect(() => subsetDescriptors(set, ['wall', 'wall'])).toThrow(/"wall" is asked for twice/);
    expect(() => subsetDescriptors(set, [])).toThrow(/no classes asked for/);
  });
});

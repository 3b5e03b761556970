/** The demo page's logic that needs no browser: its class-list text, class areas, ground truth by name, and the adapter check. */
import { describe, expect, it } from 'vitest';
import { DescriptorError } from '../../src/errors.js';
import { unmetRequirements, REQUIRED_LIMITS } from '../../src/device/requirements.js';
import { classAreas, pixelAccuracy, truthAsClassIds } from '../../web/src/areas.js';
import { modelInput, syntheticPicture } from '../../web/src/picture.js';
import { formatVocabulary, parseVocabulary } from '../../web/src/vocabulary.js';

describe('the page vocabulary', () => {
  it('reads one class per line, descriptors after the colon, a bare name as its own descriptor', () => {
    const set = parseVocabulary('  sky: clear blue sky ; cloudy sky\n\n# a comment\nroad\nperson: a walking person;  ');
    expect(set).toEqual({ classes: ['sky', 'road', 'person'], descriptors: [['clear blue sky', 'cloudy sky'], ['road'], ['a walking person']] });
    expect(parseVocabulary(formatVocabulary(set))).toEqual(set);
  });

  it('names the line of a problem, counting blank lines', () => {
    const attempt = (text: string) => {
      try {
        parseVocabulary(text);
      } catch (e) {
        expect(e).toBeInstanceOf(DescriptorError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(attempt('sky: blue sky\n\nroad: x')).toMatch(/^line 3, descriptor 1 "x" is 1 character long/);
    expect(attempt('sky\nroad\nsky: again')).toMatch(/line 3.*repeats line 1/);
    expect(attempt('\n  \n')).toMatch(/at least one class/);
    expect(attempt(Array.from({ length: 256 }, (_, i) => `c${i}`).join('\n'))).toMatch(/at most 255/);
  });
});

describe('what the page reports', () => {
  it('class areas, largest first', () => {
    expect(classAreas([2, 2, 0, 2], ['a', 'b', 'c'])).toEqual([
      { id: 2, name: 'c', pixels: 3, fraction: 0.75 },
      { id: 0, name: 'a', pixels: 1, fraction: 0.25 },
    ]);
  });

  it('ground truth renumbered into the shown classes by name, and accuracy over the classes shown', () => {
    const truth = truthAsClassIds(Uint8Array.of(0, 1, 2, 255), ['sky', 'road', 'tree'], ['tree', 'sky']);
    expect(Array.from(truth)).toEqual([1, 255, 0, 255]);
    expect(pixelAccuracy([1, 0, 1, 0], truth)).toBe(0.5);
    expect(pixelAccuracy([0], Uint8Array.of(255))).toBeNull();
  });

  it('synthetic pictures at the model size go in unchanged; other sizes are resized', () => {
    const picture = syntheticPicture(3, [64, 64]);
    expect(picture.truth!.labels).toHaveLength(64 * 64);
    expect(modelInput(picture, [64, 64])).toBe(picture.image);
    expect(modelInput(picture, [32, 32])).toHaveLength(3 * 32 * 32);
  });
});

describe('the adapter check', () => {
  it('passes WebGPU default limits and names each limit that falls short', () => {
    const defaults = Object.fromEntries(REQUIRED_LIMITS.map((r) => [r.limit, r.min]));
    expect(unmetRequirements(defaults)).toEqual([]);
    const weak = { ...defaults, maxComputeInvocationsPerWorkgroup: 128, maxStorageBuffersPerShaderStage: 4 };
    const unmet = unmetRequirements(weak);
    expect(unmet).toHaveLength(2);
    expect(unmet[0]).toMatch(/maxComputeInvocationsPerWorkgroup is 128, langseg needs at least 256/);
    expect(unmet[1]).toMatch(/maxStorageBuffersPerShaderStage is 4.*AdamW/);
  });
});

import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { decodeSafetensors } from '../../src/io/index.js';
import { rng } from '../helpers/random.js';
import { assemble, entry, u64le } from './assemble-safetensors.js';
import { expectCheckpointError } from './expect-checkpoint-error.js';

/** A file of the given header entries (joined into an object) and `dataLength` zero bytes. */
function file(entries: string[], dataLength: number, options?: Parameters<typeof assemble>[2]): Uint8Array {
  return assemble(`{${entries.join(',')}}`, new Uint8Array(dataLength), options);
}

const A = entry('a', 'F32', [2], 0, 8);
const B = entry('b', 'I32', [1], 8, 12);

describe('decodeSafetensors refuses malformed files with a CheckpointError that says why', () => {
  it('accepts the valid base file the cases below break', () => {
    expect(Object.keys(decodeSafetensors(file([A, B], 12)).tensors)).toEqual(['a', 'b']);
  });

  it('a file shorter than the 8-byte length prefix', () => {
    for (let n = 0; n < 8; n++) expectCheckpointError(() => decodeSafetensors(new Uint8Array(n)), new RegExp(`${n} bytes long, shorter than the 8-byte`));
  });

  it('a header length past the end of the file, or absurdly large', () => {
    expectCheckpointError(() => decodeSafetensors(file([A, B], 12, { declaredLength: 10_000 })), /header length 10000 runs past the end of the \d+-byte file/);
    expectCheckpointError(() => decodeSafetensors(file([A, B], 12, { declaredLength: 100_000_001 })), /header length 100000001 is over the 100000000-byte limit/);
    expectCheckpointError(() => decodeSafetensors(file([A, B], 12, { declaredLength: 2n ** 64n - 1n })), /header length 18446744073709551615 is over/);
    expectCheckpointError(() => decodeSafetensors(new Uint8Array(u64le(0))), /not valid JSON/);
  });

  it('a header that is not UTF-8 JSON of an object', () => {
    const badUtf8 = new Uint8Array([...u64le(8), 0x7b, 0xff, 0x7d, 32, 32, 32, 32, 32]);
    expectCheckpointError(() => decodeSafetensors(badUtf8), /header is not valid UTF-8/);
    const bom = new Uint8Array([...u64le(8), 0xef, 0xbb, 0xbf, 0x7b, 0x7d, 32, 32, 32]);
    expectCheckpointError(() => decodeSafetensors(bom), /not valid JSON/);
    expectCheckpointError(() => decodeSafetensors(assemble('{"a":')), /header is not valid JSON/);
    for (const text of ['[]', 'null', '"text"', '42', 'true']) {
      expectCheckpointError(() => decodeSafetensors(assemble(text)), /not a JSON object of tensors/);
    }
  });

  it('an entry that is not an object', () => {
    expectCheckpointError(() => decodeSafetensors(assemble('{"a":[1,2]}')), /tensor "a": its entry is \[1, 2\], not an object/);
  });

  it('an unknown or missing dtype', () => {
    expectCheckpointError(() => decodeSafetensors(file([entry('q', 'F8_E4M3', [2], 0, 2)], 2)), /tensor "q" has dtype "F8_E4M3", which langseg does not read/, /F32, F16/, /convert/);
    expectCheckpointError(() => decodeSafetensors(assemble('{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4))), /tensor "a": dtype is 4, not a string/);
    expectCheckpointError(() => decodeSafetensors(assemble('{"a":{"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4))), /tensor "a": dtype is undefined/);
  });

  it('a shape that is not an array of non-negative integers', () => {
    for (const shape of ['[-1]', '[1.5]', '["2"]', '2', 'null', '[[2]]', '[9007199254740993]']) {
      const text = `{"a":{"dtype":"F32","shape":${shape},"data_offsets":[0,8]}}`;
      expectCheckpointError(() => decodeSafetensors(assemble(text, new Uint8Array(8))), /tensor "a": shape .* is not an array of non-negative integers/);
    }
  });

  it('data_offsets that are not [begin, end] with begin <= end inside the data buffer', () => {
    for (const offsets of ['[0]', '[0,4,8]', '[-1,3]', '["0","8"]', '{}', '[0.5,8]']) {
      const text = `{"a":{"dtype":"F32","shape":[2],"data_offsets":${offsets}}}`;
      expectCheckpointError(() => decodeSafetensors(assemble(text, new Uint8Array(8))), /tensor "a": data_offsets .* is not \[begin, end\]/);
    }
    expectCheckpointError(() => decodeSafetensors(file([entry('a', 'F32', [2], 8, 0)], 8)), /tensor "a": data_offsets \[8, 0\] end before they begin/);
    expectCheckpointError(() => decodeSafetensors(file([entry('a', 'F32', [2], 0, 8)], 6)), /tensor "a": data_offsets \[0, 8\] run past the end of the 6-byte data buffer/);
  });

  it('a byte length that is not product(shape) * dtype size', () => {
    expectCheckpointError(() => decodeSafetensors(file([entry('a', 'F32', [3], 0, 8)], 8)), /tensor "a": data_offsets \[0, 8\] hold 8 bytes but shape \[3\] of F32 needs 12 bytes/);
    expectCheckpointError(() => decodeSafetensors(file([entry('h', 'F16', [2, 2], 0, 4)], 4)), /tensor "h": .* shape \[2, 2\] of F16 needs 8 bytes/);
    const huge = entry('a', 'F32', [2 ** 40, 2 ** 40], 0, 8);
    expectCheckpointError(() => decodeSafetensors(file([huge], 8)), /tensor "a": .* needs more bytes than any file holds/);
  });

  it('overlapping tensors', () => {
    const overlapping = file([A, entry('b', 'I32', [2], 4, 12)], 12);
    expectCheckpointError(() => decodeSafetensors(overlapping), /tensor "b": data_offsets \[4, 12\] start inside tensor "a" \[0, 8\]/);
    const twice = file([A, entry('b', 'F32', [2], 0, 8)], 8);
    expectCheckpointError(() => decodeSafetensors(twice), /tensor "b": .* start inside tensor "a"/);
    const zeroSizeInside = file([A, entry('z', 'F32', [0], 4, 4)], 8);
    expectCheckpointError(() => decodeSafetensors(zeroSizeInside), /tensor "z": .* start inside tensor "a"/);
  });

  it('holes: data bytes that belong to no tensor', () => {
    expectCheckpointError(() => decodeSafetensors(file([A, entry('b', 'I32', [1], 12, 16)], 16)), /tensor "b": bytes 8 to 12 of the data buffer, just before it, belong to no tensor/);
    expectCheckpointError(() => decodeSafetensors(file([entry('a', 'F32', [2], 4, 12)], 12)), /tensor "a": bytes 0 to 4/);
    expectCheckpointError(() => decodeSafetensors(file([A, B], 16)), /the last 4 bytes of the 16-byte data buffer belong to no tensor/);
    expectCheckpointError(() => decodeSafetensors(file([], 3)), /the last 3 bytes/);
  });

  it('metadata that is not an object of strings', () => {
    expectCheckpointError(() => decodeSafetensors(file([A, B, '"__metadata__":["x"]'], 12)), /__metadata__ is \["x"\], not an object of strings/);
    expectCheckpointError(() => decodeSafetensors(file([A, B, '"__metadata__":{"k":1}'], 12)), /__metadata__ "k" is 1, not a string/);
    expectCheckpointError(() => decodeSafetensors(file([A, B, '"__metadata__":{"k":{"x":"y"}}'], 12)), /__metadata__ "k" is \{…\}, not a string/);
    expect(decodeSafetensors(file([A, B, '"__metadata__":null'], 12)).metadata).toEqual({});
  });

  it('every message says what to do', () => {
    const error = expectCheckpointError(() => decodeSafetensors(new Uint8Array(3)));
    expect(error.message).toMatch(/use an intact copy or an earlier checkpoint/);
  });

  it('takes tensor names like __proto__ literally, without touching any prototype', () => {
    const { tensors } = decodeSafetensors(file([entry('__proto__', 'F32', [2], 0, 8), entry('constructor', 'I32', [1], 8, 12)], 12));
    expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(tensors['constructor']!.dtype).toBe('I32');
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });

  it('cuts hostile tensor names short in messages', () => {
    const name = 'x'.repeat(10_000);
    const error = expectCheckpointError(() => decodeSafetensors(file([entry(name, 'F32', [3], 0, 8)], 8)));
    expect(error.message.length).toBeLessThan(400);
  });
});

/** Decodes `bytes`, returning 'ok', 'refused' (CheckpointError), or the unexpected error. */
function outcome(bytes: Uint8Array): 'ok' | 'refused' | unknown {
  try {
    decodeSafetensors(bytes);
    return 'ok';
  } catch (e) {
    return e instanceof CheckpointError ? 'refused' : e;
  }
}

// Byte mutations of valid files are fuzzed with the other parsers in test/reliability/fuzz.test.ts.
describe('random safetensors headers (seeded, deterministic)', () => {
  it('1000 random headers built from valid and invalid pieces: decode or CheckpointError', () => {
    const next = rng(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const values = [0, 1, 2, 3, 4, 8, 12, -1, 1.5, '2', null, true, [], {}, 2 ** 53, 1e308, -0];
    const dtypes = ['F32', 'F16', 'BF16', 'I32', 'U32', 'I64', 'U8', 'F64', 'bool', '', 3, null];
    const unexpected: unknown[] = [];
    for (let i = 0; i < 1000; i++) {
      const header: Record<string, unknown> = {};
      const nTensors = Math.floor(next() * 4);
      for (let t = 0; t < nTensors; t++) {
        const info: Record<string, unknown> = {};
        if (next() < 0.95) info.dtype = pick(dtypes);
        if (next() < 0.95) info.shape = next() < 0.9 ? Array.from({ length: Math.floor(next() * 3) }, () => pick(values)) : pick(values);
        if (next() < 0.95) info.data_offsets = next() < 0.9 ? [pick(values), pick(values)] : pick(values);
        header[pick(['a', 'b', 'c', '__proto__', '__metadata__', ''])] = next() < 0.95 ? info : pick(values);
      }
      if (next() < 0.3) header.__metadata__ = next() < 0.7 ? { k: pick(['v', ...values]) } : pick(values);
      const r = outcome(assemble(JSON.stringify(header), new Uint8Array(Math.floor(next() * 24))));
      if (r !== 'ok' && r !== 'refused') unexpected.push(r);
    }
    expect(unexpected).toEqual([]);
  });
});

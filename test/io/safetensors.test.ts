import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, floatToHalf, halfToFloat, readSafetensorsHeader } from '../../src/io/index.js';
import type { TensorToWrite } from '../../src/io/index.js';
import { assemble, entry, f32le, u64le } from './assemble-safetensors.js';

const FIXTURES = new URL('../fixtures/safetensors/', import.meta.url);

const tensors: Record<string, TensorToWrite> = {
  'encoder.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, -0.25, 1e-7]) },
  'encoder.bias': { dtype: 'F32', shape: [3], data: new Float32Array([0.5, 0.25, -1]) },
  'token.ids': { dtype: 'I32', shape: [4], data: new Int32Array([-2147483648, -1, 0, 2147483647]) },
  'vocab.counts': { dtype: 'U32', shape: [2, 2], data: new Uint32Array([0, 1, 65536, 4294967295]) },
  temperature: { dtype: 'F32', shape: [], data: new Float32Array([0.07]) },
  'empty.rows': { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
  'empty.ids': { dtype: 'I32', shape: [0], data: new Int32Array(0) },
};

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips F32, I32 and U32 tensors, a scalar, zero-size tensors and metadata', () => {
    const metadata = { note: 'round trip', 'ünïcode ✓': 'ß', empty: '' };
    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(decoded.metadata).toEqual(metadata);
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const d = decoded.tensors[name]!;
      expect(d.dtype, name).toBe(t.dtype);
      expect(d.shape, name).toEqual(t.shape);
      expect(d.data.constructor, name).toBe(t.data.constructor);
      expect(Array.from(d.data as ArrayLike<number>), name).toEqual(Array.from(t.data));
    }
  });

  it('lays files out as the reference writer does: padded header, wide dtypes first, then by name', () => {
    const bytes = encodeSafetensors(tensors, { a: 'b' });
    const header = readSafetensorsHeader(bytes);
    expect(header.headerLength % 8).toBe(0);
    expect(bytes[header.dataStart - 1]).toBe(0x20); // this header needs padding, and it is spaces
    expect(header.tensors.map((t) => t.name)).toEqual([
      'empty.rows', 'encoder.bias', 'encoder.weight', 'temperature', // F32
      'vocab.counts', // U32
      'empty.ids', 'token.ids', // I32
    ]);
    let cursor = 0;
    for (const t of header.tensors) {
      expect(t.begin).toBe(cursor);
      cursor = t.end;
    }
    expect(cursor).toBe(header.dataLength);
    const text = new TextDecoder().decode(bytes.subarray(8, header.dataStart));
    expect(text.startsWith('{"__metadata__":{"a":"b"},"empty.rows":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}')).toBe(true);
  });

  it('is deterministic whatever the insertion order of the tensors', () => {
    const reversed = Object.fromEntries(Object.entries(tensors).reverse());
    expect(encodeSafetensors(reversed, { y: '1', x: '2' })).toEqual(encodeSafetensors(tensors, { x: '2', y: '1' }));
  });

  it('writes the bytes of the reference implementation\'s own serialization tests', () => {
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64); // so no padding
    const one = encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect(Array.from(one)).toEqual([...u64le(64), ...new TextEncoder().encode(json), ...f32le(0, 1, 2, 3, 4, 5)]);

    const padded = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    const two = encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect(Array.from(two)).toEqual([...u64le(72), ...new TextEncoder().encode(padded.padEnd(72)), ...f32le(0, 1, 2, 3, 4, 5)]);

    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
    const meta = '{"__metadata__":{"framework":"pt"}}';
    expect(Array.from(encodeSafetensors({}, { framework: 'pt' }))).toEqual([...u64le(40), ...new TextEncoder().encode(meta.padEnd(40))]);
  });

  it('decodes bytes at any offset of any buffer (unaligned views)', () => {
    const bytes = encodeSafetensors(tensors);
    const host = new Uint8Array(bytes.length + 5);
    host.set(bytes, 3);
    const decoded = decodeSafetensors(host.subarray(3, 3 + bytes.length));
    expect(Array.from(decoded.tensors['encoder.weight']!.data as Float32Array)).toEqual(Array.from(tensors['encoder.weight']!.data));
  });

  it('copies data out of the file, so the result does not alias it', () => {
    const bytes = encodeSafetensors(tensors);
    const decoded = decodeSafetensors(bytes);
    bytes.fill(0, readSafetensorsHeader(bytes).dataStart);
    expect(decoded.tensors['token.ids']!.data[3]).toBe(2147483647);
  });

  it('refuses to write what it could not read back', async () => {
    const { expectCheckpointError } = await import('./expect-checkpoint-error.js');
    const f32 = new Float32Array(6);
    expectCheckpointError(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: f32 } }), /"w"/, /4 elements but the data has 6/);
    expectCheckpointError(() => encodeSafetensors({ w: { dtype: 'I32', shape: [6], data: f32 } }), /"w"/, /Int32Array/);
    expectCheckpointError(() => encodeSafetensors({ w: { dtype: 'F32', shape: [-6], data: f32 } }), /non-negative integers/);
    expectCheckpointError(() => encodeSafetensors({ w: { dtype: 'F64' as 'F32', shape: [6], data: f32 } }), /F64/, /F32, F16, I32 or U32/);
    expectCheckpointError(() => encodeSafetensors({ __metadata__: { dtype: 'F32', shape: [6], data: f32 } }), /reserved/);
    expectCheckpointError(() => encodeSafetensors({}, { n: 3 as unknown as string }), /"n"/, /must be strings/);
  });
});

describe('a hand-assembled file, per the format description', () => {
  // Header entries out of data order, metadata last, every readable dtype, space padding.
  const header =
    '{' +
    [
      entry('half', 'F16', [2, 3], 8, 20),
      entry('w', 'F32', [2], 0, 8),
      entry('ids', 'I64', [1], 24, 32),
      entry('bf', 'BF16', [1], 20, 22),
      entry('mask', 'U8', [2], 22, 24),
      '"__metadata__":{"source":"built by hand"}',
    ].join(',') +
    '}';
  const data = [
    ...f32le(1, -0.5),
    ...[0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x80], // F16 1, -2, 65504, 2^-24, inf, -0
    ...[0x60, 0xc0], // BF16 -3.5
    ...[7, 250], // U8
    ...[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // I64 -2
  ];
  const bytes = assemble(header, data);

  it('is padded with spaces to a multiple of 8', () => {
    expect(new TextEncoder().encode(header).length % 8).not.toBe(0);
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it('decodes to the values it was built from', () => {
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ source: 'built by hand' });
    expect(tensors.w).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([1, -0.5]) });
    expect(tensors.half!.dtype).toBe('F16');
    expect(tensors.half!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.half!.data as Float32Array)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -0]);
    expect(Object.is(tensors.half!.data[5], -0)).toBe(true);
    expect(tensors.bf).toEqual({ dtype: 'BF16', shape: [1], data: new Float32Array([-3.5]) });
    expect(tensors.mask).toEqual({ dtype: 'U8', shape: [2], data: new Uint8Array([7, 250]) });
    expect(tensors.ids).toEqual({ dtype: 'I64', shape: [1], data: new BigInt64Array([-2n]) });
  });

  it('decodes unpadded headers too (padding is a writer convention, not a rule)', () => {
    const unpadded = assemble('{' + entry('w', 'F32', [1], 0, 4) + '}', f32le(2), { pad: false });
    expect(decodeSafetensors(unpadded).tensors.w!.data).toEqual(new Float32Array([2]));
  });

  it('converts half floats exactly, NaN included', () => {
    expect(halfToFloat(0x3555)).toBe(0.333251953125);
    expect(halfToFloat(0x0400)).toBe(2 ** -14);
    expect(halfToFloat(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('rounds floats to the nearest half, ties to even, and gives every half back exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToFloat(bits);
      if (Number.isNaN(value)) expect(Number.isNaN(halfToFloat(floatToHalf(value)))).toBe(true);
      else if (floatToHalf(value) !== bits) throw new Error(`half 0x${bits.toString(16)} (${value}) came back as 0x${floatToHalf(value).toString(16)}`);
    }
    // Halfway between 1 and the next half (1 + 2^-10) goes to the even one, a hair above it rounds up.
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(floatToHalf(65519)).toBe(0x7bff); // the largest half is 65504
    expect(floatToHalf(65520)).toBe(0x7c00); // halfway to 65536 rounds to even: infinity
    expect(floatToHalf(-1e9)).toBe(0xfc00);
    expect(floatToHalf(2 ** -25)).toBe(0); // halfway to the smallest subnormal: even, so zero
    expect(floatToHalf(2 ** -25 * 1.5)).toBe(1);
    expect(floatToHalf(-1e-30)).toBe(0x8000);
    expect(floatToHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // the largest subnormal rounds up into the normals
  });

  it('writes F16 tensors from float32 data, rounded, and reads them back widened', () => {
    const data = new Float32Array([1, -2.5, 0.1, 65504, 1e-8, 3.14159]);
    const bytes = encodeSafetensors({ h: { dtype: 'F16', shape: [2, 3], data }, w: { dtype: 'F32', shape: [1], data: new Float32Array([7]) } });
    const { tensors: t } = decodeSafetensors(bytes);
    expect(t.h!.dtype).toBe('F16');
    const entryH = readSafetensorsHeader(bytes).tensors.find((e) => e.name === 'h')!;
    expect(entryH.end - entryH.begin).toBe(12); // 2 bytes a value
    expect(Array.from(t.h!.data as Float32Array)).toEqual(Array.from(data, (v) => halfToFloat(floatToHalf(v))));
    expect(Array.from(t.w!.data as Float32Array)).toEqual([7]);
  });
});

describe('fixtures written by make_reference.py (the reference layout, Python standard library)', () => {
  it('reference.safetensors loads with every readable dtype', () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(new URL('reference.safetensors', FIXTURES)));
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors['embed.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data: new Float32Array([0, 1.5, -2, 3.25, -0.125, 100]) });
    expect(tensors['head.bias']).toEqual({ dtype: 'F16', shape: [3], data: new Float32Array([1, -0.5, 65504]) });
    expect(tensors['head.scale']).toEqual({ dtype: 'BF16', shape: [2], data: new Float32Array([1, -3.5]) });
    expect(tensors['pos.ids']).toEqual({ dtype: 'I64', shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) });
    expect(tensors.mask).toEqual({ dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 2, 254, 255]) });
    expect(tensors.counts).toEqual({ dtype: 'I32', shape: [2, 2], data: new Int32Array([-3, 0, 7, 2147483647]) });
    expect(tensors.flags).toEqual({ dtype: 'U32', shape: [2], data: new Uint32Array([0, 4294967295]) });
    expect(tensors.empty).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
    expect(tensors.scalar).toEqual({ dtype: 'F32', shape: [], data: new Float32Array([42]) });
  });

  it('reference-writable.safetensors is exactly what encodeSafetensors writes for the same tensors', () => {
    const fixture = readFileSync(new URL('reference-writable.safetensors', FIXTURES));
    const ours = encodeSafetensors(
      {
        'layer.0.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, -1, 0.5, 2]) },
        'layer.0.bias': { dtype: 'F32', shape: [2], data: new Float32Array([0.25, -0.75]) },
        step: { dtype: 'I32', shape: [], data: new Int32Array([-7]) },
        'vocab.ids': { dtype: 'U32', shape: [3], data: new Uint32Array([1, 2, 4000000000]) },
        zero: { dtype: 'I32', shape: [0], data: new Int32Array(0) },
      },
      { format: 'pt' },
    );
    expect(Buffer.from(ours).equals(fixture)).toBe(true);
  });
});

/**
 * Fuzzing every parser of outside input with one helper (test/helpers/fuzz.ts): seeded mutations of
 * valid inputs; each case must be accepted or refused with the parser's typed error, never crash with an
 * untyped one, never hang, never write outside the output folder. Counts scale with LANGSEG_FUZZ_SCALE
 * (`npm run soak`); the figures go to the reliability report.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { encode as encodeRaw } from 'fast-png'; // for the depths and palettes our encodePng does not write
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, decodeLabelMap, encodePng } from '../../src/data/codecs.js';
import { batches } from '../../src/data/loader.js';
import { openAde20k } from '../../src/data/node/ade20k.js';
import { openCocoStuff } from '../../src/data/node/cocostuff.js';
import { builtinDescriptors } from '../../src/descriptors/builtin.js';
import { validateDescriptorSet } from '../../src/descriptors/descriptor-set.js';
import { parseDescriptorFile, serializeDescriptorFile, subsetDescriptors } from '../../src/descriptors/descriptor-file.js';
import { describeClasses } from '../../src/descriptors/llm.js';
import { readAnswer } from '../../src/descriptors/llm-answer.js';
import { writeDescriptorFile } from '../../src/descriptors/node/descriptor-file-io.js';
import { FileDescriptorCache } from '../../src/descriptors/node/file-cache.js';
import { CheckpointError, DataError, DescriptorError } from '../../src/errors.js';
import { parseCheckpoint, serializeCheckpoint } from '../../src/io/checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/index.js';
import { cleanup, cycling, encodeImage, tempDir } from '../data/fixtures.js';
import { completion } from '../descriptors/fake-chat-server.js';
import { byteMutators, fuzz, fuzzCases, jsonTextMutators, textMutators, type FuzzReport, type Mutator } from '../helpers/fuzz.js';
import { recordFigures } from '../helpers/reliability-figures.js';
import { u64le } from '../io/assemble-safetensors.js';

const reports: FuzzReport[] = [];
afterAll(async () => {
  const total = reports.reduce((n, r) => n + r.cases, 0);
  await recordFigures('fuzz', { totalCases: total, scale: Number(process.env.LANGSEG_FUZZ_SCALE ?? '1'), targets: reports });
});

/** Runs the fuzz, keeps its figures, and fails with the first failures when there are any. */
async function expectRobust<T>(target: Parameters<typeof fuzz<T>>[0], cases: number, seed: number): Promise<FuzzReport> {
  const report = await fuzz(target, { cases: fuzzCases(cases), seed });
  reports.push(report);
  expect(report.failures, JSON.stringify(report.failures.slice(0, 3), null, 2)).toEqual([]);
  // Both outcomes must occur, or the mutations are not reaching the validation.
  expect(report.refused, 'no input was refused').toBeGreaterThan(0);
  expect(report.accepted, 'no input was accepted').toBeGreaterThan(0);
  return report;
}

const hex = (b: Uint8Array) => `${b.length} bytes: ${Buffer.from(b.subarray(0, 96)).toString('hex')}${b.length > 96 ? '…' : ''}`;

/** Safetensors-specific edits on top of the generic ones: the length prefix, and JSON tokens in the header. */
const safetensorsMutators: Mutator<Uint8Array>[] = [
  ...byteMutators,
  (b, next) => {
    const out = b.slice();
    const header = b.length >= 8 ? Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true) & 0xffffn) : 0;
    const declared = next() < 0.5 ? header + Math.floor(next() * 33) - 16 : Math.floor(next() * 2 ** 32) * 2 ** Math.floor(next() * 33);
    out.set(u64le(BigInt(Math.max(0, Math.floor(declared))) & (2n ** 64n - 1n)).slice(0, out.length));
    return out;
  },
  (b, next) => {
    const out = b.slice();
    const tokens = '{}[]",:-.0123456789eE tn';
    const header = b.length >= 8 ? Math.min(b.length - 8, Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true) & 0xffffn)) : 0;
    if (header > 0) out[8 + Math.floor(next() * header)] = tokens.charCodeAt(Math.floor(next() * tokens.length));
    return out;
  },
];

const SAFETENSORS = encodeSafetensors(
  {
    'enc.weight': { dtype: 'F32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    'enc.bias': { dtype: 'F32', shape: [2], data: new Float32Array([-1, 1]) },
    ids: { dtype: 'I32', shape: [3], data: new Int32Array([7, 8, 9]) },
    mask: { dtype: 'U32', shape: [], data: new Uint32Array([1]) },
    none: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  },
  { format: 'fuzz', config: '{"depth":2}' },
);

describe('fuzzing the safetensors reader and checkpoints', () => {
  it('decodeSafetensors: every mutation decodes or is refused with a CheckpointError', async () => {
    await expectRobust<Uint8Array>(
      {
        name: 'safetensors reader (decodeSafetensors)',
        corpus: [SAFETENSORS, encodeSafetensors({ x: { dtype: 'F32', shape: [1], data: new Float32Array([0]) } })],
        mutators: safetensorsMutators,
        run: (b) => decodeSafetensors(b),
        refusal: (e) => e instanceof CheckpointError,
        show: hex,
      },
      3000,
      20240611,
    );
  });

  it('parseCheckpoint: checksums refuse every changed byte (only no-op and metadata-free edits load)', async () => {
    const checkpoint = await serializeCheckpoint({
      tensors: { 'w.weight': { dtype: 'F32', shape: [4, 3], data: new Float32Array(12).map((_, i) => i / 7) }, 'w.bias': { dtype: 'F32', shape: [4], data: new Float32Array(4) } },
      step: 42,
      config: { model: { preset: 'tiny' }, classes: ['wall', 'floor'] },
    });
    await expectRobust<Uint8Array>(
      {
        name: 'checkpoint reader (parseCheckpoint)',
        corpus: [checkpoint],
        mutators: safetensorsMutators,
        run: (b) => parseCheckpoint(b),
        refusal: (e) => e instanceof CheckpointError,
        // A mutated file that still loads as a verified checkpoint must be byte-identical to the original
        // in everything the checksums cover: same step, same tensors.
        check: (result) => {
          const c = result as Awaited<ReturnType<typeof parseCheckpoint>>;
          if (c.verified && c.step !== 42) throw new Error(`a changed checkpoint passed its checksums (step ${c.step})`);
        },
        show: hex,
      },
      1500,
      77,
    );
  });
});

/** Small images of every kind the codecs read: JPEG, PNG grey/palette/RGB/RGBA, 1/2/4/8/16-bit. */
function imageCorpus(): Uint8Array[] {
  const w = 7;
  const h = 5;
  const grey = cycling([0, 3, 7, 255], w, h);
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) % 256);
  const jpg = jpeg.encode({ width: w, height: h, data: rgba }, 90).data;
  const pngOf = (channels: number, depth: 1 | 2 | 4 | 8 | 16, palette?: number[][]) => {
    // Rows of fewer than 8 bits per sample are packed, each padded to a whole byte (as PNG stores them).
    const size = depth === 16 ? w * h * channels : Math.ceil((w * channels * depth) / 8) * h;
    const data = new (depth === 16 ? Uint16Array : Uint8Array)(size).map((_, i) => (i * 5) % (depth === 16 ? 65536 : 256));
    return encodeRaw({ width: w, height: h, data, channels, depth, palette });
  };
  return [
    new Uint8Array(jpg),
    encodePng(grey, w, h),
    encodePng(new Uint8Array(w * h * 3).map((_, i) => i % 256), w, h),
    encodePng(rgba, w, h),
    pngOf(1, 16),
    pngOf(1, 1),
    pngOf(1, 4),
    pngOf(1, 8, Array.from({ length: 256 }, (_, k) => [k, 255 - k, (k * 7) % 256])),
    pngOf(2, 8),
  ];
}

describe('fuzzing the image decoding wrapper', () => {
  it('decodeImage and decodeLabelMap: decoded images have consistent sizes; everything else is a DataError', async () => {
    const corpus = imageCorpus();
    for (const bytes of corpus) expect(() => decodeImage(bytes)).not.toThrow();
    await expectRobust<Uint8Array>(
      {
        name: 'image decoding (decodeImage, decodeLabelMap)',
        corpus,
        mutators: byteMutators,
        run: (b, i) => (i % 3 === 2 ? decodeLabelMap(b, 'fuzz.png') : decodeImage(b, 'fuzz.img')),
        refusal: (e) => e instanceof DataError,
        check: (r) => {
          const d = r as { width: number; height: number; rgb?: Uint8Array; values?: Uint8Array };
          const n = d.width * d.height;
          if (!(n > 0) || (d.rgb ? d.rgb.length !== 3 * n : d.values!.length !== n)) throw new Error(`decoded ${d.width} x ${d.height} with ${(d.rgb ?? d.values)!.length} values`);
        },
        show: hex,
      },
      3000,
      31337,
    );
  });
});

describe('fuzzing the descriptor-file parser', () => {
  it('parseDescriptorFile: what it accepts is a valid set that serialises and reads back the same', async () => {
    const ade = builtinDescriptors('ade20k');
    const corpus = [
      serializeDescriptorFile(subsetDescriptors(ade, ['wall', 'floor', 'person']), { dataset: 'ade20k' }),
      serializeDescriptorFile({ classes: ['sand'], descriptors: [['dry beach sand', 'wet sand at the waterline']] }, { source: 'llm:test' }),
    ];
    await expectRobust<string>(
      {
        name: 'descriptor-file parser (parseDescriptorFile)',
        corpus,
        mutators: jsonTextMutators(),
        run: (text) => parseDescriptorFile(text),
        refusal: (e) => e instanceof DescriptorError,
        check: (r) => {
          const file = r as ReturnType<typeof parseDescriptorFile>;
          validateDescriptorSet(file);
          const again = parseDescriptorFile(serializeDescriptorFile(file, { dataset: file.dataset, source: file.source }));
          expect(again).toEqual(file);
        },
        show: (s) => JSON.stringify(s.slice(0, 300)),
      },
      3000,
      4242,
    );
  });
});

/** Every file under `dir`, relative to it. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(`${entry.name}/`, ...listTree(path).map((p) => `${entry.name}/${p}`));
    else out.push(entry.name);
  }
  return out;
}

/** A dataset folder as files (path -> bytes, or null for an empty folder). */
type Folder = Map<string, Uint8Array | null>;

function datasetFolder(layout: 'ade20k' | 'cocostuff'): Folder {
  const [images, labels, ext] = layout === 'ade20k' ? ['images/validation', 'annotations/validation', 'jpg'] : ['images/val2017', 'stuffthingmaps_trainval2017/val2017', 'jpg'];
  const folder: Folder = new Map();
  const maxLabel = layout === 'ade20k' ? 150 : 181;
  for (let i = 0; i < 3; i++) {
    const [w, h] = [6 + i, 5];
    const stem = layout === 'ade20k' ? `ADE_val_0000000${i + 1}` : `00000000000${i + 1}`;
    folder.set(`${images}/${stem}.${i === 2 ? 'png' : ext}`, encodeImage({ width: w, height: h, labels: [], format: i === 2 ? 'png' : 'jpg' }, i));
    folder.set(`${labels}/${stem}.png`, encodePng(cycling([0, 1, maxLabel, 255, 7], w, h), w, h));
  }
  return folder;
}

const pickKey = (folder: Folder, next: () => number) => [...folder.keys()][Math.floor(next() * folder.size)]!;

/** Edits of a dataset folder: a file's bytes mutated, a file removed, renamed, duplicated, or made a folder. */
const folderMutators: Mutator<Folder>[] = [
  ...byteMutators.map<Mutator<Folder>>((mutate) => (folder, next, corpus) => {
    const out = new Map(folder);
    const key = pickKey(out, next);
    const bytes = out.get(key);
    if (bytes) out.set(key, mutate(bytes, next, [...corpus.flatMap((f) => [...f.values()])].filter((b): b is Uint8Array => b !== null)));
    return out;
  }),
  (folder, next) => {
    const out = new Map(folder);
    out.delete(pickKey(out, next));
    return out;
  },
  (folder, next) => {
    const out = new Map(folder);
    const key = pickKey(out, next);
    const names = ['x.PNG', '.hidden.jpg', 'a b.jpg', 'ü.png', 'ADE_val_00000001.jpeg', '00000000001.png', 'noext', '..png', 'z.JPG'];
    const dir = key.slice(0, key.lastIndexOf('/'));
    out.set(`${dir}/${names[Math.floor(next() * names.length)]!}`, out.get(key) ?? null);
    if (next() < 0.5) out.delete(key);
    return out;
  },
  (folder, next) => {
    const out = new Map(folder);
    out.set(pickKey(out, next), null); // a folder where a file should be
    return out;
  },
];

describe('fuzzing the dataset readers', () => {
  const root = tempDir('langseg-fuzz-data-');
  afterAll(() => cleanup(root));

  it('openAde20k / openCocoStuff + get + the batch loader: samples or a DataError; the folder is left as it was', async () => {
    const read = async (folder: Folder, i: number) => {
      const dir = join(root, `case${i}`);
      for (const [path, bytes] of folder) {
        const full = join(dir, path);
        if (bytes === null) mkdirSync(full, { recursive: true });
        else {
          mkdirSync(join(full, '..'), { recursive: true });
          writeFileSync(full, bytes);
        }
      }
      const before = listTree(dir);
      try {
        const ds = [...folder.keys()].some((k) => k.startsWith('annotations')) ? await openAde20k(dir, 'validation') : await openCocoStuff(dir, 'val2017');
        let pixels = 0;
        for (let s = 0; s < ds.size; s++) {
          const sample = await ds.get(s);
          if (sample.labels.length !== sample.width * sample.height || sample.image.length !== 3 * sample.width * sample.height) throw new Error(`sample ${s} has inconsistent sizes`);
          pixels += sample.labels.length;
        }
        for await (const b of batches(ds, { batch: 2, size: [8, 8], train: true, seed: i, prefetch: 1 })) pixels += b.labels.length;
        return pixels;
      } finally {
        expect(listTree(dir)).toEqual(before); // readers never write
        rmSync(dir, { recursive: true, force: true });
      }
    };
    await expectRobust<Folder>(
      {
        name: 'dataset readers (ADE20K, COCO-Stuff, loader)',
        corpus: [datasetFolder('ade20k'), datasetFolder('cocostuff')],
        mutators: folderMutators,
        run: read,
        refusal: (e) => e instanceof DataError,
        show: (f) => [...f].map(([k, v]) => `${k}: ${v ? v.length : 'dir'}`).join(', '),
      },
      400,
      2718,
    );
  });
});

describe('fuzzing the LLM-response parser and the describe flow', () => {
  const SIX = ['a red brick wall', 'a white painted wall', 'a tiled wall', 'a wooden panelled wall', 'a concrete wall', 'a wall with pictures'];

  it('readAnswer: ok with clean descriptors, or a reason; never a throw', async () => {
    const corpus = [
      JSON.stringify({ descriptors: SIX }),
      '```json\n' + JSON.stringify({ descriptors: SIX }, null, 2) + '\n```',
      `<think>hmm {"descriptors"} [x]</think>\nSure: ${JSON.stringify(SIX)} done.`,
      `{"note": "braces } and [ in strings", "descriptors": ${JSON.stringify(SIX)}}`,
    ];
    await expectRobust<string>(
      {
        name: 'LLM-response parser (readAnswer)',
        corpus,
        mutators: jsonTextMutators(),
        run: (content, i) => {
          const r = readAnswer(content, 1 + (i % 8));
          if (!r.ok) throw new DescriptorError(r.reason); // a reason is the parser's refusal
          return r;
        },
        refusal: (e) => e instanceof DescriptorError,
        check: (r) => {
          const { descriptors } = r as { descriptors: string[] };
          if (!descriptors.every((d) => typeof d === 'string' && d.length >= 2 && d.length <= 200 && d === d.trim())) throw new Error(`unclean descriptors ${JSON.stringify(descriptors)}`);
        },
        show: (s) => JSON.stringify(s.slice(0, 300)),
      },
      3000,
      99,
    );
  });

  it('describeClasses end to end (fuzzed bodies and class names): a checked file or a DescriptorError; writes stay in the output folder', async () => {
    const sandbox = tempDir('langseg-fuzz-llm-');
    const out = join(sandbox, 'out');
    const body = JSON.stringify(completion(JSON.stringify({ descriptors: SIX })));
    const names = ['wall', '../../escape', '/etc/passwd', 'C:\\x', '..', 'a/b', 'x'.repeat(100), 'chair'];
    try {
      await expectRobust<string>(
        {
          name: 'describe flow (chat response -> descriptor file)',
          corpus: [body, JSON.stringify(completion('```json\n' + JSON.stringify(SIX) + '\n```'))],
          mutators: [...jsonTextMutators(), ...textMutators],
          run: async (text, i) => {
            const className = names[i % names.length]!;
            rmSync(join(out, 'cache'), { recursive: true, force: true }); // every case asks the server, and writes its answer
            const fetch = (async () => new Response(text, { status: i % 17 === 16 ? 500 : 200, headers: { 'content-type': 'application/json' } })) as typeof globalThis.fetch;
            const set = await describeClasses([className], { endpoint: 'http://127.0.0.1:9', model: 'fuzz', fetch, retries: 0, backoffMs: 0, cache: new FileDescriptorCache(join(out, 'cache')) });
            await writeDescriptorFile(join(out, `case.json`), set, { source: set.source }, { force: true });
            return set;
          },
          refusal: (e) => e instanceof DescriptorError,
          check: (r) => validateDescriptorSet(r as Parameters<typeof validateDescriptorSet>[0]),
          show: (s) => JSON.stringify(s.slice(0, 300)),
        },
        600,
        1234,
      );
      // Every file written is inside out/: the cache's hex-named entries and the descriptor file.
      const files = listTree(sandbox);
      const outside = files.filter((f) => !f.startsWith(`out/`) && f !== 'out/');
      expect(outside).toEqual([]);
      for (const f of files.filter((f) => f.startsWith('out/cache/') && !f.endsWith('/'))) expect(f).toMatch(/^out\/cache\/[0-9a-f]{64}\.json$/);
      expect(relative(sandbox, out).split(sep)).toEqual(['out']);
      expect(statSync(join(out, 'case.json')).isFile()).toBe(true);
    } finally {
      cleanup(sandbox);
    }
  });
});

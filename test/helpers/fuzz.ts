/**
 * The one fuzzing helper every parser's fuzz test uses: seeded mutations of valid inputs (bytes, text or
 * parsed JSON), each fed to the target, each outcome classified. A target may accept an input or refuse
 * it with its own typed error; anything else (a TypeError, a RangeError, an untyped throw, a broken
 * invariant of what it accepted, a case slow enough to count as a hang) is a failure, reported with the
 * case number and the mutated input so it can be replayed.
 *
 * Scale: `fuzzCases(n)` is n in CI; LANGSEG_FUZZ_SCALE multiplies it (`npm run soak` runs 20x).
 */
import { mulberry32 } from '../../src/random.js';

export type Random = () => number;
export type Mutator<T> = (input: T, next: Random, corpus: readonly T[]) => T;

export interface FuzzTarget<T> {
  /** Names the target in reports. */
  name: string;
  /** Valid inputs the mutations start from. */
  corpus: readonly T[];
  /** How inputs are changed; one is picked per mutation (1 to 3 mutations per case). */
  mutators: readonly Mutator<T>[];
  /** Feed one input; resolves to what the target made of it. */
  run(input: T, index: number): unknown;
  /** True for the errors the target may refuse input with (its typed errors). */
  refusal(error: unknown): boolean;
  /** Checks an accepted result; throw to flag a broken invariant. */
  check?(result: unknown, input: T): void;
  /** A short, printable picture of an input for failure reports. */
  show?(input: T): string;
}

export interface FuzzFailure {
  case: number;
  input: string;
  error: string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  cases: number;
  accepted: number;
  refused: number;
  failures: FuzzFailure[];
  /** The slowest case in ms: a hang would show here (and in the hang guard) first. */
  slowestMs: number;
}

/** Above this a single case counts as a hang: it is not a speed limit (cases take microseconds to milliseconds). */
export const HANG_MS = 10_000;

/** `n` scaled by LANGSEG_FUZZ_SCALE (default 1). */
export function fuzzCases(n: number): number {
  const scale = Number(process.env.LANGSEG_FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Run `cases` seeded cases against `target`: case 0.. are reproducible from (seed, case). */
export async function fuzz<T>(target: FuzzTarget<T>, options: { cases: number; seed: number }): Promise<FuzzReport> {
  const next = mulberry32(options.seed);
  const pick = <U>(items: readonly U[]): U => items[Math.floor(next() * items.length)]!;
  const show = target.show ?? ((input: T) => String(input).slice(0, 200));
  const report: FuzzReport = { target: target.name, seed: options.seed, cases: options.cases, accepted: 0, refused: 0, failures: [], slowestMs: 0 };
  for (let i = 0; i < options.cases; i++) {
    let input = pick(target.corpus);
    const mutations = 1 + Math.floor(next() * next() * 3); // mostly one, sometimes two or three
    for (let m = 0; m < mutations; m++) input = pick(target.mutators)(input, next, target.corpus);
    const started = performance.now();
    let failure: string | null = null;
    try {
      const result = await target.run(input, i);
      target.check?.(result, input);
      report.accepted++;
    } catch (error) {
      if (target.refusal(error)) report.refused++;
      else failure = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : `non-Error thrown: ${String(error)}`;
    }
    const ms = performance.now() - started;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (ms > HANG_MS) failure = `${failure ?? ''}took ${Math.round(ms)} ms (hang guard ${HANG_MS} ms)`;
    if (failure !== null && report.failures.length < 20) report.failures.push({ case: i, input: show(input), error: failure });
  }
  return report;
}

// ---- Byte mutators -------------------------------------------------------------------------------------

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x22, 0x7b, 0x7d, 0x5b, 0x5d];
const at = (n: number, next: Random) => Math.floor(next() * Math.max(1, n));

/** Bit flips, interesting bytes, truncation, growth, deletion, duplication and splicing with another input. */
export const byteMutators: readonly Mutator<Uint8Array>[] = [
  (b, next) => {
    if (b.length === 0) return new Uint8Array([at(256, next)]);
    const out = b.slice();
    out[at(b.length, next)]! ^= 1 << at(8, next);
    return out;
  },
  (b, next) => {
    if (b.length === 0) return new Uint8Array([INTERESTING_BYTES[at(INTERESTING_BYTES.length, next)]!]);
    const out = b.slice();
    out[at(b.length, next)] = next() < 0.5 ? INTERESTING_BYTES[at(INTERESTING_BYTES.length, next)]! : at(256, next);
    return out;
  },
  (b, next) => b.slice(0, at(b.length, next)),
  (b, next) => concat(b, Uint8Array.from({ length: 1 + at(32, next) }, () => at(256, next))),
  (b, next) => {
    const i = at(b.length, next);
    return concat(b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + at(16, next))));
  },
  (b, next) => {
    // Repeat a slice, sometimes many times: long runs find quadratic scans and length overflows.
    const i = at(b.length, next);
    const chunk = b.subarray(i, i + 1 + at(16, next));
    const times = next() < 0.9 ? 1 + at(3, next) : 1 + at(4096, next);
    const copies = new Uint8Array(chunk.length * times);
    for (let k = 0; k < times; k++) copies.set(chunk, k * chunk.length);
    return concat(b.subarray(0, i), copies, b.subarray(i));
  },
  (b, next, corpus) => {
    const other = corpus[at(corpus.length, next)]!;
    return concat(b.subarray(0, at(b.length + 1, next)), other.subarray(at(other.length, next)));
  },
  (b, next) => {
    // A 32-bit field overwritten with a boundary value (lengths, widths, offsets in binary headers).
    if (b.length < 4) return b;
    const out = b.slice();
    const v = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, at(2 ** 32, next)][at(6, next)]!;
    new DataView(out.buffer).setUint32(at(out.length - 3, next), v, next() < 0.5);
    return out;
  },
];

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

// ---- Text mutators -------------------------------------------------------------------------------------

const TOKENS = ['{', '}', '[', ']', '"', ',', ':', 'null', 'true', '-1', '1e309', '0.5', '"__proto__"', '\\', '\\u0000', '\u0000', '\ud800', '```', '<think>', '\n', ' ', 'é', '../', '%s'];

/** Character edits, JSON tokens dropped in, truncation, and long repeats of a slice. */
export const textMutators: readonly Mutator<string>[] = [
  (s, next) => {
    const i = at(s.length + 1, next);
    return s.slice(0, i) + TOKENS[at(TOKENS.length, next)]! + s.slice(i);
  },
  (s, next) => {
    const i = at(s.length, next);
    return s.slice(0, i) + s.slice(i + 1 + at(8, next));
  },
  (s, next) => s.slice(0, at(s.length, next)),
  (s, next) => {
    const i = at(s.length, next);
    return s.slice(0, i) + String.fromCharCode(at(0x10000, next)) + s.slice(i + 1);
  },
  (s, next) => {
    const i = at(s.length, next);
    const chunk = s.slice(i, i + 1 + at(8, next));
    const times = next() < 0.9 ? 1 + at(3, next) : 1 + at(8192, next);
    return s.slice(0, i) + chunk.repeat(times) + s.slice(i);
  },
  (s, next, corpus) => {
    const other = corpus[at(corpus.length, next)]!;
    return s.slice(0, at(s.length + 1, next)) + other.slice(at(other.length, next));
  },
];

// ---- JSON mutators (structure-aware: they get past JSON.parse to the validation behind it) ---------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function randomValue(next: Random, depth = 0): Json {
  switch (at(depth > 2 ? 6 : 8, next)) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, -0, 2 ** 53 + 2, 255, 65536][at(8, next)]!;
    case 3:
      return ['', ' ', 'x', 'a'.repeat(at(400, next)), '../../etc/passwd', '__proto__', 'constructor', '\u0000', 'wall'][at(9, next)]!;
    case 4:
      return String.fromCharCode(...Array.from({ length: at(12, next) }, () => 32 + at(0x2000, next)));
    case 5:
      return at(1000, next);
    case 6:
      return Array.from({ length: at(4, next) }, () => randomValue(next, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: at(3, next) }, (_, k) => [['name', 'descriptors', 'classes', 'format', 'version', `k${k}`][at(6, next)]!, randomValue(next, depth + 1)]));
  }
}

/** Every container in `value` with a path to it (the root first). */
function containers(value: Json, out: (Json[] | Record<string, Json>)[] = []): (Json[] | Record<string, Json>)[] {
  if (value !== null && typeof value === 'object') {
    out.push(value);
    for (const v of Object.values(value)) containers(v, out);
  }
  return out;
}

/** Replace, delete, duplicate or add a value somewhere in a parsed JSON document. */
export const jsonMutators: readonly Mutator<Json>[] = [
  (doc, next) => {
    const copy = structuredClone(doc);
    const all = containers(copy);
    if (all.length === 0) return randomValue(next);
    const c = all[at(all.length, next)]!;
    const keys = Object.keys(c);
    if (keys.length === 0) return copy;
    const key = keys[at(keys.length, next)]!;
    (c as Record<string, Json>)[key] = randomValue(next);
    return copy;
  },
  (doc, next) => {
    const copy = structuredClone(doc);
    const all = containers(copy);
    const c = all[at(all.length, next)];
    if (!c) return copy;
    if (Array.isArray(c)) c.splice(at(c.length, next), 1);
    else delete c[Object.keys(c)[at(Object.keys(c).length, next)]!];
    return copy;
  },
  (doc, next) => {
    const copy = structuredClone(doc);
    const all = containers(copy).filter(Array.isArray) as Json[][];
    const c = all[at(all.length, next)];
    if (c && c.length > 0) c.push(...Array.from({ length: next() < 0.9 ? 1 : at(64, next) }, () => structuredClone(c[at(c.length, next)]!)));
    return copy;
  },
  (doc, next) => {
    const copy = structuredClone(doc);
    const all = containers(copy).filter((c) => !Array.isArray(c)) as Record<string, Json>[];
    const c = all[at(all.length, next)];
    if (c) c[['extra', 'name', '__proto__', 'dataset', 'source'][at(5, next)]!] = randomValue(next);
    return copy;
  },
];

/** Text mutators plus JSON-aware ones (applied to the parsed text, when it parses). */
export function jsonTextMutators(): Mutator<string>[] {
  const viaJson = jsonMutators.map<Mutator<string>>((mutate) => (s, next) => {
    let doc: Json;
    try {
      doc = JSON.parse(s) as Json;
    } catch {
      return s;
    }
    return JSON.stringify(mutate(doc, next, []));
  });
  return [...textMutators, ...viaJson, ...viaJson];
}

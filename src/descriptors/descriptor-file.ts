/**
 * The descriptor file: a descriptor set as JSON, with a format tag and version so a reader can refuse
 * what it does not know (docs/DESCRIPTORS.md, docs/descriptors.schema.json). Browser-safe: text in,
 * text out; reading from disk is the Node side's business.
 *
 *     { "format": "langseg-descriptors", "version": 1, "dataset": "ade20k", "source": "built-in",
 *       "classes": [ { "name": "wall", "descriptors": ["a painted interior wall", ...] }, ... ] }
 */
import { DescriptorError } from '../errors.js';
import type { DescriptorSet } from './descriptor-set.js';

export const DESCRIPTOR_FORMAT = 'langseg-descriptors';
export const DESCRIPTOR_FILE_VERSION = 1;
/** Descriptors per class a file may hold (the built-in sets keep to 3..8). */
export const MIN_DESCRIPTORS_PER_CLASS = 1;
export const MAX_DESCRIPTORS_PER_CLASS = 16;
/** Characters per descriptor, after trimming: long enough to mean something, short enough for the tokenizer's window. */
export const MIN_DESCRIPTOR_LENGTH = 2;
export const MAX_DESCRIPTOR_LENGTH = 200;
/** Characters per class name. */
export const MAX_CLASS_NAME_LENGTH = 100;

/** A descriptor set plus where it came from. */
export interface DescriptorFile extends DescriptorSet {
  /** The dataset whose class ids the classes follow ("ade20k", "cocostuff"), if any. */
  dataset?: string;
  /** Who wrote the descriptors: "built-in", "llm:<model>", "hand-written", ... */
  source?: string;
}

export type DescriptorFileMeta = Pick<DescriptorFile, 'dataset' | 'source'>;

const TOP_KEYS = ['format', 'version', 'dataset', 'source', 'classes'];
const CLASS_KEYS = ['name', 'descriptors'];

function fail(path: string, message: string): never {
  throw new DescriptorError(`descriptor file: ${path ? `${path} ` : ''}${message}`);
}

/** A value as a message shows it: short, typed, never a whole document. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

function checkKeys(path: string, record: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(record).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) fail(path, `has unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${allowed.join(', ')}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A class name: as written (it must match a dataset's table exactly), so surrounding blanks are an error, not trimmed. */
function checkClassName(path: string, name: unknown): string {
  if (typeof name !== 'string') fail(path, `must be a string, got ${show(name)}`);
  if (name.trim() === '') fail(path, 'is empty; give the class a name');
  if (name !== name.trim()) fail(path, `${show(name)} has leading or trailing blanks; remove them (class names must match the dataset's exactly)`);
  if (name.length > MAX_CLASS_NAME_LENGTH) fail(path, `is ${name.length} characters long; class names may have at most ${MAX_CLASS_NAME_LENGTH}`);
  return name;
}

/** A descriptor: trimmed, then 2..200 characters. */
function checkDescriptor(path: string, text: unknown): string {
  if (typeof text !== 'string') fail(path, `must be a string, got ${show(text)}`);
  const trimmed = text.trim();
  if (trimmed.length < MIN_DESCRIPTOR_LENGTH || trimmed.length > MAX_DESCRIPTOR_LENGTH) {
    const n = trimmed.length;
    fail(path, `${show(text)} is ${n} character${n === 1 ? '' : 's'} long (trimmed); a descriptor needs ${MIN_DESCRIPTOR_LENGTH} to ${MAX_DESCRIPTOR_LENGTH}`);
  }
  return trimmed;
}

function checkDescriptorList(path: string, list: unknown): string[] {
  if (!Array.isArray(list)) fail(path, `must be an array of strings, got ${show(list)}`);
  if (list.length < MIN_DESCRIPTORS_PER_CLASS || list.length > MAX_DESCRIPTORS_PER_CLASS) {
    fail(path, `has ${list.length} descriptors; a class needs ${MIN_DESCRIPTORS_PER_CLASS} to ${MAX_DESCRIPTORS_PER_CLASS}`);
  }
  const seen = new Map<string, number>();
  return list.map((text: unknown, k) => {
    const trimmed = checkDescriptor(`${path}[${k}]`, text);
    // Two spellings of one descriptor would count it twice in the class's log-sum-exp.
    const key = trimmed.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) fail(`${path}[${k}]`, `${show(trimmed)} repeats ${path}[${first}]; remove the duplicate`);
    seen.set(key, k);
    return trimmed;
  });
}

function checkOptionalText(path: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_CLASS_NAME_LENGTH) {
    fail(path, `must be a non-empty string of at most ${MAX_CLASS_NAME_LENGTH} characters, got ${show(value)}`);
  }
  return value;
}

/**
 * A descriptor file (its JSON text, or the parsed object) -> the set and its metadata. Descriptors come
 * back trimmed. Throws DescriptorError naming the JSON path of the first problem and what is wrong.
 */
export function parseDescriptorFile(input: unknown): DescriptorFile {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      fail('', `is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isRecord(value)) fail('', `must be a JSON object, got ${show(value)}`);
  if (value.format !== DESCRIPTOR_FORMAT) fail('format', `must be "${DESCRIPTOR_FORMAT}", got ${show(value.format)}`);
  if (value.version !== DESCRIPTOR_FILE_VERSION) {
    const newer = typeof value.version === 'number' && value.version > DESCRIPTOR_FILE_VERSION;
    fail('version', `${show(value.version)} is not supported: this langseg reads version ${DESCRIPTOR_FILE_VERSION}${newer ? '; update langseg' : ''}`);
  }
  checkKeys('', value, TOP_KEYS);
  const dataset = checkOptionalText('dataset', value.dataset);
  const source = checkOptionalText('source', value.source);
  const entries = value.classes;
  if (!Array.isArray(entries)) fail('classes', `must be an array of { "name", "descriptors" } objects, got ${show(entries)}`);
  if (entries.length === 0) fail('classes', 'is empty; give at least one class');
  const classes: string[] = [];
  const descriptors: string[][] = [];
  const ids = new Map<string, number>();
  entries.forEach((entry: unknown, c) => {
    const path = `classes[${c}]`;
    if (!isRecord(entry)) fail(path, `must be an object { "name", "descriptors" }, got ${show(entry)}`);
    checkKeys(path, entry, CLASS_KEYS);
    const name = checkClassName(`${path}.name`, entry.name);
    const first = ids.get(name);
    if (first !== undefined) fail(`${path}.name`, `${show(name)} repeats classes[${first}].name; class names must be unique`);
    ids.set(name, c);
    classes.push(name);
    descriptors.push(checkDescriptorList(`${path}.descriptors`, entry.descriptors));
  });
  const file: DescriptorFile = { classes, descriptors };
  if (dataset !== undefined) file.dataset = dataset;
  if (source !== undefined) file.source = source;
  return file;
}

/**
 * A set -> descriptor file text (validated first, so what is written can be read back): two-space
 * JSON with one class per line, so a diff of two files shows the classes that changed.
 */
export function serializeDescriptorFile(set: DescriptorSet, meta: DescriptorFileMeta = {}): string {
  if (!Array.isArray(set.classes) || !Array.isArray(set.descriptors) || set.classes.length !== set.descriptors.length) {
    throw new DescriptorError(
      `descriptor file: cannot write a set with ${Array.isArray(set.classes) ? set.classes.length : 'no'} classes and ` +
        `${Array.isArray(set.descriptors) ? set.descriptors.length : 'no'} descriptor lists; give one list per class`,
    );
  }
  const record = {
    format: DESCRIPTOR_FORMAT,
    version: DESCRIPTOR_FILE_VERSION,
    ...(meta.dataset !== undefined ? { dataset: meta.dataset } : {}),
    ...(meta.source !== undefined ? { source: meta.source } : {}),
    classes: set.classes.map((name, c) => ({ name, descriptors: set.descriptors[c] })),
  };
  const valid = parseDescriptorFile(record); // throws with the path of the first problem
  const header = Object.entries(record)
    .filter(([key]) => key !== 'classes')
    .map(([key, v]) => `  ${JSON.stringify(key)}: ${JSON.stringify(v)},`);
  const lines = valid.classes.map((name, c) => `    ${JSON.stringify({ name, descriptors: valid.descriptors[c] })}`);
  return `{\n${header.join('\n')}\n  "classes": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

/**
 * The classes `classNames` of `set`, in that order, with their descriptors (and the set's metadata).
 * Throws DescriptorError naming every unknown class, or a class asked for twice.
 */
export function subsetDescriptors<T extends DescriptorSet>(set: T, classNames: readonly string[]): T {
  const ids = new Map(set.classes.map((name, c) => [name, c]));
  const unknown = classNames.filter((name) => !ids.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((n) => JSON.stringify(n)).join(', ');
    throw new DescriptorError(
      `descriptor set: no class${unknown.length > 1 ? 'es' : ''} named ${list} among its ${set.classes.length} classes; ` +
        'check the spelling against the set (names are case-sensitive), or describe the new classes with `langseg describe`',
    );
  }
  const repeated = classNames.find((name, i) => classNames.indexOf(name) !== i);
  if (repeated !== undefined) throw new DescriptorError(`descriptor set: class ${JSON.stringify(repeated)} is asked for twice; list each class once`);
  if (classNames.length === 0) throw new DescriptorError('descriptor set: no classes asked for; give at least one class name');
  return {
    ...set,
    classes: [...classNames],
    descriptors: classNames.map((name) => [...set.descriptors[ids.get(name)!]!]),
  };
}

/**
 * Reading a chat model's answer: find the JSON in it (models wrap it in code fences, prefix it with
 * prose or a <think> block), take its descriptors, clean and check them. A bad answer is not an
 * exception here but a reason, so the client can retry and say why.
 */
import { MAX_DESCRIPTOR_LENGTH, MAX_DESCRIPTORS_PER_CLASS, MIN_DESCRIPTOR_LENGTH } from './descriptor-file.js';

export type AnswerResult = { ok: true; descriptors: string[]; dropped: string[] } | { ok: false; reason: string };

/** Fewest usable descriptors an answer must hold when `perClass` were asked for: half, rounded up. */
export function minimumDescriptors(perClass: number): number {
  return Math.max(1, Math.ceil(perClass / 2));
}

/**
 * Longest answer read, after any <think> block: a descriptor answer is a few hundred characters (16
 * descriptors of at most 200), so anything far longer is not one, and reading it must not cost a hostile
 * or runaway server's whole output in CPU time.
 */
export const MAX_ANSWER_CHARS = 65_536;
/** At most this many balanced {...} / [...] spans are tried with JSON.parse. */
const MAX_CANDIDATES = 64;

/**
 * Balanced {...} and [...] spans of `text`, by start, found in one pass with a stack (strings skipped
 * whole). Scanning forward from every opening bracket instead was quadratic: the fuzz test found a 160 KB
 * answer of '{' taking a minute.
 */
function balancedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const open: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') open.push(i);
    else if ((ch === '}' || ch === ']') && open.length > 0) spans.push([open.pop()!, i + 1]);
  }
  return spans.sort((a, b) => a[0] - b[0]);
}

/** Candidate JSON texts, most likely first: the whole answer, fenced blocks, then balanced {...} or [...] spans. */
function candidates(text: string): string[] {
  const found = [text];
  for (const m of text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)) found.push(m[1]!.trim());
  for (const [start, end] of balancedSpans(text).slice(0, MAX_CANDIDATES)) found.push(text.slice(start, end));
  return found;
}

/** The descriptor list in a parsed value: `{"descriptors": [...]}` or a bare array. */
function listIn(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) {
    const list = (value as Record<string, unknown>).descriptors;
    if (Array.isArray(list)) return list;
  }
  return undefined;
}

/** One descriptor as the file format wants it: single spaces, no list marker, no trailing period, no quotes. */
function clean(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:[-*\u2022]|\d+[.)])\s+/u, '')
    .replace(/^["'\u201c\u2018]+|["'\u201d\u2019]+$/gu, '')
    .replace(/\.$/, '')
    .trim();
}

/** The descriptors in `content`, the assistant message: at most `perClass`, at least `minimumDescriptors(perClass)`. */
export function readAnswer(content: string, perClass: number): AnswerResult {
  let list: unknown[] | undefined;
  const text = content.replace(/<think>[\s\S]*?(<\/think>|$)/g, '').trim();
  if (text.length > MAX_ANSWER_CHARS) {
    return { ok: false, reason: `the answer is ${text.length} characters long, more than the ${MAX_ANSWER_CHARS} a descriptor answer could need (it begins ${JSON.stringify(text.slice(0, 60))})` };
  }
  for (const candidate of candidates(text)) {
    try {
      list = listIn(JSON.parse(candidate));
    } catch {
      continue;
    }
    if (list) break;
  }
  if (!list) return { ok: false, reason: `the answer holds no JSON {"descriptors": [...]} (it begins ${JSON.stringify(content.slice(0, 60))})` };
  const descriptors: string[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string') return { ok: false, reason: `the descriptors must be strings, one is ${item === null ? 'null' : typeof item}` };
    const text = clean(item);
    const key = text.toLowerCase();
    if (text.length < MIN_DESCRIPTOR_LENGTH || text.length > MAX_DESCRIPTOR_LENGTH || seen.has(key)) {
      dropped.push(item);
      continue;
    }
    seen.add(key);
    descriptors.push(text);
  }
  const need = minimumDescriptors(perClass);
  if (descriptors.length < need) {
    return { ok: false, reason: `the answer has ${descriptors.length} usable descriptors (${dropped.length} empty, too long or repeated); at least ${need} are needed` };
  }
  return { ok: true, descriptors: descriptors.slice(0, Math.min(perClass, MAX_DESCRIPTORS_PER_CLASS)), dropped };
}

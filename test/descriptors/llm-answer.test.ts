/** Reading a chat model's answer: finding the JSON, cleaning and checking the descriptors. */
import { describe, expect, it } from 'vitest';
import { minimumDescriptors, readAnswer } from '../../src/descriptors/llm-answer.js';
import { chatCompletionsUrl } from '../../src/descriptors/index.js';
import { DescriptorError } from '../../src/errors.js';

const SIX = ['a red brick wall', 'a white painted wall', 'a tiled wall', 'a wooden panelled wall', 'a concrete wall', 'a wall with pictures'];

function ok(content: string, perClass = 6): string[] {
  const result = readAnswer(content, perClass);
  if (!result.ok) throw new Error(result.reason);
  return result.descriptors;
}

describe('readAnswer', () => {
  it('reads plain JSON', () => {
    expect(ok(JSON.stringify({ descriptors: SIX }))).toEqual(SIX);
  });

  it('finds JSON in code fences, after prose, after a <think> block, or as a bare array', () => {
    expect(ok('```json\n' + JSON.stringify({ descriptors: SIX }, null, 2) + '\n```')).toEqual(SIX);
    expect(ok(`Sure! Here are the descriptors:\n${JSON.stringify({ descriptors: SIX })}\nHope this helps.`)).toEqual(SIX);
    expect(ok(`<think>The user wants {"descriptors"} for a wall [hmm]</think>\n${JSON.stringify({ descriptors: SIX })}`)).toEqual(SIX);
    expect(ok(JSON.stringify(SIX))).toEqual(SIX);
    expect(ok(`{"note": "braces } and [ in strings", "descriptors": ${JSON.stringify(SIX)}}`)).toEqual(SIX);
  });

  it('cleans descriptors: blanks, list markers, quotes, trailing periods', () => {
    const messy = ['  a red   brick wall. ', '1. a white painted wall', '- a tiled wall', '"a wooden panelled wall"', 'a concrete\nwall', '2) a wall with pictures'];
    expect(ok(JSON.stringify({ descriptors: messy }))).toEqual(SIX);
  });

  it('drops empty, over-long and repeated descriptors, keeps at most perClass', () => {
    const result = readAnswer(JSON.stringify({ descriptors: [...SIX, 'A Red Brick Wall', '', 'x'.repeat(201), 'a seventh look'] }), 6);
    expect(result).toEqual({ ok: true, descriptors: SIX, dropped: ['A Red Brick Wall', '', 'x'.repeat(201)] });
  });

  it('accepts half of perClass (rounded up) and no fewer', () => {
    expect(minimumDescriptors(6)).toBe(3);
    expect(minimumDescriptors(5)).toBe(3);
    expect(minimumDescriptors(1)).toBe(1);
    expect(ok(JSON.stringify({ descriptors: SIX.slice(0, 3) }))).toHaveLength(3);
    const few = readAnswer(JSON.stringify({ descriptors: [SIX[0], SIX[0], SIX[1]] }), 6);
    expect(few).toEqual({ ok: false, reason: 'the answer has 2 usable descriptors (1 empty, too long or repeated); at least 3 are needed' });
  });

  it('gives a reason for an answer with no usable JSON', () => {
    expect(readAnswer('I cannot help with walls.', 6)).toMatchObject({ ok: false, reason: expect.stringMatching(/holds no JSON .*it begins "I cannot help/) });
    expect(readAnswer('{"descriptors": ["a wall", ', 6)).toMatchObject({ ok: false });
    expect(readAnswer('{"items": ["a wall"]}', 6)).toMatchObject({ ok: false });
    expect(readAnswer('{"descriptors": ["a wall", 3, "b wall"]}', 6)).toEqual({ ok: false, reason: 'the descriptors must be strings, one is number' });
  });
});

describe('chatCompletionsUrl', () => {
  it('appends /v1/chat/completions as needed', () => {
    expect(chatCompletionsUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v1/chat/completions');
    expect(chatCompletionsUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.example.com/v1')).toBe('https://api.example.com/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.example.com/v1/')).toBe('https://api.example.com/v1/chat/completions');
    expect(chatCompletionsUrl('https://host/openai/v1/chat/completions?api-version=1')).toBe('https://host/openai/v1/chat/completions?api-version=1');
    expect(chatCompletionsUrl('http://host:11434/ollama')).toBe('http://host:11434/ollama/v1/chat/completions');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => chatCompletionsUrl('localhost:8080')).toThrow(DescriptorError);
    expect(() => chatCompletionsUrl('127.0.0.1:8080')).toThrow(/is not a URL; give one like http:\/\/127\.0\.0\.1:8080/);
    expect(() => chatCompletionsUrl('ftp://host')).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('readAnswer on hostile answers (found by test/reliability/fuzz.test.ts)', () => {
  it('reads long runs of unbalanced or nested brackets in one pass, and refuses answers far longer than any descriptor list', () => {
    // Each of these took 17-63 s when every opening bracket started its own forward scan.
    for (const text of ['{'.repeat(60_000), '{"a":'.repeat(12_000), '[1,'.repeat(20_000), '['.repeat(30_000) + ']'.repeat(30_000)]) {
      expect(readAnswer(text, 6).ok).toBe(false);
    }
    const long = readAnswer(`${JSON.stringify({ descriptors: SIX })} ${'x'.repeat(70_000)}`, 6);
    expect(long).toEqual({ ok: false, reason: expect.stringMatching(/more than the 65536 a descriptor answer could need/) });
    expect(ok(`<think>${'{'.repeat(100_000)}</think>${JSON.stringify({ descriptors: SIX })}`)).toEqual(SIX);
  });
});

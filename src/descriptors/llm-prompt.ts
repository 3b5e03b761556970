/**
 * The prompt that asks a chat model for one class's descriptors. Its version is part of every cache key:
 * change the wording, bump PROMPT_VERSION, and cached answers to the old prompt are no longer used.
 */

export const PROMPT_VERSION = 1;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const SYSTEM_PROMPT = `You write short visual descriptions for a semantic segmentation model that labels every pixel of a photo.
For a class name you list distinct subclasses or typical appearances of that class as they look in photos:
colour, material, texture, shape, visible parts, and typical context (where it is, what is around it, how it is seen).
Each descriptor is a short noun phrase of 3 to 12 words, in English, lower case, with no numbering and no trailing period.
Describe only what a camera sees; no sounds, smells, uses or history. Do not repeat yourself.
Answer with JSON only, in exactly this form: {"descriptors": ["...", "..."]}`;

/** One worked example, so small local models see the form and the level of detail wanted. */
const EXAMPLE = {
  name: 'person',
  descriptors: [
    'a standing adult in everyday clothes',
    'a seated person at a table',
    'a child',
    'a person walking on a street seen from behind',
    'the head and shoulders of a person',
    'a small distant figure of a person',
  ],
};

function userPrompt(className: string, count: number): string {
  return `Class: ${JSON.stringify(className)}\nGive exactly ${count} descriptors.`;
}

/** The messages for one class: the rules, the worked example as an earlier exchange, then the class. */
export function descriptorPrompt(className: string, count: number): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: userPrompt(EXAMPLE.name, EXAMPLE.descriptors.length) },
    { role: 'assistant', content: JSON.stringify({ descriptors: EXAMPLE.descriptors }) },
    { role: 'user', content: userPrompt(className, count) },
  ];
}

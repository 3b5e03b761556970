/**
 * The page's class list as text: one class per line, `name: descriptor; descriptor; ...` (a line with no
 * colon is a class described by its own name). Parsed with the descriptor-file rules, so what the page
 * accepts is exactly what `langseg segment --descriptors` would.
 */
import { DESCRIPTOR_FILE_VERSION, DESCRIPTOR_FORMAT, DescriptorError, parseDescriptorFile, type DescriptorSet } from 'langseg';

/** Overlays and label maps keep 255 for "no class", so a page vocabulary has at most 255 classes. */
export const MAX_PAGE_CLASSES = 255;

/** A set as the page's text. */
export function formatVocabulary(set: DescriptorSet): string {
  return set.classes.map((name, c) => `${name}: ${set.descriptors[c]!.join('; ')}`).join('\n');
}

/** The page's text as a set; DescriptorError naming the line of the first problem. */
export function parseVocabulary(text: string): DescriptorSet {
  const lines = text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter((l) => l.line !== '' && !l.line.startsWith('#'));
  if (lines.length === 0) throw new DescriptorError('type at least one class, e.g. "sky: clear blue sky; cloudy sky"');
  if (lines.length > MAX_PAGE_CLASSES) throw new DescriptorError(`${lines.length} classes; the page shows at most ${MAX_PAGE_CLASSES}`);
  const classes = lines.map(({ line }) => {
    const colon = line.indexOf(':');
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    const descriptors = colon < 0 ? [] : line.slice(colon + 1).split(';').map((d) => d.trim()).filter(Boolean);
    return { name, descriptors: descriptors.length > 0 ? descriptors : [name] };
  });
  try {
    const parsed = parseDescriptorFile({ format: DESCRIPTOR_FORMAT, version: DESCRIPTOR_FILE_VERSION, classes });
    return { classes: parsed.classes, descriptors: parsed.descriptors };
  } catch (e) {
    if (!(e instanceof DescriptorError)) throw e;
    // The file rules name `classes[i]`; a person typing in the page thinks in lines.
    const line = (i: string) => `line ${lines[Number(i)]!.number}`;
    const message = e.message
      .replace(/^descriptor file: /, '')
      .replace(/classes\[(\d+)\]\.descriptors\[(\d+)\]/g, (_, i: string, k: string) => `${line(i)}, descriptor ${Number(k) + 1}`)
      .replace(/classes\[(\d+)\](\.name)?/g, (_, i: string) => line(i));
    throw new DescriptorError(message);
  }
}

/**
 * The built-in descriptor sets: every class of ADE20K-150 and COCO-Stuff-171, in each dataset's class-id
 * order, with 3 to 8 hand-written, visually grounded subclass descriptors (appearance, parts, typical
 * context). They are descriptor files (builtin/*.json) bundled as JSON, so the browser gets them too.
 */
import ade20k from './builtin/ade20k.json' with { type: 'json' };
import cocostuff from './builtin/cocostuff.json' with { type: 'json' };
import { DescriptorError } from '../errors.js';
import { parseDescriptorFile, type DescriptorFile } from './descriptor-file.js';

export type BuiltinDescriptorSetName = 'ade20k' | 'cocostuff';

export const BUILTIN_DESCRIPTOR_SETS: readonly BuiltinDescriptorSetName[] = ['ade20k', 'cocostuff'];

const FILES: Record<BuiltinDescriptorSetName, unknown> = { ade20k, cocostuff };

/**
 * A fresh copy of a built-in set (callers may edit it), with `dataset` and `source: "built-in"`.
 * Parsed on each call (well under a millisecond) so a caller's edits never leak into the next call.
 */
export function builtinDescriptors(name: BuiltinDescriptorSetName): DescriptorFile {
  if (!Object.hasOwn(FILES, name)) {
    throw new DescriptorError(`descriptor set: no built-in set named ${JSON.stringify(name)}; the built-in sets are ${BUILTIN_DESCRIPTOR_SETS.join(', ')}`);
  }
  return parseDescriptorFile(FILES[name]);
}

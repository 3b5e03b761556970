/**
 * A descriptor set: the classes a model segments, each with its subclass descriptors (short texts). The
 * model scores every pixel against every descriptor and takes a log-sum-exp per class, so what it needs
 * from a set is the flat list of texts and each class's [start, end) range in it (`groups`).
 */
import { ShapeError } from '../errors.js';

export interface DescriptorSet {
  /** Class names, in class-id order. */
  classes: string[];
  /** descriptors[c]: the texts of class c (at least one each). */
  descriptors: string[][];
}

/** Check a set: every class named once, with at least one non-blank descriptor; ShapeError otherwise. */
export function validateDescriptorSet(set: DescriptorSet): void {
  if (!Array.isArray(set.classes) || set.classes.length === 0) throw new ShapeError('descriptor set: it has no classes');
  if (!Array.isArray(set.descriptors) || set.descriptors.length !== set.classes.length) {
    throw new ShapeError(`descriptor set: ${set.classes.length} classes but ${Array.isArray(set.descriptors) ? set.descriptors.length : 'no'} descriptor lists; give one list per class`);
  }
  const seen = new Set<string>();
  set.classes.forEach((name, c) => {
    if (typeof name !== 'string' || name.trim() === '') throw new ShapeError(`descriptor set: class ${c} has no name`);
    if (seen.has(name)) throw new ShapeError(`descriptor set: class '${name}' appears twice (ids ${set.classes.indexOf(name)} and ${c})`);
    seen.add(name);
    const list = set.descriptors[c];
    if (!Array.isArray(list) || list.length === 0) throw new ShapeError(`descriptor set: class '${name}' (id ${c}) has no descriptors; give it at least one (its name will do)`);
    list.forEach((text, k) => {
      if (typeof text !== 'string' || text.trim() === '') throw new ShapeError(`descriptor set: descriptor ${k} of class '${name}' is empty`);
    });
  });
}

/** The texts in model order, and class c's range [groups[c], groups[c+1]) among them. */
export function flattenDescriptors(set: DescriptorSet, options: { singleDescriptor?: boolean } = {}): { texts: string[]; groups: number[] } {
  validateDescriptorSet(set);
  // singleDescriptor (an ablation): the class name is the one descriptor.
  const lists = options.singleDescriptor ? set.classes.map((name) => [name]) : set.descriptors;
  const groups = [0];
  for (const list of lists) groups.push(groups.at(-1)! + list.length);
  return { texts: lists.flat(), groups };
}

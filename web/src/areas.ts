/** What the page reports about a segmentation: each class's share of the picture, and agreement with a ground truth. */

export interface ClassArea {
  id: number;
  name: string;
  pixels: number;
  /** Share of the picture, 0..1. */
  fraction: number;
}

/** The classes present in `classIds`, largest first. */
export function classAreas(classIds: ArrayLike<number>, classes: readonly string[]): ClassArea[] {
  const counts = new Map<number, number>();
  for (let p = 0; p < classIds.length; p++) counts.set(classIds[p]!, (counts.get(classIds[p]!) ?? 0) + 1);
  return [...counts]
    .map(([id, pixels]) => ({ id, name: classes[id] ?? `class ${id}`, pixels, fraction: pixels / classIds.length }))
    .sort((a, b) => b.pixels - a.pixels || a.id - b.id);
}

/**
 * Ground-truth labels (indices into `truthClasses`) as ids into `classes`, matched by name; 255 where the
 * class is not among `classes` (an open-vocabulary set need not contain the scene's classes).
 */
export function truthAsClassIds(labels: Uint8Array, truthClasses: readonly string[], classes: readonly string[]): Uint8Array {
  const index = new Map(classes.map((name, c) => [name, c]));
  const map = truthClasses.map((name) => index.get(name) ?? 255);
  return labels.map((l) => map[l] ?? 255);
}

/** Pixel accuracy over the pixels whose true class is in the set (null when none is). */
export function pixelAccuracy(classIds: ArrayLike<number>, truth: Uint8Array): number | null {
  let right = 0;
  let counted = 0;
  for (let p = 0; p < truth.length; p++) {
    if (truth[p] === 255) continue;
    counted++;
    if (classIds[p] === truth[p]) right++;
  }
  return counted === 0 ? null : right / counted;
}

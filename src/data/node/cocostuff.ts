/** COCO-Stuff 164k (images/<split> + stuffthingmaps_trainval2017/<split>) from disk. Node only. */
import { DataError } from '../../errors.js';
import { COCOSTUFF_CLASSES } from '../cocostuff-classes.js';
import type { Dataset } from '../dataset.js';
import { COCOSTUFF_LABEL_TABLE } from '../label-maps.js';
import { openPairedFolders } from './paired-folders.js';

export type CocoStuffSplit = 'train2017' | 'val2017';

/**
 * Opens `root/images/<split>/*.jpg` with `root/stuffthingmaps_trainval2017/<split>/*.png`. Labels: the 171
 * used ids of 0..181 -> classes 0..170 in id order (COCOSTUFF_IDS), 255 -> 255 (ignore).
 */
export async function openCocoStuff(root: string, split: CocoStuffSplit): Promise<Dataset> {
  if (split !== 'train2017' && split !== 'val2017') {
    throw new DataError(`COCO-Stuff split must be 'train2017' or 'val2017', got ${JSON.stringify(split)}`);
  }
  return openPairedFolders({
    name: `cocostuff/${split}`,
    classes: COCOSTUFF_CLASSES,
    root,
    imageDir: `images/${split}`,
    labelDir: `stuffthingmaps_trainval2017/${split}`,
    table: COCOSTUFF_LABEL_TABLE,
    layout: `<root>/images/${split}/*.jpg + <root>/stuffthingmaps_trainval2017/${split}/*.png`,
  });
}

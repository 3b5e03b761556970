/** ADE20K (SceneParsing, ADEChallengeData2016 layout) from disk. Node only. */
import { DataError } from '../../errors.js';
import { ADE20K_CLASSES } from '../ade20k-classes.js';
import type { Dataset } from '../dataset.js';
import { ADE20K_LABEL_TABLE } from '../label-maps.js';
import { openPairedFolders } from './paired-folders.js';

export type Ade20kSplit = 'training' | 'validation';

/**
 * Opens `root/images/<split>/*.jpg` with `root/annotations/<split>/*.png` (root = ADEChallengeData2016 or
 * any folder with that layout). Labels: annotation 0 -> 255 (ignore), 1..150 -> classes 0..149.
 */
export async function openAde20k(root: string, split: Ade20kSplit): Promise<Dataset> {
  if (split !== 'training' && split !== 'validation') {
    throw new DataError(`ADE20K split must be 'training' or 'validation', got ${JSON.stringify(split)}`);
  }
  return openPairedFolders({
    name: `ade20k/${split}`,
    classes: ADE20K_CLASSES,
    root,
    imageDir: `images/${split}`,
    labelDir: `annotations/${split}`,
    table: ADE20K_LABEL_TABLE,
    layout: `ADEChallengeData2016/images/${split}/*.jpg + ADEChallengeData2016/annotations/${split}/*.png`,
  });
}

/**
 * `--data synthetic | ade20k:DIR | cocostuff:DIR`: the train and validation datasets and the descriptor
 * set for their classes (the built-in one for the dataset, or `--descriptors FILE`).
 */
import type { Dataset } from '../data/dataset.js';
import { openAde20k } from '../data/node/ade20k.js';
import { openCocoStuff } from '../data/node/cocostuff.js';
import { syntheticDataset } from '../data/synthetic/dataset.js';
import { builtinDescriptors } from '../descriptors/builtin.js';
import { subsetDescriptors } from '../descriptors/descriptor-file.js';
import type { DescriptorSet } from '../descriptors/descriptor-set.js';
import { readDescriptorFile } from '../descriptors/node/descriptor-file-io.js';
import { UsageError } from './command.js';

export interface DataSource {
  name: string;
  train: Dataset;
  val: Dataset;
  descriptors: DescriptorSet;
}

export interface DataSourceOptions {
  /** Image side for synthetic scenes. */
  size: number;
  /** Synthetic scenes per split. */
  syntheticTrain?: number;
  syntheticVal?: number;
  /** A descriptor file to use instead of the built-in set. */
  descriptorsFile?: string;
}

/** The descriptor set for `classes`, in their order: from the file if given, else the built-in set. */
export async function descriptorsFor(classes: readonly string[], builtin: 'ade20k' | 'cocostuff', file?: string): Promise<DescriptorSet> {
  const all = file ? await readDescriptorFile(file) : builtinDescriptors(builtin);
  return subsetDescriptors(all, [...classes]);
}

export async function openDataSource(spec: string, options: DataSourceOptions): Promise<DataSource> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const dir = colon < 0 ? '' : spec.slice(colon + 1);
  if (kind === 'synthetic') {
    if (dir) throw new UsageError(`--data synthetic takes no folder, got '${spec}'`);
    const train = syntheticDataset({ split: 'train', count: options.syntheticTrain ?? 4096, size: options.size });
    const val = syntheticDataset({ split: 'val', count: options.syntheticVal ?? 64, size: options.size });
    return { name: 'synthetic', train, val, descriptors: await descriptorsFor(train.classes, 'ade20k', options.descriptorsFile) };
  }
  if (kind === 'ade20k' || kind === 'cocostuff') {
    if (!dir) throw new UsageError(`--data ${kind} needs a folder: --data ${kind}:DIR`);
    const [train, val] =
      kind === 'ade20k'
        ? await Promise.all([openAde20k(dir, 'training').catch(() => null), openAde20k(dir, 'validation')])
        : await Promise.all([openCocoStuff(dir, 'train2017').catch(() => null), openCocoStuff(dir, 'val2017')]);
    // A folder with only the validation split (like the shared samples) still evaluates; training needs both.
    return { name: kind, train: train ?? val, val, descriptors: await descriptorsFor(val.classes, kind, options.descriptorsFile) };
  }
  throw new UsageError(`--data must be synthetic, ade20k:DIR or cocostuff:DIR; got '${spec}'`);
}

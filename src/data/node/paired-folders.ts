/**
 * A dataset laid out as two parallel folders, one of images and one of label maps with the same file
 * stems (ADE20K, COCO-Stuff, Cityscapes-like layouts). Node only. Files are listed and paired when the
 * dataset is opened, so a missing partner or a wrong layout fails at once; decoding waits for get().
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DataError } from '../../errors.js';
import { decodeImage, decodeLabelMap } from '../codecs.js';
import type { Dataset, Sample } from '../dataset.js';
import { remapLabels, type LabelTable } from '../label-maps.js';
import { rgbToPlanar } from '../pixels.js';

export interface PairedFolderSpec {
  /** Dataset name, e.g. 'ade20k/validation'. */
  name: string;
  classes: readonly string[];
  root: string;
  /** Folders relative to root. */
  imageDir: string;
  labelDir: string;
  table: LabelTable;
  /** The expected layout in words, for errors about a wrong folder. */
  layout: string;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);
const LABEL_EXTENSIONS = new Set(['.png']);
/** How many unpaired files an error lists before summarising. */
const LIST_AT_MOST = 5;

interface Pair {
  id: string;
  image: string;
  labels: string;
}

/** Lists and pairs the files (sorted by stem); throws DataError for a wrong layout or unpaired files. */
export async function openPairedFolders(spec: PairedFolderSpec): Promise<Dataset> {
  await requireFolder(spec.root, `the dataset root ${spec.root}`, spec.layout);
  const imageDir = join(spec.root, spec.imageDir);
  const labelDir = join(spec.root, spec.labelDir);
  const images = await listByStem(imageDir, IMAGE_EXTENSIONS, 'images', spec.layout);
  const labels = await listByStem(labelDir, LABEL_EXTENSIONS, 'label maps', spec.layout);
  const unlabelled = [...images.keys()].filter((stem) => !labels.has(stem));
  if (unlabelled.length > 0) {
    throw new DataError(
      `${spec.name}: ${unlabelled.length} image(s) have no label map in ${labelDir}: ` +
        `${listSome(unlabelled.map((s) => `${images.get(s)!} (expected ${join(labelDir, `${s}.png`)})`))}`,
    );
  }
  const orphans = [...labels.keys()].filter((stem) => !images.has(stem));
  if (orphans.length > 0) {
    throw new DataError(
      `${spec.name}: ${orphans.length} label map(s) have no image in ${imageDir}: ` +
        `${listSome(orphans.map((s) => labels.get(s)!))}`,
    );
  }
  const pairs: Pair[] = [...images.keys()]
    .sort()
    .map((id) => ({ id, image: images.get(id)!, labels: labels.get(id)! }));
  return new PairedFolderDataset(spec, pairs);
}

class PairedFolderDataset implements Dataset {
  readonly name: string;
  readonly classes: readonly string[];
  readonly size: number;

  constructor(
    private readonly spec: PairedFolderSpec,
    private readonly pairs: readonly Pair[],
  ) {
    this.name = spec.name;
    this.classes = spec.classes;
    this.size = pairs.length;
  }

  async get(index: number): Promise<Sample> {
    const pair = this.pairs[index];
    if (!Number.isInteger(index) || !pair) {
      throw new DataError(`${this.name}: sample index ${index} is out of range; the dataset has ${this.size} samples`);
    }
    const [imageBytes, labelBytes] = await Promise.all([readBytes(pair.image), readBytes(pair.labels)]);
    const image = decodeImage(imageBytes, pair.image);
    const labels = decodeLabelMap(labelBytes, pair.labels);
    if (image.width !== labels.width || image.height !== labels.height) {
      throw new DataError(
        `${this.name}: label map ${pair.labels} is ${labels.width} x ${labels.height} but its image ` +
          `${pair.image} is ${image.width} x ${image.height}; they must be the same size`,
      );
    }
    return {
      id: pair.id,
      width: image.width,
      height: image.height,
      image: rgbToPlanar(image.rgb, image.width, image.height),
      labels: remapLabels(labels.values, labels.width, this.spec.table, pair.labels),
    };
  }
}

async function requireFolder(path: string, what: string, layout: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new DataError(`${what} does not exist; expected the layout ${layout}`);
  }
  if (!isDir) throw new DataError(`${what} is not a folder; expected the layout ${layout}`);
}

/** Files in `dir` with one of `extensions` (case-insensitive), keyed by stem. */
async function listByStem(dir: string, extensions: Set<string>, what: string, layout: string): Promise<Map<string, string>> {
  await requireFolder(dir, `the ${what} folder ${dir}`, layout);
  const entries = await readdir(dir, { withFileTypes: true });
  const byStem = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const ext = extname(entry.name);
    if (!extensions.has(ext.toLowerCase())) continue;
    const stem = basename(entry.name, ext);
    const previous = byStem.get(stem);
    if (previous) {
      throw new DataError(`two ${what} share the name ${stem}: ${previous} and ${join(dir, entry.name)}; keep one`);
    }
    byStem.set(stem, join(dir, entry.name));
  }
  if (byStem.size === 0) {
    throw new DataError(
      `the ${what} folder ${dir} has no ${[...extensions].join('/')} files; expected the layout ${layout}`,
    );
  }
  return byStem;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function listSome(items: string[]): string {
  const shown = items.slice(0, LIST_AT_MOST).join(', ');
  return items.length > LIST_AT_MOST ? `${shown}, and ${items.length - LIST_AT_MOST} more` : shown;
}

/**
 * The picture the page segments: a synthetic scene (with its ground truth) or an image the user chose, as
 * planar RGB in [0, 1], and how it becomes a model input. Pure except pictureFromFile (browser decoding),
 * so Node computes exactly the page's model input for the same scene.
 */
import { resizeForModel, renderSyntheticScene, rgbToPlanar, SYNTHETIC_CLASSES } from 'langseg';

export interface Picture {
  /** What it is, for captions: "synthetic scene 3", "beach.jpg". */
  name: string;
  width: number;
  height: number;
  /** [3, H, W] RGB in [0, 1]. */
  image: Float32Array;
  /** Labels of a synthetic scene: class indices into `truth.classes`. */
  truth?: { labels: Uint8Array; classes: readonly string[] };
}

/** User images are shown (and their segmentation upscaled) at most this many pixels on a side. */
export const MAX_PICTURE_SIDE = 512;

/**
 * Synthetic scene `seed`, rendered at the model's input size: the models are trained on scenes rendered at
 * that size, so the page shows them what they were trained on.
 */
export function syntheticPicture(seed: number, size: readonly [number, number], kind?: 'indoor' | 'outdoor'): Picture {
  const { image, labels } = renderSyntheticScene(seed, size, kind ? { kind } : {});
  return { name: `synthetic scene ${seed}${kind ? ` (${kind})` : ''}`, width: size[1], height: size[0], image, truth: { labels, classes: SYNTHETIC_CLASSES } };
}

/** The model's input for a picture: [1, 3, h, w] at the model's size (bilinear, as `langseg segment` does). */
export function modelInput(picture: Picture, size: readonly [number, number]): Float32Array {
  if (picture.height === size[0] && picture.width === size[1]) return picture.image;
  const sample = { id: picture.name, width: picture.width, height: picture.height, image: picture.image, labels: new Uint8Array(picture.width * picture.height) };
  return resizeForModel(sample, size).image;
}

/** An image file decoded by the browser, scaled down to MAX_PICTURE_SIDE. */
export async function pictureFromFile(file: Blob, name: string): Promise<Picture> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_PICTURE_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [width, height];
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return { name, width, height, image: rgbToPlanar(rgb, width, height) };
}

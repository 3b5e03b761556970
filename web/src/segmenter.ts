/**
 * A loaded model and its inference executables: one predictor per class set (compiling one takes a few
 * seconds on a software adapter, so the last one is kept), results mapped back to the picture's size.
 * Predictors share the model's parameters, so fine-tuning shows in the next segmentation at once.
 */
import { LangSegModel, resizeLabelsNearest, type DescriptorSet, type KernelRuntime, type LangsegDevice } from 'langseg';
import { modelInput, type Picture } from './picture.js';

type Predictor = Awaited<ReturnType<LangSegModel['predictor']>>;

export interface Segmentation {
  classes: string[];
  /** [H, W] class ids at the picture's size. */
  classIds: Uint16Array;
  /** [C, h, w] class probabilities at the model's size. */
  probabilities: Float32Array;
  /** The model's input size [h, w]. */
  modelSize: [number, number];
  milliseconds: number;
}

export class Segmenter {
  private cached: { key: string; predictor: Predictor } | null = null;

  private constructor(readonly model: LangSegModel) {}

  /** The model in checkpoint `bytes` (a training or weights-only checkpoint). */
  static async load(device: LangsegDevice | KernelRuntime, bytes: Uint8Array): Promise<Segmenter> {
    return new Segmenter(await LangSegModel.load(device, bytes));
  }

  get size(): [number, number] {
    return this.model.config.imageSize;
  }

  /** Segment `picture` into the classes of `set` (the model's own by default). */
  async segment(picture: Picture, set: DescriptorSet = this.model.descriptors): Promise<Segmentation> {
    const start = performance.now();
    const key = JSON.stringify(set);
    if (this.cached?.key !== key) {
      this.cached?.predictor.destroy();
      this.cached = null;
      this.cached = { key, predictor: await this.model.predictor(1, set) };
    }
    const size = this.size;
    const { classIds, probabilities, classes } = await this.cached.predictor.predict(modelInput(picture, size));
    const full = picture.height === size[0] && picture.width === size[1] ? classIds : resizeLabelsNearest(classIds, size, [picture.height, picture.width]);
    return { classes, classIds: full, probabilities, modelSize: size, milliseconds: performance.now() - start };
  }

  destroy(): void {
    this.cached?.predictor.destroy();
    this.cached = null;
    this.model.destroy();
  }
}

/**
 * More gradients for the TF.js side of the `train` suite, which runs the whole LangSeg model (through
 * bench/graph/tfjs-interpreter.ts). tfjs-core's Node bundle registers no gradients (see tfjs-gradients.ts,
 * which has the MLP's); these are ports of tfjs-core 4.22's own gradients/<Kernel>_grad.ts for the other
 * kernels the model runs, so TF.js trains exactly as it would with the full @tensorflow/tfjs package,
 * quirks included: its ResizeBilinearGrad kernel ignores halfPixelCenters (it computes the align-corners=false,
 * half-pixel=false gradient), so TF.js's gradient through the model's bilinear resizes is slightly off from
 * the true one. That is TF.js's behaviour, kept as is; the first step's loss (forward only) is what must agree.
 */
import type { GradConfig, NamedAttrMap, Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../tfjs.js';
import { ensureTfjsGradients } from './tfjs-gradients.js';

type Saved = TfTensor[];
const f32 = (tf: Tf, x: TfTensor): TfTensor => tf.cast(x, 'float32');

/** Elementwise gradients: dy times a function of the saved input or output. */
function elementwise(tf: Tf): GradConfig[] {
  return [
    { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy as TfTensor) }) },
    { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => (dy as TfTensor).clone() }) },
    { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => tf.cast(dy as TfTensor, 'float32') }) },
    { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(dy as TfTensor, y!) }) },
    { kernelName: 'Log', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.div(dy as TfTensor, f32(tf, x!)) }) },
    {
      kernelName: 'Rsqrt',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved) => ({ x: () => tf.neg(tf.div(dy as TfTensor, tf.mul(tf.pow(x!, 1.5), 2))) }),
    },
    {
      kernelName: 'Sqrt',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved) => ({ x: () => tf.div(dy as TfTensor, tf.mul(tf.sqrt(f32(tf, x!)), 2)) }),
    },
    {
      kernelName: 'Erf',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved) => {
        const a = tf.mul(tf.exp(tf.neg(tf.square(x!))), 2 / Math.sqrt(Math.PI));
        return { x: () => tf.mul(dy as TfTensor, a) };
      },
    },
    {
      kernelName: 'Sigmoid',
      outputsToSave: [true],
      gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(dy as TfTensor, tf.mul(y!, tf.sub(tf.scalar(1), y!))) }),
    },
    {
      kernelName: 'Tanh',
      outputsToSave: [true],
      gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(tf.sub(tf.scalar(1), tf.square(y!)), dy as TfTensor) }),
    },
    { kernelName: 'Abs', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.mul(dy as TfTensor, tf.step(f32(tf, x!), -1)) }) },
    { kernelName: 'Step', gradFunc: (dy) => ({ x: () => tf.zerosLike(dy as TfTensor) }) },
    { kernelName: 'Sign', gradFunc: (dy) => ({ x: () => tf.zerosLike(dy as TfTensor) }) },
  ];
}

/** Binary ops beyond Add/Sub/Multiply: RealDiv, Maximum, Minimum. */
function binary(tf: Tf): GradConfig[] {
  return [
    {
      kernelName: 'RealDiv',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]: Saved) => {
        const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
        const derA = () => {
          const res = tf.div(dy as TfTensor, f32(tf, b!));
          const reduceAxes = tf.broadcast_util.getReductionAxes(a!.shape, outShape);
          return reduceAxes.length > 0 ? tf.reshape(tf.sum(res, reduceAxes), a!.shape) : res;
        };
        const derB = () => {
          let res = tf.mul(dy as TfTensor, f32(tf, a!));
          const reduceAxes = tf.broadcast_util.getReductionAxes(b!.shape, outShape);
          if (reduceAxes.length > 0) res = tf.reshape(tf.sum(res, reduceAxes), b!.shape);
          return tf.neg(tf.div(res, f32(tf, tf.square(b!))));
        };
        return { a: derA, b: derB };
      },
    },
    {
      kernelName: 'Maximum',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]: Saved) => ({
        a: () => tf.mul(dy as TfTensor, tf.cast(tf.greaterEqual(a!, b!), 'float32')),
        b: () => tf.mul(dy as TfTensor, tf.cast(tf.less(a!, b!), 'float32')),
      }),
    },
    {
      kernelName: 'Minimum',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]: Saved) => ({
        a: () => tf.mul(dy as TfTensor, tf.cast(tf.lessEqual(a!, b!), 'float32')),
        b: () => tf.mul(dy as TfTensor, tf.cast(tf.greater(a!, b!), 'float32')),
      }),
    },
  ];
}

/** Reductions: Sum, and Max through min_max_grad_util's gradForMinAndMax. */
function reductions(tf: Tf): GradConfig[] {
  return [
    {
      kernelName: 'Sum',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved, attrs: NamedAttrMap) => {
        const expandedDyShape = x!.shape.slice();
        const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x!.shape);
        for (const axis of axes) expandedDyShape[axis] = 1;
        const derX = tf.mul(tf.reshape(dy as TfTensor, expandedDyShape), tf.ones(x!.shape, 'float32'));
        return { x: () => derX };
      },
    },
    {
      kernelName: 'Max',
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, [x, y]: Saved, attrs: NamedAttrMap) => {
        const origAxes = tf.util.parseAxisParam(attrs.reductionIndices as number | number[], x!.shape);
        let yy = y!;
        let dyy = dy as TfTensor;
        if (yy.rank < x!.rank) yy = tf.reshape(yy, tf.backend_util.expandShapeToKeepDim(yy.shape, origAxes));
        if (dyy.rank < x!.rank) dyy = tf.reshape(dyy, tf.backend_util.expandShapeToKeepDim(dyy.shape, origAxes));
        return { x: () => tf.mul(dyy, tf.cast(tf.equal(x!, yy), dyy.dtype)) };
      },
    },
  ];
}

/** Shape ops: Reshape, Transpose, Tile (tf.broadcastTo), Slice, PadV2, Concat. */
function shapes(tf: Tf): GradConfig[] {
  return [
    { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.reshape(dy as TfTensor, x!.shape) }) },
    {
      kernelName: 'Transpose',
      gradFunc: (dy, _saved, attrs: NamedAttrMap) => {
        const undoPerm = tf.backend_util.getUndoAxesPermutation(attrs.perm as number[]);
        return { x: () => tf.transpose(dy as TfTensor, undoPerm) };
      },
    },
    // tf.broadcastTo runs the Tile kernel. Its gradient adds up every repeated block of dy, one slice at a
    // time in row-major order of the repetitions, for ranks 1 to 4 (the loops of Tile_grad.ts, written once).
    {
      kernelName: 'Tile',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved, attrs: NamedAttrMap) => {
        const reps = attrs.reps as number[];
        const derX = () => {
          if (x!.rank < 1 || x!.rank > 4) throw new Error(`Gradient for tile operation is not implemented for rank-${x!.rank} tensors yet.`);
          let xGrad = tf.zerosLike(x!);
          const count = reps.slice(0, x!.rank).reduce((a, b) => a * b, 1);
          for (let flat = 0; flat < count; flat++) {
            const index = new Array<number>(x!.rank);
            for (let axis = x!.rank - 1, rest = flat; axis >= 0; axis--) {
              index[axis] = rest % reps[axis]!;
              rest = Math.floor(rest / reps[axis]!);
            }
            xGrad = tf.add(xGrad, tf.slice(dy as TfTensor, index.map((r, axis) => r * x!.shape[axis]!), x!.shape));
          }
          return xGrad;
        };
        return { x: derX };
      },
    },
    {
      kernelName: 'Slice',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved, attrs: NamedAttrMap) => {
        const [begin, size] = tf.slice_util.parseSliceParams(x!, attrs.begin as number[], attrs.size as number[]) as [number[], number[]];
        const paddings = x!.shape.map((d, i) => [begin[i]!, d - begin[i]! - size[i]!] as [number, number]);
        return { x: () => tf.pad(dy as TfTensor, paddings) };
      },
    },
    {
      kernelName: 'PadV2',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]: Saved, attrs: NamedAttrMap) => {
        const begin = (attrs.paddings as [number, number][]).map((p) => p[0]);
        return { x: () => tf.slice(dy as TfTensor, begin, x!.shape) };
      },
    },
    {
      kernelName: 'Concat',
      saveAllInputs: true,
      gradFunc: (dy, saved: Saved, attrs: NamedAttrMap) => {
        const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0]!.shape)[0]!;
        const parts = tf.split(dy as TfTensor, saved.map((t) => t.shape[axis]!), axis);
        return parts.map((t) => () => t) as unknown as Record<string, () => TfTensor>;
      },
    },
  ];
}

/** GatherV2 (axis 0, batchDims 0: what the interpreter uses) and UnsortedSegmentSum. */
function gathers(tf: Tf): GradConfig[] {
  return [
    {
      kernelName: 'GatherV2',
      inputsToSave: ['x', 'indices'],
      gradFunc: (dy, [x, indices]: Saved, attrs: NamedAttrMap) => {
        const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
        if (batchDims !== 0) throw new Error('GatherV2 gradient: this port covers batchDims 0 only (the interpreter gathers with batchDims 0)');
        const parsedAxis = tf.util.parseAxisParam(axis, x!.shape)[0]!;
        const derX = () => {
          const paramsShape = x!.shape;
          const outerShape = paramsShape.slice(0, parsedAxis);
          const innerShape = paramsShape.slice(parsedAxis + 1);
          const outerDims = outerShape.length;
          const outerAxes = outerShape.map((_, i) => i);
          const innerAxes = innerShape.map((_, i) => outerDims + 1 + i);
          const values = tf.reshape(dy as TfTensor, [...outerShape, indices!.size, ...innerShape]);
          const transposeDims = [outerDims, ...outerAxes, ...innerAxes];
          const grad = tf.unsortedSegmentSum(tf.transpose(values, transposeDims), tf.reshape(indices!, [indices!.size]), paramsShape[parsedAxis]!);
          return tf.transpose(grad, tf.backend_util.getUndoAxesPermutation(transposeDims));
        };
        return { x: derX, indices: () => indices! };
      },
    },
    {
      kernelName: 'UnsortedSegmentSum',
      inputsToSave: ['segmentIds'],
      gradFunc: (dy, [segmentIds]: Saved) => ({
        // gatherDropNegatives: gather dy at each segment id, 0 where the id is negative.
        x: () => {
          const gathered = tf.gather(dy as TfTensor, tf.maximum(segmentIds!, tf.zerosLike(segmentIds!)));
          let isPositive = tf.greaterEqual(segmentIds!, tf.scalar(0, 'int32'));
          for (let i = 0; i < gathered.rank - segmentIds!.rank; i++) isPositive = tf.expandDims(isPositive, i + 1);
          isPositive = tf.logicalAnd(isPositive, tf.ones(gathered.shape, 'bool'));
          return tf.where(isPositive, gathered, tf.zerosLike(gathered));
        },
      }),
    },
  ];
}

/** Conv2D (its backprop kernels) and ResizeBilinear (ResizeBilinearGrad, which ignores halfPixelCenters). */
function vision(tf: Tf): GradConfig[] {
  return [
    {
      kernelName: 'Conv2D',
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, [x4D, filter]: Saved, attrs: NamedAttrMap) => {
        const { dilations, strides, pad, dataFormat } = attrs as unknown as { dilations: number | number[]; strides: unknown; pad: unknown; dataFormat: string };
        if (!tf.backend_util.tupleValuesAreOne(dilations)) {
          throw new Error(`Error in gradient of conv2D: dilation rates greater than 1 are not yet supported in gradients. Got dilations '${String(dilations)}'`);
        }
        // tfjs-core's conv2DBackpropInput / conv2DBackpropFilter ops are not exported; on 4-D inputs they
        // come down to exactly these kernel calls.
        const common = { strides, pad, dataFormat, dimRoundingMode: undefined } as unknown as NamedAttrMap;
        return {
          x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy as TfTensor, filter: filter! }, { ...common, inputShape: x4D!.shape }) as TfTensor,
          filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x: x4D!, dy: dy as TfTensor }, { ...common, filterShape: filter!.shape }) as TfTensor,
        };
      },
    },
    {
      kernelName: 'ResizeBilinear',
      inputsToSave: ['images'],
      gradFunc: (dy, [images]: Saved, attrs: NamedAttrMap) => ({
        images: () => tf.engine().runKernel('ResizeBilinearGrad', { dy: dy as TfTensor, images: images! }, attrs),
      }),
    },
  ];
}

/** The ported gradient configs of this file (not the MLP's), by kernel. */
export function langSegGradConfigs(tf: Tf): GradConfig[] {
  return [...elementwise(tf), ...binary(tf), ...reductions(tf), ...shapes(tf), ...gathers(tf), ...vision(tf)];
}

/** Register every gradient the LangSeg model needs (the MLP's too) unless some already are. */
export function ensureLangSegGradients(tf: Tf): void {
  ensureTfjsGradients(tf);
  for (const config of langSegGradConfigs(tf)) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}

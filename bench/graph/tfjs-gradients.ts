/**
 * Gradients for the TF.js kernels the benchmark model runs. tfjs-core's Node (CommonJS) bundle ships no
 * gradient registrations: @tensorflow/tfjs adds them by importing tfjs-core's ESM-only
 * `register_all_gradients`, which Node cannot load from that package (extension-less ESM imports). These
 * are ports of tfjs-core 4.22's own gradients/{BatchMatMul,Add,Sub,Multiply,Relu,Square,Mean,Softmax}_grad.ts, so the
 * TF.js side trains exactly as it would with the full @tensorflow/tfjs package.
 */
import type { GradConfig, NamedAttrMap, Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../tfjs.js';

/** Sum `dy` over the axes along which `shape` was broadcast to `outShape`, then give it `shape`. */
function unbroadcast(tf: Tf, dy: TfTensor, shape: number[], outShape: number[]): TfTensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

function gradConfigs(tf: Tf): GradConfig[] {
  return [
    {
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [a, b] = saved as [TfTensor, TfTensor];
        const dY = dy as TfTensor;
        const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        if (!transposeA && !transposeB) return { a: () => tf.matMul(dY, b, false, true), b: () => tf.matMul(a, dY, true, false) };
        if (!transposeA && transposeB) return { a: () => tf.matMul(dY, b, false, false), b: () => tf.matMul(dY, a, true, false) };
        if (transposeA && !transposeB) return { a: () => tf.matMul(b, dY, false, true), b: () => tf.matMul(a, dY, false, false) };
        return { a: () => tf.matMul(b, dY, true, true), b: () => tf.matMul(dY, a, true, true) };
      },
    },
    {
      kernelName: 'Add',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [TfTensor, TfTensor];
        const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return { a: () => unbroadcast(tf, dy as TfTensor, a.shape, out), b: () => unbroadcast(tf, dy as TfTensor, b.shape, out) };
      },
    },
    {
      kernelName: 'Sub',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [TfTensor, TfTensor];
        const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return { a: () => unbroadcast(tf, dy as TfTensor, a.shape, out), b: () => unbroadcast(tf, tf.neg(dy as TfTensor), b.shape, out) };
      },
    },
    {
      kernelName: 'Relu',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved as [TfTensor];
        return { x: () => tf.mul(dy as TfTensor, tf.cast(tf.step(x), 'float32')) };
      },
    },
    {
      kernelName: 'Square',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved as [TfTensor];
        return { x: () => tf.mul(dy as TfTensor, tf.mul(tf.cast(x, 'float32'), 2)) };
      },
    },
    {
      kernelName: 'Multiply',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [TfTensor, TfTensor];
        const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return {
          a: () => unbroadcast(tf, tf.mul(dy as TfTensor, tf.cast(b, 'float32')), a.shape, outShape),
          b: () => unbroadcast(tf, tf.mul(dy as TfTensor, tf.cast(a, 'float32')), b.shape, outShape),
        };
      },
    },
    {
      kernelName: 'Softmax',
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [y] = saved as [TfTensor];
        const { dim } = attrs as unknown as { dim: number };
        const dyTimesY = tf.mul(dy as TfTensor, y);
        return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y)) };
      },
    },
    {
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs: NamedAttrMap) => {
        const [x] = saved as [TfTensor];
        const { axis } = attrs as unknown as { axis: number | number[] | null };
        const axes = axis === null ? x.shape.map((_, i) => i) : tf.util.parseAxisParam(axis, x.shape);
        const reduceSize = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
        const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        return { x: () => tf.div(tf.mul(tf.reshape(dy as TfTensor, expanded), tf.ones(x.shape, 'float32')), reduceSize) };
      },
    },
  ];
}

/** Register the model's gradients with TF.js unless some (e.g. from @tensorflow/tfjs) already are. */
export function ensureTfjsGradients(tf: Tf): void {
  for (const config of gradConfigs(tf)) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}

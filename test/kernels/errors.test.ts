import { describe, expect, it } from 'vitest';
import { BindingLimitError, DTypeError, DeviceError, ShapeError } from '../../src/errors.js';
import { binary } from '../../src/kernels/elementwise/binary.js';
import { unary } from '../../src/kernels/elementwise/unary.js';
import { matmul } from '../../src/kernels/matmul/matmul.js';
import { reduce } from '../../src/kernels/reduce.js';
import { softmax } from '../../src/kernels/softmax.js';
import { transpose } from '../../src/kernels/transpose.js';
import type { DType } from '../../src/kernels/tensor.js';
import { useRuntime } from '../helpers/runtime.js';

const ctx = useRuntime();
const t = (shape: number[], dtype: DType = 'f32') => ctx.rt.empty(shape, dtype);

describe('bad input gets a typed error that names the op and the numbers', () => {
  it('non-broadcastable shapes', async () => {
    const err = await binary(ctx.rt, 'add', t([3, 4]), t([5])).catch((e) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect(err.message).toMatch(/add: shapes \[3, 4\] and \[5\] do not broadcast/);
  });

  it('matmul with mismatched inner dimensions, bad rank, bad batch, bad bias', async () => {
    await expect(matmul(ctx.rt, t([3, 4]), t([5, 6]))).rejects.toThrow(/inner dimensions differ \(A gives K=4, B gives K=5\)/);
    await expect(matmul(ctx.rt, t([3, 4]), t([5, 6]))).rejects.toBeInstanceOf(ShapeError);
    await expect(matmul(ctx.rt, t([4]), t([4, 6]))).rejects.toThrow(/rank 1/);
    await expect(matmul(ctx.rt, t([2, 3, 4]), t([3, 4, 5]))).rejects.toThrow(/batch sizes 2 and 3/);
    await expect(matmul(ctx.rt, t([3, 4]), t([4, 5]), { bias: t([4]) })).rejects.toThrow(/bias must have shape \[5\]/);
    await expect(matmul(ctx.rt, t([3, 0]), t([0, 5]))).rejects.toThrow(/inner dimension K is 0/);
  });

  it('bad axes and permutations', async () => {
    await expect(reduce(ctx.rt, 'sum', t([3, 4]), [2])).rejects.toThrow(/axis 2 is out of range for rank 2/);
    await expect(reduce(ctx.rt, 'sum', t([3, 4]), [1, -1])).rejects.toThrow(/repeated axis/);
    await expect(reduce(ctx.rt, 'max', t([3, 0]), [1])).rejects.toThrow(/empty axis/);
    await expect(transpose(ctx.rt, t([3, 4]), [0, 0])).rejects.toThrow(ShapeError);
    await expect(softmax(ctx.rt, t([]))).rejects.toThrow(/scalar/);
  });

  it('unsupported dtypes', async () => {
    expect(() => ctx.rt.empty([4], 'f16' as DType)).toThrow(DTypeError);
    expect(() => ctx.rt.empty([4], 'f16' as DType)).toThrow(/dtype 'f16' is not supported; use one of f32, i32, u32/);
    await expect(unary(ctx.rt, 'relu', t([4], 'i32'))).rejects.toThrow(DTypeError);
    await expect(matmul(ctx.rt, t([2, 2], 'u32'), t([2, 2]))).rejects.toThrow(/matmul takes f32/);
  });

  it('a tensor larger than the device can bind', () => {
    const words = ctx.rt.maxBindingBytes / 4;
    const err = (() => {
      try {
        ctx.rt.empty([words + 1], 'f32', 'too_big');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(BindingLimitError);
    expect(err!.message).toContain(`tensor 'too_big' [${words + 1}] needs ${(words + 1) * 4} bytes`);
    expect(err!.message).toContain(String(ctx.rt.maxBindingBytes));
  });

  it('invalid shapes and data that do not fill them', () => {
    expect(() => ctx.rt.empty([2, -1])).toThrow(ShapeError);
    expect(() => ctx.rt.empty([1.5])).toThrow(ShapeError);
    expect(() => ctx.rt.empty([1, 1, 1, 1, 1, 1, 1, 1, 1])).toThrow(/rank 9 exceeds the maximum of 8/);
    expect(() => ctx.rt.upload([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
  });

  it('using a destroyed tensor', async () => {
    const x = t([4]);
    x.destroy();
    await expect(unary(ctx.rt, 'relu', x)).rejects.toThrow(DeviceError);
  });

  it('unknown op names and overrides', async () => {
    await expect(unary(ctx.rt, 'nope' as 'relu', t([4]))).rejects.toThrow(/unknown op 'nope'/);
    await expect(ctx.rt.program('unary', 'fn x() {}', 'main')).rejects.toThrow(/no compute entry point 'main'/);
  });
});

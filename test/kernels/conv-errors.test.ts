/** Bad conv input gets a ShapeError naming the op and the numbers, when the graph is built. */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { Graph } from '../../src/graph/graph.js';

function build(op: string, shapes: number[][], attrs: Record<string, unknown> = {}): () => void {
  return () => {
    const g = new Graph();
    g.apply(op, shapes.map((s, i) => g.input(`in${i}`, s)), attrs);
  };
}

describe('conv shape errors at graph-build time', () => {
  it('kernel larger than the padded input', () => {
    expect(build('conv2d', [[1, 3, 4, 4], [2, 3, 7, 7]], { padding: [1, 1] })).toThrow(ShapeError);
    expect(build('conv2d', [[1, 3, 4, 4], [2, 3, 7, 7]], { padding: [1, 1] })).toThrow(/conv2d.*kernel 7x7.*larger than the padded input 6x6/);
    expect(build('conv2d', [[1, 3, 5, 5], [2, 3, 3, 3]], { dilation: [3, 3] })).toThrow(/dilation 3x3, so 7x7.*padded input 5x5/);
  });
  it('groups that do not divide the channels', () => {
    expect(build('conv2d', [[1, 6, 8, 8], [4, 2, 3, 3]], { groups: 4 })).toThrow(/conv2d.*groups=4 must divide both the input channels \(6\) and the output channels \(4\)/);
    expect(build('conv_transpose2d', [[1, 6, 8, 8], [6, 2, 3, 3]], { groups: 4 })).toThrow(/conv_transpose2d.*groups=4 must divide the input channels \(6\)/);
  });
  it('a weight shape that does not match', () => {
    expect(build('conv2d', [[1, 6, 8, 8], [4, 3, 3, 3]], { groups: 1 })).toThrow(/conv2d.*weight dim 1 must be C\/groups = 6\/1 = 6, got 3/);
    expect(build('conv2d', [[1, 6, 8, 8], [4, 6, 3]])).toThrow(/weight must be 4-D/);
    expect(build('conv2d', [[1, 6, 8, 8], [4, 6, 3, 3], [5]])).toThrow(/bias must have shape \[4\], got \[5\]/);
    expect(build('conv_transpose2d', [[1, 6, 8, 8], [5, 2, 3, 3]])).toThrow(/weight dim 0 must equal the input channels 6, got 5/);
    expect(build('conv2d_backward_data', [[1, 4, 7, 7], [4, 6, 3, 3]], { inputShape: [1, 6, 8, 8] })).toThrow(/dy must have shape \[1, 4, 6, 6\]/);
    expect(build('conv2d_backward_weight', [[1, 6, 8, 8], [1, 4, 7, 7]], { kernelSize: [3, 3] })).toThrow(/dy must have shape \[1, 4, 6, 6\]/);
  });
  it('a tensor over the guaranteed binding size', () => {
    // 1 x 64 x 1024 x 1024 f32 output = 256 MiB, over the 128 MiB every WebGPU device binds.
    expect(build('conv2d', [[1, 8, 1024, 1024], [64, 8, 3, 3]], { padding: [1, 1] })).toThrow(
      /conv2d.*output \[1, 64, 1024, 1024\] needs 268435456 bytes, over the 134217728 bytes/,
    );
  });
  it('bad attributes', () => {
    expect(build('conv2d', [[1, 3, 8, 8], [2, 3, 3, 3]], { padding: [1, 2, 3] })).toThrow(/padding must be/);
    expect(build('conv2d', [[1, 3, 8, 8], [2, 3, 3, 3]], { stride: [0, 1] })).toThrow(/stride \[0, 1\]/);
    expect(build('conv2d', [[1, 3, 8, 8], [2, 3, 3, 3]], { activation: 'gelu' })).toThrow(/activation must be 'none' or 'relu'/);
    expect(build('conv_transpose2d', [[1, 3, 8, 8], [3, 2, 3, 3]], { stride: [2, 2], outputPadding: [2, 0] })).toThrow(/outputPadding \[2, 0\]/);
  });
});

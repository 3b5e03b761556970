/**
 * Segment gather-sum (shaders/segment_sum.wgsl): out[r, :] = sum over j in [rowPtr[r], rowPtr[r+1]) of
 * scale[j] * src[col[j], :], with the CSR index (rowPtr, col, scale) as static plan constants. Every
 * output row is owned by one invocation per column (no atomics, a fixed summation order), which is what
 * makes it usable both for gathers (an embedding bag) and for their gradients (the transposed index).
 */
import { ShapeError } from '../errors.js';
import type { KernelPlan } from './launch.js';
import type { HostTensor } from './reference.js';
import { grid1d } from './runtime.js';
import { formatShape, type Shape } from './shape.js';

const WORKGROUP_SIZE = 64;

/** A CSR index over `rows` output rows: row r sums entries rowPtr[r] .. rowPtr[r+1]-1. */
export interface SegmentIndex {
  /** rows + 1 non-decreasing offsets into col/scale, starting at 0. */
  rowPtr: Uint32Array<ArrayBuffer>;
  /** The source row of each entry. */
  col: Uint32Array<ArrayBuffer>;
  /** The weight of each entry. */
  scale: Float32Array<ArrayBuffer>;
}

/** Number of output rows of an index. */
export function segmentRows(index: SegmentIndex): number {
  return index.rowPtr.length - 1;
}

/**
 * The kernel plan of out [rows, D] = segment gather-sum of src [S, D] over `index`. The index must already
 * be valid for src (every col < S): callers validate it where they can name what was wrong (see embedding.ts).
 */
export function segmentSumPlan(op: string, src: Shape, index: SegmentIndex): KernelPlan {
  if (src.length !== 2) throw new ShapeError(`${op}: the source must be 2-D [rows, D], got ${formatShape(src)}`);
  const d = src[1]!;
  const rows = segmentRows(index);
  // Whole vec4 loads and stores when rows are a multiple of 4 floats long: a quarter of the invocations.
  const vec4 = d % 4 === 0;
  const width = vec4 ? d / 4 : d;
  return {
    out: { shape: [rows, d], dtype: 'f32' },
    temps: [],
    constants: [index.rowPtr, index.col, index.scale],
    launches: [
      {
        shader: 'segment_sum',
        entry: vec4 ? 'main_vec4' : 'main',
        overrides: { WORKGROUP_SIZE },
        uniforms: { rows, width },
        workgroups: grid1d(Math.ceil((rows * width) / WORKGROUP_SIZE)),
        bindings: {
          [vec4 ? 'src_rows4' : 'src_rows']: 'in0',
          row_ptr: 'const0',
          col_index: 'const1',
          col_scale: 'const2',
          [vec4 ? 'dst_rows4' : 'dst_rows']: 'out',
        },
      },
    ],
  };
}

/** CPU reference of the segment gather-sum (float64). */
export function segmentSumReference(src: HostTensor, index: SegmentIndex): HostTensor {
  const d = src.shape[1]!;
  const rows = segmentRows(index);
  const data = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    for (let j = index.rowPtr[r]!; j < index.rowPtr[r + 1]!; j++) {
      const from = index.col[j]! * d;
      const s = index.scale[j]!;
      for (let c = 0; c < d; c++) data[r * d + c]! += s * src.data[from + c]!;
    }
  }
  return { shape: [rows, d], data };
}

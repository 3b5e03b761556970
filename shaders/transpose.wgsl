// General permute of a tensor of rank <= 8 (any 32-bit dtype: values are moved as u32 bits).
// One invocation per output element; the input strides are pre-permuted on the host so the kernel
// just decodes the output index.
//!include lib/shape8.wgsl

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  out_shape: array<vec4<u32>, 2>,
  // in_strides[d] = the input stride of the axis that becomes output axis d.
  in_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  var rest = i;
  var src = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let dim = at(params.out_shape, u32(d));
    src += (rest % dim) * at(params.in_strides, u32(d));
    rest = rest / dim;
  }
  y[i] = x[src];
}

// A gather whose walk collapses to [outer, middle, inner] (src/kernels/shape.ts grid3), addressed by the
// dispatch grid: no per-dimension division. Most broadcasts and permutes of a model's tensors qualify.
@compute @workgroup_size(64, 1, 1)
fn gather_grid(@builtin(global_invocation_id) gid: vec3<u32>) {
  let dims = params.out_shape[0];
  if (gid.x >= dims.z) {
    return;
  }
  let s = params.in_strides[0];
  y[(gid.z * dims.y + gid.y) * dims.z + gid.x] = x[gid.z * s.x + gid.y * s.y + gid.x * s.z];
}

// The common case, a batch of 2-D transposes ([batch, rows, cols] -> [batch, cols, rows]), without the
// per-dimension integer division of the general path: on CPU adapters integer division is scalarised per
// lane and made the general path ~10x slower than a copy.
struct Params2d {
  rows: u32,
  cols: u32,
}

@group(0) @binding(2) var<uniform> dims: Params2d;

@compute @workgroup_size(16, 16, 1)
fn transpose2d(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let r = gid.y;
  if (r >= dims.rows || c >= dims.cols) {
    return;
  }
  let base = gid.z * dims.rows * dims.cols;
  y[base + c * dims.rows + r] = x[base + r * dims.cols + c];
}

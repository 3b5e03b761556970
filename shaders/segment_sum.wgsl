// Segment gather-sum over a CSR index (static data uploaded once as plan constants):
//   dst_rows[r, d] = sum over j in [row_ptr[r], row_ptr[r + 1]) of col_scale[j] * src_rows[col_index[j], d]
// for r < rows, d < width. Each output element is owned by one invocation, so there are no atomics and
// the sum order (increasing j) is fixed: results are deterministic. The embedding bag's forward uses it
// with the bags as rows; its backward uses it with the transposed index (vocabulary rows), which is the
// gather-by-row gradient without float atomics.
//
// Invocations are laid out row-major over (r, column), so a subgroup reads contiguous columns of the
// same source row (one contiguous load per lane) and the same row_ptr/col_index/col_scale words
// (uniform loads). main_vec4 does 4 columns per invocation when the width is a multiple of 4.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  // Columns per row in the units of the entry point: floats for main, vec4s for main_vec4.
  width: u32,
}

@group(0) @binding(0) var<storage, read> src_rows: array<f32>;
@group(0) @binding(1) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(2) var<storage, read> col_index: array<u32>;
@group(0) @binding(3) var<storage, read> col_scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst_rows: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;
// The same buffers seen as vec4 by main_vec4; no entry point uses both views.
@group(0) @binding(0) var<storage, read> src_rows4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dst_rows4: array<vec4<f32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let r = flat / params.width;
  if (r >= params.rows) {
    return;
  }
  let column = flat - r * params.width;
  var acc = 0.0;
  for (var j = row_ptr[r]; j < row_ptr[r + 1u]; j++) {
    acc += col_scale[j] * src_rows[col_index[j] * params.width + column];
  }
  dst_rows[flat] = acc;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let r = flat / params.width;
  if (r >= params.rows) {
    return;
  }
  let column = flat - r * params.width;
  var acc = vec4<f32>(0.0);
  for (var j = row_ptr[r]; j < row_ptr[r + 1u]; j++) {
    acc += col_scale[j] * src_rows4[col_index[j] * params.width + column];
  }
  dst_rows4[flat] = acc;
}

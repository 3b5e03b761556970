// Softmax or log-softmax over the last axis with one 8-lane subgroup per row and subgroup reductions:
// no workgroup memory, no barriers (the workgroup-reduction version in softmax.wgsl spends most of its
// time in barriers on CPU adapters). Picked by src/kernels/softmax.ts where subgroups are exactly 8 wide.
enable subgroups;

override LOG: bool = false;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(8)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return; // uniform across the workgroup (one subgroup)
  }
  let base = row * params.cols;
  var m = -3.402823466e+38;
  for (var i = lane; i < params.cols; i += 8u) {
    m = max(m, x[base + i]);
  }
  m = subgroupMax(m);
  var s = 0.0;
  for (var i = lane; i < params.cols; i += 8u) {
    s += exp(x[base + i] - m);
  }
  s = subgroupAdd(s);
  let log_s = log(s);
  let inv_s = 1.0 / s;
  for (var i = lane; i < params.cols; i += 8u) {
    let z = x[base + i] - m;
    y[base + i] = select(exp(z) * inv_s, z - log_s, LOG);
  }
}

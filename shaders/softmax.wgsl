// Softmax or log-softmax over the last axis of a [rows, cols] view; one workgroup per row.
// Max-subtracted for stability; three passes over the row (max, sum of exp, write) from global memory
// rather than caching the row, so any row length works.

override LOG: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn reduce_max(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      partial[lid] = max(partial[lid], partial[lid + half]);
    }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      partial[lid] = partial[lid] + partial[lid + half];
    }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return; // uniform across the workgroup
  }
  let base = row * params.cols;
  var m = -3.402823466e+38;
  for (var i = lid; i < params.cols; i += WORKGROUP_SIZE) {
    m = max(m, x[base + i]);
  }
  m = reduce_max(lid, m);
  var s = 0.0;
  for (var i = lid; i < params.cols; i += WORKGROUP_SIZE) {
    s += exp(x[base + i] - m);
  }
  s = reduce_sum(lid, s);
  let log_s = log(s);
  let inv_s = 1.0 / s;
  for (var i = lid; i < params.cols; i += WORKGROUP_SIZE) {
    let z = x[base + i] - m;
    y[base + i] = select(exp(z) * inv_s, z - log_s, LOG);
  }
}

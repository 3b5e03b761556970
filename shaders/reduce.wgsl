// Reductions (sum, mean, max) over the middle axis of a [outer, reduce, inner] view of the input.
// Two entry points: reduce_rows (inner == 1: a workgroup per output, tree reduction in workgroup memory)
// and reduce_strided (inner > 1: one invocation per output, walking the reduced axis with stride inner,
// so neighbouring invocations read neighbouring addresses). src/kernels/reduce.ts picks.

override OP: u32 = 0u;              // 0 sum, 1 mean, 2 max
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  outer: u32,
  reduce: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn identity() -> f32 {
  return select(0.0, -3.402823466e+38, OP == 2u);
}

fn combine(acc: f32, v: f32) -> f32 {
  return select(acc + v, max(acc, v), OP == 2u);
}

fn finish(acc: f32) -> f32 {
  // Mean of an empty axis is 0/0 = NaN as in NumPy; an empty max is rejected on the host.
  return select(acc, acc / f32(params.reduce), OP == 1u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.outer) {
    return; // uniform across the workgroup, so no barrier is skipped by only some invocations
  }
  let base = row * params.reduce;
  var acc = identity();
  for (var i = lid; i < params.reduce; i += WORKGROUP_SIZE) {
    acc = combine(acc, x[base + i]);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      partial[lid] = combine(partial[lid], partial[lid + half]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    y[row] = finish(partial[0]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_strided(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.outer * params.inner) {
    return;
  }
  let o = i / params.inner;
  let j = i % params.inner;
  let base = o * params.reduce * params.inner + j;
  var acc = identity();
  for (var r = 0u; r < params.reduce; r++) {
    acc = combine(acc, x[base + r * params.inner]);
  }
  y[i] = finish(acc);
}

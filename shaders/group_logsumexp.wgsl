// Log-sum-exp over ragged groups of one axis. x is viewed as [outer, K, inner], and class c owns the
// entries k in [group_ptr[c], group_ptr[c + 1]) of the K axis (a static CSR offset array, a plan constant):
//   forward:  y[o, c, i]  = log(sum over k in group c of exp(x[o, k, i]))      (y is [outer, C, inner])
//   backward: dx[o, k, i] = dy[o, c(k), i] * exp(x[o, k, i] - y[o, c(k), i])    (c(k) = group_of[k])
// One invocation per output element, laid out with `inner` fastest so a subgroup's loads are contiguous
// (for LangSeg inner is H*W). The forward subtracts the group's maximum before exp (stable for any finite
// input); a group that is all -inf gives -inf, and its gradient is 0 rather than NaN.

override WORKGROUP_SIZE: u32 = 64u;

// The most negative finite f32: only -inf is below it.
const NEG_INF_BOUND: f32 = -3.402823466e+38;

struct Params {
  outer: u32,
  // Length of the grouped axis in x (K) and in y (C).
  entries: u32,
  classes: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x_in: array<f32>;
@group(0) @binding(1) var<storage, read> group_ptr: array<u32>;
@group(0) @binding(2) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// The backward's bindings.
@group(0) @binding(4) var<storage, read> y_in: array<f32>;
@group(0) @binding(5) var<storage, read> dy_in: array<f32>;
@group(0) @binding(6) var<storage, read> group_of: array<u32>;
@group(0) @binding(7) var<storage, read_write> dx_out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (flat >= params.outer * params.classes * params.inner) {
    return;
  }
  let i = flat % params.inner;
  let oc = flat / params.inner;
  let c = oc % params.classes;
  let o = oc / params.classes;
  let first = group_ptr[c];
  let last = group_ptr[c + 1u];
  let base = o * params.entries * params.inner + i;
  // Groups are never empty (the plan checks), so the first entry starts the maximum.
  var m = x_in[base + first * params.inner];
  for (var k = first + 1u; k < last; k++) {
    m = max(m, x_in[base + k * params.inner]);
  }
  // An all -inf group: shift by 0 so that every term is exp(-inf) = 0 and the result log(0) = -inf.
  let shift = select(m, 0.0, m < NEG_INF_BOUND);
  var s = 0.0;
  for (var k = first; k < last; k++) {
    s += exp(x_in[base + k * params.inner] - shift);
  }
  y_out[flat] = shift + log(s);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (flat >= params.outer * params.entries * params.inner) {
    return;
  }
  let i = flat % params.inner;
  let ok = flat / params.inner;
  let k = ok % params.entries;
  let o = ok / params.entries;
  let at = (o * params.classes + group_of[k]) * params.inner + i;
  let y = y_in[at];
  // y = -inf only for an all -inf group, whose entries get no gradient (exp(-inf - -inf) would be NaN).
  dx_out[flat] = select(dy_in[at] * exp(x_in[flat] - y), 0.0, y < NEG_INF_BOUND);
}

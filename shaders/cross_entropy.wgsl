// Pixel cross-entropy with an ignore label, fused. logits are [B, C, S] (S = the spatial size, so class c
// of pixel (b, s) sits at (b * C + c) * S + s: the channel stride is S) and labels [B, S] hold class ids
// as f32. The loss is the mean over valid pixels (label != ignore_label) of
//   lse(p) - logits[p, y(p)],   lse(p) = log(sum over c of exp(logits[p, c]))   (max-subtracted, stable),
// and 0 when no pixel is valid. With WEIGHTED, pixel p counts w[y(p)] times (PyTorch's `weight`): the loss is
// sum of w[y] * loss(p) over sum of w[y], and "count" below is that sum of weights.
// src/kernels/cross-entropy.ts strings the entry points together:
//   forward:  loss_partials -> finish_loss
//   backward: loss_partials (COUNT_ONLY) -> finish_scale -> backward
// loss_partials runs a fixed number of workgroups (`partials`, at most 256) that walk the pixels with a
// grid stride and leave one (loss sum, valid count) pair per workgroup; the finish entries add those up in
// one workgroup. Neighbouring invocations take neighbouring pixels, so every logit load is contiguous
// across a subgroup. Counts are f32: exact up to 2^24 valid pixels.
// A label outside [0, C) other than ignore_label (bad data; checkLabels reports it on the host) is
// truncated and clamped to [0, C), so no load leaves the pixel's own logits.

override WORKGROUP_SIZE: u32 = 64u;
// loss_partials counts valid pixels only (the backward needs the count, not the loss).
override COUNT_ONLY: bool = false;
// Per-class weights in class_weights (otherwise every valid pixel counts 1 and the binding is unused).
override WEIGHTED: bool = false;

struct Params {
  batch: u32,
  classes: u32,
  // S: pixels per image, the stride between classes.
  spatial: u32,
  // Workgroups of loss_partials (pairs in the partial sums).
  partials: u32,
  ignore_label: f32,
}

@group(0) @binding(0) var<storage, read> logits_in: array<f32>;
@group(0) @binding(1) var<storage, read> labels_in: array<f32>;
// [partials, 2]: per workgroup of loss_partials, the sum of pixel losses and the number of valid pixels.
@group(0) @binding(2) var<storage, read_write> partial_sums: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> partial_in: array<f32>;
@group(0) @binding(5) var<storage, read_write> loss_out: array<f32>;
@group(0) @binding(6) var<storage, read> dy_in: array<f32>;
// [1]: dy / count (0 when no pixel is valid), the factor of every logit gradient.
@group(0) @binding(7) var<storage, read_write> grad_scale: array<f32>;
@group(0) @binding(8) var<storage, read> scale_in: array<f32>;
@group(0) @binding(9) var<storage, read_write> dlogits_out: array<f32>;
// [C]: the weight of each class (WEIGHTED only).
@group(0) @binding(10) var<storage, read> class_weights: array<f32>;

var<workgroup> wg_loss: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_count: array<f32, WORKGROUP_SIZE>;

// The class whose logit a label picks: truncated, then clamped into [0, C) (see the header).
fn target_class(label: f32) -> u32 {
  return u32(clamp(i32(label), 0, i32(params.classes) - 1));
}

// How much a valid pixel of class c counts.
fn class_weight(c: u32) -> f32 {
  if (WEIGHTED) {
    return class_weights[c];
  }
  return 1.0;
}

// Offset of pixel p's class-0 logit.
fn logit_base(p: u32) -> u32 {
  let b = p / params.spatial;
  return b * params.classes * params.spatial + (p - b * params.spatial);
}

// The largest logit of the pixel at `base` (the shift of its log-sum-exp).
fn pixel_max(base: u32) -> f32 {
  var m = logits_in[base];
  for (var c = 1u; c < params.classes; c++) {
    m = max(m, logits_in[base + c * params.spatial]);
  }
  return m;
}

// sum over c of exp(logit - m).
fn pixel_exp_sum(base: u32, m: f32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < params.classes; c++) {
    s += exp(logits_in[base + c * params.spatial] - m);
  }
  return s;
}

// Tree-sum wg_loss and wg_count in place; the totals end in element 0. Every invocation must call it.
fn reduce_workgroup(lid: u32) {
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      wg_loss[lid] += wg_loss[lid + half];
      wg_count[lid] += wg_count[lid + half];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn loss_partials(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let pixels = params.batch * params.spatial;
  var total = 0.0;
  var count = 0.0;
  for (var p = wid.x * WORKGROUP_SIZE + lid; p < pixels; p += params.partials * WORKGROUP_SIZE) {
    let label = labels_in[p];
    if (label != params.ignore_label) {
      let y = target_class(label);
      let w = class_weight(y);
      count += w;
      if (!COUNT_ONLY) {
        let base = logit_base(p);
        let m = pixel_max(base);
        // (m - x_y) + log(s) rather than (m + log(s)) - x_y: no cancellation between two large terms.
        total += w * ((m - logits_in[base + y * params.spatial]) + log(pixel_exp_sum(base, m)));
      }
    }
  }
  wg_loss[lid] = total;
  wg_count[lid] = count;
  reduce_workgroup(lid);
  if (lid == 0u) {
    partial_sums[2u * wid.x] = wg_loss[0];
    partial_sums[2u * wid.x + 1u] = wg_count[0];
  }
}

// (loss sum, valid count) over all partials, in one workgroup.
fn total_of_partials(lid: u32) -> vec2<f32> {
  var total = 0.0;
  var count = 0.0;
  for (var i = lid; i < params.partials; i += WORKGROUP_SIZE) {
    total += partial_in[2u * i];
    count += partial_in[2u * i + 1u];
  }
  wg_loss[lid] = total;
  wg_count[lid] = count;
  reduce_workgroup(lid);
  return vec2<f32>(wg_loss[0], wg_count[0]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn finish_loss(@builtin(local_invocation_index) lid: u32) {
  let sums = total_of_partials(lid);
  if (lid == 0u) {
    loss_out[0] = select(0.0, sums.x / sums.y, sums.y > 0.0);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn finish_scale(@builtin(local_invocation_index) lid: u32) {
  let sums = total_of_partials(lid);
  if (lid == 0u) {
    grad_scale[0] = select(0.0, dy_in[0] / sums.y, sums.y > 0.0);
  }
}

// dlogits[p, c] = dy / count * w[y(p)] * (softmax(logits[p])[c] - [c == y(p)]), 0 for an ignored pixel. One
// invocation per pixel: its C gradients share one max and one sum of exponentials.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (p >= params.batch * params.spatial) {
    return;
  }
  let base = logit_base(p);
  let label = labels_in[p];
  if (label == params.ignore_label) {
    for (var c = 0u; c < params.classes; c++) {
      dlogits_out[base + c * params.spatial] = 0.0;
    }
    return;
  }
  let true_class = target_class(label);
  let k = scale_in[0] * class_weight(true_class);
  let m = pixel_max(base);
  let inv_sum = 1.0 / pixel_exp_sum(base, m);
  for (var c = 0u; c < params.classes; c++) {
    let at = base + c * params.spatial;
    let softmax = exp(logits_in[at] - m) * inv_sum;
    dlogits_out[at] = k * (softmax - select(0.0, 1.0, c == true_class));
  }
}

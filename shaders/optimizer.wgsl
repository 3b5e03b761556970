// Optimizer steps over the flat parameter buffer: every parameter, gradient and moment of the model lives
// in one buffer each, so a step is one dispatch whatever the number of tensors. Clipping by global norm
// is two small passes before it (sum_squares, clip_scale) that leave the scale in `stats` on the GPU:
// no read-back, no recompilation when the learning rate changes (it is a uniform, written per step).

override WORKGROUP_SIZE: u32 = 256u;
override PARTIALS: u32 = 64u;   // workgroups of sum_squares, each writing one partial sum

struct Params {
  n: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  // 1 - beta^t for the current step t, computed on the host (bias correction).
  correction1: f32,
  correction2: f32,
  // Clip the global gradient norm to this; 0 disables clipping.
  max_norm: f32,
  momentum: f32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(3) var<storage, read_write> moment2: array<f32>;
// 1 where weight decay applies, 0 for norms, biases and padding.
@group(0) @binding(4) var<storage, read> decay: array<f32>;
// [0] = global gradient norm, [1] = the scale applied to gradients (1 when not clipped).
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> partial: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

// The same flat buffers seen as vec4 by adamw4/sgd4 (the flat length is a multiple of 64): a quarter of
// the invocations, which is what matters on CPU adapters. No entry point uses both views.
@group(0) @binding(0) var<storage, read_write> param4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> grad4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> moment1_4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> moment2_4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> decay4: array<vec4<f32>>;

var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;

fn workgroup_sum(lid: u32, v: f32) -> f32 {
  scratch[lid] = v;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      scratch[lid] += scratch[lid + half];
    }
    workgroupBarrier();
  }
  return scratch[0];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_squares(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = wid.x * WORKGROUP_SIZE + lid; i < params.n; i += PARTIALS * WORKGROUP_SIZE) {
    let g = grad[i];
    acc += g * g;
  }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    partial[wid.x] = total;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn clip_scale(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < PARTIALS; i += WORKGROUP_SIZE) {
    acc += partial[i];
  }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    let norm = sqrt(total);
    stats[0] = norm;
    stats[1] = select(1.0, min(1.0, params.max_norm / (norm + 1e-6)), params.max_norm > 0.0);
  }
}

// AdamW (Loshchilov & Hutter): Adam on the gradient, weight decay applied to the weights directly.
@compute @workgroup_size(WORKGROUP_SIZE)
fn adamw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let g = grad[i] * stats[1];
  let m = params.beta1 * moment1[i] + (1.0 - params.beta1) * g;
  let v = params.beta2 * moment2[i] + (1.0 - params.beta2) * g * g;
  moment1[i] = m;
  moment2[i] = v;
  let m_hat = m / params.correction1;
  let v_hat = v / params.correction2;
  let p = param[i];
  param[i] = p - params.lr * (m_hat / (sqrt(v_hat) + params.eps) + params.weight_decay * decay[i] * p);
}

// SGD with momentum and (coupled, L2) weight decay, as torch.optim.SGD.
@compute @workgroup_size(WORKGROUP_SIZE)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let p = param[i];
  let g = grad[i] * stats[1] + params.weight_decay * decay[i] * p;
  let buf = params.momentum * moment1[i] + g;
  moment1[i] = buf;
  param[i] = p - params.lr * buf;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn adamw4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n / 4u) {
    return;
  }
  let g = grad4[i] * stats[1];
  let m = params.beta1 * moment1_4[i] + (1.0 - params.beta1) * g;
  let v = params.beta2 * moment2_4[i] + (1.0 - params.beta2) * g * g;
  moment1_4[i] = m;
  moment2_4[i] = v;
  let m_hat = m / params.correction1;
  let v_hat = v / params.correction2;
  let p = param4[i];
  param4[i] = p - params.lr * (m_hat / (sqrt(v_hat) + params.eps) + params.weight_decay * decay4[i] * p);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sgd4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n / 4u) {
    return;
  }
  let p = param4[i];
  let g = grad4[i] * stats[1] + params.weight_decay * decay4[i] * p;
  let buf = params.momentum * moment1_4[i] + g;
  moment1_4[i] = buf;
  param4[i] = p - params.lr * buf;
}

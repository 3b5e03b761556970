// Elementwise unary ops. OP picks the formula; the numbering is the table in src/kernels/elementwise/ops.ts.
// OP is an override constant, so each op is its own specialised pipeline and the switch folds away.
//!include lib/activation.wgsl

override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
// The same buffers seen as vec4 by main_vec4 (n % 4 == 0): a quarter of the invocations, which is what
// matters on CPU adapters. No entry point uses both views.
@group(0) @binding(0) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst4: array<vec4<f32>>;

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return v; }                      // identity
    case 1u: { return -v; }                     // neg
    case 2u: { return max(v, 0.0); }            // relu
    case 3u: { return gelu(v); }                // gelu
    case 4u: { return silu(v); }                // silu
    case 5u: { return exp(v); }                 // exp
    case 6u: { return log(v); }                 // log
    case 7u: { return sqrt(v); }                // sqrt
    case 8u: { return inverseSqrt(v); }         // rsqrt
    case 9u: { return v * params.alpha; }       // scale
    case 10u: { return sigmoid(v); }            // sigmoid
    case 11u: { return tanh(v); }               // tanh
    case 12u: { return abs(v); }                // abs
    case 13u: { return v * v; }                 // square
    case 14u: { return select(0.0, 1.0, v > 0.0); } // step (the derivative of relu)
    case 15u: { return sign(v); }               // sign
    case 16u: { return gelu_grad(v); }          // gelu_grad
    case 17u: { return silu_grad(v); }          // silu_grad
    default: { return v; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  dst[i] = apply(src[i]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n / 4u) {
    return;
  }
  let v = src4[i];
  dst4[i] = vec4<f32>(apply(v.x), apply(v.y), apply(v.z), apply(v.w));
}

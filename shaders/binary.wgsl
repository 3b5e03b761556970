// Elementwise binary ops with NumPy broadcasting. OP numbering: src/kernels/elementwise/ops.ts.
// BROADCAST=false is the fast path for equal shapes (no index arithmetic); main_grid* address broadcasts
// that collapse to rank <= 3 by the dispatch grid, again without integer division.
//!include lib/shape8.wgsl

override OP: u32 = 0u;
override BROADCAST: bool = true;
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  // Output shape and the inputs' strides as broadcast to it (0 on broadcast axes), rank <= 8.
  out_shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> lhs: array<f32>;
@group(0) @binding(1) var<storage, read> rhs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// The same buffers seen as vec4 by main_vec4 (equal shapes, n % 4 == 0): a quarter of the invocations,
// which is what matters on CPU adapters. No entry point uses both views.
@group(0) @binding(0) var<storage, read> lhs4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> rhs4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }       // add
    case 1u: { return x - y; }       // sub
    case 2u: { return x * y; }       // mul
    case 3u: { return x / y; }       // div
    case 4u: { return max(x, y); }   // maximum
    case 5u: { return min(x, y); }   // minimum
    case 6u: { return pow(x, y); }   // pow
    case 7u: { return select(0.0, 1.0, x >= y); } // greater_equal (1 or 0)
    case 8u: { return select(0.0, 1.0, x <= y); } // less_equal (1 or 0)
    case 9u: { return select(0.0, 1.0, x == y); } // equal (1 or 0)
    default: { return x; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  if (!BROADCAST) {
    out[i] = apply(lhs[i], rhs[i]);
    return;
  }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let dim = at(params.out_shape, u32(d));
    let coord = rest % dim;
    rest = rest / dim;
    ia += coord * at(params.a_strides, u32(d));
    ib += coord * at(params.b_strides, u32(d));
  }
  out[i] = apply(lhs[ia], rhs[ib]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.n / 4u) {
    return;
  }
  let x = lhs4[i];
  let y = rhs4[i];
  out4[i] = vec4<f32>(apply(x.x, y.x), apply(x.y, y.y), apply(x.z, y.z), apply(x.w, y.w));
}

// Broadcasting over a walk collapsed to [outer, middle, inner] (src/kernels/shape.ts grid3): the grid's
// z, y and x are the coordinates, so no index is decoded by division (scalarised per lane on CPU
// adapters, which made the general path ~10x slower than a copy). Shapes and strides sit in element 0.
@compute @workgroup_size(64, 1, 1)
fn main_grid(@builtin(global_invocation_id) gid: vec3<u32>) {
  let dims = params.out_shape[0];
  if (gid.x >= dims.z) {
    return;
  }
  let sa = params.a_strides[0];
  let sb = params.b_strides[0];
  let ia = gid.z * sa.x + gid.y * sa.y + gid.x * sa.z;
  let ib = gid.z * sb.x + gid.y * sb.y + gid.x * sb.z;
  out[(gid.z * dims.y + gid.y) * dims.z + gid.x] = apply(lhs[ia], rhs[ib]);
}

// The same with four neighbouring inner elements per invocation (inner size % 4 == 0): one address
// computation and one vec4 store for four results; an operand broadcast along the inner axis (stride 0)
// reads one value four times.
@compute @workgroup_size(64, 1, 1)
fn main_grid_vec4(@builtin(global_invocation_id) gid: vec3<u32>) {
  let dims = params.out_shape[0];
  let x0 = gid.x * 4u;
  if (x0 >= dims.z) {
    return;
  }
  let sa = params.a_strides[0];
  let sb = params.b_strides[0];
  let ia = gid.z * sa.x + gid.y * sa.y + x0 * sa.z;
  let ib = gid.z * sb.x + gid.y * sb.y + x0 * sb.z;
  let a = vec4<f32>(lhs[ia], lhs[ia + sa.z], lhs[ia + 2u * sa.z], lhs[ia + 3u * sa.z]);
  let b = vec4<f32>(rhs[ib], rhs[ib + sb.z], rhs[ib + 2u * sb.z], rhs[ib + 3u * sb.z]);
  out4[((gid.z * dims.y + gid.y) * dims.z + x0) / 4u] = vec4<f32>(apply(a.x, b.x), apply(a.y, b.y), apply(a.z, b.z), apply(a.w, b.w));
}

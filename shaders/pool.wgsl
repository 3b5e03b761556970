// 2-D max and average pooling over NCHW planes, forward and backward (floor mode, as PyTorch's default).
// 3-D grid: x over columns, y over rows, z over N*C planes (plane_base + gid.z; a plan splits more than
// 65535 planes into launches). The backward passes gather over the windows that contain each input
// element instead of scattering (WGSL has no float atomics).

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

struct Params {
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  k_h: u32,
  k_w: u32,
  s_h: u32,
  s_w: u32,
  p_h: u32,
  p_w: u32,
  planes: u32,
  plane_base: u32,
  // Average pooling: 1 divides by k_h * k_w (padding counts, PyTorch's default), 0 by the in-bounds count.
  count_include_pad: u32,
}

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> grad_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

// The first maximum of window (oy, ox) of `plane` in row-major order, as a flat index into the plane
// (PyTorch's tie rule), or 0xffffffff for an all-padding window (PyTorch forbids those).
fn window_argmax(plane_start: u32, oy: u32, ox: u32) -> u32 {
  let y0 = i32(oy * params.s_h) - i32(params.p_h);
  let x0 = i32(ox * params.s_w) - i32(params.p_w);
  let y_lo = u32(max(y0, 0));
  let y_hi = u32(min(y0 + i32(params.k_h), i32(params.in_h)));
  let x_lo = u32(max(x0, 0));
  let x_hi = u32(min(x0 + i32(params.k_w), i32(params.in_w)));
  var best = -3.402823466e+38;
  var arg = 0xffffffffu;
  for (var y = y_lo; y < y_hi; y++) {
    let row = y * params.in_w;
    for (var x = x_lo; x < x_hi; x++) {
      let v = input[plane_start + row + x];
      if (arg == 0xffffffffu || v > best) {
        best = v;
        arg = row + x;
      }
    }
  }
  return arg;
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn max_pool_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ox = gid.x;
  let oy = gid.y;
  let plane = params.plane_base + gid.z;
  if (ox >= params.out_w || oy >= params.out_h || plane >= params.planes) {
    return;
  }
  let plane_start = plane * params.in_h * params.in_w;
  let arg = window_argmax(plane_start, oy, ox);
  output[(plane * params.out_h + oy) * params.out_w + ox] = input[plane_start + arg];
}

// The divisor of window (oy, ox).
fn window_count(oy: u32, ox: u32) -> f32 {
  if (params.count_include_pad != 0u) {
    return f32(params.k_h * params.k_w);
  }
  let y0 = i32(oy * params.s_h) - i32(params.p_h);
  let x0 = i32(ox * params.s_w) - i32(params.p_w);
  let rows = min(y0 + i32(params.k_h), i32(params.in_h)) - max(y0, 0);
  let cols = min(x0 + i32(params.k_w), i32(params.in_w)) - max(x0, 0);
  return f32(rows * cols);
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn avg_pool_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ox = gid.x;
  let oy = gid.y;
  let plane = params.plane_base + gid.z;
  if (ox >= params.out_w || oy >= params.out_h || plane >= params.planes) {
    return;
  }
  let plane_start = plane * params.in_h * params.in_w;
  let y0 = i32(oy * params.s_h) - i32(params.p_h);
  let x0 = i32(ox * params.s_w) - i32(params.p_w);
  let y_hi = u32(min(y0 + i32(params.k_h), i32(params.in_h)));
  let x_hi = u32(min(x0 + i32(params.k_w), i32(params.in_w)));
  var acc = 0.0;
  for (var y = u32(max(y0, 0)); y < y_hi; y++) {
    let row = plane_start + y * params.in_w;
    for (var x = u32(max(x0, 0)); x < x_hi; x++) {
      acc += input[row + x];
    }
  }
  output[(plane * params.out_h + oy) * params.out_w + ox] = acc / window_count(oy, ox);
}

// Inclusive range of window indices along one axis whose window [o*s - p, o*s - p + k) contains i;
// empty when lo > hi.
fn windows_containing(i: u32, k: u32, s: u32, p: u32, out_size: u32) -> vec2<i32> {
  let lo = select(0u, (i + p + 1u - k + s - 1u) / s, i + p + 1u > k);
  let hi = min((i + p) / s, out_size - 1u);
  return vec2<i32>(i32(lo), i32(hi));
}

// dx of max pooling: each input element sums dy over the windows whose (recomputed) argmax it is.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn max_pool_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ix = gid.x;
  let iy = gid.y;
  let plane = params.plane_base + gid.z;
  if (ix >= params.in_w || iy >= params.in_h || plane >= params.planes) {
    return;
  }
  let plane_start = plane * params.in_h * params.in_w;
  let me = iy * params.in_w + ix;
  let ry = windows_containing(iy, params.k_h, params.s_h, params.p_h, params.out_h);
  let rx = windows_containing(ix, params.k_w, params.s_w, params.p_w, params.out_w);
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    for (var ox = rx.x; ox <= rx.y; ox++) {
      if (window_argmax(plane_start, u32(oy), u32(ox)) == me) {
        acc += grad_out[(plane * params.out_h + u32(oy)) * params.out_w + u32(ox)];
      }
    }
  }
  output[plane_start + me] = acc;
}

// dx of average pooling: each input element sums dy / divisor over the windows that contain it.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn avg_pool_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ix = gid.x;
  let iy = gid.y;
  let plane = params.plane_base + gid.z;
  if (ix >= params.in_w || iy >= params.in_h || plane >= params.planes) {
    return;
  }
  let ry = windows_containing(iy, params.k_h, params.s_h, params.p_h, params.out_h);
  let rx = windows_containing(ix, params.k_w, params.s_w, params.p_w, params.out_w);
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    let row = (plane * params.out_h + u32(oy)) * params.out_w;
    for (var ox = rx.x; ox <= rx.y; ox++) {
      acc += grad_out[row + u32(ox)] / window_count(u32(oy), u32(ox));
    }
  }
  output[(plane * params.in_h + iy) * params.in_w + ix] = acc;
}

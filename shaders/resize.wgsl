// Bilinear resize (PyTorch align_corners=False) forward and backward, and nearest resize for label maps,
// over NCHW planes. 3-D grid: x over the columns, y over the rows, z over the N*C planes, so no integer
// division per element. A plan splits more than 65535 planes into launches with plane_base.
//!include lib/bilinear.wgsl

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

struct Params {
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  // Source pixels per output pixel along each axis (in/out for a size, 1/factor for a scale factor).
  scale_h: f32,
  scale_w: f32,
  planes: u32,
  plane_base: u32,
}

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn bilinear_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ox = gid.x;
  let oy = gid.y;
  if (ox >= params.out_w || oy >= params.out_h || params.plane_base + gid.z >= params.planes) {
    return;
  }
  let plane = params.plane_base + gid.z;
  let ty = bilinear_tap(oy, params.scale_h, params.in_h);
  let tx = bilinear_tap(ox, params.scale_w, params.in_w);
  let base = plane * params.in_h * params.in_w;
  let r0 = base + ty.i0 * params.in_w;
  let r1 = base + ty.i1 * params.in_w;
  let top = tx.w0 * input[r0 + tx.i0] + tx.w1 * input[r0 + tx.i1];
  let bottom = tx.w0 * input[r1 + tx.i0] + tx.w1 * input[r1 + tx.i1];
  output[(plane * params.out_h + oy) * params.out_w + ox] = ty.w0 * top + ty.w1 * bottom;
}

// Gradient of bilinear_forward: `input` is dy [out_h, out_w] planes, `output` is dx [in_h, in_w]. Each
// source pixel gathers the output pixels whose taps read it (no float atomics in WGSL).
@compute @workgroup_size(WG_X, WG_Y, 1)
fn bilinear_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ix = gid.x;
  let iy = gid.y;
  if (ix >= params.in_w || iy >= params.in_h || params.plane_base + gid.z >= params.planes) {
    return;
  }
  let plane = params.plane_base + gid.z;
  let ry = touching(iy, params.scale_h, params.out_h);
  let rx = touching(ix, params.scale_w, params.out_w);
  let base = plane * params.out_h * params.out_w;
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    let wy = tap_weight(bilinear_tap(oy, params.scale_h, params.in_h), iy);
    if (wy == 0.0) {
      continue;
    }
    let row = base + oy * params.out_w;
    var part = 0.0;
    for (var ox = rx.x; ox <= rx.y; ox++) {
      part += tap_weight(bilinear_tap(ox, params.scale_w, params.in_w), ix) * input[row + ox];
    }
    acc += wy * part;
  }
  output[(plane * params.in_h + iy) * params.in_w + ix] = acc;
}

// Nearest (PyTorch mode='nearest': source index floor(d * scale)). Moves 32-bit words, so label maps
// may be f32 or i32.
@group(0) @binding(0) var<storage, read> labels_in: array<u32>;
@group(0) @binding(1) var<storage, read_write> labels_out: array<u32>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn nearest_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ox = gid.x;
  let oy = gid.y;
  if (ox >= params.out_w || oy >= params.out_h || params.plane_base + gid.z >= params.planes) {
    return;
  }
  let plane = params.plane_base + gid.z;
  let sy = min(u32(floor(f32(oy) * params.scale_h)), params.in_h - 1u);
  let sx = min(u32(floor(f32(ox) * params.scale_w)), params.in_w - 1u);
  labels_out[(plane * params.out_h + oy) * params.out_w + ox] = labels_in[(plane * params.in_h + sy) * params.in_w + sx];
}

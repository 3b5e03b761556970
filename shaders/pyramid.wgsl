// Pyramid fusion: out[n,c] = sum over levels l of bilinear_resize(level_l[n,c], [out_h, out_w]) with
// PyTorch's align_corners=False taps, in one pass (not L resizes and L-1 adds). Up to 5 levels are bound;
// with fewer, the plan binds level 0 again in the unused slots and `levels` says how many count.
// Per-level sizes travel in array<vec4<u32>, 2> uniforms; per-level scales as f32 bit patterns in them.
//!include lib/bilinear.wgsl
//!include lib/shape8.wgsl

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

struct Params {
  levels: u32,
  out_h: u32,
  out_w: u32,
  planes: u32,
  plane_base: u32,
  // Elements per plane of the backward's output: sum over levels of level_h * level_w.
  grad_plane: u32,
  level_h: array<vec4<u32>, 2>,
  level_w: array<vec4<u32>, 2>,
  // bitcast<f32>: level_h / out_h and level_w / out_w.
  scale_h: array<vec4<u32>, 2>,
  scale_w: array<vec4<u32>, 2>,
  // Where each level's plane starts inside a plane of the backward's output.
  level_offset: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> level0: array<f32>;
@group(0) @binding(1) var<storage, read> level1: array<f32>;
@group(0) @binding(2) var<storage, read> level2: array<f32>;
@group(0) @binding(3) var<storage, read> level3: array<f32>;
@group(0) @binding(4) var<storage, read> level4: array<f32>;
@group(0) @binding(5) var<storage, read_write> output: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// The four source indices and weights of one output element's bilinear sample of level l.
struct LevelTaps {
  index: vec4<u32>,
  weight: vec4<f32>,
}

fn level_taps(l: u32, plane: u32, ox: u32, oy: u32) -> LevelTaps {
  let h = at(params.level_h, l);
  let w = at(params.level_w, l);
  let ty = bilinear_tap(oy, bitcast<f32>(at(params.scale_h, l)), h);
  let tx = bilinear_tap(ox, bitcast<f32>(at(params.scale_w, l)), w);
  let base = plane * h * w;
  let r0 = base + ty.i0 * w;
  let r1 = base + ty.i1 * w;
  return LevelTaps(
    vec4<u32>(r0 + tx.i0, r0 + tx.i1, r1 + tx.i0, r1 + tx.i1),
    vec4<f32>(ty.w0 * tx.w0, ty.w0 * tx.w1, ty.w1 * tx.w0, ty.w1 * tx.w1),
  );
}

// Levels are read one binding at a time under uniform `levels` tests, not through a switch on a loop
// index: on lavapipe the switch ran every case's loads for every level (0.9x TF.js).
@compute @workgroup_size(WG_X, WG_Y, 1)
fn pyramid_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ox = gid.x;
  let oy = gid.y;
  if (ox >= params.out_w || oy >= params.out_h || params.plane_base + gid.z >= params.planes) {
    return;
  }
  let plane = params.plane_base + gid.z;
  var acc = 0.0;
  if (params.levels > 0u) {
    let t = level_taps(0u, plane, ox, oy);
    acc += dot(t.weight, vec4<f32>(level0[t.index.x], level0[t.index.y], level0[t.index.z], level0[t.index.w]));
  }
  if (params.levels > 1u) {
    let t = level_taps(1u, plane, ox, oy);
    acc += dot(t.weight, vec4<f32>(level1[t.index.x], level1[t.index.y], level1[t.index.z], level1[t.index.w]));
  }
  if (params.levels > 2u) {
    let t = level_taps(2u, plane, ox, oy);
    acc += dot(t.weight, vec4<f32>(level2[t.index.x], level2[t.index.y], level2[t.index.z], level2[t.index.w]));
  }
  if (params.levels > 3u) {
    let t = level_taps(3u, plane, ox, oy);
    acc += dot(t.weight, vec4<f32>(level3[t.index.x], level3[t.index.y], level3[t.index.z], level3[t.index.w]));
  }
  if (params.levels > 4u) {
    let t = level_taps(4u, plane, ox, oy);
    acc += dot(t.weight, vec4<f32>(level4[t.index.x], level4[t.index.y], level4[t.index.z], level4[t.index.w]));
  }
  output[(plane * params.out_h + oy) * params.out_w + ox] = acc;
}

// Gradient of every level in one dispatch: level0 is dy [planes, out_h, out_w]; `output` is
// [planes, grad_plane], each plane holding the levels' gradients one after another (the gradient rule
// slices them apart). z runs over levels x planes; x and y over the largest level, idle elsewhere.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn pyramid_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let total_planes = params.planes;
  var plane = params.plane_base + gid.z;
  if (plane >= total_planes * params.levels) {
    return;
  }
  var l = 0u;
  while (plane >= total_planes) {
    plane -= total_planes;
    l++;
  }
  let h = at(params.level_h, l);
  let w = at(params.level_w, l);
  let ix = gid.x;
  let iy = gid.y;
  if (ix >= w || iy >= h) {
    return;
  }
  let sh = bitcast<f32>(at(params.scale_h, l));
  let sw = bitcast<f32>(at(params.scale_w, l));
  let ry = touching(iy, sh, params.out_h);
  let rx = touching(ix, sw, params.out_w);
  let base = plane * params.out_h * params.out_w;
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    let wy = tap_weight(bilinear_tap(oy, sh, h), iy);
    if (wy == 0.0) {
      continue;
    }
    let row = base + oy * params.out_w;
    var part = 0.0;
    for (var ox = rx.x; ox <= rx.y; ox++) {
      part += tap_weight(bilinear_tap(ox, sw, w), ix) * level0[row + ox];
    }
    acc += wy * part;
  }
  output[plane * params.grad_plane + at(params.level_offset, l) + iy * w + ix] = acc;
}

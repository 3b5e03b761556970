// Layout ops on tensors of rank <= 4 (the plan pads shapes with leading 1s): pad / slice as one gather,
// and concat of up to 5 parts along one axis. Any 32-bit dtype (values move as u32 bits).

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

// pad_slice: out[o] = in[o - before] where that is inside the input, else `value`. A slice is a pad
// with negative `before` (and a smaller output). Grid: x over axis 3, y over axis 2, z over axes 0*1.
struct PadParams {
  out_d1: u32,
  out_d2: u32,
  out_d3: u32,
  in_d0: u32,
  in_d1: u32,
  in_d2: u32,
  in_d3: u32,
  before0: i32,
  before1: i32,
  before2: i32,
  before3: i32,
  // The fill value as 32 bits, so padding works for every dtype.
  value: u32,
  planes: u32,
  plane_base: u32,
}

@group(0) @binding(0) var<storage, read> source: array<u32>;
@group(0) @binding(1) var<storage, read_write> dest: array<u32>;
@group(0) @binding(2) var<uniform> pad: PadParams;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn pad_slice(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o3 = gid.x;
  let o2 = gid.y;
  let z = pad.plane_base + gid.z;
  if (o3 >= pad.out_d3 || o2 >= pad.out_d2 || z >= pad.planes) {
    return;
  }
  // One division per invocation, outside any loop.
  let o0 = z / pad.out_d1;
  let o1 = z - o0 * pad.out_d1;
  let c0 = i32(o0) - pad.before0;
  let c1 = i32(o1) - pad.before1;
  let c2 = i32(o2) - pad.before2;
  let c3 = i32(o3) - pad.before3;
  let inside = c0 >= 0 && c0 < i32(pad.in_d0) && c1 >= 0 && c1 < i32(pad.in_d1) && c2 >= 0 && c2 < i32(pad.in_d2) && c3 >= 0 &&
    c3 < i32(pad.in_d3);
  var v = pad.value;
  if (inside) {
    v = source[((u32(c0) * pad.in_d1 + u32(c1)) * pad.in_d2 + u32(c2)) * pad.in_d3 + u32(c3)];
  }
  dest[(z * pad.out_d2 + o2) * pad.out_d3 + o3] = v;
}

// concat: every part viewed as [outer, len_j, inner] around the concat axis; the output is
// [outer, total, inner]. Grid: x over inner, y over the concat axis, z over outer: no division.
struct ConcatParams {
  inner: u32,
  total: u32,
  outer: u32,
  outer_base: u32,
  parts: u32,
  // offsets[j]: where part j starts along the axis; offsets[parts] = total.
  offsets: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> part0: array<u32>;
@group(0) @binding(1) var<storage, read> part1: array<u32>;
@group(0) @binding(2) var<storage, read> part2: array<u32>;
@group(0) @binding(3) var<storage, read> part3: array<u32>;
@group(0) @binding(4) var<storage, read> part4: array<u32>;
@group(0) @binding(5) var<storage, read_write> joined: array<u32>;
@group(0) @binding(6) var<uniform> cat: ConcatParams;

fn offset_of(j: u32) -> u32 {
  return cat.offsets[j / 4u][j % 4u];
}

fn read_part(j: u32, index: u32) -> u32 {
  switch j {
    case 0u: { return part0[index]; }
    case 1u: { return part1[index]; }
    case 2u: { return part2[index]; }
    case 3u: { return part3[index]; }
    default: { return part4[index]; }
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn concat(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x = gid.x;
  let y = gid.y;
  let z = cat.outer_base + gid.z;
  if (x >= cat.inner || y >= cat.total || z >= cat.outer) {
    return;
  }
  var j = 0u;
  while (j + 1u < cat.parts && y >= offset_of(j + 1u)) {
    j++;
  }
  let start = offset_of(j);
  let len = offset_of(j + 1u) - start;
  joined[(z * cat.total + y) * cat.inner + x] = read_part(j, (z * len + (y - start)) * cat.inner + x);
}

// Conv2d, NCHW activations and OIHW weights (PyTorch layout), as implicit GEMM: no im2col buffer; each
// invocation walks (channel, kh, kw) and reads the input pixels its outputs need straight from x.
// Three entry points, one per direction (src/kernels/conv/*.ts pick the geometry):
//   conv2d_forward          y[n, o, oh, ow] = act(sum_{c, kh, kw} x[n, c, ih, iw] w[o, c, kh, kw] + b[o])
//   conv2d_backward_data    dx from dy and w; also conv_transpose2d (it is the same sum), with bias + act
//   conv2d_backward_weight  dw from x and dy, each split of the N*outH rows into its own partial sum
// This is the portable kernel (any adapter, any config); conv2d_subgroup.wgsl is the lavapipe fast path.
//!include lib/activation.wgsl

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override HAS_BIAS: bool = false;
override ACT: u32 = 0u; // ACT_* in lib/activation.wgsl

//!include lib/conv_params.wgsl

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> grad_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<uniform> params: ConvParams;

// One invocation: 4 output channels x 4 neighbouring output pixels of one row, so each input value
// loaded serves 4 channels and each weight serves 4 pixels. Grid: x = pixel quads, y = output rows,
// z = (n, group, channel block), decomposed once per invocation (integer division is slow on CPUs).
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ow0 = gid.x * 4u;
  let oh = gid.y;
  if (ow0 >= params.out_w || oh >= params.out_h) {
    return;
  }
  let blk = gid.z % params.blocks;
  let ng = gid.z / params.blocks;
  let grp = ng % (params.in_c / params.group_c);
  let n = ng / (params.in_c / params.group_c);
  let ol = blk * 4u; // first channel of the block, within the group
  let o0 = grp * params.group_o + ol;
  let k_area = params.k_h * params.k_w;
  let w_stride_o = params.group_c * k_area;
  // Channels past the group's end read a valid row (the last) and are never stored.
  let last = params.group_o - 1u;
  let w0 = (grp * params.group_o + min(ol, last)) * w_stride_o;
  let w1 = (grp * params.group_o + min(ol + 1u, last)) * w_stride_o;
  let w2 = (grp * params.group_o + min(ol + 2u, last)) * w_stride_o;
  let w3 = (grp * params.group_o + min(ol + 3u, last)) * w_stride_o;
  let iw_base = i32(ow0 * params.stride_w) - i32(params.pad_left);
  let sw = i32(params.stride_w);
  let w_in = i32(params.in_w);

  var acc0 = vec4<f32>(0.0); // pixel 0, channels 0..3
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var c = 0u; c < params.group_c; c++) {
    let plane = (n * params.in_c + grp * params.group_c + c) * params.in_h;
    for (var kh = 0u; kh < params.k_h; kh++) {
      let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
      if (ih < 0 || ih >= i32(params.in_h)) {
        continue;
      }
      let row = i32((plane + u32(ih)) * params.in_w);
      let kbase = c * k_area + kh * params.k_w;
      for (var kw = 0u; kw < params.k_w; kw++) {
        let iw = iw_base + i32(kw * params.dil_w);
        let k = kbase + kw;
        let wv = vec4<f32>(weight[w0 + k], weight[w1 + k], weight[w2 + k], weight[w3 + k]);
        let i0 = iw;
        let i1 = iw + sw;
        let i2 = iw + 2 * sw;
        let i3 = iw + 3 * sw;
        // Clamped addresses, zeroed values: the padding never reads outside the row.
        let x0 = select(0.0, input[row + clamp(i0, 0, w_in - 1)], i0 >= 0 && i0 < w_in);
        let x1 = select(0.0, input[row + clamp(i1, 0, w_in - 1)], i1 >= 0 && i1 < w_in);
        let x2 = select(0.0, input[row + clamp(i2, 0, w_in - 1)], i2 >= 0 && i2 < w_in);
        let x3 = select(0.0, input[row + clamp(i3, 0, w_in - 1)], i3 >= 0 && i3 < w_in);
        acc0 = fma(vec4<f32>(x0), wv, acc0);
        acc1 = fma(vec4<f32>(x1), wv, acc1);
        acc2 = fma(vec4<f32>(x2), wv, acc2);
        acc3 = fma(vec4<f32>(x3), wv, acc3);
      }
    }
  }
  var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0u; j < 4u; j++) {
    if (ol + j >= params.group_o) {
      break;
    }
    let o = o0 + j;
    var b = 0.0;
    if (HAS_BIAS) {
      b = bias[o];
    }
    let out_row = ((n * params.out_c + o) * params.out_h + oh) * params.out_w;
    for (var p = 0u; p < 4u; p++) {
      if (ow0 + p < params.out_w) {
        output[out_row + ow0 + p] = activation(ACT, accs[p][j] + b);
      }
    }
  }
}

// Depthwise (one input and one output channel per group): one invocation = 8 neighbouring output pixels
// of one row of one channel. The portable kernel's 4-channel blocks would leave 3 of 4 lanes of work
// empty here. Grid: x = pixel octets, y = output rows, z = n * channels (one plane each).
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_depthwise(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ow0 = gid.x * 8u;
  let oh = gid.y;
  if (ow0 >= params.out_w || oh >= params.out_h) {
    return;
  }
  let nc = gid.z;
  let ch = nc % params.in_c;
  let wbase = ch * params.k_h * params.k_w;
  let iw_base = i32(ow0 * params.stride_w) - i32(params.pad_left);
  let sw = i32(params.stride_w);
  let w_in = i32(params.in_w);
  var lo = vec4<f32>(0.0); // pixels 0..3
  var hi = vec4<f32>(0.0); // pixels 4..7
  for (var kh = 0u; kh < params.k_h; kh++) {
    let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
    if (ih < 0 || ih >= i32(params.in_h)) {
      continue;
    }
    let row = i32((nc * params.in_h + u32(ih)) * params.in_w);
    for (var kw = 0u; kw < params.k_w; kw++) {
      let wv = vec4<f32>(weight[wbase + kh * params.k_w + kw]);
      let iw = iw_base + i32(kw * params.dil_w);
      var px: array<f32, 8>;
      for (var p = 0; p < 8; p++) {
        let i = iw + p * sw;
        // Clamped addresses, zeroed values: the padding never reads outside the row.
        px[p] = select(0.0, input[row + clamp(i, 0, w_in - 1)], i >= 0 && i < w_in);
      }
      lo = fma(vec4<f32>(px[0], px[1], px[2], px[3]), wv, lo);
      hi = fma(vec4<f32>(px[4], px[5], px[6], px[7]), wv, hi);
    }
  }
  var b = 0.0;
  if (HAS_BIAS) {
    b = bias[ch];
  }
  let out_row = (nc * params.out_h + oh) * params.out_w;
  let vals = array<vec4<f32>, 2>(lo, hi);
  for (var p = 0u; p < 8u; p++) {
    if (ow0 + p < params.out_w) {
      output[out_row + ow0 + p] = activation(ACT, vals[p / 4u][p % 4u] + b);
    }
  }
}

// Depthwise with the kernel width, stride and dilation along W fixed as overrides (one pipeline per
// config): each input row segment the 8 pixels need is loaded once per kernel row into registers, and
// every tap reads it at constant offsets. Loads, not FMAs, bound this op on CPU adapters.
override DW_KW: u32 = 3u;
override DW_SW: u32 = 1u;
override DW_DIL: u32 = 1u;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_depthwise_fixed(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ow0 = gid.x * 8u;
  let oh = gid.y;
  if (ow0 >= params.out_w || oh >= params.out_h) {
    return;
  }
  let nc = gid.z;
  let ch = nc % params.in_c;
  let wbase = ch * params.k_h * DW_KW;
  let iw_base = i32(ow0 * DW_SW) - i32(params.pad_left);
  let w_in = i32(params.in_w);
  let span = 7u * DW_SW + (DW_KW - 1u) * DW_DIL + 1u; // <= 32, checked on the host
  var lo = vec4<f32>(0.0);
  var hi = vec4<f32>(0.0);
  for (var kh = 0u; kh < params.k_h; kh++) {
    let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
    if (ih < 0 || ih >= i32(params.in_h)) {
      continue;
    }
    let row = i32((nc * params.in_h + u32(ih)) * params.in_w);
    var win: array<f32, 32>;
    for (var t = 0u; t < span; t++) {
      let i = iw_base + i32(t);
      win[t] = select(0.0, input[row + clamp(i, 0, w_in - 1)], i >= 0 && i < w_in);
    }
    for (var kw = 0u; kw < DW_KW; kw++) {
      let wv = vec4<f32>(weight[wbase + kh * DW_KW + kw]);
      let o = kw * DW_DIL;
      lo = fma(vec4<f32>(win[o], win[o + DW_SW], win[o + 2u * DW_SW], win[o + 3u * DW_SW]), wv, lo);
      hi = fma(vec4<f32>(win[o + 4u * DW_SW], win[o + 5u * DW_SW], win[o + 6u * DW_SW], win[o + 7u * DW_SW]), wv, hi);
    }
  }
  var b = 0.0;
  if (HAS_BIAS) {
    b = bias[ch];
  }
  let out_row = (nc * params.out_h + oh) * params.out_w;
  let vals = array<vec4<f32>, 2>(lo, hi);
  for (var p = 0u; p < 8u; p++) {
    if (ow0 + p < params.out_w) {
      output[out_row + ow0 + p] = activation(ACT, vals[p / 4u][p % 4u] + b);
    }
  }
}

// Depthwise, stride 1 and dilation 1 along H: two output rows per invocation. Their input rows overlap
// in all but one row, so each input row segment is loaded once for both (k_h + 1 rows for 2 x 8 outputs).
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_depthwise_rows2(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ow0 = gid.x * 8u;
  let oh0 = gid.y * 2u;
  if (ow0 >= params.out_w || oh0 >= params.out_h) {
    return;
  }
  let nc = gid.z;
  let ch = nc % params.in_c;
  let wbase = ch * params.k_h * DW_KW;
  let iw_base = i32(ow0 * DW_SW) - i32(params.pad_left);
  let w_in = i32(params.in_w);
  let span = 7u * DW_SW + (DW_KW - 1u) * DW_DIL + 1u; // <= 32, checked on the host
  var lo0 = vec4<f32>(0.0);
  var hi0 = vec4<f32>(0.0);
  var lo1 = vec4<f32>(0.0);
  var hi1 = vec4<f32>(0.0);
  for (var j = 0u; j <= params.k_h; j++) {
    let ih = i32(oh0 + j) - i32(params.pad_top);
    if (ih < 0 || ih >= i32(params.in_h)) {
      continue;
    }
    let row = i32((nc * params.in_h + u32(ih)) * params.in_w);
    var win: array<f32, 32>;
    for (var t = 0u; t < span; t++) {
      let i = iw_base + i32(t);
      win[t] = select(0.0, input[row + clamp(i, 0, w_in - 1)], i >= 0 && i < w_in);
    }
    // Row 0 uses this input row as kernel row j, row 1 as kernel row j - 1.
    let use0 = j < params.k_h;
    let use1 = j >= 1u;
    let k0 = wbase + min(j, params.k_h - 1u) * DW_KW;
    let k1 = wbase + (max(j, 1u) - 1u) * DW_KW;
    for (var kw = 0u; kw < DW_KW; kw++) {
      let o = kw * DW_DIL;
      let a = vec4<f32>(win[o], win[o + DW_SW], win[o + 2u * DW_SW], win[o + 3u * DW_SW]);
      let b = vec4<f32>(win[o + 4u * DW_SW], win[o + 5u * DW_SW], win[o + 6u * DW_SW], win[o + 7u * DW_SW]);
      let w0 = vec4<f32>(select(0.0, weight[k0 + kw], use0));
      let w1 = vec4<f32>(select(0.0, weight[k1 + kw], use1));
      lo0 = fma(a, w0, lo0);
      hi0 = fma(b, w0, hi0);
      lo1 = fma(a, w1, lo1);
      hi1 = fma(b, w1, hi1);
    }
  }
  var bv = 0.0;
  if (HAS_BIAS) {
    bv = bias[ch];
  }
  let rows = array<vec4<f32>, 4>(lo0, hi0, lo1, hi1);
  for (var r = 0u; r < 2u; r++) {
    if (oh0 + r >= params.out_h) {
      break;
    }
    let out_row = (nc * params.out_h + oh0 + r) * params.out_w;
    for (var p = 0u; p < 8u; p++) {
      if (ow0 + p < params.out_w) {
        output[out_row + ow0 + p] = activation(ACT, rows[2u * r + p / 4u][p % 4u] + bv);
      }
    }
  }
}

// im2col for the weight gradient, laid out [n, pixel, (c, kh, kw)] so that dw = dy [O, pixels] @ cols
// runs on the fast matmul kernels: cols[n, oh * out_w + ow, (c * k_h + kh) * k_w + kw] = x[n, c, ih, iw],
// 0 in the padding. One group only. Grid: x = ow, y = oh, z = n * in_c.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_unfold(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ow = gid.x;
  let oh = gid.y;
  if (ow >= params.out_w || oh >= params.out_h) {
    return;
  }
  let n = gid.z / params.in_c;
  let c = gid.z % params.in_c;
  let k_area = params.k_h * params.k_w;
  let dst = (n * params.out_h * params.out_w + oh * params.out_w + ow) * params.in_c * k_area + c * k_area;
  let plane = (n * params.in_c + c) * params.in_h;
  let h_in = i32(params.in_h);
  let w_in = i32(params.in_w);
  for (var kh = 0u; kh < params.k_h; kh++) {
    let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
    let row = (plane + u32(clamp(ih, 0, h_in - 1))) * params.in_w;
    for (var kw = 0u; kw < params.k_w; kw++) {
      let iw = i32(ow * params.stride_w + kw * params.dil_w) - i32(params.pad_left);
      let inside = ih >= 0 && ih < h_in && iw >= 0 && iw < w_in;
      output[dst + kh * params.k_w + kw] = select(0.0, input[row + u32(clamp(iw, 0, w_in - 1))], inside);
    }
  }
}

// The same unfold with columns along pixels: cols[n, (c, kh, kw), oh * out_w + ow], so y[n] = W [O, C*kH*kW]
// @ cols[n] is a plain matmul whose B the vec4 kernels read along pixels. Neighbouring lanes take
// neighbouring pixels, so each (kh, kw) store is contiguous across a subgroup.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_unfold_columns(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ow = gid.x;
  let oh = gid.y;
  if (ow >= params.out_w || oh >= params.out_h) {
    return;
  }
  let n = gid.z / params.in_c;
  let c = gid.z % params.in_c;
  let k_area = params.k_h * params.k_w;
  let pixels = params.out_h * params.out_w;
  var dst = ((n * params.in_c + c) * k_area) * pixels + oh * params.out_w + ow;
  let plane = (n * params.in_c + c) * params.in_h;
  let h_in = i32(params.in_h);
  let w_in = i32(params.in_w);
  for (var kh = 0u; kh < params.k_h; kh++) {
    let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
    let row = (plane + u32(clamp(ih, 0, h_in - 1))) * params.in_w;
    for (var kw = 0u; kw < params.k_w; kw++) {
      let iw = i32(ow * params.stride_w + kw * params.dil_w) - i32(params.pad_left);
      let inside = ih >= 0 && ih < h_in && iw >= 0 && iw < w_in;
      output[dst] = select(0.0, input[row + u32(clamp(iw, 0, w_in - 1))], inside);
      dst += pixels;
    }
  }
}

// dx[n, c, ih, iw] = sum over (kh, kw) with ih = oh*sh - pad + kh*dh for an integer oh in range (same for
// w), and over the group's output channels o, of dy[n, o, oh, ow] * w[o, c, kh, kw]. One invocation:
// 4 input channels of one pixel, so the divisibility tests per (kh, kw) are shared by 4 * group_o
// products. Here the "in" sizes are dx's and the "out" sizes are dy's; the output binding is dx.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_backward_data(@builtin(global_invocation_id) gid: vec3<u32>) {
  let iw = gid.x;
  let ih = gid.y;
  if (iw >= params.in_w || ih >= params.in_h) {
    return;
  }
  let blk = gid.z % params.blocks;
  let ng = gid.z / params.blocks;
  let groups = params.in_c / params.group_c;
  let grp = ng % groups;
  let n = ng / groups;
  let cl = blk * 4u;
  let k_area = params.k_h * params.k_w;
  let last = params.group_c - 1u;
  let c1 = min(cl + 1u, last) * k_area;
  let c2 = min(cl + 2u, last) * k_area;
  let c3 = min(cl + 3u, last) * k_area;
  let c0 = cl * k_area;
  let w_stride_o = params.group_c * k_area;
  let sh = i32(params.stride_h);
  let sw = i32(params.stride_w);
  var acc = vec4<f32>(0.0);
  for (var kh = 0u; kh < params.k_h; kh++) {
    let th = i32(ih) + i32(params.pad_top) - i32(kh * params.dil_h);
    if (th < 0 || th % sh != 0 || th / sh >= i32(params.out_h)) {
      continue;
    }
    let oh = u32(th / sh);
    for (var kw = 0u; kw < params.k_w; kw++) {
      let tw = i32(iw) + i32(params.pad_left) - i32(kw * params.dil_w);
      if (tw < 0 || tw % sw != 0 || tw / sw >= i32(params.out_w)) {
        continue;
      }
      let ow = u32(tw / sw);
      let k = kh * params.k_w + kw;
      var dy_at = ((n * params.out_c + grp * params.group_o) * params.out_h + oh) * params.out_w + ow;
      var w_at = grp * params.group_o * w_stride_o + k;
      let dy_step = params.out_h * params.out_w;
      for (var o = 0u; o < params.group_o; o++) {
        let g = grad_out[dy_at];
        acc = fma(vec4<f32>(g), vec4<f32>(weight[w_at + c0], weight[w_at + c1], weight[w_at + c2], weight[w_at + c3]), acc);
        dy_at += dy_step;
        w_at += w_stride_o;
      }
    }
  }
  for (var j = 0u; j < 4u; j++) {
    if (cl + j >= params.group_c) {
      break;
    }
    let c = grp * params.group_c + cl + j;
    var b = 0.0;
    if (HAS_BIAS) {
      b = bias[c];
    }
    output[((n * params.in_c + c) * params.in_h + ih) * params.in_w + iw] = activation(ACT, acc[j] + b);
  }
}

// dw[o, c, kh, kw] = sum over n, oh, ow of dy[n, o, oh, ow] * x[n, g*group_c + c, ih, iw]. One invocation
// per weight element and split (grid: x, y = weight elements, z = split); each split sums rows_per_split
// of the N*outH rows into its own slice of `output` (a temp that a reduce launch then sums, or dw itself
// when there is one split). The ow range whose iw lands inside the input is worked out once, so the
// inner loop has no bounds tests.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_backward_weight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups_xyz: vec3<u32>) {
  // Launched with WG_Y = 1: x and y only split a long 1-D range over the per-dimension dispatch limit.
  let flat = gid.x + gid.y * groups_xyz.x * WG_X;
  if (flat >= params.weight_size) {
    return;
  }
  let kw = flat % params.k_w;
  let kh = (flat / params.k_w) % params.k_h;
  let c = (flat / (params.k_w * params.k_h)) % params.group_c;
  let o = flat / (params.k_w * params.k_h * params.group_c);
  let ci = (o / params.group_o) * params.group_c + c;
  let off_w = i32(kw * params.dil_w) - i32(params.pad_left);
  let sw = i32(params.stride_w);
  // ow in [ow_lo, ow_hi) <=> 0 <= ow*sw + off_w < in_w
  let ow_lo = u32(max(0, (-off_w + sw - 1) / sw));
  let ow_hi = u32(clamp((i32(params.in_w) - off_w + sw - 1) / sw, 0, i32(params.out_w)));
  let rows = params.batch * params.out_h;
  let r0 = gid.z * params.rows_per_split;
  let r1 = min(r0 + params.rows_per_split, rows);
  var acc = 0.0;
  for (var r = r0; r < r1; r++) {
    let n = r / params.out_h;
    let oh = r % params.out_h;
    let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
    if (ih < 0 || ih >= i32(params.in_h)) {
      continue;
    }
    let dy_row = ((n * params.out_c + o) * params.out_h + oh) * params.out_w;
    let x_row = i32(((n * params.in_c + ci) * params.in_h + u32(ih)) * params.in_w) + off_w;
    for (var ow = ow_lo; ow < ow_hi; ow++) {
      acc = fma(grad_out[dy_row + ow], input[u32(x_row + i32(ow) * sw)], acc);
    }
  }
  output[gid.z * params.weight_size + flat] = acc;
}

// For stride 1, dx is itself a forward conv of dy with the weight's two channel axes swapped (within
// each group) and its taps flipped: w'[g*group_c + c, o, kH-1-kh, kW-1-kw] = w[g*group_o + o, c, kh, kw].
// This writes w' so backward-data can run on the fast forward kernel. One invocation per weight element.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_flip_weight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups_xyz: vec3<u32>) {
  let flat = gid.x + gid.y * groups_xyz.x * WG_X;
  if (flat >= params.weight_size) {
    return;
  }
  let kw = flat % params.k_w;
  let kh = (flat / params.k_w) % params.k_h;
  let c = (flat / (params.k_w * params.k_h)) % params.group_c;
  let o = flat / (params.k_w * params.k_h * params.group_c);
  let grp = o / params.group_o;
  let ol = o % params.group_o;
  let to = ((grp * params.group_c + c) * params.group_o + ol) * params.k_h * params.k_w;
  output[to + (params.k_h - 1u - kh) * params.k_w + (params.k_w - 1u - kw)] = weight[flat];
}

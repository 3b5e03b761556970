// conv2d forward for CPU adapters with 8-lane subgroups (lavapipe): implicit GEMM, register-tiled, each
// invocation owns 16 output channels x 8 neighbouring output pixels of one row in thirty-two vec4
// registers, with no workgroup memory or barriers (barriers are expensive on lavapipe).
//
// The lesson of matmul_register_tiled_subgroup.wgsl: the 8 lanes of a subgroup work on the same 16
// channels (lanes run along the output row), so they need the same weights; lane l loads the weights of
// channels l and 8 + l and subgroupBroadcast() hands them to the others, instead of every lane loading
// all 16 (a per-lane scalar load each on lavapipe). Input pixels differ per lane and are loaded per lane.
//
// Needs subgroup size 8 with the lanes of a subgroup consecutive along x (WG_X = 8: one subgroup per row
// of invocations); src/kernels/conv/select.ts only picks it where that holds. Any stride, padding,
// dilation and group count; channels and pixels past the end are clamped for loads and never stored.
enable subgroups;
//!include lib/activation.wgsl

override WG_X: u32 = 8u; // must equal the subgroup size
override WG_Y: u32 = 8u; // output rows per workgroup
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;

//!include lib/conv_params.wgsl

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<uniform> params: ConvParams;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  // No early return: subgroupBroadcast needs every lane. Out-of-range rows and pixels load clamped.
  let ow0 = gid.x * 8u;
  let oh = min(gid.y, params.out_h - 1u);
  let blk = gid.z % params.blocks;
  let ng = gid.z / params.blocks;
  let groups = params.in_c / params.group_c;
  let grp = ng % groups;
  let n = ng / groups;
  let ol = blk * 16u;
  let k_area = params.k_h * params.k_w;
  let w_stride_o = params.group_c * k_area;
  let last = params.group_o - 1u;
  let sub = lane % 8u;
  let wa = (grp * params.group_o + min(ol + sub, last)) * w_stride_o;
  let wb = (grp * params.group_o + min(ol + 8u + sub, last)) * w_stride_o;
  let sw = i32(params.stride_w);
  let iw_base = i32(ow0) * sw - i32(params.pad_left);
  let w_in = i32(params.in_w);

  var c00: vec4<f32>; var d00: vec4<f32>;
  var c01: vec4<f32>; var d01: vec4<f32>;
  var c02: vec4<f32>; var d02: vec4<f32>;
  var c03: vec4<f32>; var d03: vec4<f32>;
  var c04: vec4<f32>; var d04: vec4<f32>;
  var c05: vec4<f32>; var d05: vec4<f32>;
  var c06: vec4<f32>; var d06: vec4<f32>;
  var c07: vec4<f32>; var d07: vec4<f32>;
  var c08: vec4<f32>; var d08: vec4<f32>;
  var c09: vec4<f32>; var d09: vec4<f32>;
  var c10: vec4<f32>; var d10: vec4<f32>;
  var c11: vec4<f32>; var d11: vec4<f32>;
  var c12: vec4<f32>; var d12: vec4<f32>;
  var c13: vec4<f32>; var d13: vec4<f32>;
  var c14: vec4<f32>; var d14: vec4<f32>;
  var c15: vec4<f32>; var d15: vec4<f32>;

  for (var c = 0u; c < params.group_c; c++) {
    let plane = (n * params.in_c + grp * params.group_c + c) * params.in_h;
    for (var kh = 0u; kh < params.k_h; kh++) {
      let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
      // Masked, not skipped: WGSL's uniformity analysis cannot see that a subgroup shares its row, and
      // subgroupBroadcast must stay in uniform control flow.
      let row_ok = ih >= 0 && ih < i32(params.in_h);
      let row = i32((plane + u32(clamp(ih, 0, i32(params.in_h) - 1))) * params.in_w);
      let kbase = c * k_area + kh * params.k_w;
      for (var kw = 0u; kw < params.k_w; kw++) {
        let iw = iw_base + i32(kw * params.dil_w);
        let mine0 = weight[wa + kbase + kw];
        let mine1 = weight[wb + kbase + kw];
        var xs: array<f32, 8>;
        for (var p = 0; p < 8; p++) {
          let i = iw + p * sw;
          xs[p] = select(0.0, input[row + clamp(i, 0, w_in - 1)], row_ok && i >= 0 && i < w_in);
        }
        let xa = vec4<f32>(xs[0], xs[1], xs[2], xs[3]);
        let xb = vec4<f32>(xs[4], xs[5], xs[6], xs[7]);
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 0u)); c00 = fma(wv, xa, c00); d00 = fma(wv, xb, d00); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 1u)); c01 = fma(wv, xa, c01); d01 = fma(wv, xb, d01); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 2u)); c02 = fma(wv, xa, c02); d02 = fma(wv, xb, d02); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 3u)); c03 = fma(wv, xa, c03); d03 = fma(wv, xb, d03); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 4u)); c04 = fma(wv, xa, c04); d04 = fma(wv, xb, d04); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 5u)); c05 = fma(wv, xa, c05); d05 = fma(wv, xb, d05); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 6u)); c06 = fma(wv, xa, c06); d06 = fma(wv, xb, d06); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 7u)); c07 = fma(wv, xa, c07); d07 = fma(wv, xb, d07); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 0u)); c08 = fma(wv, xa, c08); d08 = fma(wv, xb, d08); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 1u)); c09 = fma(wv, xa, c09); d09 = fma(wv, xb, d09); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 2u)); c10 = fma(wv, xa, c10); d10 = fma(wv, xb, d10); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 3u)); c11 = fma(wv, xa, c11); d11 = fma(wv, xb, d11); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 4u)); c12 = fma(wv, xa, c12); d12 = fma(wv, xb, d12); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 5u)); c13 = fma(wv, xa, c13); d13 = fma(wv, xb, d13); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 6u)); c14 = fma(wv, xa, c14); d14 = fma(wv, xb, d14); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 7u)); c15 = fma(wv, xa, c15); d15 = fma(wv, xb, d15); }
      }
    }
  }

  if (gid.y >= params.out_h) {
    return;
  }
  var accs = array<array<vec4<f32>, 2>, 16>(array<vec4<f32>, 2>(c00, d00), array<vec4<f32>, 2>(c01, d01), array<vec4<f32>, 2>(c02, d02), array<vec4<f32>, 2>(c03, d03), array<vec4<f32>, 2>(c04, d04), array<vec4<f32>, 2>(c05, d05), array<vec4<f32>, 2>(c06, d06), array<vec4<f32>, 2>(c07, d07), array<vec4<f32>, 2>(c08, d08), array<vec4<f32>, 2>(c09, d09), array<vec4<f32>, 2>(c10, d10), array<vec4<f32>, 2>(c11, d11), array<vec4<f32>, 2>(c12, d12), array<vec4<f32>, 2>(c13, d13), array<vec4<f32>, 2>(c14, d14), array<vec4<f32>, 2>(c15, d15));
  for (var j = 0u; j < 16u; j++) {
    if (ol + j >= params.group_o) {
      break;
    }
    let o = grp * params.group_o + ol + j;
    var b = 0.0;
    if (HAS_BIAS) {
      b = bias[o];
    }
    let out_row = ((n * params.out_c + o) * params.out_h + oh) * params.out_w;
    for (var p = 0u; p < 8u; p++) {
      if (ow0 + p < params.out_w) {
        output[out_row + ow0 + p] = activation(ACT, accs[j][p / 4u][p % 4u] + b);
      }
    }
  }
}

// The forward above with the kernel width, stride and dilation along W fixed as overrides (one pipeline
// per config): each input row segment is loaded once per (channel, kernel row) instead of once per tap,
// and the taps read it at constant offsets. Chosen when the segment fits 32 values.
override CW_KW: u32 = 3u;
override CW_SW: u32 = 1u;
override CW_DIL: u32 = 1u;
override CW_SPAN: u32 = 10u; // 7 * CW_SW + (CW_KW - 1) * CW_DIL + 1, at most 32 (the window)

@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_forward_window(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  // No early return: subgroupBroadcast needs every lane. Out-of-range rows and pixels load clamped.
  let ow0 = gid.x * 8u;
  let oh = min(gid.y, params.out_h - 1u);
  let blk = gid.z % params.blocks;
  let ng = gid.z / params.blocks;
  let groups = params.in_c / params.group_c;
  let grp = ng % groups;
  let n = ng / groups;
  let ol = blk * 16u;
  let k_area = params.k_h * params.k_w;
  let w_stride_o = params.group_c * k_area;
  let last = params.group_o - 1u;
  let sub = lane % 8u;
  let wa = (grp * params.group_o + min(ol + sub, last)) * w_stride_o;
  let wb = (grp * params.group_o + min(ol + 8u + sub, last)) * w_stride_o;
  let iw_base = i32(ow0 * CW_SW) - i32(params.pad_left);
  let w_in = i32(params.in_w);

  var c00: vec4<f32>; var d00: vec4<f32>;
  var c01: vec4<f32>; var d01: vec4<f32>;
  var c02: vec4<f32>; var d02: vec4<f32>;
  var c03: vec4<f32>; var d03: vec4<f32>;
  var c04: vec4<f32>; var d04: vec4<f32>;
  var c05: vec4<f32>; var d05: vec4<f32>;
  var c06: vec4<f32>; var d06: vec4<f32>;
  var c07: vec4<f32>; var d07: vec4<f32>;
  var c08: vec4<f32>; var d08: vec4<f32>;
  var c09: vec4<f32>; var d09: vec4<f32>;
  var c10: vec4<f32>; var d10: vec4<f32>;
  var c11: vec4<f32>; var d11: vec4<f32>;
  var c12: vec4<f32>; var d12: vec4<f32>;
  var c13: vec4<f32>; var d13: vec4<f32>;
  var c14: vec4<f32>; var d14: vec4<f32>;
  var c15: vec4<f32>; var d15: vec4<f32>;

  for (var c = 0u; c < params.group_c; c++) {
    let plane = (n * params.in_c + grp * params.group_c + c) * params.in_h;
    for (var kh = 0u; kh < params.k_h; kh++) {
      let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_top);
      // Masked, not skipped: WGSL's uniformity analysis cannot see that a subgroup shares its row, and
      // subgroupBroadcast must stay in uniform control flow.
      let row_ok = ih >= 0 && ih < i32(params.in_h);
      let row = i32((plane + u32(clamp(ih, 0, i32(params.in_h) - 1))) * params.in_w);
      // The row segment all 8 pixels and all kernel columns need, loaded once per (channel, kernel row).
      var win: array<f32, 32>;
      for (var t = 0u; t < CW_SPAN; t++) {
        let i = iw_base + i32(t);
        win[t] = select(0.0, input[row + clamp(i, 0, w_in - 1)], row_ok && i >= 0 && i < w_in);
      }
      let kbase = c * k_area + kh * CW_KW;
      for (var kw = 0u; kw < CW_KW; kw++) {
        let mine0 = weight[wa + kbase + kw];
        let mine1 = weight[wb + kbase + kw];
        let o = kw * CW_DIL;
        var xs = array<f32, 8>(win[o], win[o + CW_SW], win[o + 2u * CW_SW], win[o + 3u * CW_SW], win[o + 4u * CW_SW], win[o + 5u * CW_SW], win[o + 6u * CW_SW], win[o + 7u * CW_SW]);
        let xa = vec4<f32>(xs[0], xs[1], xs[2], xs[3]);
        let xb = vec4<f32>(xs[4], xs[5], xs[6], xs[7]);
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 0u)); c00 = fma(wv, xa, c00); d00 = fma(wv, xb, d00); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 1u)); c01 = fma(wv, xa, c01); d01 = fma(wv, xb, d01); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 2u)); c02 = fma(wv, xa, c02); d02 = fma(wv, xb, d02); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 3u)); c03 = fma(wv, xa, c03); d03 = fma(wv, xb, d03); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 4u)); c04 = fma(wv, xa, c04); d04 = fma(wv, xb, d04); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 5u)); c05 = fma(wv, xa, c05); d05 = fma(wv, xb, d05); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 6u)); c06 = fma(wv, xa, c06); d06 = fma(wv, xb, d06); }
        { let wv = vec4<f32>(subgroupBroadcast(mine0, 7u)); c07 = fma(wv, xa, c07); d07 = fma(wv, xb, d07); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 0u)); c08 = fma(wv, xa, c08); d08 = fma(wv, xb, d08); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 1u)); c09 = fma(wv, xa, c09); d09 = fma(wv, xb, d09); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 2u)); c10 = fma(wv, xa, c10); d10 = fma(wv, xb, d10); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 3u)); c11 = fma(wv, xa, c11); d11 = fma(wv, xb, d11); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 4u)); c12 = fma(wv, xa, c12); d12 = fma(wv, xb, d12); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 5u)); c13 = fma(wv, xa, c13); d13 = fma(wv, xb, d13); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 6u)); c14 = fma(wv, xa, c14); d14 = fma(wv, xb, d14); }
        { let wv = vec4<f32>(subgroupBroadcast(mine1, 7u)); c15 = fma(wv, xa, c15); d15 = fma(wv, xb, d15); }
      }
    }
  }

  if (gid.y >= params.out_h) {
    return;
  }
  var accs = array<array<vec4<f32>, 2>, 16>(array<vec4<f32>, 2>(c00, d00), array<vec4<f32>, 2>(c01, d01), array<vec4<f32>, 2>(c02, d02), array<vec4<f32>, 2>(c03, d03), array<vec4<f32>, 2>(c04, d04), array<vec4<f32>, 2>(c05, d05), array<vec4<f32>, 2>(c06, d06), array<vec4<f32>, 2>(c07, d07), array<vec4<f32>, 2>(c08, d08), array<vec4<f32>, 2>(c09, d09), array<vec4<f32>, 2>(c10, d10), array<vec4<f32>, 2>(c11, d11), array<vec4<f32>, 2>(c12, d12), array<vec4<f32>, 2>(c13, d13), array<vec4<f32>, 2>(c14, d14), array<vec4<f32>, 2>(c15, d15));
  for (var j = 0u; j < 16u; j++) {
    if (ol + j >= params.group_o) {
      break;
    }
    let o = grp * params.group_o + ol + j;
    var b = 0.0;
    if (HAS_BIAS) {
      b = bias[o];
    }
    let out_row = ((n * params.out_c + o) * params.out_h + oh) * params.out_w;
    for (var p = 0u; p < 8u; p++) {
      if (ow0 + p < params.out_w) {
        output[out_row + ow0 + p] = activation(ACT, accs[j][p / 4u][p % 4u] + b);
      }
    }
  }
}

// Depthwise 3x3, stride 1, dilation 1, left padding 1 (the MobileNet-style block): a subgroup owns 64
// consecutive output pixels of one channel, DW_ROWS output rows per invocation. The portable depthwise
// kernels (conv2d.wgsl) made each lane load its own 10-value window of every input row and reloaded the
// rows and weights for every 1-2 output rows: 4 loads per output. Here:
//   - lane l loads pixels 4l..4l+3 and 32+4l..32+4l+3 of the row segment, and the one-pixel halo each
//     4-pixel group needs comes from the neighbouring lane by subgroupShuffleUp/Down (lanes 0 and 7 take
//     theirs across the two halves with subgroupBroadcast; the segment's two outer neighbours are one
//     load each);
//   - the invocation walks down its rows with three rolling accumulators (an input row adds kernel row 2
//     to the output row it completes, row 1 to the next and row 0 to the one after), so each input row is
//     loaded once for the three output rows it feeds, and the 9 weights are loaded once into registers.
// That is 1.5 loads per output. 1x128x64x64 on lavapipe: 2.6 -> 1.5 ms, 1.9x -> 3.4x TF.js
// (bench/results/vision.json). Loading the pixels as vec4 instead of 4 scalars
// gained ~7% more but needs a vec4 binding of x; DW_ROWS 8 was ~20% slower than 16, 32 and 64 ~3% faster
// with 4x fewer invocations (src/kernels/conv/select.ts). Any width (pixels past the row are masked), any
// top/bottom/right padding; no early return, since the shuffles need the whole subgroup.
override DW_ROWS: u32 = 16u; // output rows per invocation

@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_depthwise_rolling(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  let sub = lane % 8u;
  let seg0 = (gid.x / 8u) * 64u;           // first output (and input) pixel of the subgroup's segment
  let oh0 = gid.y * DW_ROWS;
  let nc = gid.z;
  let ch = nc % params.in_c;
  let w_in = i32(params.in_w);
  let pa = i32(seg0 + 4u * sub);           // this lane's two 4-pixel groups
  let pb = pa + 32;
  let left = i32(seg0) - 1;                // the segment's outer neighbours
  let right = i32(seg0) + 64;
  let wb = ch * 9u;
  let k0 = vec4<f32>(weight[wb]);
  let k1 = vec4<f32>(weight[wb + 1u]);
  let k2 = vec4<f32>(weight[wb + 2u]);
  let k3 = vec4<f32>(weight[wb + 3u]);
  let k4 = vec4<f32>(weight[wb + 4u]);
  let k5 = vec4<f32>(weight[wb + 5u]);
  let k6 = vec4<f32>(weight[wb + 6u]);
  let k7 = vec4<f32>(weight[wb + 7u]);
  let k8 = vec4<f32>(weight[wb + 8u]);
  var bv = vec4<f32>();
  if (HAS_BIAS) {
    bv = vec4<f32>(bias[ch]);
  }
  // Input row oh0 + j - pad_top adds kernel row 2 to output row oh0 + j - 2 (then complete), row 1 to
  // oh0 + j - 1 and row 0 to oh0 + j.
  var a_done: vec4<f32>; var b_done: vec4<f32>;
  var a_next: vec4<f32>; var b_next: vec4<f32>;
  for (var j = 0u; j < DW_ROWS + 2u; j++) {
    let ih = i32(oh0 + j) - i32(params.pad_top);
    let row_ok = ih >= 0 && ih < i32(params.in_h);
    let row = i32((nc * params.in_h + u32(clamp(ih, 0, i32(params.in_h) - 1))) * params.in_w);
    let xa = vec4<f32>(load_px(row, pa, w_in, row_ok), load_px(row, pa + 1, w_in, row_ok), load_px(row, pa + 2, w_in, row_ok), load_px(row, pa + 3, w_in, row_ok));
    let xb = vec4<f32>(load_px(row, pb, w_in, row_ok), load_px(row, pb + 1, w_in, row_ok), load_px(row, pb + 2, w_in, row_ok), load_px(row, pb + 3, w_in, row_ok));
    let edge_l = load_px(row, left, w_in, row_ok);
    let edge_r = load_px(row, right, w_in, row_ok);
    let a_w7 = subgroupBroadcast(xa.w, 7u);
    let b_x0 = subgroupBroadcast(xb.x, 0u);
    let up_a = subgroupShuffleUp(xa.w, 1u);
    let up_b = subgroupShuffleUp(xb.w, 1u);
    let down_a = subgroupShuffleDown(xa.x, 1u);
    let down_b = subgroupShuffleDown(xb.x, 1u);
    // The row shifted by one pixel right (kernel column 0) and left (column 2), per 4-pixel group.
    let a_l = vec4<f32>(select(up_a, edge_l, sub == 0u), xa.x, xa.y, xa.z);
    let a_r = vec4<f32>(xa.y, xa.z, xa.w, select(down_a, b_x0, sub == 7u));
    let b_l = vec4<f32>(select(up_b, a_w7, sub == 0u), xb.x, xb.y, xb.z);
    let b_r = vec4<f32>(xb.y, xb.z, xb.w, select(down_b, edge_r, sub == 7u));
    a_done = fma(a_l, k6, a_done);
    a_done = fma(xa, k7, a_done);
    a_done = fma(a_r, k8, a_done);
    b_done = fma(b_l, k6, b_done);
    b_done = fma(xb, k7, b_done);
    b_done = fma(b_r, k8, b_done);
    a_next = fma(a_l, k3, a_next);
    a_next = fma(xa, k4, a_next);
    a_next = fma(a_r, k5, a_next);
    b_next = fma(b_l, k3, b_next);
    b_next = fma(xb, k4, b_next);
    b_next = fma(b_r, k5, b_next);
    let a_new = fma(a_r, k2, fma(xa, k1, a_l * k0));
    let b_new = fma(b_r, k2, fma(xb, k1, b_l * k0));
    let oh = oh0 + j - 2u; // wraps for j < 2, then fails the range test
    if (j >= 2u && oh < params.out_h) {
      let out_row = (nc * params.out_h + oh) * params.out_w;
      store_px4(out_row, u32(pa), a_done + bv);
      store_px4(out_row, u32(pb), b_done + bv);
    }
    a_done = a_next;
    b_done = b_next;
    a_next = a_new;
    b_next = b_new;
  }
}

// x at pixel i of the row starting at `row`, 0 in the padding.
fn load_px(row: i32, i: i32, w_in: i32, row_ok: bool) -> f32 {
  return select(0.0, input[row + clamp(i, 0, w_in - 1)], row_ok && i >= 0 && i < w_in);
}

// Store 4 consecutive output pixels from p, those inside the row.
fn store_px4(out_row: u32, p: u32, v: vec4<f32>) {
  for (var q = 0u; q < 4u; q++) {
    if (p + q < params.out_w) {
      output[out_row + p + q] = activation(ACT, v[q]);
    }
  }
}

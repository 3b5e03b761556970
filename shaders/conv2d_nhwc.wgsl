// conv2d forward in NHWC (x [N, H, W, Cin], weight HWIO [kH, kW, Cin, Cout], y [N, OH, OW, Cout]) for CPU
// adapters with 8-lane subgroups (lavapipe): the layout experiment of src/kernels/conv/nhwc.ts, set
// against the NCHW kernel (conv2d_subgroup.wgsl) by bench/kernels/layout.bench.ts.
//
// Implicit GEMM y[pixel, o] = sum over k of x_im2col[pixel, k] * w[k, o], K = (kh, kw, cin), with cin the
// contiguous axis in both x and the weight. Each invocation owns 40 output pixels x 8 output channels
// in eighty vec4 registers, without workgroup memory or barriers. The 8 lanes of a subgroup run along
// the output channels (64 per subgroup) and share the 40 pixels, the matmul lesson
// (matmul_register_tiled_subgroup.wgsl): lane l loads pixels l, 8 + l, ..., 32 + l as one vec4 of four
// input channels each, and subgroupBroadcast() hands pixel i's value to everyone. So one per-lane
// load serves 4 values of K, and the weight row (contiguous along Cout across the lanes) is the only
// other load: 2 vec4 loads + 40 broadcasts per 80 vec4 FMAs.
//
// Measured on lavapipe (2 cores, scratch sweeps): 40 x 8 beat 16 x 8 (the matmul's block) by ~20%;
// 48 x 8 was within noise, 32 x 8 a little slower, 64 x 8 and 24 x 12 clearly slower. The four cin
// steps written out (rather than a loop over the vec4's components) were 1.7x slower, two vec4s of cin
// per iteration 1.6x slower, and the accumulators as an indexed array (with subgroupShuffle) 8x slower.
//
// Needs: Cin % 4 == 0 and Cout % 4 == 0 (vec4 loads and stores), groups == 1, subgroup size 8 with the
// lanes of a subgroup consecutive along x (WG_X = 8). Pixels and channels past the end are clamped for
// loads and never stored.
enable subgroups;
//!include lib/activation.wgsl

override WG_X: u32 = 8u; // lanes along the output channels; must equal the subgroup size
override WG_Y: u32 = 4u; // 40-pixel blocks per workgroup
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;

//!include lib/conv_params.wgsl

@group(0) @binding(0) var<storage, read> src_nhwc: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> filter_hwio: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias_o: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst_nhwc: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: ConvParams;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn conv2d_nhwc_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  // No early return: subgroupBroadcast needs every lane. Pixel blocks are spread over x and y of the
  // grid (grid1d), output-channel blocks of 64 over z.
  let pixels = params.batch * params.out_h * params.out_w;
  let pbase = ((wid.y * nwg.x + wid.x) * WG_Y + lid.y) * 40u;
  let sub = lane % 8u;
  let cin4 = params.in_c / 4u;
  let cout4 = params.out_c / 4u;
  let co4 = (wid.z * WG_X + lid.x) * 2u;
  let wq0 = min(co4, cout4 - 1u);
  let wq1 = min(co4 + 1u, cout4 - 1u);
  let h_in = i32(params.in_h);
  let w_in = i32(params.in_w);
  // This lane's share of the block: pixels pbase + 8r + sub, r = 0..4, as (n, top-left input corner).
  let p0 = min(pbase + 0u + sub, pixels - 1u);
  let n0 = p0 / (params.out_h * params.out_w);
  let ih0 = i32((p0 / params.out_w) % params.out_h * params.stride_h) - i32(params.pad_top);
  let iw0 = i32(p0 % params.out_w * params.stride_w) - i32(params.pad_left);
  let p1 = min(pbase + 8u + sub, pixels - 1u);
  let n1 = p1 / (params.out_h * params.out_w);
  let ih1 = i32((p1 / params.out_w) % params.out_h * params.stride_h) - i32(params.pad_top);
  let iw1 = i32(p1 % params.out_w * params.stride_w) - i32(params.pad_left);
  let p2 = min(pbase + 16u + sub, pixels - 1u);
  let n2 = p2 / (params.out_h * params.out_w);
  let ih2 = i32((p2 / params.out_w) % params.out_h * params.stride_h) - i32(params.pad_top);
  let iw2 = i32(p2 % params.out_w * params.stride_w) - i32(params.pad_left);
  let p3 = min(pbase + 24u + sub, pixels - 1u);
  let n3 = p3 / (params.out_h * params.out_w);
  let ih3 = i32((p3 / params.out_w) % params.out_h * params.stride_h) - i32(params.pad_top);
  let iw3 = i32(p3 % params.out_w * params.stride_w) - i32(params.pad_left);
  let p4 = min(pbase + 32u + sub, pixels - 1u);
  let n4 = p4 / (params.out_h * params.out_w);
  let ih4 = i32((p4 / params.out_w) % params.out_h * params.stride_h) - i32(params.pad_top);
  let iw4 = i32(p4 % params.out_w * params.stride_w) - i32(params.pad_left);

  // acc<i>_<q>: pixel pbase + i, output channels 4 * (co4 + q) .. + 3.
  var acc0_0: vec4<f32>; var acc0_1: vec4<f32>;
  var acc1_0: vec4<f32>; var acc1_1: vec4<f32>;
  var acc2_0: vec4<f32>; var acc2_1: vec4<f32>;
  var acc3_0: vec4<f32>; var acc3_1: vec4<f32>;
  var acc4_0: vec4<f32>; var acc4_1: vec4<f32>;
  var acc5_0: vec4<f32>; var acc5_1: vec4<f32>;
  var acc6_0: vec4<f32>; var acc6_1: vec4<f32>;
  var acc7_0: vec4<f32>; var acc7_1: vec4<f32>;
  var acc8_0: vec4<f32>; var acc8_1: vec4<f32>;
  var acc9_0: vec4<f32>; var acc9_1: vec4<f32>;
  var acc10_0: vec4<f32>; var acc10_1: vec4<f32>;
  var acc11_0: vec4<f32>; var acc11_1: vec4<f32>;
  var acc12_0: vec4<f32>; var acc12_1: vec4<f32>;
  var acc13_0: vec4<f32>; var acc13_1: vec4<f32>;
  var acc14_0: vec4<f32>; var acc14_1: vec4<f32>;
  var acc15_0: vec4<f32>; var acc15_1: vec4<f32>;
  var acc16_0: vec4<f32>; var acc16_1: vec4<f32>;
  var acc17_0: vec4<f32>; var acc17_1: vec4<f32>;
  var acc18_0: vec4<f32>; var acc18_1: vec4<f32>;
  var acc19_0: vec4<f32>; var acc19_1: vec4<f32>;
  var acc20_0: vec4<f32>; var acc20_1: vec4<f32>;
  var acc21_0: vec4<f32>; var acc21_1: vec4<f32>;
  var acc22_0: vec4<f32>; var acc22_1: vec4<f32>;
  var acc23_0: vec4<f32>; var acc23_1: vec4<f32>;
  var acc24_0: vec4<f32>; var acc24_1: vec4<f32>;
  var acc25_0: vec4<f32>; var acc25_1: vec4<f32>;
  var acc26_0: vec4<f32>; var acc26_1: vec4<f32>;
  var acc27_0: vec4<f32>; var acc27_1: vec4<f32>;
  var acc28_0: vec4<f32>; var acc28_1: vec4<f32>;
  var acc29_0: vec4<f32>; var acc29_1: vec4<f32>;
  var acc30_0: vec4<f32>; var acc30_1: vec4<f32>;
  var acc31_0: vec4<f32>; var acc31_1: vec4<f32>;
  var acc32_0: vec4<f32>; var acc32_1: vec4<f32>;
  var acc33_0: vec4<f32>; var acc33_1: vec4<f32>;
  var acc34_0: vec4<f32>; var acc34_1: vec4<f32>;
  var acc35_0: vec4<f32>; var acc35_1: vec4<f32>;
  var acc36_0: vec4<f32>; var acc36_1: vec4<f32>;
  var acc37_0: vec4<f32>; var acc37_1: vec4<f32>;
  var acc38_0: vec4<f32>; var acc38_1: vec4<f32>;
  var acc39_0: vec4<f32>; var acc39_1: vec4<f32>;

  for (var kh = 0u; kh < params.k_h; kh++) {
    for (var kw = 0u; kw < params.k_w; kw++) {
      // Masked, not skipped, where a tap falls in the padding: the broadcasts need uniform control flow.
      let yh0 = ih0 + i32(kh * params.dil_h);
      let yw0 = iw0 + i32(kw * params.dil_w);
      let ok0 = yh0 >= 0 && yh0 < h_in && yw0 >= 0 && yw0 < w_in;
      let x0 = ((n0 * params.in_h + u32(clamp(yh0, 0, h_in - 1))) * params.in_w + u32(clamp(yw0, 0, w_in - 1))) * cin4;
      let yh1 = ih1 + i32(kh * params.dil_h);
      let yw1 = iw1 + i32(kw * params.dil_w);
      let ok1 = yh1 >= 0 && yh1 < h_in && yw1 >= 0 && yw1 < w_in;
      let x1 = ((n1 * params.in_h + u32(clamp(yh1, 0, h_in - 1))) * params.in_w + u32(clamp(yw1, 0, w_in - 1))) * cin4;
      let yh2 = ih2 + i32(kh * params.dil_h);
      let yw2 = iw2 + i32(kw * params.dil_w);
      let ok2 = yh2 >= 0 && yh2 < h_in && yw2 >= 0 && yw2 < w_in;
      let x2 = ((n2 * params.in_h + u32(clamp(yh2, 0, h_in - 1))) * params.in_w + u32(clamp(yw2, 0, w_in - 1))) * cin4;
      let yh3 = ih3 + i32(kh * params.dil_h);
      let yw3 = iw3 + i32(kw * params.dil_w);
      let ok3 = yh3 >= 0 && yh3 < h_in && yw3 >= 0 && yw3 < w_in;
      let x3 = ((n3 * params.in_h + u32(clamp(yh3, 0, h_in - 1))) * params.in_w + u32(clamp(yw3, 0, w_in - 1))) * cin4;
      let yh4 = ih4 + i32(kh * params.dil_h);
      let yw4 = iw4 + i32(kw * params.dil_w);
      let ok4 = yh4 >= 0 && yh4 < h_in && yw4 >= 0 && yw4 < w_in;
      let x4 = ((n4 * params.in_h + u32(clamp(yh4, 0, h_in - 1))) * params.in_w + u32(clamp(yw4, 0, w_in - 1))) * cin4;
      let k_tap = (kh * params.k_w + kw) * params.in_c;
      for (var c = 0u; c < cin4; c++) {
        let xv0 = select(vec4<f32>(), src_nhwc[x0 + c], ok0);
        let xv1 = select(vec4<f32>(), src_nhwc[x1 + c], ok1);
        let xv2 = select(vec4<f32>(), src_nhwc[x2 + c], ok2);
        let xv3 = select(vec4<f32>(), src_nhwc[x3 + c], ok3);
        let xv4 = select(vec4<f32>(), src_nhwc[x4 + c], ok4);
        // A loop over the four input channels of the vec4s (dynamic component index) keeps the body
        // small; written out four times it measured 1.7x slower.
        for (var j = 0u; j < 4u; j++) {
          let w_row = (k_tap + c * 4u + j) * cout4;
          let w0 = filter_hwio[w_row + wq0];
          let w1 = filter_hwio[w_row + wq1];
          let m0 = xv0[j];
          let m1 = xv1[j];
          let m2 = xv2[j];
          let m3 = xv3[j];
          let m4 = xv4[j];
          { let v = vec4<f32>(subgroupBroadcast(m0, 0u));  acc0_0 = fma(v, w0, acc0_0);  acc0_1 = fma(v, w1, acc0_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 1u));  acc1_0 = fma(v, w0, acc1_0);  acc1_1 = fma(v, w1, acc1_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 2u));  acc2_0 = fma(v, w0, acc2_0);  acc2_1 = fma(v, w1, acc2_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 3u));  acc3_0 = fma(v, w0, acc3_0);  acc3_1 = fma(v, w1, acc3_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 4u));  acc4_0 = fma(v, w0, acc4_0);  acc4_1 = fma(v, w1, acc4_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 5u));  acc5_0 = fma(v, w0, acc5_0);  acc5_1 = fma(v, w1, acc5_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 6u));  acc6_0 = fma(v, w0, acc6_0);  acc6_1 = fma(v, w1, acc6_1); }
          { let v = vec4<f32>(subgroupBroadcast(m0, 7u));  acc7_0 = fma(v, w0, acc7_0);  acc7_1 = fma(v, w1, acc7_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 0u));  acc8_0 = fma(v, w0, acc8_0);  acc8_1 = fma(v, w1, acc8_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 1u));  acc9_0 = fma(v, w0, acc9_0);  acc9_1 = fma(v, w1, acc9_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 2u)); acc10_0 = fma(v, w0, acc10_0); acc10_1 = fma(v, w1, acc10_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 3u)); acc11_0 = fma(v, w0, acc11_0); acc11_1 = fma(v, w1, acc11_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 4u)); acc12_0 = fma(v, w0, acc12_0); acc12_1 = fma(v, w1, acc12_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 5u)); acc13_0 = fma(v, w0, acc13_0); acc13_1 = fma(v, w1, acc13_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 6u)); acc14_0 = fma(v, w0, acc14_0); acc14_1 = fma(v, w1, acc14_1); }
          { let v = vec4<f32>(subgroupBroadcast(m1, 7u)); acc15_0 = fma(v, w0, acc15_0); acc15_1 = fma(v, w1, acc15_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 0u)); acc16_0 = fma(v, w0, acc16_0); acc16_1 = fma(v, w1, acc16_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 1u)); acc17_0 = fma(v, w0, acc17_0); acc17_1 = fma(v, w1, acc17_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 2u)); acc18_0 = fma(v, w0, acc18_0); acc18_1 = fma(v, w1, acc18_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 3u)); acc19_0 = fma(v, w0, acc19_0); acc19_1 = fma(v, w1, acc19_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 4u)); acc20_0 = fma(v, w0, acc20_0); acc20_1 = fma(v, w1, acc20_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 5u)); acc21_0 = fma(v, w0, acc21_0); acc21_1 = fma(v, w1, acc21_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 6u)); acc22_0 = fma(v, w0, acc22_0); acc22_1 = fma(v, w1, acc22_1); }
          { let v = vec4<f32>(subgroupBroadcast(m2, 7u)); acc23_0 = fma(v, w0, acc23_0); acc23_1 = fma(v, w1, acc23_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 0u)); acc24_0 = fma(v, w0, acc24_0); acc24_1 = fma(v, w1, acc24_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 1u)); acc25_0 = fma(v, w0, acc25_0); acc25_1 = fma(v, w1, acc25_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 2u)); acc26_0 = fma(v, w0, acc26_0); acc26_1 = fma(v, w1, acc26_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 3u)); acc27_0 = fma(v, w0, acc27_0); acc27_1 = fma(v, w1, acc27_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 4u)); acc28_0 = fma(v, w0, acc28_0); acc28_1 = fma(v, w1, acc28_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 5u)); acc29_0 = fma(v, w0, acc29_0); acc29_1 = fma(v, w1, acc29_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 6u)); acc30_0 = fma(v, w0, acc30_0); acc30_1 = fma(v, w1, acc30_1); }
          { let v = vec4<f32>(subgroupBroadcast(m3, 7u)); acc31_0 = fma(v, w0, acc31_0); acc31_1 = fma(v, w1, acc31_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 0u)); acc32_0 = fma(v, w0, acc32_0); acc32_1 = fma(v, w1, acc32_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 1u)); acc33_0 = fma(v, w0, acc33_0); acc33_1 = fma(v, w1, acc33_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 2u)); acc34_0 = fma(v, w0, acc34_0); acc34_1 = fma(v, w1, acc34_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 3u)); acc35_0 = fma(v, w0, acc35_0); acc35_1 = fma(v, w1, acc35_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 4u)); acc36_0 = fma(v, w0, acc36_0); acc36_1 = fma(v, w1, acc36_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 5u)); acc37_0 = fma(v, w0, acc37_0); acc37_1 = fma(v, w1, acc37_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 6u)); acc38_0 = fma(v, w0, acc38_0); acc38_1 = fma(v, w1, acc38_1); }
          { let v = vec4<f32>(subgroupBroadcast(m4, 7u)); acc39_0 = fma(v, w0, acc39_0); acc39_1 = fma(v, w1, acc39_1); }
        }
      }
    }
  }

  if (co4 >= cout4) {
    return;
  }
  // One loop over an array of the registers for the stores, as in the matmul kernel (less code).
  var accs = array<array<vec4<f32>, 2>, 40>(
    array<vec4<f32>, 2>(acc0_0, acc0_1), array<vec4<f32>, 2>(acc1_0, acc1_1), array<vec4<f32>, 2>(acc2_0, acc2_1), array<vec4<f32>, 2>(acc3_0, acc3_1),
    array<vec4<f32>, 2>(acc4_0, acc4_1), array<vec4<f32>, 2>(acc5_0, acc5_1), array<vec4<f32>, 2>(acc6_0, acc6_1), array<vec4<f32>, 2>(acc7_0, acc7_1),
    array<vec4<f32>, 2>(acc8_0, acc8_1), array<vec4<f32>, 2>(acc9_0, acc9_1), array<vec4<f32>, 2>(acc10_0, acc10_1), array<vec4<f32>, 2>(acc11_0, acc11_1),
    array<vec4<f32>, 2>(acc12_0, acc12_1), array<vec4<f32>, 2>(acc13_0, acc13_1), array<vec4<f32>, 2>(acc14_0, acc14_1), array<vec4<f32>, 2>(acc15_0, acc15_1),
    array<vec4<f32>, 2>(acc16_0, acc16_1), array<vec4<f32>, 2>(acc17_0, acc17_1), array<vec4<f32>, 2>(acc18_0, acc18_1), array<vec4<f32>, 2>(acc19_0, acc19_1),
    array<vec4<f32>, 2>(acc20_0, acc20_1), array<vec4<f32>, 2>(acc21_0, acc21_1), array<vec4<f32>, 2>(acc22_0, acc22_1), array<vec4<f32>, 2>(acc23_0, acc23_1),
    array<vec4<f32>, 2>(acc24_0, acc24_1), array<vec4<f32>, 2>(acc25_0, acc25_1), array<vec4<f32>, 2>(acc26_0, acc26_1), array<vec4<f32>, 2>(acc27_0, acc27_1),
    array<vec4<f32>, 2>(acc28_0, acc28_1), array<vec4<f32>, 2>(acc29_0, acc29_1), array<vec4<f32>, 2>(acc30_0, acc30_1), array<vec4<f32>, 2>(acc31_0, acc31_1),
    array<vec4<f32>, 2>(acc32_0, acc32_1), array<vec4<f32>, 2>(acc33_0, acc33_1), array<vec4<f32>, 2>(acc34_0, acc34_1), array<vec4<f32>, 2>(acc35_0, acc35_1),
    array<vec4<f32>, 2>(acc36_0, acc36_1), array<vec4<f32>, 2>(acc37_0, acc37_1), array<vec4<f32>, 2>(acc38_0, acc38_1), array<vec4<f32>, 2>(acc39_0, acc39_1)
  );
  var b0 = vec4<f32>();
  var b1 = vec4<f32>();
  if (HAS_BIAS) {
    b0 = vec4<f32>(bias_o[4u * wq0], bias_o[4u * wq0 + 1u], bias_o[4u * wq0 + 2u], bias_o[4u * wq0 + 3u]);
    b1 = vec4<f32>(bias_o[4u * wq1], bias_o[4u * wq1 + 1u], bias_o[4u * wq1 + 2u], bias_o[4u * wq1 + 3u]);
  }
  let has1 = co4 + 1u < cout4;
  for (var i = 0u; i < 40u; i++) {
    let p = pbase + i;
    if (p >= pixels) {
      break;
    }
    let v0 = accs[i][0] + b0;
    dst_nhwc[p * cout4 + co4] = vec4<f32>(activation(ACT, v0.x), activation(ACT, v0.y), activation(ACT, v0.z), activation(ACT, v0.w));
    if (has1) {
      let v1 = accs[i][1] + b1;
      dst_nhwc[p * cout4 + co4 + 1u] = vec4<f32>(activation(ACT, v1.x), activation(ACT, v1.y), activation(ACT, v1.z), activation(ACT, v1.w));
    }
  }
}

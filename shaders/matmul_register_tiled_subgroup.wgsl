// Batched matmul C = act(op(A) @ B + bias) for CPU adapters with subgroups (lavapipe): each invocation
// owns a 16 x 8 block of C in thirty-two vec4 registers, without workgroup memory or barriers.
//
// Why subgroups: on lavapipe a subgroup is the 8 SIMD lanes of one invocation batch, and a load whose
// address differs per lane costs a scalar load per lane. The 8 lanes of a subgroup share their rows of A,
// so each lane loads one of the 8 rows' values and subgroupBroadcast() hands it to the others (a register
// shuffle). That cut A's loads 8x and took 1024^3 from ~11 to ~19 GFLOP/s on 2 cores
// (bench/results/kernels.json).
//
// Needs: B not transposed and N % 4 == 0 (B is read as vec4 along N); subgroup size 8 with the lanes of
// a subgroup consecutive along x, and WG_X a multiple of 8, so a subgroup never straddles two rows of
// invocations. src/kernels/matmul/select.ts only picks it where that holds, and the tests check it.
enable subgroups;
//!include lib/activation.wgsl

override WG_X: u32 = 32u;       // invocations along N; a multiple of the subgroup size (8)
override WG_Y: u32 = 2u;        // invocations along M
override TRANS_A: bool = false; // A stored [K, M] instead of [M, K]
override HAS_BIAS: bool = false;
override BIAS_PER_ROW: bool = false; // bias indexed by row (length M: a 1x1 conv's channels) instead of column
override ACT: u32 = 0u;         // ACT_* in lib/activation.wgsl

//!include lib/matmul_params.wgsl

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  let M = params.m;
  let N = params.n;
  let K = params.k;
  // No early return for out-of-range blocks: subgroupBroadcast needs every lane of the subgroup.
  // Out-of-range rows and columns are clamped for loads and dropped by the stores at the end.
  let row0 = gid.y * 16u;
  let col0 = gid.x * 8u;
  let batch = gid.z;
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride / 4u;
  let n4 = N / 4u;
  let a_k_step = select(1u, M, TRANS_A);
  let a_row_step = select(K, 1u, TRANS_A);

  let b0 = b_base + min(col0 / 4u, n4 - 1u);
  let b1 = b_base + min(col0 / 4u + 1u, n4 - 1u);
  // Lane l of the subgroup fetches rows row0 + l and row0 + 8 + l of A for everyone.
  let sub = lane % 8u;
  let ra0 = a_base + min(row0 + sub, M - 1u) * a_row_step;
  let ra1 = a_base + min(row0 + 8u + sub, M - 1u) * a_row_step;

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

  for (var k = 0u; k < K; k++) {
    let bk0 = b[b0 + k * n4];
    let bk1 = b[b1 + k * n4];
    let mine0 = a[ra0 + k * a_k_step];
    let mine1 = a[ra1 + k * a_k_step];
    let a00 = vec4<f32>(subgroupBroadcast(mine0, 0u)); c00 = fma(a00, bk0, c00); d00 = fma(a00, bk1, d00);
    let a01 = vec4<f32>(subgroupBroadcast(mine0, 1u)); c01 = fma(a01, bk0, c01); d01 = fma(a01, bk1, d01);
    let a02 = vec4<f32>(subgroupBroadcast(mine0, 2u)); c02 = fma(a02, bk0, c02); d02 = fma(a02, bk1, d02);
    let a03 = vec4<f32>(subgroupBroadcast(mine0, 3u)); c03 = fma(a03, bk0, c03); d03 = fma(a03, bk1, d03);
    let a04 = vec4<f32>(subgroupBroadcast(mine0, 4u)); c04 = fma(a04, bk0, c04); d04 = fma(a04, bk1, d04);
    let a05 = vec4<f32>(subgroupBroadcast(mine0, 5u)); c05 = fma(a05, bk0, c05); d05 = fma(a05, bk1, d05);
    let a06 = vec4<f32>(subgroupBroadcast(mine0, 6u)); c06 = fma(a06, bk0, c06); d06 = fma(a06, bk1, d06);
    let a07 = vec4<f32>(subgroupBroadcast(mine0, 7u)); c07 = fma(a07, bk0, c07); d07 = fma(a07, bk1, d07);
    let a08 = vec4<f32>(subgroupBroadcast(mine1, 0u)); c08 = fma(a08, bk0, c08); d08 = fma(a08, bk1, d08);
    let a09 = vec4<f32>(subgroupBroadcast(mine1, 1u)); c09 = fma(a09, bk0, c09); d09 = fma(a09, bk1, d09);
    let a10 = vec4<f32>(subgroupBroadcast(mine1, 2u)); c10 = fma(a10, bk0, c10); d10 = fma(a10, bk1, d10);
    let a11 = vec4<f32>(subgroupBroadcast(mine1, 3u)); c11 = fma(a11, bk0, c11); d11 = fma(a11, bk1, d11);
    let a12 = vec4<f32>(subgroupBroadcast(mine1, 4u)); c12 = fma(a12, bk0, c12); d12 = fma(a12, bk1, d12);
    let a13 = vec4<f32>(subgroupBroadcast(mine1, 5u)); c13 = fma(a13, bk0, c13); d13 = fma(a13, bk1, d13);
    let a14 = vec4<f32>(subgroupBroadcast(mine1, 6u)); c14 = fma(a14, bk0, c14); d14 = fma(a14, bk1, d14);
    let a15 = vec4<f32>(subgroupBroadcast(mine1, 7u)); c15 = fma(a15, bk0, c15); d15 = fma(a15, bk1, d15);
  }

  // One loop over an array of the registers, not sixteen inlined row stores: the inlined form measured
  // 25% slower on lavapipe (more code, worse register allocation around the main loop).
  let c_base = batch * M * N;
  var rows = array<array<vec4<f32>, 2>, 16>(array<vec4<f32>, 2>(c00, d00), array<vec4<f32>, 2>(c01, d01), array<vec4<f32>, 2>(c02, d02), array<vec4<f32>, 2>(c03, d03), array<vec4<f32>, 2>(c04, d04), array<vec4<f32>, 2>(c05, d05), array<vec4<f32>, 2>(c06, d06), array<vec4<f32>, 2>(c07, d07), array<vec4<f32>, 2>(c08, d08), array<vec4<f32>, 2>(c09, d09), array<vec4<f32>, 2>(c10, d10), array<vec4<f32>, 2>(c11, d11), array<vec4<f32>, 2>(c12, d12), array<vec4<f32>, 2>(c13, d13), array<vec4<f32>, 2>(c14, d14), array<vec4<f32>, 2>(c15, d15));
  for (var i = 0u; i < 16u; i++) {
    let row = row0 + i;
    if (row >= M) {
      break;
    }
    for (var q = 0u; q < 8u; q++) {
      let col = col0 + q;
      if (col < N) {
        var v = rows[i][q / 4u][q % 4u];
        if (HAS_BIAS) {
          v += bias[select(col, row, BIAS_PER_ROW)];
        }
        c[c_base + row * N + col] = activation(ACT, v);
      }
    }
  }
}

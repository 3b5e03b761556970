// Batched matmul C = act(op(A) @ B + bias), each invocation an 8 x 8 block of C held in sixteen vec4
// registers, without workgroup memory or barriers. B is read as vec4 along N (needs B not transposed
// and N % 4 == 0); A is read as scalars and may be transposed.
//
// Why unrolled by hand: with loop-indexed accumulator arrays, Mesa's lavapipe did not keep the block in
// registers and ran at 6-10 GFLOP/s on 1024^3; this form runs at 11-14 on the same 2-core machine.
// Chosen for CPU adapters by src/kernels/matmul/select.ts.
//!include lib/activation.wgsl

override WG_X: u32 = 16u;       // invocations along N (8 consecutive lanes share the rows of A)
override WG_Y: u32 = 4u;        // invocations along M
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
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.m;
  let N = params.n;
  let K = params.k;
  let row0 = gid.y * 8u;
  let col0 = gid.x * 8u;
  if (row0 >= M || col0 >= N) {
    return;
  }
  let batch = gid.z;
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride / 4u;
  let n4 = N / 4u;
  let a_k_step = select(1u, M, TRANS_A);
  let a_row_step = select(K, 1u, TRANS_A);

  // Rows/columns past the edge are clamped to the last valid one, so loads need no branches;
  // the stores at the end drop them.
  let b0 = b_base + min(col0 / 4u, n4 - 1u);
  let b1 = b_base + min(col0 / 4u + 1u, n4 - 1u);
  let r0 = a_base + min(row0, M - 1u) * a_row_step;
  let r1 = a_base + min(row0 + 1u, M - 1u) * a_row_step;
  let r2 = a_base + min(row0 + 2u, M - 1u) * a_row_step;
  let r3 = a_base + min(row0 + 3u, M - 1u) * a_row_step;
  let r4 = a_base + min(row0 + 4u, M - 1u) * a_row_step;
  let r5 = a_base + min(row0 + 5u, M - 1u) * a_row_step;
  let r6 = a_base + min(row0 + 6u, M - 1u) * a_row_step;
  let r7 = a_base + min(row0 + 7u, M - 1u) * a_row_step;

  var c00 = vec4<f32>(0.0); var c01 = vec4<f32>(0.0);
  var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
  var c20 = vec4<f32>(0.0); var c21 = vec4<f32>(0.0);
  var c30 = vec4<f32>(0.0); var c31 = vec4<f32>(0.0);
  var c40 = vec4<f32>(0.0); var c41 = vec4<f32>(0.0);
  var c50 = vec4<f32>(0.0); var c51 = vec4<f32>(0.0);
  var c60 = vec4<f32>(0.0); var c61 = vec4<f32>(0.0);
  var c70 = vec4<f32>(0.0); var c71 = vec4<f32>(0.0);

  for (var k = 0u; k < K; k++) {
    let bk0 = b[b0 + k * n4];
    let bk1 = b[b1 + k * n4];
    let ak = k * a_k_step;
    let a0 = vec4<f32>(a[r0 + ak]); c00 = fma(a0, bk0, c00); c01 = fma(a0, bk1, c01);
    let a1 = vec4<f32>(a[r1 + ak]); c10 = fma(a1, bk0, c10); c11 = fma(a1, bk1, c11);
    let a2 = vec4<f32>(a[r2 + ak]); c20 = fma(a2, bk0, c20); c21 = fma(a2, bk1, c21);
    let a3 = vec4<f32>(a[r3 + ak]); c30 = fma(a3, bk0, c30); c31 = fma(a3, bk1, c31);
    let a4 = vec4<f32>(a[r4 + ak]); c40 = fma(a4, bk0, c40); c41 = fma(a4, bk1, c41);
    let a5 = vec4<f32>(a[r5 + ak]); c50 = fma(a5, bk0, c50); c51 = fma(a5, bk1, c51);
    let a6 = vec4<f32>(a[r6 + ak]); c60 = fma(a6, bk0, c60); c61 = fma(a6, bk1, c61);
    let a7 = vec4<f32>(a[r7 + ak]); c70 = fma(a7, bk0, c70); c71 = fma(a7, bk1, c71);
  }

  // One loop over an array of the registers, not eight inlined row stores (measured faster on lavapipe).
  let c_base = batch * M * N;
  var rows = array<array<vec4<f32>, 2>, 8>(array<vec4<f32>, 2>(c00, c01), array<vec4<f32>, 2>(c10, c11), array<vec4<f32>, 2>(c20, c21), array<vec4<f32>, 2>(c30, c31), array<vec4<f32>, 2>(c40, c41), array<vec4<f32>, 2>(c50, c51), array<vec4<f32>, 2>(c60, c61), array<vec4<f32>, 2>(c70, c71));
  for (var i = 0u; i < 8u; i++) {
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

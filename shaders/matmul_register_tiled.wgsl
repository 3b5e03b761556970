// Batched matmul C = act(op(A) @ op(B) + bias), register-tiled without workgroup memory.
// Each invocation owns a TM x TN block of C and walks K once, so every A and B value it loads is used
// TN (resp. TM) times from registers. No barriers: on CPU adapters (lavapipe) barriers are expensive,
// and this is the variant picked there (src/kernels/matmul/select.ts).
//!include lib/activation.wgsl

override TM: u32 = 4u;          // rows of C per invocation (<= 8)
override TN: u32 = 4u;          // columns of C per invocation (<= 8)
override WG_X: u32 = 8u;        // invocations along N
override WG_Y: u32 = 8u;        // invocations along M
override TRANS_A: bool = false; // A stored [K, M] instead of [M, K]
override TRANS_B: bool = false; // B stored [N, K] instead of [K, N]
override HAS_BIAS: bool = false;
override BIAS_PER_ROW: bool = false; // bias indexed by row (length M: a 1x1 conv's channels) instead of column
override ACT: u32 = 0u;         // ACT_* in lib/activation.wgsl

//!include lib/matmul_params.wgsl

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.m;
  let N = params.n;
  let K = params.k;
  let row0 = gid.y * TM;
  let col0 = gid.x * TN;
  if (row0 >= M || col0 >= N) {
    return;
  }
  let batch = gid.z;
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride;
  // Step between consecutive k for one row of A / one column of B, and between rows / columns.
  let a_k_step = select(1u, M, TRANS_A);
  let a_row_step = select(K, 1u, TRANS_A);
  let b_k_step = select(N, 1u, TRANS_B);
  let b_col_step = select(1u, K, TRANS_B);

  // Rows and columns past the edge are clamped to the last valid one: loads stay in bounds without
  // branches, and the stores below skip them.
  var a_off: array<u32, 8>;
  var b_off: array<u32, 8>;
  for (var i = 0u; i < TM; i++) {
    a_off[i] = a_base + min(row0 + i, M - 1u) * a_row_step;
  }
  for (var j = 0u; j < TN; j++) {
    b_off[j] = b_base + min(col0 + j, N - 1u) * b_col_step;
  }

  var acc: array<array<f32, 8>, 8>;
  var a_reg: array<f32, 8>;
  var b_reg: array<f32, 8>;
  for (var kk = 0u; kk < K; kk++) {
    for (var i = 0u; i < TM; i++) {
      a_reg[i] = a[a_off[i] + kk * a_k_step];
    }
    for (var j = 0u; j < TN; j++) {
      b_reg[j] = b[b_off[j] + kk * b_k_step];
    }
    for (var i = 0u; i < TM; i++) {
      for (var j = 0u; j < TN; j++) {
        acc[i][j] = fma(a_reg[i], b_reg[j], acc[i][j]);
      }
    }
  }

  let c_base = batch * M * N;
  for (var i = 0u; i < TM; i++) {
    let row = row0 + i;
    if (row >= M) {
      break;
    }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + j;
      if (col >= N) {
        break;
      }
      var v = acc[i][j];
      if (HAS_BIAS) {
        v += bias[select(col, row, BIAS_PER_ROW)];
      }
      c[c_base + row * N + col] = activation(ACT, v);
    }
  }
}

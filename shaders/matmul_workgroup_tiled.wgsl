// Batched matmul C = act(op(A) @ op(B) + bias) with workgroup-memory tiles: the workgroup stages a
// (WG_Y*TM) x TILE_K slice of A and a TILE_K x (WG_X*TN) slice of B, then each invocation accumulates a
// TM x TN block from them. The classic GPU matmul; picked for adapters with real shared memory
// (src/kernels/matmul/select.ts). On lavapipe its barriers cost more than the reuse saves.
//!include lib/activation.wgsl

override TM: u32 = 4u;          // rows of C per invocation (<= 8)
override TN: u32 = 4u;          // columns of C per invocation (<= 8)
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TILE_K: u32 = 16u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override BIAS_PER_ROW: bool = false; // bias indexed by row (length M: a 1x1 conv's channels) instead of column
override ACT: u32 = 0u;

//!include lib/matmul_params.wgsl

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// Sized by the overrides (4 KiB each at the defaults, inside WebGPU's default 16 KiB limit).
var<workgroup> tile_a: array<f32, TILE_K * WG_Y * TM>; // [TILE_K][WG_Y*TM]
var<workgroup> tile_b: array<f32, TILE_K * WG_X * TN>; // [TILE_K][WG_X*TN]

fn load_a(base: u32, row: u32, k: u32) -> f32 {
  if (row >= params.m || k >= params.k) {
    return 0.0;
  }
  return a[base + select(row * params.k + k, k * params.m + row, TRANS_A)];
}

fn load_b(base: u32, k: u32, col: u32) -> f32 {
  if (col >= params.n || k >= params.k) {
    return 0.0;
  }
  return b[base + select(k * params.n + col, col * params.k + k, TRANS_B)];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) lindex: u32,
) {
  let block_m = WG_Y * TM;
  let block_n = WG_X * TN;
  let threads = WG_X * WG_Y;
  let row_base = wid.y * block_m;
  let col_base = wid.x * block_n;
  let batch = wid.z;
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride;

  var acc: array<array<f32, 8>, 8>;
  var a_reg: array<f32, 8>;
  var b_reg: array<f32, 8>;
  for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
    // Cooperative loads; out-of-range elements become 0 so the inner loop needs no bounds checks.
    for (var i = lindex; i < block_m * TILE_K; i += threads) {
      let kk = i / block_m;
      let r = i % block_m;
      tile_a[kk * block_m + r] = load_a(a_base, row_base + r, k0 + kk);
    }
    for (var i = lindex; i < block_n * TILE_K; i += threads) {
      let kk = i / block_n;
      let cc = i % block_n;
      tile_b[kk * block_n + cc] = load_b(b_base, k0 + kk, col_base + cc);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      for (var i = 0u; i < TM; i++) {
        a_reg[i] = tile_a[kk * block_m + lid.y * TM + i];
      }
      for (var j = 0u; j < TN; j++) {
        b_reg[j] = tile_b[kk * block_n + lid.x * TN + j];
      }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) {
          acc[i][j] = fma(a_reg[i], b_reg[j], acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }

  let c_base = batch * params.m * params.n;
  for (var i = 0u; i < TM; i++) {
    let row = row_base + lid.y * TM + i;
    if (row >= params.m) {
      break;
    }
    for (var j = 0u; j < TN; j++) {
      let col = col_base + lid.x * TN + j;
      if (col >= params.n) {
        break;
      }
      var v = acc[i][j];
      if (HAS_BIAS) {
        v += bias[select(col, row, BIAS_PER_ROW)];
      }
      c[c_base + row * params.n + col] = activation(ACT, v);
    }
  }
}

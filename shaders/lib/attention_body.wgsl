// Fused multi-head attention, O = softmax(scale * Q K^T + mask) V, without the Nq x Nk score matrix.
// Q, O [B, Nq, H, dh]; K, V [B, Nk, H, dh]; key_mask [B, Nk] (1 keep, 0 drop) when HAS_MASK.
//
// The body of shaders/attention.wgsl and shaders/attention_subgroup.wgsl, which differ only in how they
// fetch the rows every lane reads (fetch_k, fetch_v, fetch_q, fetch_do: chunk c, a vec4, of the row at
// `base`). One invocation per row it owns (a query in `forward` and `backward_query`, a key in
// `backward_key`); a workgroup shares (batch, head), so the other side's rows are the same for every
// lane. The owned row, its accumulators and the scores of a block of BLOCK rows live in registers.
//
// Scores are kept in base 2 (q is pre-multiplied by scale * log2(e)), so each probability is one exp2.
// Dropped keys get the score DROPPED; the running max starts at START, far above it, so a fully
// masked row ends with l = 0: its output is 0, its gradients are 0, and nothing divides by zero.
//
// Backward (as in FlashAttention-2): delta_i = sum_d dO_i * O_i; p_ij = exp2(s_ij - lse2_i);
// ds_ij = p_ij (dO_i . v_j - delta_i); dQ_i = scale sum_j ds_ij k_j; dK_j = scale sum_i ds_ij q_i;
// dV_j = sum_i p_ij dO_i. `backward_stats` writes (lse2, delta) per query, `backward_query` dQ and
// `backward_key` dK and dV.
// Each output row has one owner: no atomics.

override WORKGROUP_SIZE: u32 = 64u;
// Head size / 4 (the fused kernel takes head sizes that are multiples of 4, up to 4 * MAX_DH4).
override DH4: u32 = 8u;
override HAS_MASK: bool = false;

const MAX_DH4 = 32u;
// Rows of the other side per step. 4 in the forward (its rescale of the output is per block); the
// backward holds more rows in registers and measured fastest with 2 (8 spills: several times slower).
const BLOCK = 4u;
const BWD_BLOCK = 2u;
const LOG2E = 1.4426950408889634;
const LN2 = 0.6931471805599453;
const DROPPED = -3.0e38;
const START = -1.0e30;

struct Params {
  // B * H * Nq: the query rows
  rows: u32,
  heads: u32,
  nq: u32,
  nk: u32,
  // scale * log2(e)
  scale_log2: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q_in: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k_in: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v_in: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> key_mask: array<f32>;
// forward
@group(0) @binding(5) var<storage, read_write> o_out: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> lse_out: array<f32>;
// backward (at most 8 storage buffers per entry point, the WebGPU default limit)
@group(0) @binding(7) var<storage, read> o_in: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> grad_o: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read> lse_in: array<f32>;
// Per query row: (lse in base 2, delta), written by backward_stats.
@group(0) @binding(10) var<storage, read_write> row_stats: array<vec2<f32>>;
@group(0) @binding(11) var<storage, read> row_stats_in: array<vec2<f32>>;
@group(0) @binding(12) var<storage, read_write> dq_out: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read_write> dk_out: array<vec4<f32>>;
@group(0) @binding(14) var<storage, read_write> dv_out: array<vec4<f32>>;

// First vec4 of row `r` of a [B, N, H, dh] tensor.
// The invocation's lane in its 8-lane subgroup (attention_subgroup.wgsl: lanes of a subgroup are
// consecutive invocations of the workgroup).
var<private> sg_lane: u32;

fn row_base(b: u32, n: u32, r: u32, h: u32) -> u32 {
  return ((b * n + r) * params.heads + h) * DH4;
}

fn key_dropped(b: u32, j: u32) -> bool {
  if (j >= params.nk) {
    return true;
  }
  if (HAS_MASK) {
    return key_mask[b * params.nk + j] == 0.0;
  }
  return false;
}

fn hsum(v: vec4<f32>) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  sg_lane = lane % 8u;
  let h = wg.y;
  let b = wg.z;
  let i = wg.x * WORKGROUP_SIZE + lane;
  // Lanes past the last query compute on the last one (loops stay uniform) and store nothing.
  let qrow = row_base(b, params.nq, min(i, params.nq - 1u), h);
  var q: array<vec4<f32>, MAX_DH4>;
  var acc: array<vec4<f32>, MAX_DH4>;
  for (var c = 0u; c < DH4; c++) {
    q[c] = q_in[qrow + c] * params.scale_log2;
    acc[c] = vec4<f32>(0.0);
  }
  var m = START;
  var l = 0.0;
  for (var j0 = 0u; j0 < params.nk; j0 += BLOCK) {
    var kbase = array<u32, BLOCK>();
    for (var t = 0u; t < BLOCK; t++) {
      kbase[t] = row_base(b, params.nk, min(j0 + t, params.nk - 1u), h);
    }
    var dot = array<vec4<f32>, BLOCK>();
    for (var c = 0u; c < DH4; c++) {
      let qc = q[c];
      for (var t = 0u; t < BLOCK; t++) {
        dot[t] += qc * fetch_k(kbase[t], c);
      }
    }
    var s = array<f32, BLOCK>();
    var mb = m;
    for (var t = 0u; t < BLOCK; t++) {
      s[t] = select(hsum(dot[t]), DROPPED, key_dropped(b, j0 + t));
      mb = max(mb, s[t]);
    }
    let corr = exp2(m - mb);
    m = mb;
    var p = array<f32, BLOCK>();
    l *= corr;
    for (var t = 0u; t < BLOCK; t++) {
      p[t] = exp2(s[t] - mb);
      l += p[t];
    }
    for (var c = 0u; c < DH4; c++) {
      var a = acc[c] * corr;
      for (var t = 0u; t < BLOCK; t++) {
        a += p[t] * fetch_v(kbase[t], c);
      }
      acc[c] = a;
    }
  }
  if (i >= params.nq) {
    return;
  }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var c = 0u; c < DH4; c++) {
    o_out[qrow + c] = acc[c] * inv;
  }
  // Natural-log log-sum-exp of the scaled scores; DROPPED for a row with no kept key.
  lse_out[(b * params.heads + h) * params.nq + i] = select(DROPPED, (m + log2(l)) * LN2, l > 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_stats(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  // One invocation per query row of [B, H, Nq] (a 1-D grid, folded into y past 65535 workgroups).
  let r = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (r >= params.rows) {
    return;
  }
  let i = r % params.nq;
  let bh = r / params.nq;
  let row = row_base(bh / params.heads, params.nq, i, bh % params.heads);
  var delta4 = vec4<f32>(0.0);
  for (var c = 0u; c < DH4; c++) {
    delta4 += grad_o[row + c] * o_in[row + c];
  }
  row_stats[r] = vec2<f32>(lse_in[r] * LOG2E, hsum(delta4));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_query(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  sg_lane = lane % 8u;
  let h = wg.y;
  let b = wg.z;
  let i = wg.x * WORKGROUP_SIZE + lane;
  let qrow = row_base(b, params.nq, min(i, params.nq - 1u), h);
  let stat = row_stats_in[(b * params.heads + h) * params.nq + min(i, params.nq - 1u)];
  let lse2 = stat.x;
  let delta = stat.y;
  var q: array<vec4<f32>, MAX_DH4>;
  var dout: array<vec4<f32>, MAX_DH4>;
  var dq: array<vec4<f32>, MAX_DH4>;
  for (var c = 0u; c < DH4; c++) {
    q[c] = q_in[qrow + c] * params.scale_log2;
    dout[c] = grad_o[qrow + c];
    dq[c] = vec4<f32>(0.0);
  }
  for (var j0 = 0u; j0 < params.nk; j0 += BWD_BLOCK) {
    var kbase = array<u32, BWD_BLOCK>();
    for (var t = 0u; t < BWD_BLOCK; t++) {
      kbase[t] = row_base(b, params.nk, min(j0 + t, params.nk - 1u), h);
    }
    var dot = array<vec4<f32>, BWD_BLOCK>();
    var dpv = array<vec4<f32>, BWD_BLOCK>();
    for (var c = 0u; c < DH4; c++) {
      let qc = q[c];
      let gc = dout[c];
      for (var t = 0u; t < BWD_BLOCK; t++) {
        dot[t] += qc * fetch_k(kbase[t], c);
        dpv[t] += gc * fetch_v(kbase[t], c);
      }
    }
    var ds = array<f32, BWD_BLOCK>();
    for (var t = 0u; t < BWD_BLOCK; t++) {
      // select, not multiply: a fully masked row has lse2 = -inf, and exp2 of its scores is inf.
      let p = select(exp2(hsum(dot[t]) - lse2), 0.0, key_dropped(b, j0 + t));
      ds[t] = p * (hsum(dpv[t]) - delta);
    }
    for (var c = 0u; c < DH4; c++) {
      var a = dq[c];
      for (var t = 0u; t < BWD_BLOCK; t++) {
        a += ds[t] * fetch_k(kbase[t], c);
      }
      dq[c] = a;
    }
  }
  if (i >= params.nq) {
    return;
  }
  for (var c = 0u; c < DH4; c++) {
    dq_out[qrow + c] = dq[c] * params.scale;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_key(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  sg_lane = lane % 8u;
  let h = wg.y;
  let b = wg.z;
  let j = wg.x * WORKGROUP_SIZE + lane;
  let krow = row_base(b, params.nk, min(j, params.nk - 1u), h);
  var k: array<vec4<f32>, MAX_DH4>;
  var v: array<vec4<f32>, MAX_DH4>;
  var dk: array<vec4<f32>, MAX_DH4>;
  var dv: array<vec4<f32>, MAX_DH4>;
  for (var c = 0u; c < DH4; c++) {
    k[c] = k_in[krow + c] * params.scale_log2;
    v[c] = v_in[krow + c];
    dk[c] = vec4<f32>(0.0);
    dv[c] = vec4<f32>(0.0);
  }
  let stats = (b * params.heads + h) * params.nq;
  // A dropped key took part in no softmax: its gradients are zero.
  let dropped = key_dropped(b, min(j, params.nk - 1u));
  for (var i0 = 0u; i0 < params.nq; i0 += BWD_BLOCK) {
    var qbase = array<u32, BWD_BLOCK>();
    for (var t = 0u; t < BWD_BLOCK; t++) {
      qbase[t] = row_base(b, params.nq, min(i0 + t, params.nq - 1u), h);
    }
    var dot = array<vec4<f32>, BWD_BLOCK>();
    var dpv = array<vec4<f32>, BWD_BLOCK>();
    for (var c = 0u; c < DH4; c++) {
      let kc = k[c];
      let vc = v[c];
      for (var t = 0u; t < BWD_BLOCK; t++) {
        dot[t] += fetch_q(qbase[t], c) * kc;
        dpv[t] += fetch_do(qbase[t], c) * vc;
      }
    }
    var p = array<f32, BWD_BLOCK>();
    var ds = array<f32, BWD_BLOCK>();
    for (var t = 0u; t < BWD_BLOCK; t++) {
      let stat = row_stats_in[stats + min(i0 + t, params.nq - 1u)];
      p[t] = select(0.0, exp2(hsum(dot[t]) - stat.x), i0 + t < params.nq && !dropped);
      ds[t] = p[t] * (hsum(dpv[t]) - stat.y);
    }
    for (var c = 0u; c < DH4; c++) {
      var a = dk[c];
      var d = dv[c];
      for (var t = 0u; t < BWD_BLOCK; t++) {
        a += ds[t] * fetch_q(qbase[t], c);
        d += p[t] * fetch_do(qbase[t], c);
      }
      dk[c] = a;
      dv[c] = d;
    }
  }
  if (j >= params.nk) {
    return;
  }
  for (var c = 0u; c < DH4; c++) {
    dk_out[krow + c] = dk[c] * params.scale;
    dv_out[krow + c] = dv[c];
  }
}

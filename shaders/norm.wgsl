// Normalisation: group norm and layer norm (forward and input gradient) over rows, and batch norm in
// inference form (a per-channel scale and shift).
//
// Group and layer norm share one view: the input is `rows` contiguous rows of
// channels_per_group * spatial elements; element i of row r belongs to channel
//   (r % groups) * channels_per_group + i / spatial
// which indexes weight and bias. Group norm over [N, C, *]: rows = N*G, spatial = prod(*). Layer norm
// over [..., D]: rows = prod(...), groups = 1, channels_per_group = D, spatial = 1.
//
// One workgroup per row. Statistics are Welford per invocation (one pass over memory; the division is
// a float division, which vectorises), merged with Chan's formula in one tree reduction: numerically
// stable for rows with a large mean and a small variance, unlike E[x^2] - E[x]^2. The statistics are
// also taken of x - x[row start]: an f32 mean near 1e4 is itself off by up to half an ulp (5e-4), which
// is a large error in x - mean when the spread is 0.1; x - shift is exact for values that close
// (Sterbenz), and the shifted mean is small, hence precise. Barriers are expensive on lavapipe, so each
// pass accumulates a strided partial per invocation and reduces once.
//
// INDEX_MODE picks how an invocation finds the channel (for weight and bias) of its element: 0: spatial
// == 1 (channel = i); 1: spatial >= WORKGROUP_SIZE: loop over the channels of the group, then over their
// planes, so weight and bias are loaded once per channel at a uniform address and nothing divides;
// 2: otherwise (a division per element: loads whose address differs per lane, but planes that small
// would leave most of the workgroup idle in mode 1).

override WORKGROUP_SIZE: u32 = 64u;
override INDEX_MODE: u32 = 2u;

// batch_norm_inference reuses the struct: rows = N, channels_per_group = C, spatial = prod(*).
struct Params {
  rows: u32,
  groups: u32,
  channels_per_group: u32,
  spatial: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> grad_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;
// The same buffers seen as vec4 by the *_vec4 entry points (spatial % 4 == 0): one 16-byte access per
// invocation instead of four scalar ones. No entry point uses both views of a binding.
@group(0) @binding(0) var<storage, read> input4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> output4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> weight4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias4: array<vec4<f32>>;

var<workgroup> red_a: array<f32, WORKGROUP_SIZE>;
var<workgroup> red_b: array<f32, WORKGROUP_SIZE>;
var<workgroup> red_c: array<f32, WORKGROUP_SIZE>;

struct RowStats {
  shift: f32,
  // Mean of x - shift.
  mean: f32,
  rstd: f32,
}

// The channel of element i of a row whose first channel is cbase (modes 0 and 2).
fn channel_of(i: u32, cbase: u32) -> u32 {
  if (INDEX_MODE == 0u) {
    return cbase + i;
  }
  return cbase + i / params.spatial;
}

// Shift, mean of x - shift and 1/sqrt(var + eps) of input[base .. base + len), biased variance as PyTorch's norms use.
// Every invocation of the workgroup must call it (it has barriers).
fn row_stats(base: u32, len: u32, lid: u32) -> RowStats {
  let shift = input[base];
  var count = 0.0;
  var mu = 0.0;
  var m2 = 0.0;
  for (var i = lid; i < len; i += WORKGROUP_SIZE) {
    let v = input[base + i] - shift;
    count += 1.0;
    let d = v - mu;
    mu += d / count;
    m2 += d * (v - mu);
  }
  red_a[lid] = count;
  red_b[lid] = mu;
  red_c[lid] = m2;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half && red_a[lid + half] > 0.0) {
      // Chan et al.: merge (n_a, mean_a, M2_a) with (n_b, mean_b, M2_b).
      let na = red_a[lid];
      let nb = red_a[lid + half];
      let n = na + nb;
      let d = red_b[lid + half] - red_b[lid];
      let wb = nb / n;
      red_b[lid] = red_b[lid] + d * wb;
      red_c[lid] = red_c[lid] + red_c[lid + half] + d * d * na * wb;
      red_a[lid] = n;
    }
    workgroupBarrier();
  }
  let variance = max(red_c[0] / f32(len), 0.0);
  let stats = RowStats(shift, red_b[0], 1.0 / sqrt(variance + params.eps));
  workgroupBarrier(); // the arrays are reused by the next reduction
  return stats;
}

// Workgroup sums of two values per invocation.
fn reduce_pair(lid: u32, a: f32, b: f32) -> vec2<f32> {
  red_a[lid] = a;
  red_b[lid] = b;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      red_a[lid] = red_a[lid] + red_a[lid + half];
      red_b[lid] = red_b[lid] + red_b[lid + half];
    }
    workgroupBarrier();
  }
  return vec2<f32>(red_a[0], red_b[0]);
}

fn row_of(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return wid.x + wid.y * groups.x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_affine(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return; // uniform across the workgroup
  }
  let len = params.channels_per_group * params.spatial;
  let base = row * len;
  let cbase = (row % params.groups) * params.channels_per_group;
  let st = row_stats(base, len, lid);
  if (INDEX_MODE == 1u) {
    for (var cl = 0u; cl < params.channels_per_group; cl++) {
      let a = weight[cbase + cl] * st.rstd;
      let b = bias[cbase + cl];
      let start = base + cl * params.spatial;
      for (var s = lid; s < params.spatial; s += WORKGROUP_SIZE) {
        output[start + s] = (input[start + s] - st.shift - st.mean) * a + b;
      }
    }
    return;
  }
  for (var i = lid; i < len; i += WORKGROUP_SIZE) {
    let c = channel_of(i, cbase);
    output[base + i] = (input[base + i] - st.shift - st.mean) * st.rstd * weight[c] + bias[c];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_plain(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  let len = params.channels_per_group * params.spatial;
  let base = row * len;
  let st = row_stats(base, len, lid);
  for (var i = lid; i < len; i += WORKGROUP_SIZE) {
    output[base + i] = (input[base + i] - st.shift - st.mean) * st.rstd;
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) over the row, with g = dy * weight[channel].
// Recomputes the statistics from x, so the forward saves nothing.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_input_affine(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  let len = params.channels_per_group * params.spatial;
  let base = row * len;
  let cbase = (row % params.groups) * params.channels_per_group;
  let st = row_stats(base, len, lid);
  var sum_g = 0.0;
  var sum_gx = 0.0;
  if (INDEX_MODE == 1u) {
    for (var cl = 0u; cl < params.channels_per_group; cl++) {
      let w = weight[cbase + cl];
      let start = base + cl * params.spatial;
      for (var s = lid; s < params.spatial; s += WORKGROUP_SIZE) {
        let g = grad_out[start + s] * w;
        sum_g += g;
        sum_gx += g * (input[start + s] - st.shift - st.mean) * st.rstd;
      }
    }
  } else {
    for (var i = lid; i < len; i += WORKGROUP_SIZE) {
      let g = grad_out[base + i] * weight[channel_of(i, cbase)];
      sum_g += g;
      sum_gx += g * (input[base + i] - st.shift - st.mean) * st.rstd;
    }
  }
  let sums = reduce_pair(lid, sum_g, sum_gx) / f32(len);
  if (INDEX_MODE == 1u) {
    for (var cl = 0u; cl < params.channels_per_group; cl++) {
      let w = weight[cbase + cl];
      let start = base + cl * params.spatial;
      for (var s = lid; s < params.spatial; s += WORKGROUP_SIZE) {
        let xhat = (input[start + s] - st.shift - st.mean) * st.rstd;
        output[start + s] = st.rstd * (grad_out[start + s] * w - sums.x - xhat * sums.y);
      }
    }
    return;
  }
  for (var i = lid; i < len; i += WORKGROUP_SIZE) {
    let xhat = (input[base + i] - st.shift - st.mean) * st.rstd;
    output[base + i] = st.rstd * (grad_out[base + i] * weight[channel_of(i, cbase)] - sums.x - xhat * sums.y);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_input_plain(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  let len = params.channels_per_group * params.spatial;
  let base = row * len;
  let st = row_stats(base, len, lid);
  var sum_g = 0.0;
  var sum_gx = 0.0;
  for (var i = lid; i < len; i += WORKGROUP_SIZE) {
    let g = grad_out[base + i];
    sum_g += g;
    sum_gx += g * (input[base + i] - st.shift - st.mean) * st.rstd;
  }
  let sums = reduce_pair(lid, sum_g, sum_gx) / f32(len);
  for (var i = lid; i < len; i += WORKGROUP_SIZE) {
    let xhat = (input[base + i] - st.shift - st.mean) * st.rstd;
    output[base + i] = st.rstd * (grad_out[base + i] - sums.x - xhat * sums.y);
  }
}

// y = x * scale[c] + shift[c] over [N, C, S]: a 3-D grid (x: spatial blocks, y: channel, z: sample), so
// no invocation divides to find its channel. Spatial blocks stride by the grid width for any S.
@compute @workgroup_size(WORKGROUP_SIZE)
fn batch_norm_inference(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let c = wid.y;
  let base = (wid.z * params.channels_per_group + c) * params.spatial;
  let a = weight[c];
  let b = bias[c];
  for (var s = wid.x * WORKGROUP_SIZE + lid; s < params.spatial; s += groups.x * WORKGROUP_SIZE) {
    output[base + s] = input[base + s] * a + b;
  }
}

// row_stats over the vec4 view: base4 and len4 count vec4s. Each invocation keeps one Welford state per
// component (same count), merged into one before the workgroup reduction.
fn row_stats_vec4(base4: u32, len4: u32, lid: u32) -> RowStats {
  let shift = input4[base4].x;
  var count = 0.0;
  var mu = vec4<f32>(0.0);
  var m2 = vec4<f32>(0.0);
  for (var i = lid; i < len4; i += WORKGROUP_SIZE) {
    let v = input4[base4 + i] - shift;
    count += 1.0;
    let d = v - mu;
    mu += d / count;
    m2 += d * (v - mu);
  }
  let mean = (mu.x + mu.y + mu.z + mu.w) * 0.25;
  let dev = mu - mean;
  red_a[lid] = 4.0 * count;
  red_b[lid] = mean;
  red_c[lid] = m2.x + m2.y + m2.z + m2.w + count * dot(dev, dev);
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half /= 2u) {
    if (lid < half && red_a[lid + half] > 0.0) {
      let na = red_a[lid];
      let nb = red_a[lid + half];
      let n = na + nb;
      let d = red_b[lid + half] - red_b[lid];
      let wb = nb / n;
      red_b[lid] = red_b[lid] + d * wb;
      red_c[lid] = red_c[lid] + red_c[lid + half] + d * d * na * wb;
      red_a[lid] = n;
    }
    workgroupBarrier();
  }
  let variance = max(red_c[0] / f32(4u * len4), 0.0);
  let stats = RowStats(shift, red_b[0], 1.0 / sqrt(variance + params.eps));
  workgroupBarrier();
  return stats;
}

// normalize_affine in mode 1 with spatial % 4 == 0, over vec4s.
@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_affine_vec4(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  let spatial4 = params.spatial / 4u;
  let base4 = row * params.channels_per_group * spatial4;
  let cbase = (row % params.groups) * params.channels_per_group;
  let st = row_stats_vec4(base4, params.channels_per_group * spatial4, lid);
  for (var cl = 0u; cl < params.channels_per_group; cl++) {
    let a = weight[cbase + cl] * st.rstd;
    let b = bias[cbase + cl];
    let start = base4 + cl * spatial4;
    for (var s = lid; s < spatial4; s += WORKGROUP_SIZE) {
      output4[start + s] = (input4[start + s] - st.shift - st.mean) * a + b;
    }
  }
}

// normalize_affine in mode 0 (layer norm) with a row length that is a multiple of 4, over vec4s.
@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_affine_rows_vec4(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  let len4 = params.channels_per_group / 4u;
  let base4 = row * len4;
  let st = row_stats_vec4(base4, len4, lid);
  for (var i = lid; i < len4; i += WORKGROUP_SIZE) {
    output4[base4 + i] = (input4[base4 + i] - st.shift - st.mean) * st.rstd * weight4[i] + bias4[i];
  }
}

// batch_norm_inference with spatial % 4 == 0, over vec4s.
@compute @workgroup_size(WORKGROUP_SIZE)
fn batch_norm_inference_vec4(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let c = wid.y;
  let spatial4 = params.spatial / 4u;
  let base4 = (wid.z * params.channels_per_group + c) * spatial4;
  let a = weight[c];
  let b = bias[c];
  for (var s = wid.x * WORKGROUP_SIZE + lid; s < spatial4; s += groups.x * WORKGROUP_SIZE) {
    output4[base4 + s] = input4[base4 + s] * a + b;
  }
}

// Fused multi-head attention for 8-lane subgroups (lavapipe): the 8 lanes of a subgroup load a shared row
// together, lane l its chunks l, l + 8, ... (consecutive addresses, one vector load), and
// subgroupShuffle hands chunk c to everyone. On lavapipe a load that is the same for every lane costs
// about a scattered load; this way one load serves 8 chunks: the forward went from 2.5 to about 13
// GFLOP/s (bench/results/attention.json). c is a loop index bounded by the DH4 override, so the loops
// unroll, the shuffle's lane becomes a constant and the repeated loads of one row merge into one.
// The kernels: lib/attention_body.wgsl.
enable subgroups;
//!include lib/attention_body.wgsl

// Chunk c of the row at `base`, from the lane that loaded it. Lanes past the row's last chunk (head
// sizes under 32) load that chunk again rather than reading past the row.
fn shared_index(base: u32, c: u32) -> u32 {
  return min(base + (c / 8u) * 8u + sg_lane, base + DH4 - 1u);
}

fn fetch_k(base: u32, c: u32) -> vec4<f32> {
  return subgroupShuffle(k_in[shared_index(base, c)], c % 8u);
}

fn fetch_v(base: u32, c: u32) -> vec4<f32> {
  return subgroupShuffle(v_in[shared_index(base, c)], c % 8u);
}

fn fetch_q(base: u32, c: u32) -> vec4<f32> {
  return subgroupShuffle(q_in[shared_index(base, c)], c % 8u);
}

fn fetch_do(base: u32, c: u32) -> vec4<f32> {
  return subgroupShuffle(grad_o[shared_index(base, c)], c % 8u);
}

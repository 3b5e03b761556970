// Fused multi-head attention, portable form: every lane reads the shared rows (keys in the forward,
// queries in backward_key) itself, at the same address as its neighbours. Cheap on GPUs (one cache line
// for the whole warp); on lavapipe such a load costs about as much as a scattered one, so 8-lane CPU
// adapters take shaders/attention_subgroup.wgsl instead. The kernels: lib/attention_body.wgsl.
//!include lib/attention_body.wgsl

fn fetch_k(base: u32, c: u32) -> vec4<f32> {
  return k_in[base + c];
}

fn fetch_v(base: u32, c: u32) -> vec4<f32> {
  return v_in[base + c];
}

fn fetch_q(base: u32, c: u32) -> vec4<f32> {
  return q_in[base + c];
}

fn fetch_do(base: u32, c: u32) -> vec4<f32> {
  return grad_o[base + c];
}

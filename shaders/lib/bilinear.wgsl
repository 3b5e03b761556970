// Bilinear taps with PyTorch's align_corners=False semantics, shared by resize.wgsl and pyramid.wgsl.
// Output index d samples source coordinate scale * (d + 0.5) - 0.5, clamped at 0 (as PyTorch's
// area_pixel_compute_source_index), between taps i0 and i1 = min(i0 + 1, size - 1).
struct Tap {
  i0: u32,
  i1: u32,
  w0: f32,
  w1: f32,
}

fn bilinear_tap(d: u32, scale: f32, in_size: u32) -> Tap {
  let src = max(scale * (f32(d) + 0.5) - 0.5, 0.0);
  let i0 = min(u32(src), in_size - 1u);
  let i1 = min(i0 + 1u, in_size - 1u);
  let w1 = clamp(src - f32(i0), 0.0, 1.0);
  return Tap(i0, i1, 1.0 - w1, w1);
}

// The weight with which output index d's tap t reads source index i (both taps when they coincide).
fn tap_weight(t: Tap, i: u32) -> f32 {
  return select(0.0, t.w0, t.i0 == i) + select(0.0, t.w1, t.i1 == i);
}

// The inclusive range of output indices whose taps can touch source index i: those with source
// coordinate in (i - 1, i + 1), widened by one on each side so float rounding never drops one. The
// backward kernels gather over it (and recompute each tap exactly) instead of scattering with atomics.
fn touching(i: u32, scale: f32, out_size: u32) -> vec2<u32> {
  let lo = max(floor((f32(i) - 0.5) / scale - 0.5) - 1.0, 0.0);
  let hi = min(ceil((f32(i) + 1.5) / scale - 0.5) + 1.0, f32(out_size) - 1.0);
  return vec2<u32>(u32(lo), u32(hi));
}

// Activation functions shared by the unary table and fused epilogues (matmul bias + activation).
// Other shaders pull this file in with an include line naming lib/activation.wgsl (see src/kernels/shaders.ts).

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_GELU: u32 = 2u;
const ACT_SILU: u32 = 3u;

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below f32 resolution near 1), since WGSL has no erf.
fn erf_approx(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let r = 1.0 - poly * exp(-a * a);
  return select(-r, r, x >= 0.0);
}

// GELU with the exact erf form, as PyTorch's nn.GELU() default (not the tanh approximation).
fn gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752));
}

// Written with exp(-|x|) so that large |x| never overflows to inf/inf.
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn silu(x: f32) -> f32 {
  return x * sigmoid(x);
}

// d/dx gelu(x) = Phi(x) + x * phi(x), with Phi and phi the standard normal CDF and density.
fn gelu_grad(x: f32) -> f32 {
  return 0.5 * (1.0 + erf_approx(x * 0.70710678118654752)) + x * 0.39894228040143268 * exp(-0.5 * x * x);
}

// d/dx silu(x) = s(x) * (1 + x * (1 - s(x))), s = sigmoid.
fn silu_grad(x: f32) -> f32 {
  let s = sigmoid(x);
  return s * (1.0 + x * (1.0 - s));
}

fn activation(kind: u32, x: f32) -> f32 {
  switch kind {
    case 1u: { return max(x, 0.0); }
    case 2u: { return gelu(x); }
    case 3u: { return silu(x); }
    default: { return x; }
  }
}

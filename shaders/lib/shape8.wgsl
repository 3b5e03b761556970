// Shapes and strides of rank <= 8 travel in uniforms as array<vec4<u32>, 2> (uniform arrays need
// 16-byte elements); at() reads element i of one.
fn at(v: array<vec4<u32>, 2>, i: u32) -> u32 {
  return v[i / 4u][i % 4u];
}

// The uniform block every matmul variant takes (packed by src/kernels/matmul/matmul.ts by member name).
struct Params {
  m: u32,
  n: u32,
  k: u32,
  // Elements between consecutive batch matrices; 0 broadcasts one matrix over the batch.
  a_batch_stride: u32,
  b_batch_stride: u32,
}

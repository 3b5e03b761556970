// The uniform block of every conv kernel (packed by src/kernels/conv/geometry.ts convUniforms, by name).
struct ConvParams {
  batch: u32,
  in_c: u32,
  in_h: u32,
  in_w: u32,
  out_c: u32,
  out_h: u32,
  out_w: u32,
  group_c: u32,
  group_o: u32,
  k_h: u32,
  k_w: u32,
  stride_h: u32,
  stride_w: u32,
  pad_top: u32,
  pad_left: u32,
  dil_h: u32,
  dil_w: u32,
  // forward: blocks of output channels per group (4 in conv2d.wgsl, 16 in conv2d_subgroup.wgsl);
  // backward_data: blocks of 4 input channels per group
  blocks: u32,
  // backward_weight: (n, oh) rows per split, and the size of one partial sum (= the weight's size)
  rows_per_split: u32,
  weight_size: u32,
}

// Which descriptors belong to each label's class: mask[p, k] = 1 where descriptor k's class equals
// labels[p], else 0 (labels are f32 class ids; descriptor_class[k] is the class owning k, a plan constant
// from the groups). A label that names no class (ignore_label, out of range, not an integer) gives a row of
// zeros, and since the comparison is by value no load depends on the label. One invocation per element,
// k fastest: a subgroup reads one label (a uniform load) and neighbouring descriptor classes.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  // K: descriptors in all.
  descriptors: u32,
  ignore_label: f32,
}

@group(0) @binding(0) var<storage, read> labels_in: array<f32>;
@group(0) @binding(1) var<storage, read> descriptor_class: array<u32>;
@group(0) @binding(2) var<storage, read_write> mask_out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (flat >= params.rows * params.descriptors) {
    return;
  }
  let label = labels_in[flat / params.descriptors];
  let owner = f32(descriptor_class[flat % params.descriptors]);
  mask_out[flat] = select(0.0, 1.0, label == owner && label != params.ignore_label);
}

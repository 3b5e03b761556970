/**
 * group_mask (shaders/group_mask.wgsl): for labels [...] (f32 class ids) and ragged groups (class c owns
 * descriptors [groups[c], groups[c+1])), mask [..., K] with 1 where descriptor k belongs to the label's class.
 * A label that names no class (the ignore label, out of range, not an integer) gives a row of zeros. The
 * triplet loss uses it to split descriptor similarities into its own class's and the others'.
 */
import { ShapeError } from '../errors.js';
import { DEFAULT_IGNORE_LABEL } from './cross-entropy.js';
import { groupView } from './group-logsumexp.js';
import { runPlan, singleLaunch, type KernelPlan } from './launch.js';
import type { HostTensor } from './reference.js';
import { grid1d, type KernelRuntime } from './runtime.js';
import { sizeOf, type Shape } from './shape.js';
import { expectDType, type Tensor } from './tensor.js';

const WORKGROUP_SIZE = 64;

export interface GroupMaskOptions {
  /** C + 1 offsets: groups[0] = 0, groups[C] = K, every group non-empty. */
  groups: ArrayLike<number>;
  /** Label that belongs to no class (default 255). */
  ignore?: number;
}

/** For each descriptor k < K, the class that owns it (checked groups). */
function descriptorClasses(op: string, options: GroupMaskOptions): Uint32Array<ArrayBuffer> {
  const groups = options.groups;
  const entries = groups && groups.length > 0 ? groups[groups.length - 1]! : 0;
  const view = groupView(op, [entries], { groups, axis: 0 });
  const owner = new Uint32Array(view.entries);
  for (let c = 0; c < view.classes; c++) owner.fill(c, view.groupPtr[c]!, view.groupPtr[c + 1]!);
  return owner;
}

function ignoreOf(op: string, options: GroupMaskOptions): number {
  const ignore = options.ignore ?? DEFAULT_IGNORE_LABEL;
  if (!Number.isInteger(ignore)) throw new ShapeError(`${op}: ignore must be an integer label, got ${ignore}`);
  return ignore;
}

/** The kernel plan of group_mask(labels) -> [...labels, K]. */
export function groupMaskPlan(labels: Shape, options: GroupMaskOptions): KernelPlan {
  const owner = descriptorClasses('group_mask', options);
  const ignore = ignoreOf('group_mask', options);
  const rows = sizeOf(labels);
  const plan = singleLaunch(
    { shape: [...labels, owner.length], dtype: 'f32' },
    {
      shader: 'group_mask',
      entry: 'main',
      overrides: { WORKGROUP_SIZE },
      uniforms: { rows, descriptors: owner.length, ignore_label: ignore },
      workgroups: grid1d(Math.ceil((rows * owner.length) / WORKGROUP_SIZE)),
      bindings: { labels_in: 'in0', descriptor_class: 'const0', mask_out: 'out' },
    },
  );
  return { ...plan, constants: [owner] };
}

/** group_mask on the GPU. */
export async function groupMask(rt: KernelRuntime, labels: Tensor, options: GroupMaskOptions): Promise<Tensor> {
  expectDType('group_mask', labels, ['f32']);
  return runPlan(rt, groupMaskPlan(labels.shape, options), [labels], `group_mask(${labels.name})`);
}

/** CPU reference of groupMask(). */
export function groupMaskReference(labels: HostTensor, options: GroupMaskOptions): HostTensor {
  const owner = descriptorClasses('group_mask', options);
  const ignore = ignoreOf('group_mask', options);
  const k = owner.length;
  const data = new Float64Array(labels.data.length * k);
  labels.data.forEach((label, p) => {
    if (label === ignore) return;
    for (let j = 0; j < k; j++) if (owner[j] === label) data[p * k + j] = 1;
  });
  return { shape: [...labels.shape, k], data };
}

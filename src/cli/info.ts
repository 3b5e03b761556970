/** `langseg info`: what adapter and device this machine gives us. */
import type { LangsegDevice } from '../device/device.js';

/** Limits worth knowing when sizing models and batches. */
const KEY_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
];

export function formatInfo(dev: LangsegDevice): string {
  const a = dev.adapter;
  const lines = [
    `adapter       ${a.description || '(no description)'}`,
    `vendor        ${a.vendor || '-'}`,
    `architecture  ${a.architecture || '-'}`,
    `device        ${a.device || '-'}`,
    `kind          ${a.isSoftware ? 'software (CPU) adapter' : 'hardware GPU'}`,
    `features      ${[...dev.features].sort().join(', ') || '(none)'}`,
    'limits',
    ...KEY_LIMITS.map((k) => `  ${k.padEnd(36)} ${dev.limits[k] ?? '-'}`),
  ];
  return lines.join('\n');
}

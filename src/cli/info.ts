/** `langseg info`: what adapter and device this machine gives us. */
import type { LangsegDevice } from '../device/device.js';
import type { Command } from './command.js';

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

export const infoCommand: Command = {
  name: 'info',
  summary: 'print the WebGPU adapter, its features and key limits',
  help: `usage: langseg info [--json]

Prints the adapter's vendor, architecture, description, features and the limits that matter for
sizing tensors. --json prints the same as JSON.`,
  options: { json: { type: 'boolean' } },
  needsDevice: true,
  async run({ values, device, log }) {
    const dev = device!;
    log(values.json ? JSON.stringify({ adapter: dev.adapter, features: [...dev.features], limits: dev.limits }, null, 2) : formatInfo(dev));
    return 0;
  },
};

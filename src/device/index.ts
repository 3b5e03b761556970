export { getDevice, wrapDevice, WANTED_FEATURES } from './device.js';
export type { DeviceOptions, LangsegDevice, AdapterSummary } from './device.js';
export { REQUIRED_LIMITS, unmetRequirements } from './requirements.js';

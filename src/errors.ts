/**
 * Typed errors. Every error says what went wrong with the numbers involved and what to do about it,
 * so a caller can both branch on the class and show the message to a person unchanged.
 */

/** Base class of every error this library throws on purpose. */
export class LangsegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op: mismatched, not broadcastable, wrong rank. */
export class ShapeError extends LangsegError {}

/** A dtype the op or kernel does not support. */
export class DTypeError extends LangsegError {}

/** A tensor larger than the device lets one binding (or one buffer) be. */
export class BindingLimitError extends LangsegError {}

/** No adapter, a feature or limit the device cannot give, a shader that did not compile. */
export class DeviceError extends LangsegError {}

/** The GPUDevice was lost (driver reset, `destroy()`, GPU removed). Re-acquire a device and rebuild. */
export class DeviceLostError extends DeviceError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(
      `the WebGPU device was lost (${reason}${detail ? `: ${detail}` : ''}); ` +
        'acquire a new device with getDevice() and rebuild kernels and tensors on it',
    );
  }
}

/**
 * A checkpoint or safetensors file that cannot be read or written: truncated, corrupted (checksum
 * mismatch), malformed header, or tensors that do not match the model. The message names the
 * tensor where there is one.
 */
export class CheckpointError extends LangsegError {}

/** A graph that cannot be differentiated, compiled or run as asked (a missing feed, an op with no gradient). */
export class GraphError extends LangsegError {}

/**
 * A descriptor tokenizer that cannot be built or restored as asked: a malformed or inconsistent
 * stored config (wrong types, zero buckets, duplicate words), options out of range, texts that are
 * not strings. The message names the field and the value.
 */
export class TokenizerError extends LangsegError {}

/**
 * Data that cannot be read as asked: a corrupt or unsupported image, a label map whose size differs
 * from its image or whose values are outside the dataset's range, an empty or wrongly laid-out
 * dataset folder, bad loader options. The message names the file or folder and the numbers.
 */
export class DataError extends LangsegError {}

/**
 * A descriptor set, descriptor file or descriptor generator that cannot be used as asked: a malformed
 * file (the message names the JSON path, e.g. `classes[3].descriptors[2]`), unknown class names, or an
 * LLM endpoint that failed or kept answering badly (the message says what it answered; never the API key).
 */
export class DescriptorError extends LangsegError {}

/**
 * A compiled plan that does not fit the memory budget it was given (the sum of its buffers: the planned
 * arena, the parameters with their gradients and optimizer moments, inputs and read-back copies). The
 * message gives the total, its parts and the largest tensor; the CLI adds the batch or resolution that fits.
 */
export class MemoryBudgetError extends LangsegError {}

/**
 * Training produced NaN or Inf. `step` is the step whose update first went non-finite (as far as the run
 * could tell); `tensor` names the first non-finite tensor of that step when a debug re-run found it.
 */
export class NonFiniteError extends LangsegError {
  constructor(
    message: string,
    readonly step: number,
    readonly tensor?: string,
  ) {
    super(message);
  }
}

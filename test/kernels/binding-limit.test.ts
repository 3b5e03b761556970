import { describe, expect, it } from 'vitest';
import { BindingLimitError } from '../../src/errors.js';
import { binary } from '../../src/kernels/elementwise/binary.js';
import { useRuntime } from '../helpers/runtime.js';

// A tensor right at the device's maxStorageBufferBindingSize. Lavapipe allows 128 MiB, which is cheap to
// run; on a GPU with a multi-GiB limit, ask the device for 128 MiB so the test stays small.
const CAP = 128 * 1024 * 1024;
const ctx = useRuntime({ limits: {} });

describe('tensors near the binding limit', () => {
  it('a kernel over a tensor of exactly the largest bindable size is correct', async () => {
    const limit = Math.min(ctx.rt.maxBindingBytes, CAP);
    const n = limit / 4 - ((limit / 4) % 4); // a whole number of f32 words
    const a = new Float32Array(n);
    for (let i = 0; i < n; i += 4099) a[i] = i % 1000;
    const ta = ctx.rt.upload(a, [n], 'f32', 'a');
    const tb = ctx.rt.upload(new Float32Array([0.5]), [1], 'f32', 'b');
    // Exercises the 2-D dispatch split too: n / 256 workgroups is far over 65535.
    const out = await ctx.rt.read(await binary(ctx.rt, 'add', ta, tb));
    for (let i = 0; i < n; i += 4099) expect(out[i]).toBe((i % 1000) + 0.5);
    expect(out[n - 1]).toBe(0.5);
    expect(() => ctx.rt.empty([ctx.rt.maxBindingBytes / 4 + 4], 'f32', 'over')).toThrow(BindingLimitError);
  });
});

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);

/** execFile, with the exit code, signal and stderr in the error message when it fails. */
async function run(cmd: string, args: string[], options: { timeout?: number } = {}) {
  try {
    return await execFileAsync(cmd, args, options);
  } catch (e) {
    const err = e as Error & { code?: number | null; signal?: string | null; stderr?: string };
    err.message = `${cmd} ${args.join(' ')}: exit code ${err.code}, signal ${err.signal}\n${err.stderr ?? ''}`;
    throw err;
  }
}

// The guard below only catches a hang (Dawn's node bindings have had exit hangs); it is not a speed limit.
const HANG_GUARD_MS = 120_000;

beforeAll(async () => {
  if (!existsSync('dist/node/index.js')) await run('node', ['scripts/build.mjs']);
});

const SCRIPT = `
import { getDevice, KernelRuntime, matmul } from './dist/node/index.js';
const dev = await getDevice();
const rt = new KernelRuntime(dev);
const a = rt.upload(new Float32Array(64 * 64).fill(1), [64, 64]);
const c = await rt.read(await matmul(rt, a, a));
console.log(c[0]);
if (process.argv[1] === 'destroy') dev.destroy();
`;

describe('a Node process that uses the library exits by itself', () => {
  for (const mode of ['destroy', 'no-destroy']) {
    it(`after a matmul (${mode})`, async () => {
      const { stdout } = await run('node', ['--input-type=module', '-e', SCRIPT, mode], { timeout: HANG_GUARD_MS });
      expect(stdout.trim()).toBe('64');
    });
  }

  it('langseg info and a short train exit with status 0', async () => {
    // Repeated: acquiring and destroying a device with no work in between used to race Dawn's event loop
    // at exit (see src/device/node-gpu.ts) and abort some of the time.
    for (let i = 0; i < 5; i++) {
      const info = await run('node', ['bin/langseg.js', 'info'], { timeout: HANG_GUARD_MS });
      expect(info.stdout).toMatch(/^adapter /m);
      expect(info.stdout).toMatch(/maxStorageBufferBindingSize/);
    }
    const out = mkdtempSync(join(tmpdir(), 'langseg-exit-'));
    try {
      const train = await run('node', ['bin/langseg.js', 'train', '--steps', '1', '--batch', '1', '--val-images', '1', '--out', out, '--force'], { timeout: HANG_GUARD_MS });
      expect(train.stdout).toMatch(/validation mIoU/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('Ctrl-C during training stops after the step, saves the checkpoint and says how to resume', async () => {
    const out = mkdtempSync(join(tmpdir(), 'langseg-sigint-'));
    let child: ReturnType<typeof spawn> | undefined;
    try {
      child = spawn('node', ['bin/langseg.js', 'train', '--steps', '100000', '--batch', '1', '--val-images', '1', '--out', out, '--force']);
      let text = '';
      const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) => {
        const onData = (d: Buffer) => {
          text += d.toString();
          // Interrupt once training is under way (the first progress line).
          if (/^1\/100000 /m.test(text)) resolve();
        };
        child!.stdout!.on('data', onData);
        child!.stderr!.on('data', onData);
      });
      child.kill('SIGINT');
      const code = await exited;
      expect(code, text).toBe(130);
      expect(text).toMatch(/stopping after this step; saving a checkpoint/);
      expect(text).toMatch(/Continue with: langseg train --resume --out/);
      expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    } finally {
      // Never leave a training process behind, whatever failed above.
      if (child && child.exitCode === null) child.kill('SIGKILL');
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('langseg rejects unknown commands and bad options with status 2', async () => {
    await expect(run('node', ['bin/langseg.js', 'frobnicate'])).rejects.toMatchObject({ code: 2 });
    await expect(run('node', ['bin/langseg.js', 'demo', '--steps', 'x'])).rejects.toMatchObject({ code: 2 });
    await expect(run('node', ['bin/langseg.js', 'info', '--nope'])).rejects.toMatchObject({ code: 2 });
  });
});

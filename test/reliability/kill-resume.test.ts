/**
 * Crash safety: `langseg train` is killed with SIGKILL at seeded random moments (during start-up, a step,
 * a checkpoint write, the report) and resumed with --resume each time. After every kill the checkpoint
 * must be whole and verified, the resumed run must start from it, and the final weights must equal those
 * of an uninterrupted run with the same seed, bit for bit (the data position is in the checkpoint).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrainingState } from '../../src/app/training-state.js';
import { parseCheckpoint } from '../../src/io/checkpoint.js';
import { mulberry32 } from '../../src/random.js';
import { runCli } from '../helpers/cli.js';
import { recordFigures } from '../helpers/reliability-figures.js';

const KILLS = Number(process.env.LANGSEG_KILLS ?? '4');
// Enough steps for every kill to land past a checkpoint (each run advances about one checkpoint).
const STEPS = Math.max(24, 4 * KILLS);
const CHECKPOINT_EVERY = 3;
const ARGS = ['--size', '64', '--batch', '2', '--steps', String(STEPS), '--checkpoint-every', String(CHECKPOINT_EVERY), '--validate-every', '1000', '--val-images', '2', '--seed', '7'];
// Only catches a hang; not a speed limit.
const HANG_GUARD_MS = 300_000;

const root = mkdtempSync(join(tmpdir(), 'langseg-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  if (!existsSync('dist/node/cli.js')) throw new Error('dist/ is missing: run node scripts/build.mjs (npm test does)');
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  /** The last step the run reported before it ended. */
  lastStep: number;
}

/** The last step a run's output reports. */
const stepsIn = (out: string) => Math.max(0, ...[...out.matchAll(/^(\d+)\/\d+ loss/gm)].map((m) => Number(m[1])));

/** Run the CLI in a child; kill it with SIGKILL once `killWhen` says so (given the output so far and ms since start). */
function runChild(args: string[], killWhen: (out: string, ms: number) => boolean): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['bin/langseg.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = performance.now();
    let out = '';

    const check = () => {
      if (child.exitCode === null && child.signalCode === null && killWhen(out, performance.now() - started)) child.kill('SIGKILL');
    };
    const timer = setInterval(check, 5);
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`langseg ${args.join(' ')} hung:\n${out}`));
    }, HANG_GUARD_MS);
    const onData = (d: Buffer) => {
      out += d.toString();
      check();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve({ code, signal, out, lastStep: stepsIn(out) });
    });
  });
}

describe(`crash safety: ${KILLS} SIGKILLs, each followed by --resume`, () => {
  it('every checkpoint left behind is whole; each resume starts from it; the final weights equal an uninterrupted run', async () => {
    // The reference: the same run, uninterrupted, in-process.
    const reference = join(root, 'reference');
    const ref = await runCli('train', ...ARGS, '--out', reference);
    expect(ref.code, ref.out).toBe(0);

    const next = mulberry32(20260101);
    const dir = join(root, 'killed');
    const kills: { at: string; lastStep: number; checkpointStep: number | null; partialFiles: number }[] = [];
    let resumes = 0;
    let final: Outcome | null = null;
    for (let attempt = 0; attempt <= KILLS + 2 && !final; attempt++) {
      const hasCheckpoint = existsSync(join(dir, 'checkpoint.safetensors'));
      const args = ['train', ...ARGS, '--out', dir, ...(hasCheckpoint ? ['--resume'] : existsSync(dir) ? ['--force'] : [])];
      const expectedStart = hasCheckpoint ? (await parseCheckpoint(readFileSync(join(dir, 'checkpoint.safetensors')))).step : 0;
      // A seeded moment: during start-up; just after a checkpoint step's progress line (while the checkpoint
      // is written); or some steps on plus a random delay (which lands in steps, writes and the report alike).
      let at = 'not killed';
      let when: (out: string, ms: number) => boolean = () => false;
      if (kills.length < KILLS) {
        const mode = next();
        const duringStartup = mode < 0.2;
        const nextCheckpoint = Math.min(STEPS, (Math.floor(expectedStart / CHECKPOINT_EVERY) + 1 + Math.floor(next() * 2)) * CHECKPOINT_EVERY);
        const target = mode < 0.5 ? nextCheckpoint : Math.min(STEPS, expectedStart + CHECKPOINT_EVERY + Math.floor(next() * 2 * CHECKPOINT_EVERY));
        const delay = mode < 0.5 ? Math.floor(next() * 60) : Math.floor(next() * 700);
        at = duringStartup ? `${delay * 50} ms after start` : `${delay} ms after step ${target}`;
        let reachedAt = -1;
        when = (out, ms) => {
          if (duringStartup) return ms >= delay * 50;
          // Progress lines come every step up to 20 steps, then about every 5% of the run: the first at or past the target.
          if (reachedAt < 0 && stepsIn(out) >= target) reachedAt = ms;
          return reachedAt >= 0 && ms >= reachedAt + delay;
        };
      }
      const outcome = await runChild(args, when);
      if (hasCheckpoint) {
        resumes++;
        // The resumed run started from the checkpoint that was on disk (unless killed before it said so).
        const said = /resuming .* at step (\d+) of/.exec(outcome.out);
        if (said) expect(Number(said[1]), outcome.out).toBe(expectedStart);
      }
      if (outcome.signal === 'SIGKILL') {
        // Whatever the moment, the checkpoint on disk (if any) is whole: verified checksums and a data position.
        let checkpointStep: number | null = null;
        const path = join(dir, 'checkpoint.safetensors');
        if (existsSync(path)) {
          const bytes = readFileSync(path);
          const checkpoint = await parseCheckpoint(bytes);
          expect(checkpoint.verified).toBe(true);
          expect(checkpoint.step % CHECKPOINT_EVERY === 0 || checkpoint.step === STEPS).toBe(true);
          expect((await readTrainingState(bytes))?.batchesDone).toBe(checkpoint.step);
          checkpointStep = checkpoint.step;
        }
        const partialFiles = existsSync(dir) ? readdirSync(dir).filter((f) => f.includes('.tmp-')).length : 0;
        kills.push({ at, lastStep: outcome.lastStep, checkpointStep, partialFiles });
      } else {
        expect(outcome.code, outcome.out).toBe(0);
        final = outcome;
      }
    }
    expect(final, 'the run never finished').not.toBeNull();
    expect(kills).toHaveLength(KILLS);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]); // partial files were cleaned up

    const [a, b] = await Promise.all([reference, dir].map(async (d) => parseCheckpoint(readFileSync(join(d, 'checkpoint.safetensors')))));
    expect(b!.step).toBe(STEPS);
    let tensors = 0;
    for (const [name, t] of Object.entries(a!.tensors)) {
      expect(Buffer.from((b!.tensors[name]!.data as Float32Array).buffer).equals(Buffer.from((t.data as Float32Array).buffer)), name).toBe(true);
      tensors++;
    }
    await recordFigures('kill', { kills: kills.length, resumes, steps: STEPS, checkpointEvery: CHECKPOINT_EVERY, imageSize: 64, batch: 2, tensorsCompared: tensors, identical: true, events: kills });
  });
});

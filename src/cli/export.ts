/**
 * `langseg export`: a training checkpoint -> a weights-only checkpoint (no optimizer moments, optionally in
 * F16) for the web page (web/models/tiny.safetensors) or deployment. A third of the bytes in F32, a sixth
 * in F16, and it loads anywhere a checkpoint does.
 */
import { readFile, stat } from 'node:fs/promises';
import { LangsegError } from '../errors.js';
import { weightsOnlyCheckpoint } from '../graph/checkpoint.js';
import { saveCheckpointFile } from '../io/checkpoint-file.js';
import { parseCheckpoint } from '../io/checkpoint.js';
import { UsageError, type Command } from './command.js';

const DTYPES = { f32: 'F32', f16: 'F16' } as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a weights-only checkpoint (no optimizer state, optionally F16) for the web page or deployment',
  help: `usage: langseg export --checkpoint FILE --out FILE [--dtype f32|f16] [--force]

Reads a checkpoint written by train or demo and writes its weights, step, config, tokenizer and descriptors
to --out without the AdamW moments (two thirds of a training checkpoint, needed only to resume training).
--dtype f16 stores the weights as half floats (half the bytes again; each weight keeps about 3 significant
digits). The web page's bundled model is made with:

  langseg export --checkpoint runs/demo/checkpoint.safetensors --dtype f16 --out web/models/tiny.safetensors --force`,
  options: { checkpoint: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' }, force: { type: 'boolean' } },
  needsDevice: false,
  async run(ctx) {
    const from = ctx.values.checkpoint as string | undefined;
    const to = ctx.values.out as string | undefined;
    if (!from || !to) throw new UsageError('--checkpoint FILE and --out FILE are required');
    const dtypeName = ((ctx.values.dtype as string | undefined) ?? 'f32').toLowerCase();
    if (!Object.hasOwn(DTYPES, dtypeName)) throw new UsageError(`--dtype must be f32 or f16, got '${dtypeName}'`);
    if (!ctx.values.force && (await stat(to).catch(() => null))) throw new LangsegError(`${to} already exists; overwrite it with --force`);
    const bytes = await readFile(from).catch((e: Error) => {
      throw new LangsegError(`cannot read checkpoint ${from}: ${e.message}`);
    });
    const slim = await weightsOnlyCheckpoint(bytes, { dtype: DTYPES[dtypeName as keyof typeof DTYPES] });
    await saveCheckpointFile(to, slim);
    const { step } = await parseCheckpoint(slim);
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
    ctx.log(`wrote ${to}: ${mb(slim.length)} (from ${mb(bytes.length)}), weights only, ${DTYPES[dtypeName as keyof typeof DTYPES]}, trained ${step} steps`);
    return 0;
  },
};

/** `langseg bench`: the benchmark suites (ours vs TF.js WebGPU on the same device); see bench/main.ts. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LangsegError } from '../errors.js';
import type { Command } from './command.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suites against TF.js WebGPU (kernels, vision, attention, graph, train, ...)',
  help: `usage: langseg bench [--suite NAME] [--json FILE] [--repeats N] [--filter TEXT] [--min-time MS]

Runs a benchmark suite (default kernels): each case on our kernels and on TensorFlow.js's WebGPU backend
on the same device, checked against each other, then timed interleaved. Same as \`npm run bench -- ...\`;
'langseg bench --help-suites' lists the suites. Needs the dev dependencies (TF.js) installed.`,
  options: { suite: { type: 'string' }, json: { type: 'string' }, repeats: { type: 'string' }, filter: { type: 'string' }, 'min-time': { type: 'string' }, 'help-suites': { type: 'boolean' } },
  needsDevice: false,
  async run(ctx) {
    // The bench is its own bundle beside this one (dist/node/bench.js), run as a child so it owns its device.
    const script = fileURLToPath(new URL('./bench.js', import.meta.url));
    if (!existsSync(script)) throw new LangsegError(`the benchmark bundle ${script} is missing; run npm run build in the langseg folder`);
    const args = Object.entries(ctx.values).flatMap(([k, v]) => (k === 'help-suites' ? (v ? ['--help'] : []) : v === undefined ? [] : [`--${k}`, String(v)]));
    return new Promise((resolve) => spawn(process.execPath, [script, ...args], { stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1)));
  },
};

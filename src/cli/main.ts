/** The `langseg` command line. Each command is a function in its own file; this file only dispatches. */
import { parseArgs } from 'node:util';
import { getDevice } from '../device/device.js';
import { LangsegError } from '../errors.js';
import { runDemo } from './demo.js';
import { formatInfo } from './info.js';

const HELP: Record<string, string> = {
  '': `langseg: LangSeg, language-guided semantic segmentation, on WebGPU

usage: langseg <command> [options]

commands:
  info     print the WebGPU adapter, its features and key limits
  demo     run and verify a 1024^3 matmul on the GPU and print its GFLOP/s
  help     show help for a command (langseg help <command>)

Run 'langseg <command> --help' for a command's options.`,
  info: `usage: langseg info [--json]

Prints the adapter's vendor, architecture, description, features and the limits that matter for
sizing tensors. --json prints the same as JSON.`,
  demo: `usage: langseg demo [--size N]

Multiplies two N x N matrices on the GPU (default 1024), checks sampled elements against a float64
CPU reference, and prints the median time and GFLOP/s over 5 runs.`,
};

export async function main(argv: string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  if (command === '' || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP[rest[0] ?? ''] ?? HELP['']);
    return 0;
  }
  if (!(command in HELP)) {
    console.error(`langseg: unknown command '${command}'\n\n${HELP['']}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, size: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`langseg ${command}: ${(err as Error).message}\n\n${HELP[command]}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  let dev;
  try {
    dev = await getDevice();
  } catch (err) {
    console.error(`langseg: ${(err as Error).message}`);
    return 1;
  }
  try {
    if (command === 'info') {
      console.log(values.json ? JSON.stringify({ adapter: dev.adapter, features: [...dev.features], limits: dev.limits }, null, 2) : formatInfo(dev));
      return 0;
    }
    const size = values.size === undefined ? 1024 : Number(values.size);
    if (!Number.isInteger(size) || size < 1 || size > 8192) {
      console.error(`langseg demo: --size must be an integer from 1 to 8192, got '${values.size}'`);
      return 2;
    }
    return (await runDemo(dev, (line) => console.log(line), size)) ? 0 : 1;
  } catch (err) {
    if (err instanceof LangsegError) {
      console.error(`langseg ${command}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    dev.destroy();
  }
}

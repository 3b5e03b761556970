/** The `langseg` command line: parses the command and its options and dispatches over COMMANDS. */
import { parseArgs } from 'node:util';
import { getDevice } from '../device/device.js';
import { LangsegError } from '../errors.js';
import { UsageError, type Command } from './command.js';
import { COMMANDS } from './commands.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4) + 2;
  return `langseg: LangSeg, language-guided semantic segmentation, on WebGPU

usage: langseg <command> [options]

commands:
${[...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`), `  ${'help'.padEnd(width)}show help for a command (langseg help <command>)`].join('\n')}

Run 'langseg <command> --help' for a command's options.`;
}

const find = (name: string): Command | undefined => COMMANDS.find((c) => c.name === name);

export async function main(argv: string[]): Promise<number> {
  const [name = '', ...rest] = argv;
  if (name === '' || name === '--help' || name === '-h' || name === 'help') {
    console.log(find(rest[0] ?? '')?.help ?? overview());
    return 0;
  }
  const command = find(name);
  if (!command) {
    console.error(`langseg: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  let parsed: { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' }, ...command.options }, allowPositionals: !!command.positionals, strict: true });
  } catch (err) {
    console.error(`langseg ${name}: ${(err as Error).message}\n\n${command.help}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(command.help);
    return 0;
  }
  let device = null;
  try {
    if (command.needsDevice) device = await getDevice();
    return await command.run({ ...parsed, device, log: (line) => console.log(line), error: (line) => console.error(line) });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`langseg ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    if (err instanceof LangsegError) {
      console.error(`langseg ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    device?.destroy();
  }
}

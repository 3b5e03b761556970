/**
 * What a `langseg` command is: its name, a one-line summary, its help text, its options (node:util
 * parseArgs), whether it needs a GPU device, and a run function that returns the exit code. main.ts
 * dispatches over the table in commands.ts; each command lives in its own file.
 */
import type { ParseArgsConfig } from 'node:util';
import type { LangsegDevice } from '../device/device.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** The device, for commands with needsDevice. */
  device: LangsegDevice | null;
  log(line: string): void;
  error(line: string): void;
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  options: OptionSpec;
  /** Accept positional arguments (file names). */
  positionals?: boolean;
  needsDevice: boolean;
  run(ctx: CommandContext): Promise<number>;
}

/** A usage error: main prints it with the command's help and exits 2. */
export class UsageError extends Error {}

/** An integer option in [min, max], or the default; UsageError otherwise. */
export function intOption(values: CommandContext['values'], name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${String(raw)}'`);
  return n;
}

/** A number option in (min, max], or the default. */
export function numberOption(values: CommandContext['values'], name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(n) || n <= min || n > max) throw new UsageError(`--${name} must be a number above ${min} and at most ${max}, got '${String(raw)}'`);
  return n;
}

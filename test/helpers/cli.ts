/** Run the `langseg` CLI in-process, capturing what it prints. */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Run the CLI; its exit code and everything it printed (stdout and stderr, in order). */
export async function runCli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

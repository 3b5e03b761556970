/**
 * Training progress on the terminal: one line redrawn in place with a bar, ETA and the live loss on a TTY;
 * plain log lines (about every 5% of the run) when output goes to a file or a pipe.
 */
export class Progress {
  private lastLogged = -1;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly tty: boolean,
    private readonly write: (text: string) => void,
    private readonly log: (line: string) => void,
  ) {}

  update(done: number, text: string): void {
    const elapsed = (Date.now() - this.started) / 1000;
    const fraction = Math.min(1, done / Math.max(1, this.total));
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : NaN;
    const line = `${done}/${this.total} ${text} | ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}`;
    if (this.tty) {
      const width = 24;
      const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
      this.write(`\r[${bar}] ${line}\x1b[K`);
      return;
    }
    const every = Math.max(1, Math.round(this.total / 20));
    if (done === 1 || done === this.total || done - this.lastLogged >= every) {
      this.lastLogged = done;
      this.log(line);
    }
  }

  /** End the redrawn line (TTY) before other output. */
  finish(): void {
    if (this.tty) this.write('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

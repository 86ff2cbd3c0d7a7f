/** A one-line progress bar on a terminal; silent when stderr is not a TTY (pipes, CI), so output stays parseable. */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    stream: NodeJS.WriteStream = process.stderr,
    private readonly out = stream,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  update(fraction: number, message = ''): void {
    const now = Date.now();
    if (!this.enabled || (now - this.lastDraw < 100 && fraction < 1)) return;
    this.lastDraw = now;
    const width = 30;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0.02 ? ` ETA ${Math.ceil((elapsed / fraction) * (1 - fraction))} s` : '';
    const line = `${this.label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}%${eta} ${message}`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1)}\x1b[K`);
  }

  done(): void {
    if (this.enabled) this.out.write('\r\x1b[K');
  }
}

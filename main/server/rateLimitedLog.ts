/**
 * A log that writes at most `limit` lines per `windowMs`, then one line counting what it left out: a flood of bad
 * requests or frames cannot fill the terminal or the log file, nor spend the event loop on writing.
 */
export function rateLimitedLog(
  limit: number,
  windowMs: number,
  write: (line: string) => void = (line) => console.warn(line),
): (line: string) => void {
  let windowStart = -Infinity;
  let written = 0;
  let suppressed = 0;
  return (line) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0) write(`[server] ${suppressed} more lines like the above were left out`);
      windowStart = now;
      written = 0;
      suppressed = 0;
    }
    if (written < limit) {
      written++;
      write(line);
    } else {
      suppressed++;
    }
  };
}

import { describe, expect, it, vi } from 'vitest';
import { rateLimitedLog } from './rateLimitedLog';

describe('rateLimitedLog', () => {
  it('writes the first lines of a window, then counts the rest once the next window starts', () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const log = rateLimitedLog(3, 1000, (line) => lines.push(line));
      for (let i = 0; i < 100; i++) log(`bad frame ${i}`);
      expect(lines).toEqual(['bad frame 0', 'bad frame 1', 'bad frame 2']);
      vi.advanceTimersByTime(1000);
      log('bad frame 100');
      expect(lines.slice(3)).toEqual(['[server] 97 more lines like the above were left out', 'bad frame 100']);
    } finally {
      vi.useRealTimers();
    }
  });
});

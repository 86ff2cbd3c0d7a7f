/**
 * Coalesces redraw requests into one call per animation frame: `schedule()` as often as you like, `draw` runs once on
 * the next frame; `cancel()` drops a pending frame (on unmount).
 */
export interface FrameScheduler {
  readonly schedule: () => void;
  readonly cancel: () => void;
}

export function frameScheduler(draw: () => void): FrameScheduler {
  let pending = 0;
  return {
    schedule: () => {
      if (pending) return;
      pending = requestAnimationFrame(() => {
        pending = 0;
        draw();
      });
    },
    cancel: () => {
      if (pending) cancelAnimationFrame(pending);
      pending = 0;
    },
  };
}

/**
 * Coalesces redraw requests: `schedule()` as often as you like, `draw` runs once on the next animation frame. `now()`
 * draws as soon as the current task's work is done (a microtask: after every effect of the same update has run),
 * instead of waiting up to a frame: for a new line, whose picture should reach the screen on the very next frame.
 * `cancel()` drops a pending draw (on unmount).
 */
export interface FrameScheduler {
  readonly schedule: () => void;
  readonly now: () => void;
  readonly cancel: () => void;
}

export function frameScheduler(draw: () => void): FrameScheduler {
  let pending = 0;
  let soon = false;
  const cancelFrame = (): void => {
    if (pending) cancelAnimationFrame(pending);
    pending = 0;
  };
  return {
    schedule: () => {
      if (pending || soon) return;
      pending = requestAnimationFrame(() => {
        pending = 0;
        draw();
      });
    },
    now: () => {
      cancelFrame();
      if (soon) return;
      soon = true;
      queueMicrotask(() => {
        if (!soon) return;
        soon = false;
        draw();
      });
    },
    cancel: () => {
      cancelFrame();
      soon = false;
    },
  };
}

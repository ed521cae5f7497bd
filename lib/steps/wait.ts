import { TimeoutError } from './errors.js';
import type { Clock, Reporter } from './report.js';

/** How often a long wait says it is still waiting, at most. */
export const PROGRESS_INTERVAL_MS = 15_000;

/** Options of {@link waitUntil}. */
export interface WaitOptions<State> {
  /** What is being waited for, for the log and the timeout message: "stack DEX to finish". */
  what: string;
  /** Reads the current state. */
  poll: () => Promise<State>;
  /** Whether the wait is over. */
  done: (state: State) => boolean;
  /** A short description of the state for progress lines. */
  describe?: (state: State) => string;
  timeoutMs: number;
  /** Pause between polls (default 2 s). */
  intervalMs?: number;
  clock: Clock;
  reporter: Reporter;
}

/**
 * Polls until `done`, saying in the log at least every 15 s what it waits for and for how long;
 * throws {@link TimeoutError} once `timeoutMs` has passed.
 */
export async function waitUntil<State>(options: WaitOptions<State>): Promise<State> {
  const { clock, reporter } = options;
  const start = clock.now();
  let lastProgress = start;
  const interval = Math.min(options.intervalMs ?? 2_000, PROGRESS_INTERVAL_MS);
  for (;;) {
    const state = await options.poll();
    if (options.done(state)) return state;
    const now = clock.now();
    const elapsed = now - start;
    if (elapsed >= options.timeoutMs) {
      throw new TimeoutError(
        `gave up waiting for ${options.what} after ${Math.round(elapsed / 1000)} s` +
          `${options.describe ? ` (last seen: ${options.describe(state)})` : ''}; raise the wait bound input if it needs longer`,
      );
    }
    if (now - lastProgress >= PROGRESS_INTERVAL_MS - interval) {
      reporter.info(
        `Still waiting for ${options.what} (${Math.round(elapsed / 1000)} s` +
          `${options.describe ? `, ${options.describe(state)}` : ''})`,
      );
      lastProgress = now;
    }
    await clock.sleep(Math.min(interval, Math.max(0, options.timeoutMs - elapsed)));
  }
}

import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../lib/steps/errors.js';
import { recordingReporter } from '../../../lib/steps/report.js';
import type { Clock } from '../../../lib/steps/report.js';
import { waitUntil } from '../../../lib/steps/wait.js';

function fakeClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe('waitUntil', () => {
  it('returns the first state that is done', async () => {
    let polls = 0;

    const state = await waitUntil({
      what: 'three polls',
      poll: async () => ++polls,
      done: (n) => n === 3,
      timeoutMs: 60_000,
      clock: fakeClock(),
      reporter: recordingReporter(),
    });

    expect(state).toBe(3);
  });

  it('says it is still waiting at least every 15 s', async () => {
    const clock = fakeClock();
    const reporter = recordingReporter();
    const times: number[] = [];
    const logging = {
      ...reporter,
      info: (m: string) => (times.push(clock.now()), reporter.info(m)),
    };

    await waitUntil({
      what: 'a minute',
      poll: async () => clock.now(),
      done: (now) => now >= 60_000,
      timeoutMs: 120_000,
      intervalMs: 2_000,
      clock,
      reporter: logging,
    });

    const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000);
    expect(reporter.lines[0]).toMatch(/Still waiting for a minute/);
  });

  it('throws a TimeoutError naming what it waited for once the bound passes', async () => {
    const waiting = waitUntil({
      what: 'stack X to finish',
      poll: async () => 'CREATE_IN_PROGRESS',
      done: () => false,
      describe: (status) => status,
      timeoutMs: 30_000,
      clock: fakeClock(),
      reporter: recordingReporter(),
    });

    await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
    await expect(waiting).rejects.toThrow(/stack X to finish.*CREATE_IN_PROGRESS/);
  });
});

import { describe, expect, it } from 'vitest';
import { summariseRuns } from '../../../scripts/bench/run.js';
import type { SizeResult, TickMeasure } from '../../../scripts/bench/run.js';

const measure = (msPerTick: number, requestsPerTick: number): TickMeasure => ({
  msPerTick,
  ticksPerSecond: 1000 / msPerTick,
  requestsPerTick,
  sequentialRoundTripsPerTick: requestsPerTick,
  billingUnitsPerTick: 1,
});

function result(oursMs: number, naiveMs: number): SizeResult {
  const ours = measure(oursMs, 7);
  const naive = measure(naiveMs, 11);
  return {
    tickers: 5,
    ticks: 20,
    ours,
    naive,
    ratios: {
      speed: ours.ticksPerSecond / naive.ticksPerSecond,
      requests: 11 / 7,
      sequentialRoundTrips: 11 / 7,
      billingUnits: 1,
    },
  };
}

describe('summariseRuns', () => {
  it('gives the median speed ratio over runs, with its range', () => {
    // Prepare: three runs in which naive is 4, 5 and 6 times as slow
    const runs = [[result(10, 50)], [result(10, 40)], [result(10, 60)]];
    // Act
    const [five] = summariseRuns(runs);
    // Assess
    expect(five!.runs).toBe(3);
    expect(five!.ratios.speed).toEqual({ median: 5, min: 4, max: 6 });
    expect(five!.msPerTick.naive).toEqual({ median: 50, min: 40, max: 60 });
    expect(five!.naive.msPerTick).toBe(50);
  });

  it('keeps one summary per size, in the order measured', () => {
    const small = result(10, 20);
    const large = { ...result(100, 500), tickers: 1000 };
    expect(summariseRuns([[small, large]]).map((summary) => summary.tickers)).toEqual([5, 1000]);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_PRICE_CENTS } from '../../../lib/config/limits.js';
import {
  MAX_MOVE_FRACTION,
  movePriceCents,
  toCents,
} from '../../../functions/streaming/priceWalk.js';
import { seededRandom } from '../../support/random.js';

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('movePriceCents', () => {
  it('moves by at most 1 % of the price', () => {
    // Prepare
    const extremes = [0, 0.999999];
    // Act
    const moved = extremes.map((value) => movePriceCents(10_000, () => value));
    // Assess
    expect(moved).toEqual([
      10_000 - 10_000 * MAX_MOVE_FRACTION,
      10_000 + 10_000 * MAX_MOVE_FRACTION,
    ]);
  });

  it('always moves by at least one cent', () => {
    expect(movePriceCents(10_000, sequence(0.5, 0.2))).toBe(9_999);
    expect(movePriceCents(10_000, sequence(0.5, 0.7))).toBe(10_001);
  });

  it('never reaches zero: a move that would is reflected upwards', () => {
    // Prepare: one cent, and a random source that always moves down
    const down = sequence(0.5, 0.1);
    // Act
    const moved = movePriceCents(1, down);
    // Assess
    expect(moved).toBe(2);
  });

  it('never passes the highest price: a move that would is reflected downwards', () => {
    // Prepare: the highest price, and a random source that moves up by the full 1 %
    const up = () => 0.999999;
    // Act
    const moved = movePriceCents(MAX_PRICE_CENTS, up);
    // Assess
    const fullMove = Math.round((0.999999 * 2 - 1) * MAX_PRICE_CENTS * MAX_MOVE_FRACTION);
    expect(moved).toBe(MAX_PRICE_CENTS - fullMove);
  });

  it('stays whole cents, positive, over many random ticks', () => {
    // Prepare: a seeded source, so a failure repeats on every run, and a start near the floor
    const random = seededRandom(20_260_101);
    let cents = 3;
    let lowest = cents;
    // Act and assess
    for (let tick = 0; tick < 10_000; tick++) {
      cents = movePriceCents(cents, random);
      expect(Number.isInteger(cents)).toBe(true);
      expect(cents).toBeGreaterThan(0);
      lowest = Math.min(lowest, cents);
    }
    expect(lowest, 'the walk reached the one-cent floor').toBe(1);
  });
});

describe('toCents', () => {
  it('converts prices to whole cents without floating-point drift', () => {
    expect(toCents(100.42)).toBe(10_042);
    expect(toCents(0.29)).toBe(29);
    expect(toCents(1.005)).toBe(100);
  });

  it('counts a price below one cent as one cent', () => {
    expect(toCents(0.001)).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { sequentialRoundTrips, spreadOf } from '../../../scripts/bench/measure.js';

const request = (start: number, end: number) => ({ operation: 'Op', start, end, billingUnits: 0 });

describe('sequentialRoundTrips', () => {
  it('counts requests in sequence one each', () => {
    expect(sequentialRoundTrips([request(0, 1), request(1, 2), request(2, 3)])).toBe(3);
  });

  it('counts requests in flight together once', () => {
    // Prepare: a scan, five overlapping writes, then one batch
    const requests = [
      request(0, 1),
      ...Array.from({ length: 5 }, (_, index) => request(1 + index * 0.01, 2 + index * 0.01)),
      request(2.1, 3),
    ];
    // Act and assess
    expect(sequentialRoundTrips(requests)).toBe(3);
  });

  it('follows the longest chain through partly overlapping requests', () => {
    expect(
      sequentialRoundTrips([
        request(0, 5),
        request(0, 1),
        request(1, 2),
        request(2, 6),
        request(5, 7),
      ]),
    ).toBe(3);
  });
});

describe('spreadOf', () => {
  it('gives the middle value of an odd count, with the lowest and highest', () => {
    expect(spreadOf([5.6, 5.3, 5.4])).toEqual({ median: 5.4, min: 5.3, max: 5.6 });
  });

  it('averages the two middle values of an even count', () => {
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseObjectLines,
  priceChart,
  smokeProblems,
  tickerSeries,
} from '../../../lib/steps/records.js';
import type { DeliveredRecord } from '../../../lib/steps/records.js';

function record(ticker: string, version: number, price: number): DeliveredRecord {
  return {
    TickerName: ticker,
    Price: price,
    PreviousPrice: price - 1,
    Version: version,
    Timestamp: '2026-11-28T18:00:00.000Z',
  };
}

describe('parseObjectLines', () => {
  it('reads one record per JSON line and skips blank lines', () => {
    const text = `${JSON.stringify(record('A', 1, 10))}\n\n${JSON.stringify(record('A', 2, 11))}\n`;

    const { records, malformed } = parseObjectLines('tickers/x', text);

    expect(records.map((r) => r.Version)).toEqual([1, 2]);
    expect(malformed).toEqual([]);
  });

  it('reports a line that is not JSON by object key and line number', () => {
    const { malformed } = parseObjectLines(
      'tickers/x',
      `${JSON.stringify(record('A', 1, 10))}\n{oops`,
    );

    expect(malformed).toEqual([{ key: 'tickers/x', line: 2, problem: 'not JSON' }]);
  });

  it('reports a record with a field of the wrong kind, naming the field', () => {
    const bad = { ...record('A', 1, 10), Price: 'ten' };

    const { malformed } = parseObjectLines('k', JSON.stringify(bad));

    expect(malformed[0]?.problem).toMatch(/^Price:/);
  });
});

describe('tickerSeries', () => {
  it('counts a redelivered record once among versions but in records seen', () => {
    const series = tickerSeries([record('A', 1, 10), record('A', 1, 10), record('A', 2, 11)]);

    expect(series.get('A')).toMatchObject({
      versions: [1, 2],
      prices: [10, 11],
      records: 3,
      gaps: [],
    });
  });

  it('finds the versions missing between the first and last seen', () => {
    const series = tickerSeries([record('A', 3, 10), record('A', 6, 11)]);

    expect(series.get('A')?.gaps).toEqual([4, 5]);
  });
});

describe('smokeProblems', () => {
  it('is empty when every ticker advanced without gaps', () => {
    const series = tickerSeries([
      record('A', 1, 1),
      record('A', 2, 2),
      record('B', 5, 1),
      record('B', 6, 2),
    ]);

    expect(smokeProblems(['A', 'B'], series, [])).toEqual([]);
  });

  it('names a configured ticker with no records', () => {
    const series = tickerSeries([record('A', 1, 1), record('A', 2, 2)]);

    expect(smokeProblems(['A', 'B'], series, [])).toEqual(['no records yet for B']);
  });

  it('waits for a ticker seen at one version only', () => {
    const series = tickerSeries([record('A', 1, 1)]);

    expect(smokeProblems(['A'], series, [])[0]).toMatch(/only version 1/);
  });
});

describe('priceChart', () => {
  it('draws one Mermaid line per ticker over a y range that holds every price', () => {
    const series = [
      ...tickerSeries([
        record('A', 1, 10),
        record('A', 2, 12),
        record('B', 1, 20),
        record('B', 2, 19),
      ]).values(),
    ];

    const chart = priceChart(series);

    expect(chart).toMatch(/^```mermaid\nxychart-beta/);
    expect(chart).toContain('line [10.00, 12.00]');
    expect(chart).toContain('line [20.00, 19.00]');
    expect(chart).toMatch(/y-axis "price" 9\.\d+ --> 20\.\d+/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  counted,
  fit,
  formatChange,
  plainTickLine,
  redrawFrame,
  renderView,
  sparkline,
  tickerRow,
  VIEW_WIDTH,
} from '../../../scripts/start/view.js';
import type { Snapshot } from '../../../scripts/start/view.js';

const snapshot = (overrides: Partial<Snapshot> = {}): Snapshot => ({
  stack: 'DEKYLMAP-streaming-pipeline',
  endpoint: 'http://127.0.0.1:4566',
  bucket: 'dekylemaposa-deliverystream-s3',
  every: 5,
  ticks: 3,
  tickers: [
    { name: 'Index_1', price: 101.5, version: 3, history: [100, 100.75, 101.5] },
    { name: 'Index_2', price: 89.1, version: 3, history: [90, 89.5, 89.1] },
  ],
  objects: 2,
  records: 10,
  lastKey: '2026/11/28/19/DEKYLMAP-deliverystream-1-2026-11-28-19-00-00-abc',
  alerts: [{ file: 'a.eml', subject: 'Pipeline alert for Kyle Maposa: DrillError' }],
  outbox: '.local/outbox',
  ...overrides,
});

const width = (line: string): number => [...line].length;

describe('sparkline', () => {
  it('draws the lowest value as the lowest block and the highest as the full block', () => {
    expect(sparkline([1, 5, 9])).toBe('▁▅█');
  });

  it('draws flat prices along the bottom', () => {
    expect(sparkline([7, 7, 7])).toBe('▁▁▁');
  });

  it('shows only the most recent values', () => {
    expect(sparkline([100, 1, 2, 3], 3)).toBe('▁▅█');
  });

  it('is empty before any price', () => {
    expect(sparkline([])).toBe('');
  });
});

describe('formatChange', () => {
  it('gives the signed change and its percentage', () => {
    expect(formatChange([100, 101.5])).toBe('+1.50 (+1.5%)');
    expect(formatChange([100, 98])).toBe('-2.00 (-2.0%)');
  });

  it('is blank for a ticker with one price', () => {
    expect(formatChange([100])).toBe('');
  });
});

describe('fit', () => {
  it('cuts a long line to the width, ending in an ellipsis', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
  });

  it('counts block characters as one column each', () => {
    expect(fit('▁▂▃', 3)).toBe('▁▂▃');
  });
});

describe('renderView', () => {
  it('fits every line in 80 columns, even for a 64-character ticker name and a huge price', () => {
    const long = snapshot({
      tickers: [
        {
          name: 'X'.repeat(64),
          price: 999_999_999.99,
          version: 123456,
          history: [1, 999_999_999.99],
        },
      ],
      lastKey: 'k'.repeat(200),
    });

    const lines = renderView(long);

    expect(lines.every((line) => width(line) <= VIEW_WIDTH)).toBe(true);
  });

  it('shows each ticker with its price, change, sparkline and version', () => {
    const row = tickerRow(snapshot().tickers[0]!);

    expect(row).toMatch(/^Index_1 +101\.50 +\+0\.75 \(\+0\.7%\) +▁▅█ +v3$/);
  });

  it('shows the bucket counts, the last key, the alerts and the AWS CLI command', () => {
    const text = renderView(snapshot()).join('\n');

    expect(text).toContain('2 objects, 10 records');
    expect(text).toContain('last: 2026/11/28/19/');
    expect(text).toContain('Pipeline alert for Kyle Maposa: DrillError');
    expect(text).toContain(
      'aws --endpoint-url http://127.0.0.1:4566 s3 ls --recursive \\\n    s3://dekylemaposa-deliverystream-s3/',
    );
  });
});

describe('counted', () => {
  it('says one object and two objects', () => {
    expect(counted(1, 'object')).toBe('1 object');
    expect(counted(2, 'object')).toBe('2 objects');
    expect(counted(0, 'record')).toBe('0 records');
  });
});

describe('plainTickLine', () => {
  it('puts one tick on one line', () => {
    expect(plainTickLine(snapshot())).toBe(
      'tick 3: Index_1 101.50 v3, Index_2 89.10 v3; s3: 2 objects, 10 records; alerts: 1',
    );
  });
});

describe('redrawFrame', () => {
  it('moves up over the previous frame, rewrites each line and clears what is left below', () => {
    expect(redrawFrame(['a', 'b'], 3)).toBe('\x1b[3Fa\x1b[K\nb\x1b[K\n\x1b[J');
  });

  it('draws the first frame where the cursor is', () => {
    expect(redrawFrame(['a'], 0)).toBe('a\x1b[K\n\x1b[J');
  });
});

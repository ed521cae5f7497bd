import { describe, expect, it } from 'vitest';
import { formatSpread, printTable } from '../../../scripts/bench/report.js';
import type { CliIo } from '../../../scripts/cli.js';

function capture(): { io: CliIo; lines: string[] } {
  const lines: string[] = [];
  return { io: { stdout: (text) => lines.push(text), stderr: () => undefined, env: {} }, lines };
}

describe('formatSpread', () => {
  it('writes the median alone when every run measured the same', () => {
    expect(formatSpread({ median: 5, min: 5, max: 5 }, { unit: 'x' })).toBe('5.0x');
  });

  it('writes the median, then the range, scaled', () => {
    expect(formatSpread({ median: 1500, min: 1000, max: 2500 }, { unit: ' s', scale: 1000 })).toBe(
      '1.5 s (1.0-2.5)',
    );
  });
});

describe('printTable', () => {
  it('aligns the first column left and the others right, each as wide as its widest cell', () => {
    const { io, lines } = capture();
    printTable(io, [
      ['call', 'p50 ms'],
      ['S3 PutObject', '0.5'],
    ]);
    expect(lines).toEqual(['call          p50 ms', 'S3 PutObject     0.5']);
  });
});

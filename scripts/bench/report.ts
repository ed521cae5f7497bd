import type { CliIo } from '../cli.js';
import type { Spread } from './measure.js';

/** How to write a number of a report: decimals, a unit after it, a divisor (1000: ms as s). */
export interface NumberFormat {
  digits?: number;
  unit?: string;
  scale?: number;
}

/** "5.4 (5.3-5.6)": the median, then the range when the runs differ. */
export function formatSpread(
  value: Spread,
  { digits = 1, unit = '', scale = 1 }: NumberFormat = {},
) {
  const fixed = (number: number) => (number / scale).toFixed(digits);
  const median = `${fixed(value.median)}${unit}`;
  return value.min === value.max ? median : `${median} (${fixed(value.min)}-${fixed(value.max)})`;
}

/** Prints rows as columns: the first left-aligned, the others right-aligned, each as wide as its widest cell. */
export function printTable(io: CliIo, rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((cells) => (cells[column] ?? '').length)),
  );
  for (const cells of rows) {
    io.stdout(
      cells
        .map((cell, index) =>
          index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!),
        )
        .join('  ')
        .trimEnd(),
    );
  }
}

import type { ParseArgsConfig } from 'node:util';
import { parseOptions, UsageError } from '../cli.js';

/** The options every benchmark takes besides its own. */
const COMMON = {
  json: { type: 'boolean', default: false },
} as const;

/** Parses a benchmark's own options plus `--json` (`command()` answers `--help`). */
export function parseBenchOptions<Options extends NonNullable<ParseArgsConfig['options']>>(
  options: Options,
  argv: readonly string[],
) {
  return parseOptions({ ...options, ...COMMON } as Options & typeof COMMON, argv);
}

/** The range a whole-number option accepts, and a word on what its edge means. */
export interface WholeNumberRange {
  min: number;
  max?: number;
  /** Said after the range, e.g. `0 skips the stack deploys`. */
  note?: string;
}

/** Reads a whole-number option, or throws a {@link UsageError} naming it and its range. */
export function wholeNumber(text: string, option: string, { min, max, note }: WholeNumberRange) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(
      `${option} must be a whole number ${range}${note ? ` (${note})` : ''}, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}

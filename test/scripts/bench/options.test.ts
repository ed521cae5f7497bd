import { describe, expect, it } from 'vitest';
import { parseBenchOptions, wholeNumber } from '../../../scripts/bench/options.js';
import { UsageError } from '../../../scripts/cli.js';

describe('parseBenchOptions', () => {
  it('reads the benchmark’s own options alongside --json', () => {
    const options = parseBenchOptions({ runs: { type: 'string', default: '3' } }, [
      '--runs',
      '7',
      '--json',
    ]);
    expect(options).toEqual({ runs: '7', json: true });
  });

  it('refuses an option it does not know with a UsageError', () => {
    expect(() => parseBenchOptions({}, ['--fast'])).toThrow(UsageError);
  });
});

describe('wholeNumber', () => {
  it('reads a whole number within the range', () => {
    expect(wholeNumber('0', '--deploys', { min: 0 })).toBe(0);
  });

  it('names the option, its range and the text for a number out of range', () => {
    expect(() => wholeNumber('1001', '--runs', { min: 1, max: 1000 })).toThrow(
      new UsageError('--runs must be a whole number from 1 to 1000, not "1001"'),
    );
  });

  it('says what the lowest value means when given a note', () => {
    expect(() => wholeNumber('1.5', '--deploys', { min: 0, note: '0 skips them' })).toThrow(
      new UsageError('--deploys must be a whole number of at least 0 (0 skips them), not "1.5"'),
    );
  });
});

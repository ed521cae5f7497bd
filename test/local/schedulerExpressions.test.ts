import { describe, expect, it } from 'vitest';
import {
  InvalidExpressionError,
  nextFiring,
  parseExpression,
} from '../../local/scheduler/expressions.js';
import type { FiringWindow } from '../../local/scheduler/expressions.js';

const utc = (text: string) => Date.parse(text);
const iso = (instant: number | undefined) =>
  instant === undefined ? undefined : new Date(instant).toISOString();

/** The next firing of an expression at or after an instant, as an ISO string. */
function next(
  expression: string,
  notBefore: string,
  window: Partial<FiringWindow> = {},
): string | undefined {
  return iso(
    nextFiring(parseExpression(expression), utc(notBefore), {
      timeZone: 'UTC',
      anchor: utc(notBefore),
      ...window,
    }),
  );
}

/** The next `count` firings from an instant. */
function series(
  expression: string,
  from: string,
  count: number,
  window: Partial<FiringWindow> = {},
): string[] {
  const parsed = parseExpression(expression);
  const options = { timeZone: 'UTC', anchor: utc(from), ...window };
  const found: string[] = [];
  let cursor = utc(from);
  for (let index = 0; index < count; index++) {
    const instant = nextFiring(parsed, cursor, options);
    if (instant === undefined) break;
    found.push(iso(instant)!);
    cursor = instant + 1;
  }
  return found;
}

describe('parseExpression', () => {
  it.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(2 minute)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(7 days)',
    'cron(0 12 * * ? *)',
    'cron(0/15 8-17 ? * MON-FRI *)',
    'cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)',
    'cron(1-31/30 1-1 ? * 1,7 *)',
    'cron(0 9 L * ? *)',
    'cron(0 9 15W * ? *)',
    'cron(0 9 LW * ? *)',
    'cron(0 9 ? * 6L *)',
    'cron(0 9 ? * MON#2 *)',
    'cron(30 2 ? JAN-MAR SUN 2030-2032)',
    'at(2030-02-28T23:59:59)',
  ])('accepts %s', (expression) => {
    expect(() => parseExpression(expression)).not.toThrow();
  });

  it.each([
    'rate(0 minutes)',
    'rate(-10 minutes)',
    'rate(10 seconds)',
    'rate(10 years)',
    'rate(10 minutess)',
    'rate(foo minutes)',
    'rate(10)',
    'rate()',
    'rate( 10 minutes )',
    ' rate(10 minutes)',
    'cron()',
    'cron(INVALID)',
    'cron(0 1 * * * *)',
    'cron(0 1 ? * ? *)',
    'cron(71 8 1 * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 dummy ? * MON-FRI *)',
    'cron(7 20 * * NOT *)',
    'cron(0 0 32 * ? *)',
    'cron(0 0 ? 13 MON *)',
    'cron(0 0 ? * 8 *)',
    'cron(0 0 ? * MON#6 *)',
    'cron(0 0 1 * ? 1969)',
    'cron(0 0 1 * ?)',
    'at(2021-12-31T23:59:59Z)',
    'at(2021-12-31)',
    'at(2023-02-29T10:00:00)',
    'at(2030-01-01T24:00:00)',
    'every 5 minutes',
  ])('refuses %s', (expression) => {
    expect(() => parseExpression(expression)).toThrow(InvalidExpressionError);
  });
});

describe('nextFiring: rate', () => {
  it('fires at once, then once a period from when it was created', () => {
    expect(series('rate(5 minutes)', '2030-01-01T10:02:30Z', 3)).toEqual([
      '2030-01-01T10:02:30.000Z',
      '2030-01-01T10:07:30.000Z',
      '2030-01-01T10:12:30.000Z',
    ]);
  });

  it('counts from the anchor, not from when it is asked', () => {
    expect(
      next('rate(1 hour)', '2030-01-01T10:30:00Z', { anchor: utc('2030-01-01T08:15:00Z') }),
    ).toBe('2030-01-01T11:15:00.000Z');
  });

  it('starts on the StartDate when that is later', () => {
    const start = utc('2030-01-02T00:00:00Z');
    expect(next('rate(1 day)', '2030-01-01T10:30:00Z', { anchor: start, startDate: start })).toBe(
      '2030-01-02T00:00:00.000Z',
    );
  });

  it('stops before the EndDate', () => {
    expect(
      series('rate(10 minutes)', '2030-01-01T10:00:00Z', 5, {
        endDate: utc('2030-01-01T10:20:00Z'),
      }),
    ).toEqual(['2030-01-01T10:00:00.000Z', '2030-01-01T10:10:00.000Z']);
  });

  it('treats a day as 24 hours across a DST change', () => {
    expect(series('rate(1 day)', '2030-03-30T12:00:00Z', 2, { timeZone: 'Europe/Paris' })).toEqual([
      '2030-03-30T12:00:00.000Z',
      '2030-03-31T12:00:00.000Z',
    ]);
  });
});

describe('nextFiring: cron', () => {
  it('fires at the next matching minute', () => {
    expect(series('cron(0/15 * * * ? *)', '2030-01-01T10:07:10Z', 3)).toEqual([
      '2030-01-01T10:15:00.000Z',
      '2030-01-01T10:30:00.000Z',
      '2030-01-01T10:45:00.000Z',
    ]);
  });

  it('includes a minute it is asked at exactly', () => {
    expect(next('cron(30 10 * * ? *)', '2030-01-01T10:30:00Z')).toBe('2030-01-01T10:30:00.000Z');
  });

  it('runs on weekdays only for MON-FRI', () => {
    // 2030-01-04 is a Friday.
    expect(series('cron(0 8 ? * MON-FRI *)', '2030-01-04T09:00:00Z', 2)).toEqual([
      '2030-01-07T08:00:00.000Z',
      '2030-01-08T08:00:00.000Z',
    ]);
  });

  it('reads the day of the week from SUN = 1', () => {
    expect(next('cron(0 0 ? * 1 *)', '2030-01-01T00:00:00Z')).toBe('2030-01-06T00:00:00.000Z');
  });

  it('wraps a weekday range past Saturday', () => {
    // FRI-MON: Friday 4th, Saturday 5th, Sunday 6th, Monday 7th, then Friday 11th.
    expect(series('cron(0 0 ? * FRI-MON *)', '2030-01-02T00:00:00Z', 5)).toEqual([
      '2030-01-04T00:00:00.000Z',
      '2030-01-05T00:00:00.000Z',
      '2030-01-06T00:00:00.000Z',
      '2030-01-07T00:00:00.000Z',
      '2030-01-11T00:00:00.000Z',
    ]);
  });

  it('finds the last day of the month with L', () => {
    expect(series('cron(0 12 L * ? *)', '2030-01-31T13:00:00Z', 2)).toEqual([
      '2030-02-28T12:00:00.000Z',
      '2030-03-31T12:00:00.000Z',
    ]);
  });

  it('moves W to the nearest weekday within the month', () => {
    // 2030-06-01 is a Saturday: 1W is Monday the 3rd, not Friday 31 May.
    expect(next('cron(0 0 1W 6 ? *)', '2030-05-01T00:00:00Z')).toBe('2030-06-03T00:00:00.000Z');
    // 2030-06-15 is a Saturday: 15W is Friday the 14th.
    expect(next('cron(0 0 15W 6 ? *)', '2030-05-01T00:00:00Z')).toBe('2030-06-14T00:00:00.000Z');
  });

  it('finds the last weekday of the month with LW', () => {
    // 2030-06-30 is a Sunday.
    expect(next('cron(0 0 LW 6 ? *)', '2030-06-01T00:00:00Z')).toBe('2030-06-28T00:00:00.000Z');
  });

  it('finds the n-th weekday with #', () => {
    // The second Monday of February 2030 is the 11th.
    expect(next('cron(0 9 ? 2 MON#2 *)', '2030-01-01T00:00:00Z')).toBe('2030-02-11T09:00:00.000Z');
  });

  it('finds the last given weekday with nL', () => {
    // The last Friday (6) of January 2030 is the 25th.
    expect(next('cron(0 9 ? * 6L *)', '2030-01-01T00:00:00Z')).toBe('2030-01-25T09:00:00.000Z');
  });

  it('honours the year field and ends after its last year', () => {
    expect(series('cron(0 0 1 1 ? 2031-2032)', '2030-06-01T00:00:00Z', 3)).toEqual([
      '2031-01-01T00:00:00.000Z',
      '2032-01-01T00:00:00.000Z',
    ]);
  });

  it('reads names of months', () => {
    expect(next('cron(0 0 1 JUL ? *)', '2030-01-01T00:00:00Z')).toBe('2030-07-01T00:00:00.000Z');
  });

  it('skips a day of the month that the month does not have', () => {
    expect(next('cron(0 0 31 * ? *)', '2030-02-01T00:00:00Z')).toBe('2030-03-31T00:00:00.000Z');
  });

  it('reads the fields in the schedule time zone', () => {
    // 09:00 in New York in January is 14:00 UTC.
    expect(
      next('cron(0 9 * * ? *)', '2030-01-15T00:00:00Z', { timeZone: 'America/New_York' }),
    ).toBe('2030-01-15T14:00:00.000Z');
  });

  it('follows the zone across the DST change (09:00 local is 13:00 UTC in summer)', () => {
    // The US springs forward on 10 March 2030.
    expect(
      series('cron(0 9 * * ? *)', '2030-03-09T00:00:00Z', 2, { timeZone: 'America/New_York' }),
    ).toEqual(['2030-03-09T14:00:00.000Z', '2030-03-10T13:00:00.000Z']);
  });

  it('skips a time the clocks jump over in spring', () => {
    // Europe springs forward at 02:00 on 31 March 2030: 02:30 does not happen that day.
    expect(
      series('cron(30 2 * * ? *)', '2030-03-30T00:00:00Z', 2, { timeZone: 'Europe/Paris' }),
    ).toEqual(['2030-03-30T01:30:00.000Z', '2030-04-01T00:30:00.000Z']);
  });

  it('runs a time the clocks repeat in autumn only once', () => {
    // Europe falls back at 03:00 on 27 October 2030: 02:30 happens twice, it runs at the first.
    expect(
      series('cron(30 2 * * ? *)', '2030-10-27T00:00:00Z', 2, { timeZone: 'Europe/Paris' }),
    ).toEqual(['2030-10-27T00:30:00.000Z', '2030-10-28T01:30:00.000Z']);
  });

  it('runs every minute of the repeated hour once, not twice', () => {
    const firings = series('cron(0/30 * * * ? *)', '2030-10-26T23:00:00Z', 6, {
      timeZone: 'Europe/Paris',
    });
    // 01:00, 01:30, 02:00, 02:30 (first pass), then 03:00 local (02:00 UTC).
    expect(firings).toEqual([
      '2030-10-26T23:00:00.000Z',
      '2030-10-26T23:30:00.000Z',
      '2030-10-27T00:00:00.000Z',
      '2030-10-27T00:30:00.000Z',
      '2030-10-27T02:00:00.000Z',
      '2030-10-27T02:30:00.000Z',
    ]);
  });

  it('has no firing left when no date ever matches', () => {
    expect(next('cron(0 0 30 2 ? *)', '2030-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('nextFiring: at', () => {
  it('fires once at the wall time in the schedule time zone', () => {
    expect(
      series('at(2030-07-01T09:30:00)', '2030-01-01T00:00:00Z', 3, { timeZone: 'Asia/Tokyo' }),
    ).toEqual(['2030-07-01T00:30:00.000Z']);
  });

  it('has nothing left once its time has passed', () => {
    expect(next('at(2030-01-01T00:00:00)', '2030-01-01T00:00:01Z')).toBeUndefined();
  });

  it('ignores StartDate and EndDate', () => {
    expect(
      next('at(2030-01-01T12:00:00)', '2030-01-01T00:00:00Z', {
        startDate: utc('2030-02-01T00:00:00Z'),
        endDate: utc('2030-01-01T06:00:00Z'),
      }),
    ).toBe('2030-01-01T12:00:00.000Z');
  });
});

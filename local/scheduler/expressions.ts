import { instantOf, wallTimeAt } from './timeZone.js';
import type { WallTime } from './timeZone.js';

/** Thrown for a schedule expression Scheduler would refuse. */
export class InvalidExpressionError extends Error {
  override name = 'InvalidExpressionError';
}

/** A parsed `rate(value unit)`. */
export interface RateExpression {
  kind: 'rate';
  periodMs: number;
}

/** A parsed `at(yyyy-mm-ddThh:mm:ss)`: a wall time in the schedule's time zone. */
export interface AtExpression {
  kind: 'at';
  wall: WallTime;
}

/** The day-of-month field: `?`, a set of days, `L` (last day), `nW` or `LW` (nearest weekday). */
type DayOfMonth =
  | { kind: 'any' }
  | { kind: 'days'; days: Set<number> }
  | { kind: 'last' }
  | { kind: 'weekday'; day: number | 'last' };

/** The day-of-week field (1 = Sunday): `?`, a set, `nL` (last n of the month), `n#k` (k-th n). */
type DayOfWeek =
  | { kind: 'any' }
  | { kind: 'days'; days: Set<number> }
  | { kind: 'last'; day: number }
  | { kind: 'nth'; day: number; nth: number };

/** A parsed `cron(minutes hours day-of-month month day-of-week year)`. */
export interface CronExpression {
  kind: 'cron';
  minutes: Set<number>;
  hours: Set<number>;
  dayOfMonth: DayOfMonth;
  months: Set<number>;
  dayOfWeek: DayOfWeek;
  years: Set<number>;
}

/** A parsed schedule expression. */
export type ScheduleExpression = RateExpression | AtExpression | CronExpression;

const RATE = /^rate\((\d+) (minutes?|hours?|days?)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
}

const FIELDS = {
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  months: { min: 1, max: 12, names: MONTHS },
  dayOfWeek: { min: 1, max: 7, names: WEEKDAYS },
  years: { min: FIRST_YEAR, max: LAST_YEAR },
} as const satisfies Record<string, FieldSpec>;

/** A number or (for months and weekdays) a three-letter name, within the field's range. */
function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const number = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(number >= spec.min && number <= spec.max)) throw new InvalidExpressionError(text);
  return number;
}

/** A list of `*`, `n`, `a-b` (wrapping past the end, as `FRI-MON`) and `x/step` items. */
function valueSet(text: string, spec: FieldSpec): Set<number> {
  const set = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '')
      throw new InvalidExpressionError(item);
    const step = stepText === undefined ? 1 : value(stepText, { min: 1, max: spec.max });
    let start: number;
    let end: number;
    if (range === '*') {
      [start, end] = [spec.min, spec.max];
    } else if (range.includes('-')) {
      const [from, to, more] = range.split('-');
      if (more !== undefined) throw new InvalidExpressionError(item);
      [start, end] = [value(from!, spec), value(to!, spec)];
    } else {
      start = value(range, spec);
      end = stepText === undefined ? start : spec.max;
    }
    const span = spec.max - spec.min + 1;
    const length = end >= start ? end - start : end + span - start;
    for (let offset = 0; offset <= length; offset += step) {
      set.add(((start - spec.min + offset) % span) + spec.min);
    }
  }
  return set;
}

function dayOfMonthField(text: string): DayOfMonth {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last' };
  if (text === 'LW') return { kind: 'weekday', day: 'last' };
  const weekday = /^(\d{1,2})W$/.exec(text);
  if (weekday) return { kind: 'weekday', day: value(weekday[1]!, FIELDS.dayOfMonth) };
  return { kind: 'days', days: valueSet(text, FIELDS.dayOfMonth) };
}

function dayOfWeekField(text: string): DayOfWeek {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last', day: 7 };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { kind: 'last', day: value(last[1]!, FIELDS.dayOfWeek) };
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth) {
    const which = Number(nth[2]);
    if (which < 1 || which > 5) throw new InvalidExpressionError(text);
    return { kind: 'nth', day: value(nth[1]!, FIELDS.dayOfWeek), nth: which };
  }
  return { kind: 'days', days: valueSet(text, FIELDS.dayOfWeek) };
}

function parseCron(body: string): CronExpression {
  const fields = body.split(' ');
  if (fields.length !== 6 || fields.some((field) => field === ''))
    throw new InvalidExpressionError(body);
  const [minutes, hours, dayOfMonth, months, dayOfWeek, years] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // Scheduler wants exactly one of the two day fields to be `?`.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) throw new InvalidExpressionError(body);
  return {
    kind: 'cron',
    minutes: valueSet(minutes, FIELDS.minutes),
    hours: valueSet(hours, FIELDS.hours),
    dayOfMonth: dayOfMonthField(dayOfMonth),
    months: valueSet(months, FIELDS.months),
    dayOfWeek: dayOfWeekField(dayOfWeek),
    years: valueSet(years, FIELDS.years),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday, as cron counts. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The weekday (Monday to Friday) nearest a day, without leaving its month, as `W` means. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const target = Math.min(day, last);
  const dow = weekday(year, month, target);
  if (dow === 7) return target === 1 ? target + 2 : target - 1;
  if (dow === 1) return target === last ? target - 2 : target + 1;
  return target;
}

function dayMatches(cron: CronExpression, year: number, month: number, day: number): boolean {
  const dom = cron.dayOfMonth;
  const last = daysInMonth(year, month);
  switch (dom.kind) {
    case 'days':
      return dom.days.has(day);
    case 'last':
      return day === last;
    case 'weekday':
      return day === nearestWeekday(year, month, dom.day === 'last' ? last : dom.day);
    case 'any':
      break;
  }
  const dow = cron.dayOfWeek;
  const today = weekday(year, month, day);
  switch (dow.kind) {
    case 'days':
      return dow.days.has(today);
    case 'last':
      return today === dow.day && day + 7 > last;
    case 'nth':
      return today === dow.day && Math.ceil(day / 7) === dow.nth;
    case 'any':
      return true;
  }
}

/**
 * Parses a schedule expression as Scheduler does: `rate(n minute|minutes|hour|hours|day|days)`,
 * six-field `cron(...)` or `at(yyyy-mm-ddThh:mm:ss)`. Throws {@link InvalidExpressionError}.
 */
export function parseExpression(text: string): ScheduleExpression {
  const rate = RATE.exec(text);
  if (rate) {
    const amount = Number(rate[1]);
    if (amount < 1) throw new InvalidExpressionError(text);
    const unit = rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS;
    return { kind: 'rate', periodMs: amount * UNIT_MS[unit] };
  }
  const at = AT.exec(text);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const valid =
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59;
    if (!valid) throw new InvalidExpressionError(text);
    return { kind: 'at', wall: { year, month, day, hour, minute, second } };
  }
  const cron = CRON.exec(text);
  if (cron) return parseCron(cron[1]!);
  throw new InvalidExpressionError(text);
}

/** What a schedule's firings depend on besides its expression. */
export interface FiringWindow {
  /** IANA zone cron and at expressions are read in. */
  timeZone: string;
  /** When a rate schedule counts from: its StartDate, or when it was created or last updated. */
  anchor: number;
  startDate?: number;
  /** Firings happen before this instant, never at or after it. */
  endDate?: number;
}

function nextCron(cron: CronExpression, notBefore: number, zone: string): number | undefined {
  const from = wallTimeAt(notBefore, zone);
  for (let year = Math.max(from.year, FIRST_YEAR); year <= LAST_YEAR; year++) {
    if (!cron.years.has(year)) continue;
    for (let month = 1; month <= 12; month++) {
      if (!cron.months.has(month)) continue;
      if (year === from.year && month < from.month) continue;
      for (let day = 1; day <= daysInMonth(year, month); day++) {
        if (year === from.year && month === from.month && day < from.day) continue;
        if (!dayMatches(cron, year, month, day)) continue;
        const today = year === from.year && month === from.month && day === from.day;
        const earliest = today ? from.hour * 60 + from.minute : 0;
        const found = firstTimeOfDay(cron, { year, month, day }, { notBefore, earliest, zone });
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

/** The day's first matching time at or after `notBefore`; `earliest` (minute of the day) prunes. */
function firstTimeOfDay(
  cron: CronExpression,
  date: { year: number; month: number; day: number },
  bounds: { notBefore: number; earliest: number; zone: string },
): number | undefined {
  const { notBefore, earliest, zone } = bounds;
  const hours = [...cron.hours].sort((a, b) => a - b);
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  for (const hour of hours) {
    for (const minute of minutes) {
      // A wall time before `notBefore`'s own names an earlier instant (its first occurrence).
      if (hour * 60 + minute < earliest) continue;
      const instant = instantOf({ ...date, hour, minute, second: 0 }, zone);
      // A skipped wall time (spring forward) is not run, as Scheduler documents.
      if (instant !== undefined && instant >= notBefore) return instant;
    }
  }
  return undefined;
}

/**
 * The first firing at or after `notBefore` (epoch ms), or undefined when there is none left
 * (a one-time schedule whose time has passed, an end date reached, a cron with no more years).
 */
export function nextFiring(
  expression: ScheduleExpression,
  notBefore: number,
  window: FiringWindow,
): number | undefined {
  const from = Math.max(notBefore, window.startDate ?? notBefore);
  let next: number | undefined;
  switch (expression.kind) {
    case 'rate': {
      const periods = Math.max(0, Math.ceil((from - window.anchor) / expression.periodMs));
      next = window.anchor + periods * expression.periodMs;
      break;
    }
    case 'at': {
      // StartDate and EndDate do not apply to one-time schedules.
      const at = instantOf(expression.wall, window.timeZone);
      return at !== undefined && at >= notBefore ? at : undefined;
    }
    case 'cron':
      next = nextCron(expression, from, window.timeZone);
      break;
  }
  if (next === undefined || (window.endDate !== undefined && next >= window.endDate))
    return undefined;
  return next;
}

/** A wall-clock date and time in some time zone (month 1-12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building them is the slow part of Intl. */
function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** Whether Intl knows an IANA zone name (such as `Europe/Paris` or `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch (error: unknown) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** The wall time at an instant (epoch ms) in a zone. */
export function wallTimeAt(instant: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function utcOf(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** The zone's offset from UTC at an instant, in ms (ahead of UTC is positive). */
function offsetAt(instant: number, zone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return utcOf(wallTimeAt(whole, zone)) - whole;
}

const DAY_MS = 86_400_000;

/**
 * The instant a wall time names in a zone. A time that the clocks skip (spring forward) names no
 * instant: undefined. A time that happens twice (fall back) names its first occurrence, which is
 * how Scheduler runs a cron schedule once, not twice, when the clocks go back.
 */
export function instantOf(wall: WallTime, zone: string): number | undefined {
  const utc = utcOf(wall);
  const candidates = new Set([
    utc - offsetAt(utc - DAY_MS, zone),
    utc - offsetAt(utc + DAY_MS, zone),
    utc - offsetAt(utc, zone),
  ]);
  const matches = [...candidates].filter((instant) => utcOf(wallTimeAt(instant, zone)) === utc);
  return matches.length > 0 ? Math.min(...matches) : undefined;
}

import type { MalformedItem } from './errors.js';
import { typeOf } from './storedItem.js';
import type { StoredItem, StoredValue } from './storedItem.js';

/** Attribute names of a ticker item; `Version` and `RecentEvents` are the tick's bookkeeping. */
export const ATTRIBUTE = {
  name: 'TickerName',
  price: 'Price',
  version: 'Version',
  updatedAt: 'UpdatedAt',
  recentEvents: 'RecentEvents',
} as const;

/**
 * How many recent event ids each ticker remembers. A redelivered event whose id fell out of this
 * window is treated as a fresh tick: it moves the price once more (a new version), nothing is lost
 * or duplicated under the same version. 16 covers a quarter of an hour of one-minute ticks, longer
 * than Lambda's asynchronous retries (about 3 minutes) when the event age limit is 15 minutes.
 */
export const RECENT_EVENTS_WINDOW = 16;

/** One committed change of one ticker: what is delivered, and what a redelivered event replays. */
export interface Change {
  ticker: string;
  price: number;
  previousPrice: number;
  version: number;
  timestamp: string;
  eventId?: string;
}

/** A well-formed ticker item as read from the table. */
export interface Ticker {
  name: string;
  price: number;
  version: number;
  /** Changes made by recent events, by event id. */
  recent: Record<string, Change>;
}

/** The outcome of reading one item: a ticker, or what is wrong with it. */
export type ParsedItem = { ok: true; ticker: Ticker } | { ok: false; malformed: MalformedItem };

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function describeValue(value: StoredValue): string {
  const shown = value.S ?? value.N;
  return `${typeOf(value)}${shown === undefined ? '' : ` ${JSON.stringify(shown)}`}`;
}

type RecentEntry = [
  eventId: string,
  version: number,
  price: number,
  previousPrice: number,
  timestamp: string,
];

function isRecentEntry(entry: unknown): entry is RecentEntry {
  if (!Array.isArray(entry) || entry.length !== 5) return false;
  const [eventId, version, price, previousPrice, timestamp] = entry as unknown[];
  return (
    typeof eventId === 'string' &&
    Number.isSafeInteger(version) &&
    typeof price === 'number' &&
    price > 0 &&
    typeof previousPrice === 'number' &&
    previousPrice > 0 &&
    typeof timestamp === 'string'
  );
}

// The window is one JSON string, not a map of maps: DynamoDB (and dynalite) then validate and
// copy one value per write instead of 16 nested ones, which made each write 60 % dearer.
function parseRecent(
  name: string,
  value: StoredValue | undefined,
): Record<string, Change> | string {
  if (value === undefined) return {};
  const problem = `is ${describeValue(value).slice(0, 80)}; it must be a string (S) holding a JSON list of recent events, or absent`;
  if (value.S === undefined) return problem;
  let entries: unknown;
  try {
    entries = JSON.parse(value.S);
  } catch {
    return problem;
  }
  if (!Array.isArray(entries)) return problem;
  const recent: Record<string, Change> = {};
  // A damaged entry only costs its event's idempotency; it is dropped at the next write.
  for (const entry of entries.filter(isRecentEntry)) {
    const [eventId, version, price, previousPrice, timestamp] = entry;
    recent[eventId] = { ticker: name, price, previousPrice, version, timestamp, eventId };
  }
  return recent;
}

/** Reads one ticker item, naming the attribute that is wrong when it cannot be ticked. */
export function parseTickerItem(item: StoredItem): ParsedItem {
  const nameValue = item[ATTRIBUTE.name];
  const name = nameValue?.S;
  if (name === undefined) {
    const ticker = nameValue?.N ?? JSON.stringify(nameValue ?? null);
    return {
      ok: false,
      malformed: {
        ticker,
        attribute: ATTRIBUTE.name,
        problem: `is ${nameValue ? typeOf(nameValue) : 'missing'}; it must be a string (S)`,
      },
    };
  }
  const bad = (attribute: string, problem: string): ParsedItem => ({
    ok: false,
    malformed: { ticker: name, attribute, problem },
  });

  const priceValue = item[ATTRIBUTE.price];
  if (priceValue === undefined)
    return bad(ATTRIBUTE.price, 'is missing; it must be a number (N) greater than 0');
  if (priceValue.N === undefined || !NUMBER.test(priceValue.N)) {
    return bad(
      ATTRIBUTE.price,
      `is ${describeValue(priceValue)}; it must be a number (N) greater than 0`,
    );
  }
  const price = Number(priceValue.N);
  if (!(price > 0) || !Number.isFinite(price)) {
    return bad(ATTRIBUTE.price, `is ${priceValue.N}; it must be greater than 0`);
  }

  const versionValue = item[ATTRIBUTE.version];
  let version = 0;
  if (versionValue !== undefined) {
    version = Number(versionValue.N);
    if (versionValue.N === undefined || !Number.isSafeInteger(version) || version < 0) {
      return bad(
        ATTRIBUTE.version,
        `is ${describeValue(versionValue)}; it must be a whole number (N) of 0 or more, or absent`,
      );
    }
  }

  const recent = parseRecent(name, item[ATTRIBUTE.recentEvents]);
  if (typeof recent === 'string') return bad(ATTRIBUTE.recentEvents, recent);
  return { ok: true, ticker: { name, price, version, recent } };
}

/** A conditional UpdateItem request, without the table name (the adapter adds it). */
export interface TickerUpdate {
  Key: StoredItem;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: StoredItem;
}

function recentEntry(change: Change): RecentEntry {
  return [
    change.eventId ?? '',
    change.version,
    change.price,
    change.previousPrice,
    change.timestamp,
  ];
}

/** The most recent `window` changes by version, with `change` among them. */
export function keepRecent(
  recent: Record<string, Change>,
  eventId: string,
  change: Change,
  window = RECENT_EVENTS_WINDOW,
): Record<string, Change> {
  const entries = Object.entries({ ...recent, [eventId]: change })
    .sort(([, a], [, b]) => b.version - a.version)
    .slice(0, window);
  return Object.fromEntries(entries);
}

/**
 * The write that commits `change` only if the ticker still has the version that was read, so two
 * overlapping ticks never both write the same version (the loser re-reads and moves again). The
 * whole `RecentEvents` list is replaced: the version condition guarantees it is the one read.
 */
export function commitRequest(
  ticker: Ticker,
  change: Change,
  window = RECENT_EVENTS_WINDOW,
): TickerUpdate {
  const names: Record<string, string> = {
    '#name': ATTRIBUTE.name,
    '#price': ATTRIBUTE.price,
    '#version': ATTRIBUTE.version,
    '#updatedAt': ATTRIBUTE.updatedAt,
  };
  const values: StoredItem = {
    ':price': { N: String(change.price) },
    ':version': { N: String(change.version) },
    ':expected': { N: String(ticker.version) },
    ':updatedAt': { S: change.timestamp },
  };
  const sets = ['#price = :price', '#version = :version', '#updatedAt = :updatedAt'];
  if (change.eventId !== undefined) {
    names['#recent'] = ATTRIBUTE.recentEvents;
    const recent = keepRecent(ticker.recent, change.eventId, change, window);
    values[':recent'] = {
      S: JSON.stringify(
        Object.entries(recent).map(([id, kept]) => recentEntry({ ...kept, eventId: id })),
      ),
    };
    sets.push('#recent = :recent');
  }
  // An item without Version is at version 0; `attribute_exists(#name)` stops a write from
  // re-creating a ticker deleted since the scan.
  const versionMatches =
    ticker.version === 0
      ? '(attribute_not_exists(#version) OR #version = :expected)'
      : '#version = :expected';
  return {
    Key: { [ATTRIBUTE.name]: { S: ticker.name } },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: `attribute_exists(#name) AND ${versionMatches}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

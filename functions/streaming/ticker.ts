import { createHash } from 'node:crypto';
import { hasAtMostTwoDecimals, MAX_PRICE } from '../../lib/config/limits.js';
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
 * How many recent events each ticker remembers. A redelivered event that fell out of this window
 * is treated as a fresh tick: it moves the price once more (a new version), nothing is lost or
 * duplicated under the same version. 16 covers 16 minutes of one-minute ticks, more than the
 * template's 10-minute event age limit (cloudformation/pipeline.yaml, StreamingFunctionInvokeConfig).
 */
export const RECENT_EVENTS_WINDOW = 16;

/** One committed change of one ticker: what is delivered, and what a redelivered event replays. */
export interface Change {
  ticker: string;
  price: number;
  previousPrice: number;
  version: number;
  /** When it was made, as `Date.toISOString()` writes it. */
  timestamp: string;
  eventId?: string;
}

/** What a ticker remembers of a change made by an event: all a redelivery needs to replay it. */
export type RecentChange = Pick<Change, 'price' | 'previousPrice' | 'version' | 'timestamp'>;

/** Length of an {@link eventKey}: 72 bits, base64url. */
export const EVENT_KEY_LENGTH = 12;

/**
 * The short key under which a ticker remembers an event: the first 72 bits of the id's SHA-256.
 * Event ids can be 256 characters; 16 of them would not fit a 1 KB item. Two different ids of one
 * ticker's window share a key with odds of 1 in 2^72 (about 4 × 10^21) a comparison.
 */
export function eventKey(eventId: string): string {
  return createHash('sha256').update(eventId).digest().subarray(0, 9).toString('base64url');
}

/** A well-formed ticker item as read from the table. */
export interface Ticker {
  name: string;
  price: number;
  version: number;
  /** Changes made by recent events, by {@link eventKey} of their event id. */
  recent: Record<string, RecentChange>;
}

/** The outcome of reading one item: a ticker, or what is wrong with it. */
export type ParsedItem = { ok: true; ticker: Ticker } | { ok: false; malformed: MalformedItem };

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function describeValue(value: StoredValue): string {
  const shown = value.S ?? value.N;
  return `${typeOf(value)}${shown === undefined ? '' : ` ${JSON.stringify(shown)}`}`;
}

/**
 * The recent events are one string of entries separated by spaces, newest first; each entry is
 * the event's key followed by version, price, previous price and time (milliseconds since 1970),
 * comma-separated and in base 36, prices in cents: `KEY` + `version,cents,cents,ms`. A price that
 * is not whole cents (a hand-seeded previous price) is written as `=` and the number. A full
 * window of 16 takes about 540 bytes (840 at the largest values), where the earlier JSON list of
 * full ids and ISO times took about 1.4 KB and so made every write cost two write units.
 */
const ENTRY = /^[A-Za-z0-9_-]{12}[^ ,]+(,[^ ,]+){3}$/;
const BASE36 = /^-?[0-9a-z]{1,12}$/;

function encodePrice(price: number): string {
  return hasAtMostTwoDecimals(price) ? Math.round(price * 100).toString(36) : `=${price}`;
}

function decodePrice(text: string): number | undefined {
  const price = text.startsWith('=')
    ? Number(text.slice(1))
    : BASE36.test(text)
      ? Number.parseInt(text, 36) / 100
      : NaN;
  return price > 0 && Number.isFinite(price) ? price : undefined;
}

function decodeInteger(text: string): number | undefined {
  const value = BASE36.test(text) ? Number.parseInt(text, 36) : NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A time as milliseconds, or `undefined` when its ISO form would not come back the same. */
function timestampMs(timestamp: string): number | undefined {
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) && new Date(ms).toISOString() === timestamp ? ms : undefined;
}

function encodeEntry(key: string, change: RecentChange): string[] {
  const ms = timestampMs(change.timestamp);
  // Every change the tick makes has a time from Date.toISOString(); one that could not be
  // replayed exactly is left out rather than replayed wrong.
  if (ms === undefined) return [];
  return [
    `${key}${[
      change.version.toString(36),
      encodePrice(change.price),
      encodePrice(change.previousPrice),
      ms.toString(36),
    ].join(',')}`,
  ];
}

function decodeEntry(entry: string): [string, RecentChange] | undefined {
  const [versionText, priceText, previousText, msText] = entry.slice(EVENT_KEY_LENGTH).split(',');
  const version = decodeInteger(versionText!);
  const price = decodePrice(priceText!);
  const previousPrice = decodePrice(previousText!);
  const ms = decodeInteger(msText!);
  if (version === undefined || version < 1 || !price || !previousPrice || ms === undefined)
    return undefined;
  const time = new Date(ms);
  if (Number.isNaN(time.getTime())) return undefined;
  const change = { version, price, previousPrice, timestamp: time.toISOString() };
  return [entry.slice(0, EVENT_KEY_LENGTH), change];
}

/** An entry of the earlier format: `[eventId, version, price, previousPrice, timestamp]`. */
function decodeLegacyEntry(entry: unknown): [string, RecentChange] | undefined {
  if (!Array.isArray(entry) || entry.length !== 5) return undefined;
  const [eventId, version, price, previousPrice, timestamp] = entry as unknown[];
  if (
    typeof eventId !== 'string' ||
    !Number.isSafeInteger(version) ||
    typeof price !== 'number' ||
    !(price > 0) ||
    typeof previousPrice !== 'number' ||
    !(previousPrice > 0) ||
    typeof timestamp !== 'string' ||
    // Only a time that survives the new format keeps its entry; every one this code wrote does.
    timestampMs(timestamp) === undefined
  )
    return undefined;
  return [eventKey(eventId), { version: version as number, price, previousPrice, timestamp }];
}

// The window is one string, not a map of maps: DynamoDB (and dynalite) then validate and copy one
// value per write instead of 16 nested ones, which made each write 60 % dearer.
function parseRecent(value: StoredValue | undefined): Record<string, RecentChange> | string {
  if (value === undefined) return {};
  const problem =
    `is ${describeValue(value).slice(0, 80)}; it must be a string (S) of recent events ` +
    '(space-separated entries, or the JSON list of earlier versions), or absent';
  if (value.S === undefined) return problem;
  let decoded: ([string, RecentChange] | undefined)[];
  if (value.S.startsWith('[')) {
    // Written by an earlier version of this function: read it, and the next write converts it.
    let entries: unknown;
    try {
      entries = JSON.parse(value.S);
    } catch {
      return problem;
    }
    if (!Array.isArray(entries)) return problem;
    decoded = entries.map(decodeLegacyEntry);
  } else {
    const entries = value.S === '' ? [] : value.S.split(' ');
    if (!entries.every((entry) => ENTRY.test(entry))) return problem;
    decoded = entries.map(decodeEntry);
  }
  // A damaged entry only costs its event's idempotency; it is dropped at the next write.
  return Object.fromEntries(decoded.filter((entry) => entry !== undefined));
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
  if (price > MAX_PRICE) {
    return bad(
      ATTRIBUTE.price,
      `is ${priceValue.N}; it must be at most ${MAX_PRICE} (prices are kept exactly in whole cents up to that)`,
    );
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

  const recent = parseRecent(item[ATTRIBUTE.recentEvents]);
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

/** The most recent `window` changes by version, with `change` among them. */
export function keepRecent(
  recent: Record<string, RecentChange>,
  key: string,
  change: RecentChange,
  window = RECENT_EVENTS_WINDOW,
): Record<string, RecentChange> {
  const entries = Object.entries({ ...recent, [key]: change })
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
    const recent = keepRecent(ticker.recent, eventKey(change.eventId), change, window);
    values[':recent'] = {
      S: Object.entries(recent)
        .flatMap(([key, kept]) => encodeEntry(key, kept))
        .join(' '),
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

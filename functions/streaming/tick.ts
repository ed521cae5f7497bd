import { deliver, changeLine, packRecords } from './delivery.js';
import type { DeliveryOptions, RecordSink } from './delivery.js';
import { DeliveryError, MalformedItemsError, TickFailedError, TickerWriteError } from './errors.js';
import type { MalformedItem } from './errors.js';
import { movePriceCents, toCents } from './priceWalk.js';
import type { StoredItem } from './storedItem.js';
import {
  ATTRIBUTE,
  commitRequest,
  eventKey,
  parseTickerItem,
  RECENT_EVENTS_WINDOW,
} from './ticker.js';
import type { Change, Ticker, TickerUpdate } from './ticker.js';

/** The ticker table as the tick needs it; the handler backs it with DynamoDB. */
export interface TickerTable {
  /** One page of a strongly consistent Scan. */
  scanPage(startKey?: StoredItem): Promise<{ items: StoredItem[]; lastKey?: StoredItem }>;
  /** A strongly consistent read of one item, `undefined` when it no longer exists. */
  getItem(key: StoredItem): Promise<StoredItem | undefined>;
  /** A conditional write: `conflict` when its condition failed because someone else wrote first. */
  update(request: TickerUpdate): Promise<'updated' | 'conflict'>;
}

/** Everything one tick needs; all but the two ports have defaults. */
export interface TickOptions {
  table: TickerTable;
  sink: RecordSink;
  /** The event id that makes the tick idempotent; absent for a fresh tick. */
  eventId?: string;
  now?: () => Date;
  random?: () => number;
  /** UpdateItem calls in flight at once (default 32, within the SDK's 50 sockets). */
  concurrency?: number;
  /** Writes tried per ticker before giving up on overlapping writers (default 25). */
  maxWriteAttempts?: number;
  recentEventsWindow?: number;
  delivery?: DeliveryOptions;
}

/** What one tick did, for the function's log line and its return value. */
export interface TickSummary {
  eventId: string | null;
  tickers: number;
  /** Changes written by this tick. */
  committed: number;
  /** Changes an earlier delivery of the same event had written, delivered again. */
  replayed: number;
  /** Writes lost to an overlapping tick and retried. */
  conflicts: number;
  records: number;
  billingUnits: number;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapConcurrent<Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reads every item, following Scan's pages. */
export async function scanAll(table: TickerTable): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let startKey: StoredItem | undefined;
  do {
    const page = await table.scanPage(startKey);
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return items;
}

type Outcome =
  | { kind: 'committed' | 'replayed'; change: Change; conflicts: number }
  | { kind: 'gone'; conflicts: number }
  | { kind: 'malformed'; malformed: MalformedItem; conflicts: number }
  | { kind: 'failed'; error: Error; conflicts: number };

async function tickOne(
  start: Ticker,
  options: Required<Omit<TickOptions, 'eventId' | 'delivery'>> & {
    eventId?: string;
    eventKey?: string;
  },
): Promise<Outcome> {
  let ticker = start;
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    const recorded = options.eventKey === undefined ? undefined : ticker.recent[options.eventKey];
    if (recorded) {
      const change = { ticker: ticker.name, ...recorded, eventId: options.eventId };
      return { kind: 'replayed', change, conflicts };
    }
    const cents = movePriceCents(toCents(ticker.price), options.random);
    const change: Change = {
      ticker: ticker.name,
      price: cents / 100,
      previousPrice: ticker.price,
      version: ticker.version + 1,
      timestamp: options.now().toISOString(),
      ...(options.eventId === undefined ? {} : { eventId: options.eventId }),
    };
    try {
      const result = await options.table.update(
        commitRequest(ticker, change, options.recentEventsWindow),
      );
      if (result === 'updated') return { kind: 'committed', change, conflicts };
      conflicts++;
      if (attempt >= options.maxWriteAttempts) {
        const error = new TickerWriteError(
          ticker.name,
          `lost ${attempt} writes in a row to overlapping invocations; its price was left unchanged`,
        );
        return { kind: 'failed', error, conflicts };
      }
      // Someone else wrote this ticker since it was read: start again from what they wrote.
      const fresh = await options.table.getItem({ [ATTRIBUTE.name]: { S: ticker.name } });
      if (!fresh) return { kind: 'gone', conflicts };
      const parsed = parseTickerItem(fresh);
      if (!parsed.ok) return { kind: 'malformed', malformed: parsed.malformed, conflicts };
      ticker = parsed.ticker;
    } catch (error: unknown) {
      const cause = error instanceof Error ? error : new Error(String(error));
      return {
        kind: 'failed',
        error: new TickerWriteError(
          ticker.name,
          `could not be written: ${cause.name}: ${cause.message}`,
          { cause },
        ),
        conflicts,
      };
    }
  }
}

/**
 * One tick: read every ticker, commit a random move of each with a conditional write (or, for an
 * event seen before, take the change it already made), then deliver every change to Firehose.
 * Sequential round trips: the Scan pages, one wave of writes, one PutRecordBatch per 4 MiB.
 * Malformed items and failed writes do not stop the other tickers; they fail the tick at the end.
 */
export async function runTick(options: TickOptions): Promise<TickSummary> {
  const settings = {
    table: options.table,
    sink: options.sink,
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    concurrency: options.concurrency ?? 32,
    maxWriteAttempts: options.maxWriteAttempts ?? 25,
    recentEventsWindow: options.recentEventsWindow ?? RECENT_EVENTS_WINDOW,
    ...(options.eventId === undefined
      ? {}
      : { eventId: options.eventId, eventKey: eventKey(options.eventId) }),
  };
  const parsed = (await scanAll(options.table)).map(parseTickerItem);
  const tickers = parsed.flatMap((item) => (item.ok ? [item.ticker] : []));
  const malformed = parsed.flatMap((item) => (item.ok ? [] : [item.malformed]));

  const outcomes = await mapConcurrent(tickers, settings.concurrency, (ticker) =>
    tickOne(ticker, settings),
  );
  const changes: Change[] = [];
  const failures: Error[] = [];
  let committed = 0;
  let replayed = 0;
  let conflicts = 0;
  for (const outcome of outcomes) {
    conflicts += outcome.conflicts;
    if (outcome.kind === 'committed' || outcome.kind === 'replayed') {
      changes.push(outcome.change);
      if (outcome.kind === 'committed') committed++;
      else replayed++;
    } else if (outcome.kind === 'malformed') malformed.push(outcome.malformed);
    else if (outcome.kind === 'failed') failures.push(outcome.error);
  }
  changes.sort((a, b) =>
    a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : a.version - b.version,
  );

  const records = packRecords(changes.map(changeLine));
  let billing = 0;
  try {
    billing = (await deliver(options.sink, records, options.delivery)).billingUnits;
  } catch (error: unknown) {
    if (!(error instanceof DeliveryError)) throw error;
    const hint =
      options.eventId === undefined
        ? 'this tick had no event id, so only the table keeps them (their latest prices)'
        : `they are recorded on their tickers: a retry of event ${JSON.stringify(options.eventId)} re-delivers them`;
    failures.push(
      new DeliveryError(error.undeliveredLines, error.errorCodes, { cause: error, hint }),
    );
  }
  if (malformed.length > 0) failures.unshift(new MalformedItemsError(malformed));
  const [only] = failures;
  if (failures.length === 1 && only) throw only;
  if (failures.length > 1) throw new TickFailedError(failures);
  return {
    eventId: options.eventId ?? null,
    tickers: parsed.length,
    committed,
    replayed,
    conflicts,
    records: records.length,
    billingUnits: billing,
  };
}

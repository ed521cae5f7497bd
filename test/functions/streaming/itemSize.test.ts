import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PRICE_CENTS, MAX_TICKER_NAME_BYTES } from '../../../lib/config/limits.js';
import { readTemplate } from '../../../lib/templates/parse.js';
import { TICK_ASSUMPTIONS } from '../../../lib/templates/cost.js';
import { itemSize } from '../../../functions/streaming/storedItem.js';
import type { StoredItem } from '../../../functions/streaming/storedItem.js';
import {
  commitRequest,
  parseTickerItem,
  RECENT_EVENTS_WINDOW,
} from '../../../functions/streaming/ticker.js';
import type { Ticker, TickerUpdate } from '../../../functions/streaming/ticker.js';

/** The item a commit leaves behind: its key and every attribute the write sets. */
function itemAfter(request: TickerUpdate): StoredItem {
  const values = request.ExpressionAttributeValues;
  return {
    ...request.Key,
    Price: values[':price']!,
    Version: values[':version']!,
    UpdatedAt: values[':updatedAt']!,
    RecentEvents: values[':recent']!,
  };
}

interface Run {
  /** Price in cents after the i-th change (1-based). */
  cents: (i: number) => number;
  eventId: (i: number) => string;
  startMs: number;
  stepMs: number;
}

/** Commits a full window of changes made by events, as the tick does, and returns the item. */
function fullWindow(start: Ticker, run: Run): StoredItem {
  let ticker = start;
  let item: StoredItem = {};
  for (let i = 1; i <= RECENT_EVENTS_WINDOW; i++) {
    const change = {
      ticker: ticker.name,
      price: run.cents(i) / 100,
      previousPrice: ticker.price,
      version: ticker.version + 1,
      timestamp: new Date(run.startMs + i * run.stepMs).toISOString(),
      eventId: run.eventId(i),
    };
    item = itemAfter(commitRequest(ticker, change));
    const parsed = parseTickerItem(item);
    if (!parsed.ok) throw new Error(parsed.malformed.problem);
    ticker = parsed.ticker;
  }
  expect(Object.keys(ticker.recent)).toHaveLength(RECENT_EVENTS_WINDOW);
  return item;
}

/**
 * The largest item the function writes: the longest name allowed (4-byte characters), prices a
 * cent under the highest, a hand-seeded previous price that is not whole cents, versions near
 * the largest safe integer, 256-character event ids and times late this century.
 */
function largestItem(): StoredItem {
  const name = '💹'.repeat(MAX_TICKER_NAME_BYTES / 4);
  expect(Buffer.byteLength(name, 'utf8')).toBe(MAX_TICKER_NAME_BYTES);
  const start = {
    name,
    price: 123_456_789.123456,
    version: Number.MAX_SAFE_INTEGER - 100,
    recent: {},
  };
  return fullWindow(start, {
    cents: (i) => MAX_PRICE_CENTS - 1 - i,
    eventId: (i) => `${i}`.padStart(256, 'e'),
    startMs: Date.UTC(2099, 11, 31),
    stepMs: 24 * 60 * 60 * 1000,
  });
}

/** A tutorial ticker a year into one-minute ticks, with execution ids as event ids. */
function typicalItem(): StoredItem {
  const start = { name: 'Index_1', price: 100, version: 525_600, recent: {} };
  return fullWindow(start, {
    cents: (i) => 10_000 + i * 37,
    eventId: (i) => `0b0e8f3c-6f0e-4d3a-9c1e-${String(i).padStart(12, '0')}`,
    startMs: Date.UTC(2026, 10, 28, 17, 0, 0, 123),
    stepMs: 60_000,
  });
}

describe('itemSize', () => {
  it('counts attribute names and strings in UTF-8 bytes', () => {
    expect(itemSize({ Name: { S: 'Index_1' } })).toBe(4 + 7);
    expect(itemSize({ Name: { S: 'é💹' } })).toBe(4 + 2 + 4);
  });

  it('counts numbers in base-100 digits aligned on the decimal point, plus one byte', () => {
    expect(itemSize({ N: { N: '12' } })).toBe(1 + 2);
    expect(itemSize({ N: { N: '1.2' } })).toBe(1 + 3);
    expect(itemSize({ N: { N: '100.42' } })).toBe(1 + 4);
    expect(itemSize({ N: { N: '0' } })).toBe(1 + 1);
    expect(itemSize({ N: { N: '-5' } })).toBe(1 + 3);
    expect(itemSize({ N: { N: '999999999.99' } })).toBe(1 + 7);
  });
});

describe('a ticker item', () => {
  it('stays under 1 KB, one write unit, at its largest: longest name, full window, highest price', () => {
    expect(itemSize(largestItem())).toBeLessThan(1024);
  });

  it('is within what the cost estimate assumes when full', () => {
    expect(itemSize(typicalItem())).toBeLessThanOrEqual(TICK_ASSUMPTIONS.itemBytes);
    expect(Math.ceil(TICK_ASSUMPTIONS.itemBytes / 1024)).toBe(1);
  });
});

describe('the recent-events window against the template', () => {
  let invokeConfig: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  let minScheduleMinutes: number;
  beforeAll(async () => {
    const template = await readTemplate('cloudformation/pipeline.yaml');
    const body = template.body as unknown as {
      Resources: Record<string, { Properties: typeof invokeConfig }>;
      Parameters: Record<string, { MinValue: number }>;
    };
    invokeConfig = body.Resources.StreamingFunctionInvokeConfig!.Properties;
    minScheduleMinutes = body.Parameters.ScheduleMinutes!.MinValue;
  });

  it('remembers an event for longer than Lambda may hold it for a retry', () => {
    // Each schedule period adds at most one event to a ticker's window, and a retry comes at most
    // MaximumEventAgeInSeconds after its event: the event must still be in the window then.
    const rememberedSeconds = RECENT_EVENTS_WINDOW * minScheduleMinutes * 60;
    expect(rememberedSeconds).toBeGreaterThan(invokeConfig.MaximumEventAgeInSeconds);
    expect(invokeConfig.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
  });
});

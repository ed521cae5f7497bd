import { describe, expect, it } from 'vitest';
import type { StoredItem, StoredValue } from '../../../functions/streaming/storedItem.js';
import {
  commitRequest,
  eventKey,
  keepRecent,
  parseTickerItem,
  RECENT_EVENTS_WINDOW,
} from '../../../functions/streaming/ticker.js';
import type { Change, Ticker } from '../../../functions/streaming/ticker.js';

function change(version: number, eventId?: string): Change {
  return {
    ticker: 'Index_1',
    price: 100 + version / 100,
    previousPrice: 100,
    version,
    timestamp: '2026-11-26T06:00:00.000Z',
    ...(eventId ? { eventId } : {}),
  };
}

function ticker0(): Ticker {
  return { name: 'Index_1', price: 100, version: 0, recent: {} };
}

/** The recent events a written RecentEvents value reads back as. */
function recentOf(value: StoredValue) {
  const parsed = parseTickerItem({
    TickerName: { S: 'Index_1' },
    Price: { N: '1' },
    RecentEvents: value,
  });
  if (!parsed.ok) throw new Error(parsed.malformed.problem);
  return parsed.ticker.recent;
}

function problemOf(item: StoredItem) {
  const parsed = parseTickerItem(item);
  if (parsed.ok) throw new Error('expected a malformed item');
  return parsed.malformed;
}

describe('parseTickerItem', () => {
  it('reads the tutorial item: no Version means version 0', () => {
    const parsed = parseTickerItem({ TickerName: { S: 'Index_1' }, Price: { N: '100' } });
    expect(parsed).toEqual({
      ok: true,
      ticker: { name: 'Index_1', price: 100, version: 0, recent: {} },
    });
  });

  it('reads an item written in the earlier JSON format, dropping a damaged entry', () => {
    // Prepare
    const item: StoredItem = {
      TickerName: { S: 'Index_1' },
      Price: { N: '100.42' },
      Version: { N: '17' },
      RecentEvents: { S: '[["event-a",17,100.42,100,"2026-11-26T06:00:00.000Z"],["broken",1]]' },
    };
    // Act
    const parsed = parseTickerItem(item);
    // Assess
    expect(parsed.ok && parsed.ticker.version).toBe(17);
    expect(parsed.ok && parsed.ticker.recent).toEqual({
      [eventKey('event-a')]: {
        price: 100.42,
        previousPrice: 100,
        version: 17,
        timestamp: '2026-11-26T06:00:00.000Z',
      },
    });
  });

  it('reads back exactly the changes it wrote, a hand-seeded previous price included', () => {
    // Prepare
    const seeded: Ticker = { name: 'Index_1', price: 100.123, version: 3, recent: {} };
    const first = { ...change(4, 'event-a'), previousPrice: 100.123, price: 100.13 };
    const written = commitRequest(seeded, first).ExpressionAttributeValues[':recent']!;
    const ticker = { ...seeded, version: 4, price: 100.13, recent: recentOf(written) };
    const second = {
      ...change(5, 'event-b'),
      previousPrice: 100.13,
      timestamp: '2026-11-26T06:01:00.007Z',
    };
    // Act
    const recent = recentOf(commitRequest(ticker, second).ExpressionAttributeValues[':recent']!);
    // Assess
    const kept = ({ price, previousPrice, version, timestamp }: Change) => ({
      price,
      previousPrice,
      version,
      timestamp,
    });
    expect(recent).toEqual({
      [eventKey('event-a')]: kept(first),
      [eventKey('event-b')]: kept(second),
    });
  });

  it('drops a damaged entry of the compact format and keeps the others', () => {
    const good = commitRequest(ticker0(), change(1, 'event-a')).ExpressionAttributeValues[
      ':recent'
    ]!.S!;
    const damaged = `${'x'.repeat(12)}1,zz,=abc,0`;
    expect(Object.keys(recentOf({ S: `${good} ${damaged}` }))).toEqual([eventKey('event-a')]);
  });

  it('names the ticker and Price when the price is missing', () => {
    expect(problemOf({ TickerName: { S: 'Index_2' } })).toEqual({
      ticker: 'Index_2',
      attribute: 'Price',
      problem: 'is missing; it must be a number (N) greater than 0',
    });
  });

  it('names a price stored as a string', () => {
    expect(problemOf({ TickerName: { S: 'Index_3' }, Price: { S: 'abc' } })).toMatchObject({
      ticker: 'Index_3',
      attribute: 'Price',
      problem: 'is a string (S) "abc"; it must be a number (N) greater than 0',
    });
  });

  it('names a price that is not positive', () => {
    expect(problemOf({ TickerName: { S: 'Index_4' }, Price: { N: '0' } }).problem).toBe(
      'is 0; it must be greater than 0',
    );
    expect(problemOf({ TickerName: { S: 'Index_4' }, Price: { N: '-3.5' } }).problem).toBe(
      'is -3.5; it must be greater than 0',
    );
  });

  it('names a broken Version', () => {
    expect(
      problemOf({ TickerName: { S: 'Index_5' }, Price: { N: '1' }, Version: { N: '1.5' } }),
    ).toMatchObject({ ticker: 'Index_5', attribute: 'Version' });
    expect(
      problemOf({ TickerName: { S: 'Index_5' }, Price: { N: '1' }, Version: { S: '2' } }),
    ).toMatchObject({ attribute: 'Version', problem: expect.stringContaining('a string (S) "2"') });
  });

  it('names a price above the highest the function keeps in cents', () => {
    expect(problemOf({ TickerName: { S: 'Huge' }, Price: { N: '1e300' } })).toEqual({
      ticker: 'Huge',
      attribute: 'Price',
      problem:
        'is 1e300; it must be at most 1000000000 (prices are kept exactly in whole cents up to that)',
    });
  });

  it('names a RecentEvents attribute that is not a string of recent events', () => {
    for (const value of [{ L: [] }, { S: 'not json' }, { S: '{}' }, { S: '[oops' }]) {
      expect(
        problemOf({ TickerName: { S: 'Index_5' }, Price: { N: '1' }, RecentEvents: value }),
      ).toMatchObject({
        attribute: 'RecentEvents',
        problem: expect.stringContaining('it must be a string (S) of recent events'),
      });
    }
  });
});

describe('keepRecent', () => {
  it('keeps the newest changes up to the window', () => {
    // Prepare
    const recent = Object.fromEntries(
      Array.from({ length: RECENT_EVENTS_WINDOW }, (_, index) => [
        `e${index + 1}`,
        change(index + 1),
      ]),
    );
    // Act
    const kept = keepRecent(recent, 'new', change(RECENT_EVENTS_WINDOW + 1, 'new'));
    // Assess
    expect(Object.keys(kept)).toHaveLength(RECENT_EVENTS_WINDOW);
    expect(kept).toHaveProperty('new');
    expect(kept).not.toHaveProperty('e1');
  });
});

describe('commitRequest', () => {
  const ticker: Ticker = { name: 'Index_1', price: 100, version: 0, recent: {} };

  it('requires the item to exist without a Version (or at 0) for the first change', () => {
    const request = commitRequest(ticker, change(1));
    expect(request.ConditionExpression).toBe(
      'attribute_exists(#name) AND (attribute_not_exists(#version) OR #version = :expected)',
    );
    expect(request.ExpressionAttributeValues[':expected']).toEqual({ N: '0' });
    expect(request.ExpressionAttributeValues[':version']).toEqual({ N: '1' });
  });

  it('requires the version that was read for later changes', () => {
    const request = commitRequest({ ...ticker, version: 16 }, change(17));
    expect(request.ConditionExpression).toBe('attribute_exists(#name) AND #version = :expected');
    expect(request.ExpressionAttributeValues[':expected']).toEqual({ N: '16' });
  });

  it('records the change under the key of its event id: version, cents and time in base 36', () => {
    const request = commitRequest(ticker, change(1, 'event-a'));
    expect(request.UpdateExpression).toContain('#recent = :recent');
    const ms = Date.parse('2026-11-26T06:00:00.000Z');
    expect(request.ExpressionAttributeValues[':recent']).toEqual({
      S: `${eventKey('event-a')}1,${(10_001).toString(36)},${(10_000).toString(36)},${ms.toString(36)}`,
    });
  });

  it('rewrites a window read in the earlier format in the compact one', () => {
    const parsed = parseTickerItem({
      TickerName: { S: 'Index_1' },
      Price: { N: '100.01' },
      Version: { N: '1' },
      RecentEvents: { S: '[["event-a",1,100.01,100,"2026-11-26T06:00:00.000Z"]]' },
    });
    if (!parsed.ok) throw new Error('expected a ticker');
    const written = commitRequest(parsed.ticker, change(2, 'event-b')).ExpressionAttributeValues[
      ':recent'
    ]!;
    expect(written.S).not.toContain('[');
    expect(Object.keys(recentOf(written)).sort()).toEqual(
      [eventKey('event-a'), eventKey('event-b')].sort(),
    );
  });

  it('leaves RecentEvents alone for a tick without an event id', () => {
    const request = commitRequest(ticker, change(1));
    expect(request.UpdateExpression).not.toContain('#recent');
    expect(request.ExpressionAttributeNames).not.toHaveProperty('#recent');
  });
});

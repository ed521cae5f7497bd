import { describe, expect, it } from 'vitest';
import type { StoredItem } from '../../../functions/streaming/storedItem.js';
import {
  commitRequest,
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

  it('reads the version and the recent events, dropping a damaged entry', () => {
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
    expect(parsed.ok && Object.keys(parsed.ticker.recent)).toEqual(['event-a']);
    expect(parsed.ok && parsed.ticker.recent['event-a']).toEqual({
      ticker: 'Index_1',
      price: 100.42,
      previousPrice: 100,
      version: 17,
      timestamp: '2026-11-26T06:00:00.000Z',
      eventId: 'event-a',
    });
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

  it('names a RecentEvents attribute that is not a JSON list in a string', () => {
    for (const value of [{ L: [] }, { S: 'not json' }, { S: '{}' }]) {
      expect(
        problemOf({ TickerName: { S: 'Index_5' }, Price: { N: '1' }, RecentEvents: value }),
      ).toMatchObject({ attribute: 'RecentEvents', problem: expect.stringContaining('JSON list') });
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

  it('records the change under its event id', () => {
    const request = commitRequest(ticker, change(1, 'event-a'));
    expect(request.UpdateExpression).toContain('#recent = :recent');
    expect(request.ExpressionAttributeValues[':recent']).toEqual({
      S: '[["event-a",1,100.01,100,"2026-11-26T06:00:00.000Z"]]',
    });
  });

  it('leaves RecentEvents alone for a tick without an event id', () => {
    const request = commitRequest(ticker, change(1));
    expect(request.UpdateExpression).not.toContain('#recent');
    expect(request.ExpressionAttributeNames).not.toHaveProperty('#recent');
  });
});

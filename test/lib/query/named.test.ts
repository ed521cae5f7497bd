import { describe, expect, it } from 'vitest';
import { NAMED_QUERIES, withHours } from '../../../lib/query/named.js';

const TABLE = { database: 'db', table: 'tickers' } as const;

describe('withHours', () => {
  it('leaves a query as it is without --since or --until', () => {
    const sql = 'SELECT count(*) FROM tickers';

    expect(withHours(sql, TABLE)).toBe(sql);
  });

  it('shadows the table with the hours from since to until', () => {
    const sql = withHours('SELECT count(*) FROM tickers', {
      ...TABLE,
      since: '2026/11/28/00',
      until: '2026/11/28/06',
    });

    expect(sql).toBe(
      `WITH tickers AS (SELECT * FROM "db"."tickers" WHERE dt >= '2026/11/28/00' AND dt <= '2026/11/28/06')\n` +
        'SELECT count(*) FROM tickers',
    );
  });

  it('carries the hidden "$path" column for a query that names it', () => {
    const sql = withHours(NAMED_QUERIES['records-per-object'].sql, {
      ...TABLE,
      since: '2026/11/28/00',
    });

    expect(sql).toMatch(
      /^WITH tickers AS \(SELECT \*, "\$path" FROM "db"\."tickers" WHERE dt >= '2026\/11\/28\/00'\)\n/,
    );
  });

  it('joins a query’s own WITH clause', () => {
    const sql = withHours('WITH x AS (SELECT 1) SELECT * FROM tickers, x', {
      ...TABLE,
      until: '2026/11/28/06',
    });

    expect(sql).toBe(
      `WITH tickers AS (SELECT * FROM "db"."tickers" WHERE dt <= '2026/11/28/06'), x AS (SELECT 1) SELECT * FROM tickers, x`,
    );
  });
});

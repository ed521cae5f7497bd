import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateDatabaseCommand, CreateTableCommand } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../../lib/query/athena.js';
import { NAMED_QUERIES } from '../../lib/query/named.js';
import { hourPartition, tickerTableInput } from '../../lib/query/table.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';
import { jsonLines, queryClients, runLocalQuery } from '../support/tickers.js';

const local = useLocalAws();
// Inside the table's projection, which reads no hour after NOW.
const HOURS = [3, 2].map((ago) => hourPartition(new Date(Date.now() - ago * 3_600_000)));
let tables = 0;

async function engine() {
  return (await local.instance().service('athena')).engine;
}

/** A bucket, database and tickers table of the test's own. */
async function table(): Promise<{ bucket: string; database: string }> {
  const { s3, glue } = queryClients();
  const bucket = `athena-cache-${++tables}`;
  const database = `cache_db_${tables}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ...IN_REGION }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  await glue.send(
    new CreateTableCommand({ DatabaseName: database, TableInput: tickerTableInput(bucket) }),
  );
  return { bucket, database };
}

async function put(bucket: string, key: string, body: string | Buffer): Promise<void> {
  await queryClients().s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }),
  );
}

const run = (database: string, sql: string) =>
  runLocalQuery(database, sql, 's3://athena-cache-1/athena-results/');

/** The parts of an answer that must not depend on the cache. */
const answer = ({ columns, rows, dataScannedBytes }: QueryResult) => ({
  columns,
  rows,
  dataScannedBytes,
});

/** Every column, the partition and `"$path"`, in one order. */
const EVERYTHING = `SELECT "$path", tickername, price, previousprice, version, timestamp, eventid, dt
FROM tickers ORDER BY "$path", version, tickername`;

describe('local Athena’s Parquet cache', () => {
  it('answers the tricky objects identically from JSON and from the cache', async () => {
    // Prepare: unicode, many decimals, keys in other cases, a key only later lines have, an empty
    // object and a gzip object, over two hours.
    const { bucket, database } = await table();
    await put(
      bucket,
      `tickers/${HOURS[0]}/stream-1-unicode`,
      jsonLines([
        { TickerName: 'Ñandú_€', Price: 0.1 + 0.2, PreviousPrice: 1e-7, Version: 1 },
        { TickerName: '株価指数', Price: 123.456789012345, Version: 2, Timestamp: 'x' },
        { TickerName: 'quote "x", \\ y', Price: -2.5, Version: 3, EventId: 'e-3' },
      ]),
    );
    await put(
      bucket,
      `tickers/${HOURS[0]}/stream-1-lower`,
      jsonLines([{ tickername: 'low', PRICE: 5, version: 1 }]),
    );
    await put(bucket, `tickers/${HOURS[1]}/stream-1-empty`, '');
    await put(
      bucket,
      `tickers/${HOURS[1]}/stream-1-zipped.gz`,
      gzipSync(jsonLines([{ TickerName: 'Z', Price: 99999.99999999, Version: 7, EventId: 'e-7' }])),
    );
    const queries = [
      EVERYTHING,
      NAMED_QUERIES['latest-price'].sql,
      NAMED_QUERIES['records-per-object'].sql,
      `SELECT count(*), count(eventid), min(price) FROM tickers WHERE dt = '${HOURS[1]}'`,
    ];
    const cache = await engine();
    await cache.clearCache();

    // Act: each query once reading JSON, then again once every copy is written.
    const cold = [];
    for (const sql of queries) {
      await cache.clearCache();
      cold.push(answer(await run(database, sql)));
    }
    await cache.clearCache();
    await run(database, EVERYTHING);
    await cache.cacheSettled();
    const copies = cache.cacheSize().files;
    const warm = [];
    for (const sql of queries) warm.push(answer(await run(database, sql)));

    // Assess: three objects with bytes, three copies; the same answers, bytes scanned included.
    expect(copies).toBe(3);
    expect(warm).toEqual(cold);
    expect(cold[0]!.rows.length).toBe(5);
  });

  it('reads an object replaced after it was copied as it is now', async () => {
    const { bucket, database } = await table();
    const key = `tickers/${HOURS[0]}/stream-1-replaced`;
    await put(bucket, key, jsonLines([{ TickerName: 'A', Price: 1, Version: 1 }]));
    await run(database, EVERYTHING);
    await (await engine()).cacheSettled();
    const replacement = jsonLines([
      { TickerName: 'B', Price: 2, Version: 2 },
      { TickerName: 'B', Price: 3, Version: 3 },
    ]);

    await put(bucket, key, replacement);
    const result = await run(database, 'SELECT tickername, price FROM tickers ORDER BY price');

    expect(result.rows).toEqual([
      ['B', '2.0'],
      ['B', '3.0'],
    ]);
    expect(result.dataScannedBytes).toBe(Buffer.byteLength(replacement));
  });

  it('reads no rows of an object deleted after it was copied', async () => {
    const { bucket, database } = await table();
    const key = `tickers/${HOURS[0]}/stream-1-deleted`;
    await put(bucket, key, jsonLines([{ TickerName: 'A', Price: 1, Version: 1 }]));
    await run(database, EVERYTHING);
    await (await engine()).cacheSettled();

    await queryClients().s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const result = await run(database, 'SELECT count(*) FROM tickers');

    expect(result.rows).toEqual([['0']]);
    expect(result.dataScannedBytes).toBe(0);
  });

  it('drops the copy of a replaced object’s old file once it sees the file gone', async () => {
    const { bucket, database } = await table();
    const key = `tickers/${HOURS[0]}/stream-1-dropped`;
    await put(bucket, key, jsonLines([{ TickerName: 'A', Price: 1, Version: 1 }]));
    const cache = await engine();
    await cache.clearCache();
    await run(database, EVERYTHING);
    await cache.cacheSettled();
    const before = cache.cacheSize().files;

    await put(bucket, key, jsonLines([{ TickerName: 'A', Price: 2, Version: 2 }]));
    // Local S3 removes the old file a moment after the change: query until a pass sees it gone.
    const sizes = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      await run(database, EVERYTHING);
      await cache.cacheSettled();
      sizes.push(cache.cacheSize().files);
      if (sizes.at(-1) === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Both copies for a while, then only the new file's.
    expect(before).toBe(1);
    expect(sizes[0]).toBe(2);
    expect(sizes.at(-1)).toBe(1);
  });
});

import { DeleteObjectCommand, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateDatabaseCommand, CreateTableCommand } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { QueryFailedError } from '../../lib/query/athena.js';
import { NAMED_QUERIES } from '../../lib/query/named.js';
import { hourPartition, tickerTableInput } from '../../lib/query/table.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';
import { jsonLines, queryClients, runLocalQuery } from '../support/tickers.js';

useLocalAws();
// Two hours ago: inside the table's projection, which reads no hour after NOW.
const HOUR = hourPartition(new Date(Date.now() - 7_200_000));
let tables = 0;

/** A bucket, database and tickers table of the test's own, so its bytes scanned are its own. */
async function table(): Promise<{ bucket: string; database: string }> {
  const { s3, glue } = queryClients();
  const bucket = `athena-objects-${++tables}`;
  const database = `objects_db_${tables}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ...IN_REGION }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  await glue.send(
    new CreateTableCommand({ DatabaseName: database, TableInput: tickerTableInput(bucket) }),
  );
  return { bucket, database };
}

async function put(bucket: string, name: string, body: string): Promise<string> {
  const key = `tickers/${HOUR}/stream-1-${name}`;
  await queryClients().s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }),
  );
  return key;
}

const run = (database: string, sql: string) =>
  runLocalQuery(database, sql, 's3://athena-objects-1/athena-results/');

/** Athena's text of a double, as JavaScript computed it. */
const double = (value: number) => (Number.isInteger(value) ? value.toFixed(1) : String(value));

describe('local Athena reading objects', () => {
  it('answers unicode ticker names and prices of many decimals as they were written', async () => {
    const { bucket, database } = await table();
    const records = [
      { TickerName: 'Ñandú_€', Price: 0.1 + 0.2, Version: 1 },
      { TickerName: 'Ñandú_€', Price: 123.456789012345, Version: 2 },
      { TickerName: '株価指数', Price: 1e-7, Version: 1 },
      { TickerName: 'emoji 📈', Price: 99999.99999999, Version: 7 },
      { TickerName: 'quote "x", \\ y', Price: -2.5, Version: 3 },
    ];
    await put(bucket, 'unicode', jsonLines(records));

    const result = await run(database, NAMED_QUERIES['latest-price'].sql);

    const latest = [records[1]!, records[2]!, records[3]!, records[4]!].sort((a, b) =>
      a.TickerName < b.TickerName ? -1 : 1,
    );
    expect(result.rows).toEqual(
      latest.map((record) => [record.TickerName, double(record.Price), String(record.Version)]),
    );
  });

  it('matches JSON keys to columns ignoring case, as the JSON SerDe does', async () => {
    const { bucket, database } = await table();
    await put(bucket, 'lower', jsonLines([{ tickername: 'low', PRICE: 5, version: 1 }]));

    const result = await run(database, 'SELECT tickername, price, version FROM tickers');

    expect(result.rows).toEqual([['low', '5.0', '1']]);
  });

  it('reads a column that only later lines of an object have', async () => {
    const { bucket, database } = await table();
    await put(
      bucket,
      'late-key',
      jsonLines([
        { TickerName: 'A', Price: 1, Version: 1 },
        { TickerName: 'A', Price: 2, Version: 2, EventId: 'e-2' },
      ]),
    );

    const result = await run(database, 'SELECT version, eventid FROM tickers ORDER BY version');

    expect(result.rows).toEqual([
      ['1', null],
      ['2', 'e-2'],
    ]);
  });

  it('reads an empty object as no rows, its zero bytes scanned', async () => {
    const { bucket, database } = await table();
    const full = jsonLines([{ TickerName: 'A', Price: 1, Version: 1 }]);
    await put(bucket, 'empty', '');
    await put(bucket, 'full', full);

    const result = await run(database, NAMED_QUERIES['records-per-object'].sql);

    expect(result.rows).toEqual([[`s3://${bucket}/tickers/${HOUR}/stream-1-full`, '1']]);
    expect(result.dataScannedBytes).toBe(Buffer.byteLength(full));
  });

  it('answers a table with no objects with no rows and the columns’ types', async () => {
    const { database } = await table();

    const result = await run(database, 'SELECT tickername, price, dt FROM tickers');

    expect(result.rows).toEqual([]);
    expect(result.columns).toEqual([
      { name: 'tickername', type: 'varchar' },
      { name: 'price', type: 'double' },
      { name: 'dt', type: 'varchar' },
    ]);
  });

  it('fails a malformed line with HIVE_BAD_DATA naming the object', async () => {
    const { bucket, database } = await table();
    const key = await put(
      bucket,
      'malformed',
      `${jsonLines([{ TickerName: 'A', Price: 1, Version: 1 }])}{"TickerName": "B", "Price"\n`,
    );

    const failure = await run(database, 'SELECT count(*) FROM tickers').catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError).reason).toMatch(
      new RegExp(`^HIVE_BAD_DATA: .*s3://${bucket}/${key.replace(/\//g, '\\/')}`),
    );
    expect((failure as QueryFailedError).reason).not.toMatch(/query-/);
  });

  it('fails a value of the wrong type with HIVE_BAD_DATA', async () => {
    const { bucket, database } = await table();
    await put(bucket, 'bad-price', jsonLines([{ TickerName: 'A', Price: 'dear', Version: 1 }]));

    const failure = await run(database, 'SELECT sum(price) FROM tickers').catch(
      (error: unknown) => error,
    );

    expect((failure as QueryFailedError).reason).toMatch(/^HIVE_BAD_DATA: /);
  });

  it('answers one whole version of objects written and deleted while queries run', async () => {
    const { bucket, database } = await table();
    const records = (ticker: string, count: number) =>
      jsonLines(Array.from({ length: count }, (_, n) => ({ TickerName: ticker, Version: n })));
    const versions = { A: records('A', 1000), B: records('B', 3000) };
    const other = records('C', 500);
    await put(bucket, 'changing', versions.A);
    const { s3 } = queryClients();

    for (let round = 0; round < 6; round++) {
      const query = run(database, 'SELECT tickername, count(*) FROM tickers GROUP BY 1 ORDER BY 1');
      await put(bucket, 'changing', round % 2 === 0 ? versions.B : versions.A);
      const key = await put(bucket, `other-${round}`, other);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      const result = await query;

      const changing = result.rows[0]![0] as 'A' | 'B';
      const withOther = result.rows.length === 2;
      expect(result.rows).toEqual([
        [changing, changing === 'A' ? '1000' : '3000'],
        ...(withOther ? [['C', '500']] : []),
      ]);
      expect(result.dataScannedBytes).toBe(
        Buffer.byteLength(versions[changing]) + (withOther ? Buffer.byteLength(other) : 0),
      );
    }
  });
});

import { GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { gzipSync } from 'node:zlib';
import { CreateDatabaseCommand, CreateTableCommand } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { NAMED_QUERIES } from '../../lib/query/named.js';
import { hourPartition, tickerTableInput } from '../../lib/query/table.js';
import type { SampleObject } from '../../lib/query/sampleData.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';
import { queryClients, runLocalQuery, seedTickers, TEST_DATABASE } from '../support/tickers.js';

useLocalAws();
const BUCKET = 'athena-data';
let objects: SampleObject[];

const run = (sql: string, workGroup = 'primary') =>
  runLocalQuery(TEST_DATABASE, sql, `s3://${BUCKET}/athena-results/`, workGroup);

beforeAll(async () => {
  objects = await seedTickers(BUCKET);
});

describe('local Athena over delivered tickers', () => {
  it('answers the latest price of each ticker as written', async () => {
    const latest = new Map<string, { price: number; version: number }>();
    for (const record of objects.flatMap((object) => object.records)) {
      const seen = latest.get(record.TickerName);
      if (!seen || record.Version > seen.version)
        latest.set(record.TickerName, { price: record.Price, version: record.Version });
    }

    const result = await run(NAMED_QUERIES['latest-price'].sql);

    expect(result.columns).toEqual([
      { name: 'tickername', type: 'varchar' },
      { name: 'price', type: 'double' },
      { name: 'version', type: 'bigint' },
    ]);
    expect(result.rows).toEqual(
      [...latest].map(([ticker, { price, version }]) => [
        ticker,
        Number.isInteger(price) ? price.toFixed(1) : String(price),
        String(version),
      ]),
    );
  });

  it('reads only the partitions a WHERE on dt matches, as bytes scanned show', async () => {
    const hour = objects[0]!.key.split('/').slice(1, 5).join('/');
    const inHour = objects.filter((object) => object.key.includes(`/${hour}/`));
    const all = objects.reduce((sum, object) => sum + object.body.length, 0);

    const everything = await run('SELECT count(*) AS n FROM tickers');
    const filtered = await run(`SELECT count(*) AS n FROM tickers WHERE dt = '${hour}'`);

    expect(everything.dataScannedBytes).toBe(all);
    expect(filtered.dataScannedBytes).toBe(
      inHour.reduce((sum, object) => sum + object.body.length, 0),
    );
    expect(filtered.rows).toEqual([[String(inHour.reduce((sum, o) => sum + o.records.length, 0))]]);
    expect(hourPartition(new Date(objects[0]!.records[0]!.Timestamp))).toBe(hour);
  });
});

/** Starts a query and polls until it leaves QUEUED and RUNNING; answers the execution. */
async function finished(sql: string, workGroup = 'primary') {
  const { athena } = queryClients();
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: workGroup,
      QueryExecutionContext: { Database: TEST_DATABASE },
      ResultConfiguration: { OutputLocation: `s3://${BUCKET}/athena-results/` },
    }),
  );
  for (;;) {
    const { QueryExecution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId }),
    );
    const state = QueryExecution?.Status?.State;
    if (state !== 'QUEUED' && state !== 'RUNNING') return QueryExecution!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('local Athena failures', () => {
  it('fails a syntax error with Athena’s error shape and position', async () => {
    const execution = await finished('SELEC tickername FROM tickers');

    expect(execution.Status).toMatchObject({
      State: 'FAILED',
      StateChangeReason: expect.stringMatching(/^SYNTAX_ERROR: line 1:1: /),
      AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false },
    });
  });

  it('fails an unknown column naming the column and where it is', async () => {
    const execution = await finished('SELECT nosuchcolumn FROM tickers');

    expect(execution.Status?.State).toBe('FAILED');
    expect(execution.Status?.StateChangeReason).toBe(
      "COLUMN_NOT_FOUND: line 1:8: Column 'nosuchcolumn' cannot be resolved",
    );
    expect(execution.Status?.AthenaError?.ErrorCategory).toBe(2);
  });

  it('fails an unknown table naming it in the catalog', async () => {
    const execution = await finished('SELECT * FROM missing');

    expect(execution.Status?.StateChangeReason).toBe(
      `TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.${TEST_DATABASE}.missing' does not exist`,
    );
  });
});

describe('local Athena over other objects', () => {
  it('finds a gap in a version chain and reads gzip objects as Firehose writes them', async () => {
    const { s3, glue } = queryClients();
    const hour = objects[0]!.key.split('/').slice(1, 5).join('/');
    // A table of its own, so the other tests' bytes scanned stay as written.
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-gaps', ...IN_REGION }));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'gaps_db' } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'gaps_db',
        TableInput: tickerTableInput('athena-gaps'),
      }),
    );
    const lines = [1, 2, 5]
      .map((version) =>
        JSON.stringify({
          TickerName: 'GAP',
          Price: 1,
          PreviousPrice: 1,
          Version: version,
          Timestamp: 'x',
        }),
      )
      .join('\n');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'athena-gaps',
        Key: `tickers/${hour}/stream-1-gap.gz`,
        Body: gzipSync(`${lines}\n`),
      }),
    );

    const result = await run(
      NAMED_QUERIES['version-gaps'].sql.replace('FROM tickers', 'FROM gaps_db.tickers'),
    );

    expect(result.rows).toEqual([['GAP', '2', '5', '2']]);
  });
});

describe('partition pruning', () => {
  const hours = () => [
    ...new Set(objects.map((object) => object.key.split('/').slice(1, 5).join('/'))),
  ];
  const bytesIn = (wanted: string[]) =>
    objects
      .filter((object) => wanted.some((hour) => object.key.includes(`/${hour}/`)))
      .reduce((sum, object) => sum + object.body.length, 0);

  it('reads only the hours an IN list names', async () => {
    const [first, , third] = hours();

    const result = await run(
      `SELECT count(*) FROM tickers WHERE dt IN ('${first}', '${third}') AND price > 0`,
    );

    expect(result.dataScannedBytes).toBe(bytesIn([first!, third!]));
  });

  it('reads only the hours BETWEEN two ends, written either way round', async () => {
    const [first, second] = hours();

    const between = await run(
      `SELECT count(*) FROM tickers WHERE dt BETWEEN '${first}' AND '${second}'`,
    );
    const flipped = await run(`SELECT count(*) FROM tickers WHERE '${second}' >= dt`);

    expect(between.dataScannedBytes).toBe(bytesIn([first!, second!]));
    expect(flipped.dataScannedBytes).toBe(bytesIn([first!, second!]));
  });

  it('reads every hour when the filter is not on constants', async () => {
    const result = await run(`SELECT count(*) FROM tickers WHERE substr(dt, 1, 4) = '2000'`);

    expect(result.dataScannedBytes).toBe(bytesIn(hours()));
    expect(result.rows).toEqual([['0']]);
  });
});

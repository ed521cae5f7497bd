import { AthenaClient } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runQuery } from '../../lib/query/athena.js';
import type { QueryResult } from '../../lib/query/athena.js';
import { sampleObjects } from '../../lib/query/sampleData.js';
import type { SampleObject, SampleOptions } from '../../lib/query/sampleData.js';
import { tickerTableInput } from '../../lib/query/table.js';
import { IN_REGION } from './localAws.js';
import { seededRandom } from './random.js';

/** The Glue database the query tests create. */
export const TEST_DATABASE = 'test_streaming_db';

/** Clients of the services a query test talks to (endpoint and credentials from the environment). */
export function queryClients() {
  return {
    s3: new S3Client({ forcePathStyle: true, maxAttempts: 1 }),
    glue: new GlueClient({ maxAttempts: 1 }),
    athena: new AthenaClient({ maxAttempts: 1 }),
  };
}

/** Records as an object body of JSON lines, as Firehose delivers the streaming function's. */
export const jsonLines = (records: readonly object[]): string =>
  records.map((record) => `${JSON.stringify(record)}\n`).join('');

/**
 * Runs `sql` through local Athena's API in `database` (workgroup `primary`), its results written
 * under `outputLocation`, polling every 10 ms, and waits for its answer.
 */
export function runLocalQuery(
  database: string,
  sql: string,
  outputLocation: string,
  workGroup = 'primary',
): Promise<QueryResult> {
  return runQuery(queryClients().athena, {
    sql,
    database,
    workGroup,
    outputLocation,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    pollMs: 10,
  });
}

/**
 * Creates a data bucket with delivered objects in Firehose's layout and the Glue database and
 * tickers table over it; returns the objects written.
 */
export async function seedTickers(
  bucket: string,
  options: Partial<SampleOptions> & { database?: string } = {},
): Promise<SampleObject[]> {
  const { s3, glue } = queryClients();
  const database = options.database ?? TEST_DATABASE;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ...IN_REGION }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  await glue.send(
    new CreateTableCommand({ DatabaseName: database, TableInput: tickerTableInput(bucket) }),
  );
  const records = options.records ?? 600;
  const spacingMs = options.spacingMs ?? 20_000;
  const objects = [
    ...sampleObjects({
      // Ending an hour ago: the table's projection reads no hour after NOW.
      start: new Date(Date.now() - records * spacingMs - 3_600_000),
      recordsPerObject: 50,
      tickers: ['AAA', 'BBB', 'CCC'],
      random: seededRandom(7),
      ...options,
      records,
      spacingMs,
    }),
  ];
  for (const object of objects) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body }));
  }
  return objects;
}

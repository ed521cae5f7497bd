import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SmokeError } from '../../../lib/steps/errors.js';
import { recordingReporter, systemClock } from '../../../lib/steps/report.js';
import { defaultSmokeTimeoutSeconds, smokeTest } from '../../../lib/steps/smoke.js';
import type { SmokeClients, SmokeOptions } from '../../../lib/steps/smoke.js';
import { IN_REGION, useLocalAws } from '../../support/localAws.js';

useLocalAws();
let clients: SmokeClients;
let bucketCount = 0;

beforeAll(() => {
  clients = {
    s3: new S3Client({ forcePathStyle: true, maxAttempts: 1 }),
    lambda: new LambdaClient({ maxAttempts: 1 }),
    sqs: new SQSClient({ maxAttempts: 1 }),
  };
});

const line = (ticker: string, version: number, price: number) =>
  `${JSON.stringify({ TickerName: ticker, Price: price, PreviousPrice: price - 1, Version: version, Timestamp: new Date().toISOString() })}\n`;

/** A new bucket holding the given objects under tickers/. */
async function bucketWith(objects: Record<string, string>): Promise<string> {
  const Bucket = `smoke-${++bucketCount}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket, ...IN_REGION }));
  for (const [key, Body] of Object.entries(objects))
    await clients.s3.send(new PutObjectCommand({ Bucket, Key: `tickers/${key}`, Body }));
  return Bucket;
}

function options(bucket: string, overrides: Partial<SmokeOptions> = {}): SmokeOptions {
  return {
    targets: { bucket, prefix: 'tickers/', streamingFunction: 'f' },
    tickers: ['Index_1', 'Index_2'],
    ownerName: 'Kyle Maposa',
    since: new Date(Date.now() - 60_000),
    timeoutMs: 1_500,
    intervalMs: 200,
    drill: false,
    clock: systemClock,
    ...overrides,
  };
}

describe('smokeTest', () => {
  it('passes when every ticker advances without gaps, counting objects and records', async () => {
    const bucket = await bucketWith({
      a: line('Index_1', 1, 100) + line('Index_2', 1, 90),
      b: line('Index_1', 2, 101) + line('Index_2', 2, 89),
    });

    const result = await smokeTest(clients, options(bucket), recordingReporter());

    expect(result).toMatchObject({ objects: 2, records: 4, alertReceived: 'not-tested' });
    expect(result.firstObjectSeconds).toBeGreaterThan(0);
  });

  it('shows a table per ticker and a Mermaid chart in the summary', async () => {
    const bucket = await bucketWith({
      a: line('Index_1', 1, 100) + line('Index_2', 1, 90),
      b: line('Index_1', 2, 101) + line('Index_2', 2, 89),
    });
    const reporter = recordingReporter();

    await smokeTest(clients, options(bucket), reporter);

    const summary = reporter.markdown.join('\n');
    expect(summary).toContain('| Index_1 | 100.00 | 101.00 | 1–2 | 2 |');
    expect(summary).toContain('```mermaid');
  });

  it('fails naming a configured ticker that never appears', async () => {
    const bucket = await bucketWith({ a: line('Index_1', 1, 100) + line('Index_1', 2, 101) });

    const smoking = smokeTest(clients, options(bucket), recordingReporter());

    await expect(smoking).rejects.toBeInstanceOf(SmokeError);
    await expect(smokeTest(clients, options(bucket), recordingReporter())).rejects.toThrow(
      /no records yet for Index_2/,
    );
  });

  it('fails naming the versions a ticker skipped', async () => {
    const bucket = await bucketWith({
      a: line('Index_1', 1, 100) + line('Index_2', 1, 90),
      b: line('Index_1', 3, 101) + line('Index_2', 2, 89),
    });

    const smoking = smokeTest(clients, options(bucket), recordingReporter());

    await expect(smoking).rejects.toThrow(/Index_1 skipped version\(s\) 2/);
  });

  it('fails at once on a malformed record, naming its object and line', async () => {
    const bucket = await bucketWith({ bad: `${line('Index_1', 1, 100)}not json\n` });
    const started = Date.now();

    const smoking = smokeTest(clients, options(bucket, { timeoutMs: 20_000 }), recordingReporter());

    await expect(smoking).rejects.toThrow(/malformed record in tickers\/bad line 2/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('ignores objects written before `since`', async () => {
    const bucket = await bucketWith({
      a: line('Index_1', 1, 100) + line('Index_2', 1, 90),
      b: line('Index_1', 2, 101) + line('Index_2', 2, 89),
    });

    const smoking = smokeTest(
      clients,
      options(bucket, { since: new Date(Date.now() + 60_000) }),
      recordingReporter(),
    );

    await expect(smoking).rejects.toThrow(/no records yet for Index_1, Index_2/);
  });
});

describe('defaultSmokeTimeoutSeconds', () => {
  it('allows two schedule periods and a buffer interval, with half again and a minute more', () => {
    expect(defaultSmokeTimeoutSeconds({ scheduleMinutes: 1, deliveryBufferSeconds: 60 })).toBe(330);
  });
});

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import { useAwsCli } from '../../support/awsCli.js';
import { deployPipeline } from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';

// A minute passes in a second: the one-minute schedule, the 60 s Firehose buffer and Lambda's
// one-minute retry all run as they would in AWS, sixty times faster.
const local = useLocalAws({ timeScale: 60 });
const aws = useAwsCli(local.endpoint);
const config = parseConfig(
  JSON.stringify({
    firstName: 'Kyle',
    lastName: 'Maposa',
    alertEmails: ['kyle.maposa@example.com'],
    bucketReadAccess: 'private',
  }),
);
const names = deriveNames(config);
let s3: S3Client;
let work = '';

/** Polls until `found` holds for what `read` returns, for at most `seconds` of real time. */
async function eventually<T>(read: () => Promise<T>, found: (value: T) => boolean, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (found(value)) return value;
    if (Date.now() > deadline) throw new Error(`not found within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every JSON line delivered to the data bucket so far. */
async function deliveredLines(): Promise<{ TickerName: string; Version: number }[]> {
  const { Contents = [] } = await s3.send(
    new ListObjectsV2Command({ Bucket: names.bucket, Prefix: 'tickers/' }),
  );
  const lines: { TickerName: string; Version: number }[] = [];
  for (const object of Contents) {
    const body = await s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: object.Key }));
    for (const line of (await body.Body!.transformToString()).split('\n'))
      if (line.trim()) lines.push(JSON.parse(line) as { TickerName: string; Version: number });
  }
  return lines;
}

beforeAll(async () => {
  s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
  work = await mkdtemp(join(tmpdir(), 'pipeline-run-'));
  await deployPipeline(config, work);
  const dynamodb = new DynamoDBClient({});
  for (const ticker of config.tickers)
    await dynamodb.send(
      new PutItemCommand({
        TableName: names.table,
        Item: { TickerName: { S: ticker.name }, Price: { N: String(ticker.price) } },
      }),
    );
}, 240_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("the project's pipeline running on local AWS", () => {
  it('fires the schedule, and the ticks of every ticker reach the data bucket', async () => {
    const lines = await eventually(deliveredLines, (found) => {
      const tickers = new Set(found.filter((line) => line.Version >= 2).map((l) => l.TickerName));
      return tickers.size === config.tickers.length;
    });

    for (const ticker of config.tickers) {
      const versions = lines
        .filter((line) => line.TickerName === ticker.name)
        .map((line) => line.Version)
        .sort((a, b) => a - b);
      expect(versions.slice(0, 2)).toEqual([1, 2]);
    }
  });

  it('turns a drill into an alert email and the same alert in a queue subscribed to the topic', async () => {
    const sqs = new SQSClient({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'alert-copy' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await new SNSClient({}).send(
      new SubscribeCommand({
        TopicArn: `arn:aws:sns:${config.region}:000000000000:${names.topic}`,
        Protocol: 'sqs',
        Endpoint: Attributes!.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );

    await aws(
      'lambda',
      'invoke',
      '--function-name',
      names.streamingFunction,
      '--invocation-type',
      'Event',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"drill": true}',
      join(work, 'invoke.json'),
    );
    const outbox = local.instance().outbox;
    const emails = await eventually(
      async () => readdir(outbox).catch(() => [] as string[]),
      (files) => files.length > 0,
    );
    const email = await readFile(join(outbox, emails[0]!), 'utf8');
    const queued = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }))).Messages,
      (messages) => (messages?.length ?? 0) > 0,
    );

    expect(email).toContain('To: kyle.maposa@example.com');
    expect(email).toContain('Kyle Maposa');
    expect(email.toLowerCase()).toContain('drill');
    const alert = queued![0]!.Body!;
    expect(alert).toContain('Kyle Maposa');
    expect(email.replace(/\r\n/g, '\n')).toContain(alert.split('\n')[0]!);
  });

  it('shows both functions’ output with aws logs tail', async () => {
    const streaming = await eventually(
      () => aws('logs', 'tail', names.streamingLogGroup, '--since', '1h'),
      // The function's console line, as a JSON log event's escaped message.
      (text) => text.includes('\\"message\\":\\"tick\\"'),
    );
    const notification = await eventually(
      () => aws('logs', 'tail', names.notificationLogGroup, '--since', '1h'),
      (text) => text.includes('alert published'),
    );

    expect(streaming).toContain('"level":"INFO"');
    expect(notification).toContain('alert published');
  });
});

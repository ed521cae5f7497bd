import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../lib/build/functions.js';
import type { FunctionManifest } from '../../lib/build/functions.js';
import { createPipeline, localClients, tutorialTickers } from '../../local/pipeline.js';
import type { LocalClients } from '../../local/pipeline.js';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';
import { readDelivered, scanTable } from '../support/pipeline.js';

// The template's one retry comes a minute after a failure: 600 times faster, a tenth of a second.
const local = useLocalAws({ timeScale: 600 });
const aws = useAwsCli(local.endpoint);
const names = { table: 'pipe-ticks', deliveryStream: 'pipe-stream', bucket: 'pipe-data' };
const CODE_BUCKET = 'pipe-code';
let outDir = '';
let manifest: FunctionManifest;
let clients: LocalClients;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

/** As pipeline.yaml configures both functions (runtime, arm64, JSON logs into their own groups). */
async function createFunction(
  name: string,
  built: FunctionManifest['streaming'],
  extra: { MemorySize: number; Timeout: number; Environment: Record<string, string> },
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Role: `arn:aws:iam::000000000000:role/${name}-role`,
      MemorySize: extra.MemorySize,
      Timeout: extra.Timeout,
      Code: { S3Bucket: CODE_BUCKET, S3Key: built.key },
      Environment: { Variables: extra.Environment },
      LoggingConfig: {
        LogFormat: 'JSON',
        LogGroup: `/pipeline/${name}`,
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
      },
    }),
  );
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'pipeline-build-'));
  manifest = await buildFunctions({ outDir });
  clients = localClients(local.endpoint());
  lambda = new LambdaClient({ maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
  const sns = new SNSClient({ maxAttempts: 1 });

  await createPipeline(clients, names, tutorialTickers(3));
  await clients.s3.send(new CreateBucketCommand({ Bucket: CODE_BUCKET }));
  for (const built of Object.values(manifest)) {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: CODE_BUCKET,
        Key: built.key,
        Body: await readFile(built.file),
      }),
    );
  }
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'pipe-alerts' }));
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'kyle@example.com' }),
  );

  const notification = await createFunction('pipe-notification', manifest.notification, {
    MemorySize: 128,
    Timeout: 30,
    Environment: { TOPIC_ARN: TopicArn!, OWNER_NAME: 'Kyle Maposa' },
  });
  await createFunction('pipe-streaming', manifest.streaming, {
    MemorySize: 256,
    Timeout: 60,
    Environment: { TABLE_NAME: names.table, DELIVERY_STREAM_NAME: names.deliveryStream },
  });
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'pipe-streaming',
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnFailure: { Destination: notification.FunctionArn } },
    }),
  );
}, 120_000);

afterAll(() => rm(outDir, { recursive: true, force: true }));

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the project’s functions on local Lambda', () => {
  it('runs a scheduled tick: the table moves and the change lands in S3 through Firehose', async () => {
    const event = {
      version: '0',
      id: 'schedule-event-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: ['arn:aws:scheduler:eu-west-1:000000000000:schedule/default/pipe'],
      detail: '{}',
    };

    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: 'pipe-streaming',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    const summary = JSON.parse(Buffer.from(result.Payload!).toString()) as Record<string, unknown>;
    const items = await scanTable(clients, names.table);
    const delivered = await waitFor(
      () => readDelivered(clients, names.bucket),
      (lines) => lines.length >= 3,
    );

    expect(result.FunctionError).toBeUndefined();
    expect(summary).toMatchObject({ eventId: 'schedule-event-1', tickers: 3, committed: 3 });
    expect(items.map((item) => item.Version?.N)).toEqual(['1', '1', '1']);
    expect(delivered).toHaveLength(3);
  });

  it('logs the tick as JSON into the function’s own group, which aws logs tail shows', async () => {
    const output = await aws('logs', 'tail', '/pipeline/pipe-streaming', '--since', '1h');

    const lines = output.trim().split('\n');
    expect(
      lines.some(
        (line) => line.includes('"level":"INFO"') && line.includes('\\"message\\":\\"tick\\"'),
      ),
    ).toBe(true);
    expect(output).not.toContain('platform.start');
  });

  it('keeps the SDK’s Node version warning out of the function’s log: only its own output is there', async () => {
    const { events = [] } = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/pipeline/pipe-streaming' }),
    );

    const lines = events.map((event) => event.message ?? '');
    expect(lines.some((line) => line.includes('\\"message\\":\\"tick\\"'))).toBe(true);
    expect(lines.filter((line) => line.includes('NodeVersionSupportWarning'))).toEqual([]);
  });

  it('turns a drill into an alert email: retry, on-failure destination, notification function, SNS', async () => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: 'pipe-streaming',
        InvocationType: 'Event',
        Payload: Buffer.from('{"drill": true}'),
      }),
    );
    const outbox = local.instance().outbox;
    const emails = await waitFor(
      async () =>
        (await readdir(outbox).catch(() => [] as string[])).filter((f) =>
          f.includes('-pipe-alerts-'),
        ),
      (files) => files.length > 0,
    );
    const email = await readFile(join(outbox, emails[0]!), 'utf8');
    // Logs arrive once the invocation ends, a moment after the email, as in AWS.
    const notificationLog = await waitFor(
      async () =>
        (
          await logs
            .send(new FilterLogEventsCommand({ logGroupName: '/pipeline/pipe-notification' }))
            .catch(() => ({ events: [] }))
        ).events?.map((e) => e.message ?? '') ?? [],
      (lines) => lines.length > 0,
    );

    expect(emails).toHaveLength(1);
    expect(email).toContain('To: kyle@example.com');
    expect(email).toContain('DrillError');
    expect(email).toContain('pipe-streaming');
    expect(notificationLog).toContainEqual(expect.stringContaining('alert published'));
  });
});

import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAwsStartError, startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';
import { IN_REGION, TEST_ENV } from '../support/localAws.js';

const credentials = {
  accessKeyId: TEST_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: TEST_ENV.AWS_SECRET_ACCESS_KEY,
};
const running: LocalAws[] = [];
/** Above Linux's largest process id (2^22), so no process has it. */
const DEAD_PID = 2 ** 22 + 12_345;
const folders: string[] = [];

async function start(stateDir: string, reset = false): Promise<LocalAws> {
  const local = await startLocalAws({ port: 0, stateDir, reset });
  running.push(local);
  return local;
}

async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'local-aws-life-'));
  folders.push(path);
  return path;
}

function clients(local: LocalAws) {
  const common = { endpoint: local.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 };
  return {
    dynamodb: new DynamoDBClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    firehose: new FirehoseClient(common),
    sns: new SNSClient(common),
  };
}

async function createStream(local: LocalAws, intervalSeconds: number): Promise<void> {
  const { s3, firehose } = clients(local);
  await s3.send(new CreateBucketCommand({ Bucket: 'kept-bucket', ...IN_REGION }));
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'kept-stream',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/r',
        BucketARN: 'arn:aws:s3:::kept-bucket',
        BufferingHints: { IntervalInSeconds: intervalSeconds, SizeInMBs: 5 },
      },
    }),
  );
  await firehose.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: 'kept-stream',
      Records: [{ Data: Buffer.from('first\n') }, { Data: Buffer.from('second\n') }],
    }),
  );
}

async function delivered(local: LocalAws, timeoutMs = 0): Promise<string> {
  const { s3 } = clients(local);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'kept-bucket' }));
    if (listed.Contents?.length || Date.now() >= deadline) {
      const bodies = await Promise.all(
        (listed.Contents ?? []).map(async ({ Key }) =>
          (
            await s3.send(new GetObjectCommand({ Bucket: 'kept-bucket', Key }))
          ).Body!.transformToString(),
        ),
      );
      return bodies.join('');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((local) => local.stop()));
  await Promise.all(folders.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

describe('local AWS lifecycle', () => {
  it('delivers buffered Firehose records on shutdown instead of dropping them', async () => {
    const stateDir = await folder();
    const first = await start(stateDir);
    await createStream(first, 900);
    expect(await delivered(first)).toBe('');

    await first.stop();
    const second = await start(stateDir);

    expect(await delivered(second)).toBe('first\nsecond\n');
  });

  it('delivers the journal of a run that died without shutting down', async () => {
    const stateDir = await folder();
    const crashed = await folder();
    const first = await start(stateDir);
    await createStream(first, 2);

    // The state as a killed process leaves it, its lock naming a process that is gone.
    await cp(stateDir, crashed, { recursive: true });
    await writeFile(join(crashed, 'local-aws.lock'), JSON.stringify({ pid: DEAD_PID }));
    const second = await start(crashed);

    expect(await delivered(second, 10_000)).toBe('first\nsecond\n');
  });

  it('keeps tables, topics and streams across a restart, and --reset starts empty', async () => {
    const stateDir = await folder();
    const first = await start(stateDir);
    const before = clients(first);
    await before.dynamodb.send(
      new CreateTableCommand({
        TableName: 'kept-table',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await before.sns.send(new CreateTopicCommand({ Name: 'kept-topic' }));
    await first.stop();

    const second = await start(stateDir);
    const after = clients(second);
    const tables = await after.dynamodb.send(new ListTablesCommand({}));
    const topics = await after.sns.send(new ListTopicsCommand({}));
    await second.stop();
    const third = await start(stateDir, true);
    const reset = await clients(third).dynamodb.send(new ListTablesCommand({}));

    expect(tables.TableNames).toEqual(['kept-table']);
    expect(topics.Topics?.map((t) => t.TopicArn)).toEqual([
      'arn:aws:sns:eu-west-1:000000000000:kept-topic',
    ]);
    expect(reset.TableNames).toEqual([]);
  });

  it('frees its port when stopped', async () => {
    const local = await start(await folder());
    await clients(local).dynamodb.send(new ListTablesCommand({}));

    await local.stop();

    expect(await portIsFree(local.port)).toBe(true);
  });

  it('says what to do when the port is taken', async () => {
    const local = await start(await folder());
    await expect(startLocalAws({ port: local.port, stateDir: await folder() })).rejects.toThrow(
      LocalAwsStartError,
    );
    await expect(startLocalAws({ port: local.port, stateDir: await folder() })).rejects.toThrow(
      `port ${local.port} on 127.0.0.1 is already in use (is local AWS already running?)`,
    );
  });

  it('refuses a state folder that another local AWS is using', async () => {
    const stateDir = await folder();
    await start(stateDir);

    const second = startLocalAws({ port: 0, stateDir });

    await expect(second).rejects.toThrow(LocalAwsStartError);
    await expect(startLocalAws({ port: 0, stateDir })).rejects.toThrow(
      `the state folder ${stateDir} is in use by another local AWS (process ${process.pid})`,
    );
  });

  it('takes over the lock of a local AWS that died', async () => {
    const stateDir = await folder();
    await (await start(stateDir)).stop();
    await writeFile(join(stateDir, 'local-aws.lock'), JSON.stringify({ pid: DEAD_PID }));

    const local = await start(stateDir);

    expect(local.port).toBeGreaterThan(0);
  });

  it('answers a service it does not have with an error in that protocol', async () => {
    const local = await start(await folder());

    const response = await fetch(local.endpoint, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/kinesis/aws4_request, SignedHeaders=host, Signature=x',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });

    expect(response.status).toBe(501);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      // Other services join the list as they are built; the ones here from the start stay.
      message: expect.stringMatching(
        /^local AWS does not implement the kinesis service \(it serves dynamodb, s3, firehose, sns/,
      ),
    });
  });
});

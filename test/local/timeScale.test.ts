import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws({ timeScale: 60 });
let firehose: FirehoseClient;
let s3: S3Client;
let sqs: SQSClient;

beforeAll(() => {
  firehose = new FirehoseClient({ maxAttempts: 1 });
  s3 = new S3Client({ forcePathStyle: true });
  sqs = new SQSClient({ maxAttempts: 1 });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('local AWS at --time-scale 60', () => {
  it('reports its time scale on /_local/health', async () => {
    const health = (await (await fetch(`${local.endpoint()}/_local/health`)).json()) as {
      timeScale: number;
    };

    expect(health.timeScale).toBe(60);
  });

  it('delivers a Firehose buffer with a 60 s interval within about a second', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'scaled-bucket' }));
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'scaled-stream',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          BucketARN: 'arn:aws:s3:::scaled-bucket',
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        },
      }),
    );
    const started = Date.now();

    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'scaled-stream',
        Record: { Data: Buffer.from('tick') },
      }),
    );
    const keys = await waitFor(async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'scaled-bucket' }));
      return listed.Contents?.length ? listed.Contents : undefined;
    }, 5000);

    expect(keys).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('ends a 30 s SQS visibility timeout after half a second', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'scaled-queue' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }));

    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const visible = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));

    expect(hidden.Messages).toBeUndefined();
    expect(visible.Messages?.[0]?.Body).toBe('again');
  });
});

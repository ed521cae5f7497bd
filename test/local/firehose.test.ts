import { gunzipSync } from 'node:zlib';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IN_REGION, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
let firehose: FirehoseClient;
let s3: S3Client;
const BUCKET = 'firehose-test-bucket';

beforeAll(async () => {
  firehose = new FirehoseClient({ maxAttempts: 1 });
  s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ...IN_REGION }));
});

async function createStream(
  name: string,
  options: { interval?: number; prefix?: string; gzip?: boolean; sizeMb?: number } = {},
) {
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: `arn:aws:s3:::${BUCKET}`,
        Prefix: options.prefix ?? `${name}/`,
        ErrorOutputPrefix: `${name}-errors/`,
        BufferingHints: {
          IntervalInSeconds: options.interval ?? 0,
          SizeInMBs: options.sizeMb ?? 1,
        },
        CompressionFormat: options.gzip ? 'GZIP' : 'UNCOMPRESSED',
      },
    }),
  );
}

async function objects(
  prefix: string,
  count: number,
  timeoutMs = 5000,
): Promise<{ key: string; body: Buffer }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((object) => object.Key!);
    if (keys.length >= count || Date.now() > deadline) {
      return Promise.all(
        keys.map(async (key) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
          return { key, body: Buffer.from(await object.Body!.transformToByteArray()) };
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const record = (text: string) => ({ Data: Buffer.from(text) });

describe('Firehose delivery streams', () => {
  it('creates, describes, lists and deletes a DirectPut stream to S3', async () => {
    await createStream('lifecycle-stream', { interval: 60 });

    const described = await firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle-stream' }),
    );
    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    await firehose.send(
      new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle-stream' }),
    );

    const description = described.DeliveryStreamDescription!;
    expect(description.DeliveryStreamStatus).toBe('ACTIVE');
    expect(description.DeliveryStreamARN).toBe(
      'arn:aws:firehose:eu-west-1:000000000000:deliverystream/lifecycle-stream',
    );
    expect(description.Destinations![0]!.ExtendedS3DestinationDescription).toMatchObject({
      BucketARN: `arn:aws:s3:::${BUCKET}`,
      Prefix: 'lifecycle-stream/',
      ErrorOutputPrefix: 'lifecycle-stream-errors/',
      BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
    });
    expect(listed.DeliveryStreamNames).toContain('lifecycle-stream');
    await expect(
      firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle-stream' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses a second stream of the same name', async () => {
    await createStream('twice-stream');
    await expect(createStream('twice-stream')).rejects.toMatchObject({
      name: 'ResourceInUseException',
    });
  });

  it('rejects a buffer interval outside 0 to 900 seconds', async () => {
    await expect(createStream('bad-interval', { interval: 901 })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('intervalInSeconds'),
    });
  });
});

describe('Firehose PutRecord and PutRecordBatch', () => {
  it('concatenates records without delimiters under the default key format', async () => {
    await createStream('keys-stream');
    const before = new Date();

    const result = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'keys-stream',
        Records: [record('{"a":1}\n'), record('{"b":2}'), record('{"c":3}\n')],
      }),
    );
    const [object] = await objects('keys-stream/', 1);

    expect(result.FailedPutCount).toBe(0);
    expect(result.RequestResponses).toHaveLength(3);
    expect(object!.body.toString()).toBe('{"a":1}\n{"b":2}{"c":3}\n');
    const hour = `${before.getUTCFullYear()}/${String(before.getUTCMonth() + 1).padStart(2, '0')}/${String(before.getUTCDate()).padStart(2, '0')}/`;
    expect(object!.key).toMatch(
      new RegExp(
        `^keys-stream/${hour}\\d{2}/keys-stream-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f-]{36}$`,
      ),
    );
  });

  it('buffers until the interval passes, then writes one object', async () => {
    await createStream('interval-stream', { interval: 1 });

    await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'interval-stream', Record: record('one ') }),
    );
    await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'interval-stream', Record: record('two') }),
    );
    const early = await objects('interval-stream/', 1, 0);
    const late = await objects('interval-stream/', 1, 5000);

    expect(early).toHaveLength(0);
    expect(late.map((o) => o.body.toString())).toEqual(['one two']);
  });

  it('flushes as soon as the buffer size is reached', async () => {
    await createStream('size-stream', { interval: 900, sizeMb: 1 });
    const big = Buffer.alloc(600_000, 'x');

    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'size-stream',
        Records: [{ Data: big }, { Data: big }],
      }),
    );
    const delivered = await objects('size-stream/', 1);

    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body.length).toBe(1_200_000);
  });

  it('compresses with GZIP and names the object .gz', async () => {
    await createStream('gzip-stream', { gzip: true });

    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'gzip-stream',
        Record: record('compressed line\n'),
      }),
    );
    const [object] = await objects('gzip-stream/', 1);

    expect(object!.key.endsWith('.gz')).toBe(true);
    expect(gunzipSync(object!.body).toString()).toBe('compressed line\n');
  });

  it('evaluates !{timestamp:...} in a custom prefix instead of adding the hour folders', async () => {
    await createStream('custom-prefix', { prefix: 'custom/year=!{timestamp:yyyy}/' });

    await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'custom-prefix', Record: record('x') }),
    );
    const [object] = await objects('custom/', 1);

    expect(object!.key).toMatch(
      new RegExp(`^custom/year=${new Date().getUTCFullYear()}/custom-prefix-1-`),
    );
  });

  it('answers ResourceNotFoundException for a missing stream', async () => {
    await expect(
      firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'no-such-stream', Records: [record('x')] }),
      ),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Firehose no-such-stream under account 000000000000 not found.',
    });
  });

  it('enforces 500 records per batch', async () => {
    await createStream('limit-count');
    const records = Array.from({ length: 501 }, () => record('x'));
    await expect(
      firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'limit-count', Records: records }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Member must have length less than or equal to 500'),
    });
  });

  it('enforces 1,000 KiB per record', async () => {
    await createStream('limit-record');
    await expect(
      firehose.send(
        new PutRecordCommand({
          DeliveryStreamName: 'limit-record',
          Record: { Data: Buffer.alloc(1_024_001) },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('1024000'),
    });
  });

  it('enforces 4 MiB per batch', async () => {
    await createStream('limit-batch');
    const records = Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000_000) }));
    await expect(
      firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'limit-batch', Records: records }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Records size exceeds 4 MB limit',
    });
  });
});

describe('Firehose faults on purpose', () => {
  // Cleared after each test, passed or failed, so no fault leaks into the tests that follow.
  afterEach(() => local.clearFaults());

  it('fails the given share of batch entries with per-entry error codes', async () => {
    await createStream('faulty-stream');
    await local.setFaults({ firehose: { failRate: 0.5 } });

    const result = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'faulty-stream',
        Records: ['a', 'b', 'c', 'd'].map(record),
      }),
    );
    await local.clearFaults();
    const delivered = await objects('faulty-stream/', 1);

    expect(result.FailedPutCount).toBe(2);
    const failed = result.RequestResponses!.filter((entry) => entry.ErrorCode);
    expect(failed.map((entry) => entry.ErrorCode)).toEqual([
      'ServiceUnavailableException',
      'ServiceUnavailableException',
    ]);
    const accepted = result.RequestResponses!.flatMap((entry, index) =>
      entry.RecordId ? ['abcd'[index]] : [],
    );
    expect(delivered.map((o) => o.body.toString()).join('')).toBe(accepted.join(''));
  });

  it('throttles whole calls', async () => {
    await createStream('throttled-stream');
    await local.setFaults({ firehose: { throttleRate: 1 } });

    const attempt = firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'throttled-stream', Record: record('x') }),
    );

    await expect(attempt).rejects.toMatchObject({ name: 'ServiceUnavailableException' });
  });

  it('rejects an invalid fault setting, naming the field', async () => {
    const response = await fetch(`${local.endpoint()}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify({ firehose: { failRate: 2 } }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('failRate');
  });
});

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';
import { useAwsCli } from '../support/awsCli.js';
import { runBoto3 } from '../support/boto3.js';
import { IN_REGION, TEST_ENV } from '../support/localAws.js';

/** Keys that once became paths outside the bucket, or were changed on the way. */
const HOSTILE = ['../../etc/passwd', '../../../../../../var/x', '../../../x/escape'];
const EXACT = ['a//b', './x', '/leading', '..', '%2F', 'dir/../up', 'ünï/código ✓'];

let root = '';
let stateDir = '';
let local: LocalAws;
let s3: S3Client;
const aws = useAwsCli(() => local.endpoint);

/** Every file and folder under `folder`, relative to it. */
async function tree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries.map((entry) => String(entry)).sort();
}

beforeAll(async () => {
  // The state folder sits three levels down, so `../` keys would land in folders this test owns.
  root = await mkdtemp(join(tmpdir(), 's3-keys-'));
  stateDir = join(root, 'a', 'b', 'state');
  await mkdir(stateDir, { recursive: true });
  local = await startLocalAws({ port: 0, stateDir });
  s3 = new S3Client({
    endpoint: local.endpoint,
    region: TEST_ENV.AWS_REGION,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'keys-bucket', ...IN_REGION }));
});

afterAll(async () => {
  await local?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('S3 keys', () => {
  it('stores, gets and lists every key exactly as sent', async () => {
    for (const Key of EXACT)
      await s3.send(new PutObjectCommand({ Bucket: 'keys-bucket', Key, Body: `body of ${Key}` }));

    const bodies = await Promise.all(
      EXACT.map(async (Key) =>
        (
          await s3.send(new GetObjectCommand({ Bucket: 'keys-bucket', Key }))
        ).Body!.transformToString(),
      ),
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'keys-bucket' }));

    expect(bodies).toEqual(EXACT.map((key) => `body of ${key}`));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(
      [...EXACT].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
  });

  it('refuses a key over 1,024 bytes with KeyTooLongError', async () => {
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'keys-bucket', Key: 'é'.repeat(513), Body: 'x' })),
    ).rejects.toMatchObject({ name: 'KeyTooLongError' });
  });

  it('writes nothing outside the state folder, whatever the keys, prefixes and bucket names', async () => {
    const before = await tree(root);
    // SDK v3: hostile keys put, got and deleted.
    for (const Key of HOSTILE) {
      await s3.send(new PutObjectCommand({ Bucket: 'keys-bucket', Key, Body: 'sdk' }));
      await s3.send(new GetObjectCommand({ Bucket: 'keys-bucket', Key }));
    }
    await s3.send(new DeleteObjectCommand({ Bucket: 'keys-bucket', Key: HOSTILE[0] }));
    // AWS CLI v2 and boto3, each their own way of sending a key.
    await aws(
      's3api',
      'put-object',
      '--bucket',
      'keys-bucket',
      '--key',
      '../../cli-escape',
      '--body',
      'package.json',
    );
    await runBoto3(
      local.endpoint,
      "s3.put_object(Bucket='keys-bucket', Key='../../../boto-escape', Body=b'boto')\n" +
        "s3.put_object(Bucket='keys-bucket', Key='../../etc/passwd', Body=b'boto')",
    );
    // A bucket name that decodes to a path, in a configuration call.
    const config = await fetch(`${local.endpoint}/..%2F..%2Fstate?policy`, {
      method: 'PUT',
      body: '{}',
    });
    // Firehose with a prefix that climbs out.
    const firehose = new FirehoseClient({
      endpoint: local.endpoint,
      region: TEST_ENV.AWS_REGION,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'climbing-stream',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::000000000000:role/r',
          BucketARN: 'arn:aws:s3:::keys-bucket',
          Prefix: '../../../x/',
          BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
        },
      }),
    );
    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'climbing-stream',
        Record: { Data: Buffer.from('r') },
      }),
    );
    let delivered: string[] = [];
    for (let i = 0; i < 50 && delivered.length === 0; i++) {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: 'keys-bucket', Prefix: '../../../x/' }),
      );
      delivered = (listed.Contents ?? []).map((o) => o.Key!);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = await tree(root);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'keys-bucket', Prefix: '..' }));

    expect(config.status).toBe(404);
    expect(delivered).toHaveLength(1);
    expect(listed.Contents?.map((o) => o.Key)).toEqual(
      expect.arrayContaining([
        '../../cli-escape',
        '../../../boto-escape',
        '../../etc/passwd',
        '../../../../../../var/x',
      ]),
    );
    const outside = after.filter((path) => !path.startsWith(join('a', 'b', 'state')));
    expect(outside).toEqual(before.filter((path) => !path.startsWith(join('a', 'b', 'state'))));
    expect(outside).toEqual(['a', join('a', 'b')]);
    expect(existsSync('/var/x')).toBe(false);
    expect(after.some((path) => relative(stateDir, join(root, path)).includes('passwd'))).toBe(
      false,
    );
  });
});

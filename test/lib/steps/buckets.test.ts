import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyBucket } from '../../../lib/steps/buckets.js';
import { recordingReporter } from '../../../lib/steps/report.js';
import { IN_REGION, useLocalAws } from '../../support/localAws.js';

useLocalAws();
let s3: S3Client;

beforeAll(() => {
  s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
});

async function versionedBucket(Bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket, ...IN_REGION }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
}

async function remaining(Bucket: string): Promise<number> {
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket }));
  return (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
}

describe('emptyBucket', () => {
  it('deletes every object version and delete marker of a versioned bucket', async () => {
    await versionedBucket('empty-versions');
    for (const body of ['one', 'two', 'three'])
      await s3.send(new PutObjectCommand({ Bucket: 'empty-versions', Key: 'k', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: 'empty-versions', Key: 'other', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'empty-versions', Key: 'other' }));

    const result = await emptyBucket(s3, 'empty-versions', recordingReporter());

    expect(result).toEqual({ existed: true, deleted: 5 });
    expect(await remaining('empty-versions')).toBe(0);
  });

  it('deletes more than 1,000 versions in batches of at most 1,000', async () => {
    await versionedBucket('empty-many');
    const keys = Array.from({ length: 1_203 }, (_, index) => `tickers/${index}.json`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((Key) => s3.send(new PutObjectCommand({ Bucket: 'empty-many', Key, Body: '{}' }))),
      );
    const reporter = recordingReporter();

    const result = await emptyBucket(s3, 'empty-many', reporter);

    expect(result.deleted).toBe(1_203);
    expect(reporter.lines).toHaveLength(2);
    expect(await remaining('empty-many')).toBe(0);
  }, 120_000);

  it('treats a bucket that does not exist as already empty', async () => {
    const result = await emptyBucket(s3, 'never-made-bucket', recordingReporter());

    expect(result).toEqual({ existed: false, deleted: 0 });
  });
});

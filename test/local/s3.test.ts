import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { IN_REGION, useLocalAws } from '../support/localAws.js';

useLocalAws();
let s3: S3Client;

beforeAll(() => {
  s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
});

describe('S3 objects', () => {
  it('puts, heads, gets and deletes an object with any access key', async () => {
    const other = new S3Client({
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAANYKEY', secretAccessKey: 'whatever' },
    });
    await other.send(new CreateBucketCommand({ Bucket: 'objects-bucket', ...IN_REGION }));

    await other.send(
      new PutObjectCommand({
        Bucket: 'objects-bucket',
        Key: 'a/b.json',
        Body: '{"x":1}',
        ContentType: 'application/json',
      }),
    );
    const head = await other.send(
      new HeadObjectCommand({ Bucket: 'objects-bucket', Key: 'a/b.json' }),
    );
    const got = await other.send(
      new GetObjectCommand({ Bucket: 'objects-bucket', Key: 'a/b.json' }),
    );
    const body = await got.Body!.transformToString();
    await other.send(new DeleteObjectCommand({ Bucket: 'objects-bucket', Key: 'a/b.json' }));

    expect(head.ContentLength).toBe(7);
    expect(body).toBe('{"x":1}');
    await expect(
      other.send(new HeadObjectCommand({ Bucket: 'objects-bucket', Key: 'a/b.json' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('stores a streamed (aws-chunked) upload as its payload, not its chunks', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'chunked-bucket', ...IN_REGION }));
    const { Readable } = await import('node:stream');
    const payload = 'line\n'.repeat(20_000);

    await s3.send(
      new PutObjectCommand({
        Bucket: 'chunked-bucket',
        Key: 'streamed.txt',
        Body: Readable.from([Buffer.from(payload)]),
        ContentLength: payload.length,
      }),
    );
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'chunked-bucket', Key: 'streamed.txt' }),
    );

    expect(await got.Body!.transformToString()).toBe(payload);
  });

  it('lists more than 1,000 objects with prefix and pagination, then deletes them in batches', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'many-bucket', ...IN_REGION }));
    const keys = Array.from({ length: 1050 }, (_, i) => `data/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((Key) => s3.send(new PutObjectCommand({ Bucket: 'many-bucket', Key, Body: 'x' }))),
      );
    }
    await s3.send(new PutObjectCommand({ Bucket: 'many-bucket', Key: 'other/1', Body: 'x' }));

    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2(
      { client: s3 },
      { Bucket: 'many-bucket', Prefix: 'data/' },
    )) {
      pages++;
      listed.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    for (let i = 0; i < listed.length; i += 1000) {
      const batch = listed.slice(i, i + 1000).map((Key) => ({ Key }));
      await s3.send(
        new DeleteObjectsCommand({ Bucket: 'many-bucket', Delete: { Objects: batch } }),
      );
    }
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'many-bucket' }));

    expect(pages).toBe(2);
    expect(listed).toEqual(keys);
    expect(after.Contents?.map((o) => o.Key)).toEqual(['other/1']);
  });
});

describe('S3 ListObjectsV2', () => {
  it('groups keys by delimiter, starts after a key and honours max-keys', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing-bucket', ...IN_REGION }));
    for (const Key of ['a/1', 'a/2', 'b/1', 'top'])
      await s3.send(new PutObjectCommand({ Bucket: 'listing-bucket', Key, Body: 'x' }));

    const grouped = await s3.send(
      new ListObjectsV2Command({ Bucket: 'listing-bucket', Delimiter: '/' }),
    );
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: 'listing-bucket', StartAfter: 'a/2' }),
    );
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'listing-bucket', MaxKeys: 2 }));

    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(grouped.Contents?.map((o) => o.Key)).toEqual(['top']);
    expect(after.Contents?.map((o) => o.Key)).toEqual(['b/1', 'top']);
    expect(page).toMatchObject({
      IsTruncated: true,
      KeyCount: 2,
      NextContinuationToken: expect.any(String),
    });
  });

  it('rejects a continuation token it did not give, and a missing bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'token-bucket', ...IN_REGION }));
    await expect(
      s3.send(new ListObjectsV2Command({ Bucket: 'token-bucket', ContinuationToken: 'bogus' })),
    ).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    await expect(
      s3.send(new ListObjectsV2Command({ Bucket: 'no-such-listing' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('S3 bucket configuration (recorded, not enforced)', () => {
  it('accepts policy, public access block, encryption and ownership calls and reads the policy back', async () => {
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'config-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });

    await s3.send(new PutBucketPolicyCommand({ Bucket: 'config-bucket', Policy: policy }));
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'config-bucket',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    );
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'config-bucket',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      }),
    );
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: 'config-bucket',
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    const read = await s3.send(new GetBucketPolicyCommand({ Bucket: 'config-bucket' }));
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'config-bucket' }));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'config-bucket' }));

    expect(read.Policy).toBe(policy);
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('aws:kms');
    await expect(
      s3.send(new GetBucketPolicyCommand({ Bucket: 'config-bucket' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });

  it('answers S3 defaults for configuration never set', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'default-config-bucket', ...IN_REGION }));
    const encryption = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: 'default-config-bucket' }),
    );
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
  });

  it('rejects a policy that is not JSON and configuration of a missing bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'malformed-bucket', ...IN_REGION }));
    await expect(
      s3.send(new PutBucketPolicyCommand({ Bucket: 'malformed-bucket', Policy: 'not json' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicy' });
    await expect(
      s3.send(new PutBucketPolicyCommand({ Bucket: 'no-such-bucket', Policy: '{}' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('forgets the configuration of a deleted bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'recreated-bucket', ...IN_REGION }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'recreated-bucket', Policy: '{}' }));

    await s3.send(new DeleteBucketCommand({ Bucket: 'recreated-bucket' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'recreated-bucket', ...IN_REGION }));

    await expect(
      s3.send(new GetBucketPolicyCommand({ Bucket: 'recreated-bucket' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });
});

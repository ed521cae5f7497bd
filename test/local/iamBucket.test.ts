import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineConfig } from '../../lib/config/schema.js';
import { allowing, otherAccountKeys, resolvedPipeline, roleSession } from '../support/iam.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const READER_ACCOUNT = '111122223333';
const STRANGER_ACCOUNT = '444455556666';

const s3 = (credentials?: AwsCredentialIdentity) =>
  new S3Client({
    maxAttempts: 1,
    forcePathStyle: true,
    ...(credentials ? { credentials } : {}),
  });

/** Sets up the data bucket as the template builds it for one BucketReadAccess setting. */
async function dataBucket(bucket: string, access: PipelineConfig['bucketReadAccess']) {
  const resolver = await resolvedPipeline({ bucketReadAccess: access });
  const templateName = String(resolver.properties('DataBucket').BucketName);
  const policy = JSON.stringify(resolver.properties('DataBucketPolicy').PolicyDocument).replaceAll(
    `:::${templateName}`,
    `:::${bucket}`,
  );
  const admin = s3();
  await admin.send(new CreateBucketCommand({ Bucket: bucket, ...IN_REGION }));
  await admin.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: resolver.properties('DataBucket')
        .PublicAccessBlockConfiguration as Record<string, boolean>,
    }),
  );
  await admin.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'tickers/a.json', Body: '{}' }));
}

const anonymous = (method: string, path: string) =>
  fetch(`${local.endpoint()}${path}`, { method, body: method === 'PUT' ? 'x' : undefined });

/** Every write another account or an anonymous caller might try, each of which must fail. */
function writesAreRefused(bucket: string) {
  it('refuses every write from another account with AccessDenied', async () => {
    const client = s3(await otherAccountKeys(local.endpoint(), READER_ACCOUNT));
    const writes = [
      () =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: 'tickers/evil.json', Body: 'x' })),
      () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'tickers/a.json' })),
      () => client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: '{"Statement":[]}' })),
      () =>
        client.send(
          new PutObjectAclCommand({ Bucket: bucket, Key: 'tickers/a.json', ACL: 'public-read' }),
        ),
    ];
    for (const write of writes) {
      await expect(write()).rejects.toMatchObject({ name: 'AccessDenied' });
    }
  });

  it('refuses every write from an anonymous caller with AccessDenied', async () => {
    for (const [method, path] of [
      ['PUT', `/${bucket}/tickers/evil.json`],
      ['DELETE', `/${bucket}/tickers/a.json`],
      ['PUT', `/${bucket}?policy`],
      ['PUT', `/${bucket}/tickers/a.json?acl`],
    ] as const) {
      const response = await anonymous(method, path);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    }
  });

  it("lets the account's own role write and delete, as its policy allows", async () => {
    const own = s3(
      await roleSession(`${bucket}-writer`, allowing(['s3:*'], [`arn:aws:s3:::${bucket}/*`]), {
        iam: new IAMClient({ maxAttempts: 1, region: 'us-east-1' }),
        sts: new STSClient({ maxAttempts: 1 }),
      }),
    );
    await own.send(new PutObjectCommand({ Bucket: bucket, Key: 'tickers/own.json', Body: '{}' }));
    await own.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'tickers/own.json' }));
  });
}

describe('the data bucket with authenticated-aws-accounts', () => {
  const bucket = 'iam-authenticated';
  beforeAll(() => dataBucket(bucket, 'authenticated-aws-accounts'));

  it('lets a user of any other account read and list', async () => {
    const stranger = s3(await otherAccountKeys(local.endpoint(), STRANGER_ACCOUNT));

    const object = await stranger.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'tickers/a.json' }),
    );
    const listing = await stranger.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tickers/' }),
    );

    expect(await object.Body?.transformToString()).toBe('{}');
    expect(listing.Contents?.map((item) => item.Key)).toEqual(['tickers/a.json']);
  });

  it('refuses an anonymous read: the policy admits signed-in principals only', async () => {
    const response = await anonymous('GET', `/${bucket}/tickers/a.json`);

    expect(response.status).toBe(403);
  });

  writesAreRefused(bucket);
});

describe('the data bucket with private', () => {
  const bucket = 'iam-private';
  beforeAll(() => dataBucket(bucket, 'private'));

  it('refuses reads from another account, naming the principal, action and resource', async () => {
    const reader = s3(await otherAccountKeys(local.endpoint(), READER_ACCOUNT));

    await expect(
      reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'tickers/a.json' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${READER_ACCOUNT}:user/reader is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${bucket}/tickers/a.json because no resource-based policy allows the s3:GetObject action`,
    });
    await expect(reader.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  writesAreRefused(bucket);
});

describe('the data bucket with named accounts', () => {
  const bucket = 'iam-accounts';
  beforeAll(() => dataBucket(bucket, { accounts: [READER_ACCOUNT] }));

  it('lets a user of a named account read and list', async () => {
    const reader = s3(await otherAccountKeys(local.endpoint(), READER_ACCOUNT));

    const object = await reader.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'tickers/a.json' }),
    );
    const listing = await reader.send(new ListObjectsV2Command({ Bucket: bucket }));

    expect(await object.Body?.transformToString()).toBe('{}');
    expect(listing.KeyCount).toBe(1);
  });

  it('refuses a user of an account it does not name', async () => {
    const stranger = s3(await otherAccountKeys(local.endpoint(), STRANGER_ACCOUNT));

    await expect(
      stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'tickers/a.json' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  writesAreRefused(bucket);
});

describe('PUT /_local/accounts', () => {
  it('refuses an account id that is not twelve digits, naming the field', async () => {
    const response = await fetch(`${local.endpoint()}/_local/accounts`, {
      method: 'PUT',
      body: JSON.stringify({ accountId: '1234' }),
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /^accountId: must be twelve digits/,
    );
  });

  it('hands the same keys out again for the same user', async () => {
    const first = await otherAccountKeys(local.endpoint(), READER_ACCOUNT, 'again');
    const second = await otherAccountKeys(local.endpoint(), READER_ACCOUNT, 'again');

    expect(second).toEqual(first);
  });
});

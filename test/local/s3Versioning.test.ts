import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBoto3 } from '../support/boto3.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
let s3: S3Client;

beforeAll(() => {
  s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
});

async function versionedBucket(Bucket: string, Status: 'Enabled' | 'Suspended' = 'Enabled') {
  await s3.send(new CreateBucketCommand({ Bucket, ...IN_REGION }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status } }));
}

const text = async (Bucket: string, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();

describe('S3 versioning', () => {
  it('reads back Enabled, and nothing for a bucket never configured', async () => {
    await versionedBucket('status-bucket');
    await s3.send(new CreateBucketCommand({ Bucket: 'plain-status', ...IN_REGION }));

    const enabled = await s3.send(new GetBucketVersioningCommand({ Bucket: 'status-bucket' }));
    const plain = await s3.send(new GetBucketVersioningCommand({ Bucket: 'plain-status' }));

    expect(enabled.Status).toBe('Enabled');
    expect(plain.Status).toBeUndefined();
  });

  it('keeps old versions on overwrite and gets each by VersionId', async () => {
    await versionedBucket('kept-versions');
    const first = await s3.send(
      new PutObjectCommand({ Bucket: 'kept-versions', Key: 'k', Body: 'one' }),
    );
    const second = await s3.send(
      new PutObjectCommand({ Bucket: 'kept-versions', Key: 'k', Body: 'two' }),
    );

    expect(first.VersionId).toMatch(/^[\w-]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(await text('kept-versions', 'k')).toBe('two');
    expect(await text('kept-versions', 'k', first.VersionId)).toBe('one');
  });

  it('deletes with a delete marker that hides the object, and brings it back when the marker goes', async () => {
    await versionedBucket('marker-bucket');
    await s3.send(new PutObjectCommand({ Bucket: 'marker-bucket', Key: 'k', Body: 'kept' }));

    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'marker-bucket', Key: 'k' }));
    const hidden = await s3
      .send(new HeadObjectCommand({ Bucket: 'marker-bucket', Key: 'k' }))
      .catch((error: unknown) => error);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'marker-bucket' }));
    await s3.send(
      new DeleteObjectCommand({ Bucket: 'marker-bucket', Key: 'k', VersionId: deleted.VersionId }),
    );

    expect(deleted.DeleteMarker).toBe(true);
    expect(hidden).toMatchObject({ name: 'NotFound' });
    expect(listed.KeyCount).toBe(0);
    expect(await text('marker-bucket', 'k')).toBe('kept');
  });

  it('answers NoSuchVersion for a version that does not exist', async () => {
    await versionedBucket('missing-version');
    await s3.send(new PutObjectCommand({ Bucket: 'missing-version', Key: 'k', Body: 'x' }));

    await expect(text('missing-version', 'k', 'A'.repeat(32))).rejects.toMatchObject({
      name: 'NoSuchVersion',
    });
  });

  it('lists versions and delete markers with prefix, delimiter and pagination', async () => {
    await versionedBucket('listed-versions');
    for (const Key of ['a/1', 'a/1', 'a/2', 'b/1', 'top', 'top'])
      await s3.send(new PutObjectCommand({ Bucket: 'listed-versions', Key, Body: Key }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'listed-versions', Key: 'top' }));

    const seen: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: 'listed-versions',
          MaxKeys: 2,
          KeyMarker,
          VersionIdMarker,
        }),
      );
      pages++;
      const entries = [
        ...(page.Versions ?? []).map((v) => ({
          key: v.Key!,
          at: v.VersionId!,
          kind: 'v',
          latest: v.IsLatest,
        })),
        ...(page.DeleteMarkers ?? []).map((m) => ({
          key: m.Key!,
          at: m.VersionId!,
          kind: 'm',
          latest: m.IsLatest,
        })),
      ];
      seen.push(...entries.map((e) => `${e.key}:${e.kind}${e.latest ? '*' : ''}`));
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    const grouped = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'listed-versions', Delimiter: '/' }),
    );
    const prefixed = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'listed-versions', Prefix: 'a/' }),
    );

    expect(pages).toBe(4);
    expect(seen.sort()).toEqual(
      ['a/1:v', 'a/1:v*', 'a/2:v*', 'b/1:v*', 'top:m*', 'top:v', 'top:v'].sort(),
    );
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(prefixed.Versions).toHaveLength(3);
  });

  it('refuses to delete a bucket while a version or delete marker remains (BucketNotEmpty)', async () => {
    await versionedBucket('not-empty');
    const put = await s3.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'k', Body: 'x' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'not-empty', Key: 'k' }));

    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
      $metadata: { httpStatusCode: 409 },
    });
    await s3.send(
      new DeleteObjectCommand({ Bucket: 'not-empty', Key: 'k', VersionId: put.VersionId }),
    );
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
    });
    await s3.send(
      new DeleteObjectCommand({ Bucket: 'not-empty', Key: 'k', VersionId: marker.VersionId }),
    );
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' }))).resolves.toBeDefined();
  });

  it('empties every version and marker with DeleteObjects VersionId entries (as a teardown does, with boto3)', async () => {
    await versionedBucket('emptied-bucket');
    for (const Key of ['x', 'x', 'y'])
      await s3.send(new PutObjectCommand({ Bucket: 'emptied-bucket', Key, Body: 'b' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'emptied-bucket', Key: 'y' }));

    const output = await runBoto3(
      local.endpoint(),
      "listed = s3.list_object_versions(Bucket='emptied-bucket')\n" +
        "objects = [{'Key': v['Key'], 'VersionId': v['VersionId']} for v in listed.get('Versions', []) + listed.get('DeleteMarkers', [])]\n" +
        "deleted = s3.delete_objects(Bucket='emptied-bucket', Delete={'Objects': objects})\n" +
        "s3.delete_bucket(Bucket='emptied-bucket')\n" +
        "print(len(deleted['Deleted']), len(s3.list_buckets()['Buckets']) >= 0)",
    );

    expect(output.trim()).toBe('4 True');
  });

  it('gives suspended buckets a "null" version that each PUT replaces, keeping earlier versions', async () => {
    await versionedBucket('suspended-bucket');
    const enabled = await s3.send(
      new PutObjectCommand({ Bucket: 'suspended-bucket', Key: 'k', Body: 'v1' }),
    );
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'suspended-bucket',
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );

    await s3.send(new PutObjectCommand({ Bucket: 'suspended-bucket', Key: 'k', Body: 'n1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'suspended-bucket', Key: 'k', Body: 'n2' }));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: 'suspended-bucket' }));
    const deleted = await s3.send(
      new DeleteObjectCommand({ Bucket: 'suspended-bucket', Key: 'k' }),
    );
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: 'suspended-bucket' }));

    expect(listed.Versions?.map((v) => v.VersionId)).toEqual(['null', enabled.VersionId]);
    expect(await text('suspended-bucket', 'k', enabled.VersionId)).toBe('v1');
    expect(deleted).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    expect(after.Versions?.map((v) => v.VersionId)).toEqual([enabled.VersionId]);
    expect(after.DeleteMarkers?.map((m) => m.VersionId)).toEqual(['null']);
  });
});

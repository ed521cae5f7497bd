import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import { useAwsCli } from '../support/awsCli.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
const MiB = 1024 * 1024;
let s3: S3Client;
let work = '';

beforeAll(async () => {
  s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
  work = await mkdtemp(join(tmpdir(), 's3-objects-'));
  await s3.send(new CreateBucketCommand({ Bucket: 'objects', ...IN_REGION }));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest();

describe('S3 multipart uploads', () => {
  it('joins parts into one object whose ETag is the MD5 of the part MD5s and "-N"', async () => {
    const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.from('tail')];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'joined' }),
    );
    const etags = [];
    for (const [index, Body] of parts.entries()) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: 'objects',
          Key: 'joined',
          UploadId,
          PartNumber: index + 1,
          Body,
        }),
      );
      etags.push({ PartNumber: index + 1, ETag: part.ETag });
    }
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: 'objects', Key: 'joined', UploadId }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'objects',
        Key: 'joined',
        UploadId,
        MultipartUpload: { Parts: etags },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'joined' }));

    expect(listed.Parts?.map((p) => p.Size)).toEqual([5 * MiB, 4]);
    const expected = md5(Buffer.concat(parts.map((part) => md5(part)))).toString('hex');
    expect(done.ETag).toBe(`"${expected}-2"`);
    expect(head.ContentLength).toBe(5 * MiB + 4);
  });

  it('refuses a part list with an unknown ETag (InvalidPart) and an aborted upload (NoSuchUpload)', async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'bad' }),
    );
    await s3.send(
      new UploadPartCommand({ Bucket: 'objects', Key: 'bad', UploadId, PartNumber: 1, Body: 'x' }),
    );

    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'objects',
          Key: 'bad',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'objects', Key: 'bad', UploadId }));
    await expect(
      s3.send(new ListPartsCommand({ Bucket: 'objects', Key: 'bad', UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('copies a 9 MiB file up, across (s3 to s3) and back down with the CLI', async () => {
    const file = join(work, 'big.bin');
    const content = Buffer.alloc(9 * MiB);
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32BE(i, i);
    await writeFile(file, content);

    await aws('s3', 'cp', file, 's3://objects/big/up.bin', '--only-show-errors');
    await aws(
      's3',
      'cp',
      's3://objects/big/up.bin',
      's3://objects/big/across.bin',
      '--only-show-errors',
    );
    await aws(
      's3',
      'mv',
      's3://objects/big/across.bin',
      's3://objects/big/moved.bin',
      '--only-show-errors',
    );
    await aws(
      's3',
      'cp',
      's3://objects/big/moved.bin',
      join(work, 'down.bin'),
      '--only-show-errors',
    );
    const listing = await aws('s3', 'ls', 's3://objects/big/');

    expect((await readFile(join(work, 'down.bin'))).equals(content)).toBe(true);
    expect(listing).toContain('up.bin');
    expect(listing).toContain('moved.bin');
    expect(listing).not.toContain('across.bin');
  });
});

describe('S3 object fields', () => {
  it('keeps content headers and user metadata, and copies or replaces them', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'meta',
        Body: '{}',
        ContentType: 'application/json',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment',
        Metadata: { owner: 'tests' },
      }),
    );

    await s3.send(
      new CopyObjectCommand({ Bucket: 'objects', Key: 'meta-copy', CopySource: 'objects/meta' }),
    );
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'objects',
        Key: 'meta-replaced',
        CopySource: 'objects/meta',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain',
      }),
    );
    const copied = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'meta-copy' }));
    const replaced = await s3.send(
      new HeadObjectCommand({ Bucket: 'objects', Key: 'meta-replaced' }),
    );

    expect(copied).toMatchObject({
      ContentType: 'application/json',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment',
      Metadata: { owner: 'tests' },
    });
    expect(replaced.ContentType).toBe('text/plain');
    expect(replaced.Metadata).toEqual({});
  });

  it('answers 304 to If-None-Match with the current ETag and 412 to a stale If-Match', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'objects', Key: 'conditional', Body: 'c' }),
    );

    await expect(
      s3.send(
        new GetObjectCommand({ Bucket: 'objects', Key: 'conditional', IfNoneMatch: put.ETag }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'conditional', IfMatch: '"stale"' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
  });

  it('lists with ListObjects (v1), markers and delimiter', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'v1-listing', ...IN_REGION }));
    for (const Key of ['a/1', 'b', 'c'])
      await s3.send(new PutObjectCommand({ Bucket: 'v1-listing', Key, Body: 'x' }));

    const page = await s3.send(
      new ListObjectsCommand({ Bucket: 'v1-listing', Delimiter: '/', MaxKeys: 2 }),
    );
    const rest = await s3.send(
      new ListObjectsCommand({ Bucket: 'v1-listing', Marker: page.NextMarker }),
    );

    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/']);
    expect(page.Contents?.map((o) => o.Key)).toEqual(['b']);
    expect(rest.Contents?.map((o) => o.Key)).toEqual(['c']);
  });
});

describe('S3 state', () => {
  it('keeps buckets, objects and versions across a restart', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 's3-restart-'));
    const first = await startLocalAws({ port: 0, stateDir });
    const client = (endpoint: string) =>
      new S3Client({
        endpoint,
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      });
    const before = client(first.endpoint);
    await before.send(new CreateBucketCommand({ Bucket: 'kept', ...IN_REGION }));
    await aws(
      's3api',
      'put-bucket-versioning',
      '--bucket',
      'kept',
      '--versioning-configuration',
      'Status=Enabled',
      '--endpoint-url',
      first.endpoint,
    );
    const old = await before.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'old' }));
    await before.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'new' }));
    await first.stop();

    const second = await startLocalAws({ port: 0, stateDir });
    const after = client(second.endpoint);
    const latest = await (
      await after.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }))
    ).Body!.transformToString();
    const earlier = await (
      await after.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k', VersionId: old.VersionId }))
    ).Body!.transformToString();
    await second.stop();
    await rm(stateDir, { recursive: true, force: true });

    expect([latest, earlier]).toEqual(['new', 'old']);
  });
});

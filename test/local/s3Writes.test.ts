import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';
import { runBoto3 } from '../support/boto3.js';
import { IN_REGION, TEST_ENV, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: TEST_ENV.AWS_REGION,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
}

/**
 * Starts a PUT that promises `declared` bytes and sends only `sent`, then calls `cut` (which drops
 * the connection or kills the server) once the server has had time to read them.
 */
async function cutPut(
  url: string,
  declared: number,
  sent: number,
  cut: (abort: () => void) => void,
) {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  const put = request(url, {
    method: 'PUT',
    headers: { 'content-length': declared, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  put.on('error', () => resolve());
  put.on('close', () => resolve());
  put.write(Buffer.alloc(sent, 'n'));
  setTimeout(() => cut(() => put.destroy()), 300);
  await promise;
}

async function object(s3: S3Client, Bucket: string, Key: string) {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return { body: await got.Body!.transformToString(), etag: got.ETag };
}

describe('S3 writes are whole or not at all', () => {
  it('keeps the old object when an unsigned PUT is cut off', async () => {
    const s3 = client(local.endpoint());
    await s3.send(new CreateBucketCommand({ Bucket: 'torn-bucket', ...IN_REGION }));
    await s3.send(new PutObjectCommand({ Bucket: 'torn-bucket', Key: 'k', Body: 'old' }));
    const before = await object(s3, 'torn-bucket', 'k');

    await cutPut(`${local.endpoint()}/torn-bucket/k`, 100_000, 50_000, (abort) => abort());

    expect(await object(s3, 'torn-bucket', 'k')).toEqual(before);
  });

  it('keeps the old object when a presigned PUT (SigV2 or SigV4, from boto3) is cut off', async () => {
    const s3 = client(local.endpoint());
    await s3.send(new CreateBucketCommand({ Bucket: 'presigned-torn', ...IN_REGION }));
    await s3.send(new PutObjectCommand({ Bucket: 'presigned-torn', Key: 'k', Body: 'old' }));
    const before = await object(s3, 'presigned-torn', 'k');
    const urls = JSON.parse(
      await runBoto3(
        local.endpoint(),
        'out = []\n' +
          "for version in ('s3', 's3v4'):\n" +
          "    c = boto3.client('s3', endpoint_url=endpoint, config=botocore.config.Config(signature_version=version, s3={'addressing_style': 'path'}))\n" +
          "    out.append(c.generate_presigned_url('put_object', Params={'Bucket': 'presigned-torn', 'Key': 'k'}))\n" +
          'print(json.dumps(out))',
      ),
    ) as string[];

    for (const url of urls) await cutPut(url, 10_000, 5_000, (abort) => abort());

    expect(urls[0]).toContain('AWSAccessKeyId=');
    expect(urls[1]).toContain('X-Amz-Credential=');
    expect(await object(s3, 'presigned-torn', 'k')).toEqual(before);
  });

  it('refuses a body whose Content-MD5 does not match with BadDigest, keeping the old object', async () => {
    const s3 = client(local.endpoint());
    await s3.send(new CreateBucketCommand({ Bucket: 'digest-bucket', ...IN_REGION }));
    await s3.send(new PutObjectCommand({ Bucket: 'digest-bucket', Key: 'k', Body: 'old' }));

    await expect(
      s3.send(
        new PutObjectCommand({
          Bucket: 'digest-bucket',
          Key: 'k',
          Body: 'new',
          ContentMD5: Buffer.alloc(16).toString('base64'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    expect((await object(s3, 'digest-bucket', 'k')).body).toBe('old');
  });

  it('keeps the old object when local AWS is killed (kill -9) in the middle of a PUT', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 's3-kill-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/local-aws.ts', '--port', '0', '--state-dir', stateDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(async () => void child.kill('SIGKILL'));
    let endpoint = '';
    for await (const line of createInterface({ input: child.stdout! })) {
      const match = /serving .* on (http:\/\/\S+)/.exec(line);
      if (match) {
        endpoint = match[1]!;
        break;
      }
    }
    const s3 = client(endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'killed-bucket', ...IN_REGION }));
    await s3.send(new PutObjectCommand({ Bucket: 'killed-bucket', Key: 'k', Body: 'old' }));
    const before = await object(s3, 'killed-bucket', 'k');

    await cutPut(`${endpoint}/killed-bucket/k`, 4_000_000, 2_000_000, () => child.kill('SIGKILL'));
    // Until the child is reaped its pid is alive, and its lock still holds the state folder.
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.once('exit', resolve));
    const restarted: LocalAws = await startLocalAws({ port: 0, stateDir });
    cleanups.push(() => restarted.stop());
    const after = client(restarted.endpoint);
    const listed = await after.send(new ListObjectsV2Command({ Bucket: 'killed-bucket' }));

    expect(await object(after, 'killed-bucket', 'k')).toEqual(before);
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['k', 3]]);
    expect(await readdir(join(stateDir, 's3', 'data', 'tmp'))).toEqual([]);
  });
});

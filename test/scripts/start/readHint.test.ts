import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { readHint } from '../../../scripts/start/view.js';
import { findAwsCliV2 } from '../../support/awsCli.js';
import { IN_REGION, TEST_ENV, useLocalAws } from '../../support/localAws.js';
import { useTempDir } from '../../support/tempDir.js';

const run = promisify(execFile);

describe("npm start's hint for reading the data from another terminal", () => {
  const local = useLocalAws();
  const tempDir = useTempDir('read-hint-');

  it('fits 80 columns', () => {
    for (const line of readHint('http://127.0.0.1:4566', 'dekylemaposa-deliverystream-s3'))
      expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('lists the delivered objects when pasted into a shell with no AWS configuration at all', async () => {
    const bucket = 'dekylemaposa-deliverystream-s3';
    const key = '2026/11/28/19/DEKYLMAP-deliverystream-1-2026-11-28-19-00-00-abc';
    const s3 = new S3Client({ endpoint: local.endpoint(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...IN_REGION }));
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"TickerName":"Index_1"}\n' }),
    );
    s3.destroy();

    // What a newcomer's terminal has: a home with no ~/.aws, no AWS_* variables, `aws` on PATH.
    const home = await tempDir();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    const pasted = readHint(local.endpoint(), bucket).slice(1).join('\n');
    const { stdout } = await run('sh', ['-c', pasted], {
      env: { ...env, HOME: home, PATH: `${dirname(findAwsCliV2())}:${process.env.PATH ?? ''}` },
    });
    expect(stdout).toContain(key);
    expect(Object.keys(TEST_ENV).every((name) => env[name] === undefined)).toBe(true);
  });
});

import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../lib/build/functions.js';
import { runActionProcess } from '../support/actionRun.js';
import { useLocalAws } from '../support/localAws.js';
import { useTempDir } from '../support/tempDir.js';

// The whole life through the actions' real interface, against local AWS at 60 times speed, so the
// one-minute schedule fires every second and Firehose's 60-second buffer flushes every second.
const local = useLocalAws({ timeScale: 60 });
const tempDir = useTempDir('actions-lifecycle-');
const STACK = 'DEKYLMAP-streaming-pipeline';
let dir = '';
let artifacts = '';

beforeAll(async () => {
  dir = await tempDir();
  artifacts = `${dir}/build`;
  await buildFunctions({ outDir: artifacts });
}, 120_000);

const run = (name: string, inputs: Record<string, string> = {}) =>
  runActionProcess(name, inputs, { dir, timeoutMs: 240_000 });

describe('the actions, from validate to teardown', () => {
  it('validate passes on the repository config', async () => {
    const validate = await run('validate');

    expect(validate.code).toBe(0);
    expect(validate.outputs['stack-name']).toBe(STACK);
  }, 120_000);

  it('deploy creates both stacks, lists the changes and sets every stack output', async () => {
    const deploy = await run('deploy', { artifacts });

    expect(deploy.log).not.toMatch(/::error/);
    expect(deploy.code).toBe(0);
    expect(deploy.outputs).toMatchObject({
      'stack-name': STACK,
      changed: 'true',
      status: 'CREATE_COMPLETE',
      TableName: 'DEKYLMAP-streaming-dynamodb',
      BucketName: 'dekylemaposa-deliverystream-s3',
    });
    expect(deploy.outputs.AlertQueueUrl).toMatch(/^http/);
    expect(deploy.summary).toContain('| Add | StreamingFunction | AWS::Lambda::Function |');
    expect(deploy.log).toMatch(/CREATE_COMPLETE {2}TickerTable/);
  }, 240_000);

  it('a second deploy with nothing changed is success with changed false', async () => {
    const deploy = await run('deploy', { artifacts });

    expect(deploy.code).toBe(0);
    expect(deploy.outputs.changed).toBe('false');
    expect(deploy.log).toMatch(/already there \(same content hash\)/);
  }, 240_000);

  it('seed writes the five tickers, then keeps them on a second run', async () => {
    const first = await run('seed');
    const second = await run('seed');

    expect(first.code).toBe(0);
    expect(Number(first.outputs.written) + Number(first.outputs.kept)).toBe(5);
    expect(second.outputs).toMatchObject({ written: '0', kept: '5', 'not-in-config': '[]' });
  }, 60_000);

  it('smoke with drill proves the delivery and the alert', async () => {
    const smoke = await run('smoke', { drill: 'true', 'timeout-seconds': '120' });

    expect(smoke.log).not.toMatch(/::error/);
    expect(smoke.code).toBe(0);
    expect(Number(smoke.outputs.objects)).toBeGreaterThan(0);
    expect(Number(smoke.outputs.records)).toBeGreaterThanOrEqual(10);
    expect(smoke.outputs['alert-received']).toBe('true');
    expect(smoke.summary).toMatch(/\| Index_1 \| \d+\.\d\d \|/);
    expect(smoke.summary).toContain('```mermaid');
  }, 240_000);

  it('teardown with the wrong confirm deletes nothing', async () => {
    const teardown = await run('teardown', { confirm: 'DEKYLMAP' });
    const { Stacks } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: STACK }),
    );

    expect(teardown.code).toBe(1);
    expect(teardown.log).toMatch(/confirm is "DEKYLMAP".*nothing was deleted/);
    expect(Stacks?.[0]?.StackStatus).toMatch(/COMPLETE$/);
  }, 60_000);

  it('teardown empties the buckets and deletes both stacks, listing them', async () => {
    const teardown = await run('teardown', { confirm: STACK });

    expect(teardown.log).not.toMatch(/::error/);
    expect(teardown.code).toBe(0);
    expect(JSON.parse(teardown.outputs.deleted!)).toEqual([
      `stack:${STACK}`,
      'bucket:dekylemaposa-deliverystream-s3',
      'stack:DEKYLMAP-code-artifacts',
      'bucket:dekylemaposa-code-artifacts-s3',
    ]);
    expect(teardown.summary).toContain(`stack:${STACK}`);
    const listing = new S3Client({ forcePathStyle: true }).send(
      new ListObjectVersionsCommand({ Bucket: 'dekylemaposa-deliverystream-s3' }),
    );
    await expect(listing).rejects.toMatchObject({ name: 'NoSuchBucket' });
  }, 240_000);

  it('teardown again on nothing is a clean success', async () => {
    const teardown = await run('teardown', { confirm: STACK });

    expect(teardown.code).toBe(0);
    expect(teardown.outputs.deleted).toBe('[]');
    expect(local.endpoint()).toMatch(/^http:\/\/127\.0\.0\.1:/);
  }, 60_000);
});

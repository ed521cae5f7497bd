import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../../local/index.js';
import type { LocalAws } from '../../../local/index.js';
import { createStack, settled, stackEvents } from '../../support/cloudFormation.js';
import { TEST_ENV } from '../../support/localAws.js';

let stateDir = '';
let local: LocalAws | undefined;

/** Clients for the local AWS running now (a restart changes its port). */
function clients() {
  const config = {
    region: TEST_ENV.AWS_REGION,
    endpoint: local!.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return {
    cfn: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

async function restart(): Promise<void> {
  await local?.stop();
  local = await startLocalAws({ port: 0, stateDir });
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'local-aws-cfn-'));
  await restart();
});

afterAll(async () => {
  await local?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const ARTIFACTS = 'cloudformation/code-artifacts.yaml';

describe('deleting a stack whose bucket holds versions', () => {
  it('fails with S3 BucketNotEmpty, and succeeds once every version is gone', async () => {
    const { cfn, s3 } = clients();
    const stack = await createStack(
      cfn,
      'DEKYLMAP-code-artifacts',
      await readFile(ARTIFACTS, 'utf8'),
      {
        parameters: { NamePrefix: 'DEKYLMAP', ArtifactsBucketName: 'dekylemaposa-artifacts' },
      },
    );
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const bucket = 'dekylemaposa-artifacts';
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe(
      'Enabled',
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'code.zip', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'code.zip', Body: 'two' }));

    await cfn.send(new DeleteStackCommand({ StackName: 'DEKYLMAP-code-artifacts' }));
    const failed = await settled(cfn, 'DEKYLMAP-code-artifacts');

    expect(failed.StackStatus).toBe('DELETE_FAILED');
    expect(failed.StackStatusReason).toBe(
      'The following resource(s) failed to delete: [ArtifactsBucket]. ',
    );
    const reason = (await stackEvents(cfn, 'DEKYLMAP-code-artifacts')).find(
      (e) => e.LogicalResourceId === 'ArtifactsBucket' && e.ResourceStatus === 'DELETE_FAILED',
    )?.ResourceStatusReason;
    expect(reason).toContain('The bucket you tried to delete is not empty');
    expect(reason).toContain('Status Code: 409');

    const { Versions = [], DeleteMarkers = [] } = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket }),
    );
    expect(Versions).toHaveLength(2);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [...Versions, ...DeleteMarkers].map((v) => ({
            Key: v.Key,
            VersionId: v.VersionId,
          })),
        },
      }),
    );
    await cfn.send(new DeleteStackCommand({ StackName: 'DEKYLMAP-code-artifacts' }));

    expect((await settled(cfn, stack.StackId!)).StackStatus).toBe('DELETE_COMPLETE');
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();
  });
});

describe('stacks across restarts', () => {
  it('keeps stacks, their resources and events', async () => {
    const before = await createStack(
      clients().cfn,
      'kept',
      'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: kept-bucket\n',
    );

    await restart();

    const { cfn } = clients();
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'kept' }));
    expect(Stacks![0]).toMatchObject({ StackId: before.StackId, StackStatus: 'CREATE_COMPLETE' });
    expect((await stackEvents(cfn, 'kept')).length).toBeGreaterThanOrEqual(4);
  });

  it('rolls back a create that a crash left in progress, deleting what it had made', async () => {
    await createStack(
      clients().cfn,
      'crashed',
      'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: crashed-bucket\n',
    );
    await local!.stop();
    // What a crash in the middle of the create would have left on disk.
    const file = join(stateDir, 'cloudformation', 'stacks.json');
    const stacks = JSON.parse(await readFile(file, 'utf8')) as { name: string; status: string }[];
    stacks.find((stack) => stack.name === 'crashed')!.status = 'CREATE_IN_PROGRESS';
    await writeFile(file, JSON.stringify(stacks));

    local = await startLocalAws({ port: 0, stateDir });
    // The interrupted operation starts CloudFormation at boot: no call comes to start it.
    const startedAtBoot = local.started();

    const { cfn, s3 } = clients();
    const stack = await settled(cfn, 'crashed');
    expect(startedAtBoot).toContain('cloudformation');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(await stackEvents(cfn, 'crashed')).toContainEqual(
      expect.objectContaining({
        ResourceStatus: 'ROLLBACK_IN_PROGRESS',
        ResourceStatusReason: 'local AWS stopped during the operation',
      }),
    );
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'crashed-bucket' }))).rejects.toThrow();
  });
});

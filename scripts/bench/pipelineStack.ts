import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import type { Stack } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildFunctions } from '../../lib/build/functions.js';
import type { FunctionManifest } from '../../lib/build/functions.js';
import { loadConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import {
  artifactsParameters,
  pipelineParameters,
  toCloudFormationParameters,
} from '../../lib/templates/parameters.js';

/** What one pipeline deploy took. */
export interface PipelineDeployStats {
  deploys: number;
  resources: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

const CAPABILITIES = ['CAPABILITY_NAMED_IAM' as const];

/** Polls until no operation runs on the stack (local operations take well under a second). */
async function settled(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
  for (;;) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks![0]!;
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) return stack;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function failure(cfn: CloudFormationClient, stackName: string): Promise<string> {
  const { StackEvents = [] } = await cfn.send(
    new DescribeStackEventsCommand({ StackName: stackName }),
  );
  // The resource's own failure says why; the stack's only lists who failed.
  const failed = StackEvents.find(
    (e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceType !== 'AWS::CloudFormation::Stack',
  );
  return failed
    ? `${failed.LogicalResourceId}: ${failed.ResourceStatusReason}`
    : 'no reason recorded';
}

/**
 * Deploys the project's stacks to local AWS as `npm start` would: the code-artifacts stack, the
 * built function zips uploaded to its bucket, then the pipeline stack `deploys` times (created and
 * deleted again each time), timing each create from CreateStack to CREATE_COMPLETE.
 */
export async function benchPipelineStack(
  endpoint: string,
  region: string,
  deploys: number,
): Promise<PipelineDeployStats> {
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const cfn = new CloudFormationClient({ region, endpoint, credentials, maxAttempts: 1 });
  const s3 = new S3Client({ region, endpoint, credentials, forcePathStyle: true, maxAttempts: 1 });
  const logs = new CloudWatchLogsClient({ region, endpoint, credentials, maxAttempts: 1 });
  const config = await loadConfig();
  const names = deriveNames(config);
  const outDir = await mkdtemp(join(tmpdir(), 'bench-functions-'));
  const manifest: FunctionManifest = await buildFunctions({ outDir });

  await cfn.send(
    new CreateStackCommand({
      StackName: names.artifactsStack,
      TemplateBody: await readFile('cloudformation/code-artifacts.yaml', 'utf8'),
      Parameters: toCloudFormationParameters(artifactsParameters(names)),
    }),
  );
  const artifacts = await settled(cfn, names.artifactsStack);
  if (artifacts.StackStatus !== 'CREATE_COMPLETE')
    throw new Error(`the code-artifacts stack failed: ${await failure(cfn, names.artifactsStack)}`);
  for (const built of Object.values(manifest))
    await s3.send(
      new PutObjectCommand({
        Bucket: names.artifactsBucket,
        Key: built.key,
        Body: await readFile(built.file),
      }),
    );
  await rm(outDir, { recursive: true, force: true });

  const template = await readFile('cloudformation/pipeline.yaml', 'utf8');
  const parameters = toCloudFormationParameters(
    pipelineParameters(config, names, {
      streaming: manifest.streaming.key,
      notification: manifest.notification.key,
    }),
  );
  const times: number[] = [];
  let resources = 0;
  for (let run = 0; run < deploys; run++) {
    const started = performance.now();
    const { StackId } = await cfn.send(
      new CreateStackCommand({
        StackName: names.stack,
        TemplateBody: template,
        Parameters: parameters,
        Capabilities: CAPABILITIES,
      }),
    );
    const stack = await settled(cfn, StackId!);
    times.push(performance.now() - started);
    if (stack.StackStatus !== 'CREATE_COMPLETE')
      throw new Error(`the pipeline stack failed: ${await failure(cfn, StackId!)}`);
    const { StackEvents = [] } = await cfn.send(
      new DescribeStackEventsCommand({ StackName: StackId }),
    );
    resources = StackEvents.filter(
      (e) =>
        e.ResourceStatus === 'CREATE_COMPLETE' && e.ResourceType !== 'AWS::CloudFormation::Stack',
    ).length;
    await cfn.send(new DeleteStackCommand({ StackName: StackId }));
    const deleted = await settled(cfn, StackId!);
    if (deleted.StackStatus !== 'DELETE_COMPLETE')
      throw new Error(`deleting the pipeline stack failed: ${await failure(cfn, StackId!)}`);
    // A function the schedule invoked may still be logging after its stack is gone, and local
    // Lambda (unlike the pipeline's roles in AWS) may create its log group: the next create
    // would find it there.
    for (const group of [names.streamingLogGroup, names.notificationLogGroup])
      await logs
        .send(new DeleteLogGroupCommand({ logGroupName: group }))
        .catch((error: unknown) => {
          if (!(error instanceof ResourceNotFoundException)) throw error;
        });
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    deploys,
    resources,
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
    minMs: Math.round(sorted[0]!),
    maxMs: Math.round(sorted.at(-1)!),
  };
}

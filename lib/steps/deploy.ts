import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { FunctionManifest } from '../build/functions.js';
import { BUILD_DIR } from '../build/functions.js';
import type { ResourceNames } from '../config/names.js';
import type { PipelineConfig } from '../config/schema.js';
import {
  artifactsParameters,
  pipelineParameters,
  toCloudFormationParameters,
} from '../templates/parameters.js';
import { TEMPLATE_DIR } from '../templates/validate.js';
import { callAws, errorName } from './aws.js';
import type { RetryOptions } from './aws.js';
import { StepError } from './errors.js';
import { systemClock } from './report.js';
import type { Clock, Reporter } from './report.js';
import { deployStack } from './stacks.js';
import type { StackDeployResult } from './stacks.js';

/** The clients deploy uses. */
export interface DeployClients {
  cloudFormation: CloudFormationClient;
  s3: S3Client;
}

/** Options of {@link deployPipeline}. */
export interface DeployOptions {
  config: PipelineConfig;
  names: ResourceNames;
  /** The output of `npm run build` (default `build/functions`): the zips and manifest.json. */
  artifacts?: string;
  /** The folder holding pipeline.yaml and code-artifacts.yaml (default `cloudformation`). */
  templates?: string;
  /** The bound of the whole deploy. */
  timeoutMs: number;
  clock?: Clock;
  retry?: RetryOptions;
}

/** What deploy did. */
export interface DeployResult extends StackDeployResult {
  /** Object keys uploaded to the code bucket, and those already there. */
  uploaded: string[];
  alreadyUploaded: string[];
}

const builtFunction = z.object({
  file: z.string(),
  key: z.string().regex(/^functions\/[a-z]+-[0-9a-f]{16}\.zip$/),
  sha256: z.string(),
  bytes: z.number(),
});
const manifestSchema = z.object({ streaming: builtFunction, notification: builtFunction });

/** Reads build/functions/manifest.json; says to run `npm run build` when it is missing or wrong. */
export async function readManifest(artifacts: string): Promise<FunctionManifest> {
  const file = join(artifacts, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    throw new StepError(
      `${file} cannot be read; run npm run build first (deploy uploads what it built, it builds nothing itself)`,
      { cause: error },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error: unknown) {
    throw new StepError(`${file} is not JSON; run npm run build again`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success)
    throw new StepError(
      `${file} is not a build manifest (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); run npm run build again`,
    );
  return parsed.data;
}

/** Uploads each zip under its content-hashed key unless an object is already there. */
async function uploadFunctions(
  s3: S3Client,
  bucket: string,
  artifacts: string,
  manifest: FunctionManifest,
  reporter: Reporter,
  retry: RetryOptions | undefined,
): Promise<{ uploaded: string[]; alreadyUploaded: string[] }> {
  const uploaded: string[] = [];
  const alreadyUploaded: string[] = [];
  for (const built of Object.values(manifest)) {
    const key = built.key;
    try {
      await callAws(
        { action: 's3:GetObject', resource: `s3://${bucket}/${key}` },
        () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
        retry,
      );
      alreadyUploaded.push(key);
      reporter.info(`s3://${bucket}/${key} is already there (same content hash): not uploaded`);
      continue;
    } catch (error: unknown) {
      if (errorName(error) !== 'NotFound') throw error;
    }
    // The manifest's path is relative to the repository root; the zip sits beside the manifest.
    const body = await readFile(join(artifacts, key.slice('functions/'.length)));
    await callAws(
      { action: 's3:PutObject', resource: `s3://${bucket}/${key}` },
      () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
      retry,
    );
    uploaded.push(key);
    reporter.info(`Uploaded s3://${bucket}/${key} (${(body.length / 1024).toFixed(1)} KiB)`);
  }
  return { uploaded, alreadyUploaded };
}

/**
 * Deploys the pipeline: the code-artifacts stack (created when missing), the function zips under
 * their content-hashed keys (skipping those already there), then the pipeline stack through a
 * change set. Throws a {@link StepError} saying what failed and what to do.
 */
export async function deployPipeline(
  clients: DeployClients,
  options: DeployOptions,
  reporter: Reporter,
): Promise<DeployResult> {
  const clock = options.clock ?? systemClock;
  const artifacts = options.artifacts ?? BUILD_DIR;
  const templates = options.templates ?? TEMPLATE_DIR;
  const context = {
    reporter,
    clock,
    deadline: clock.now() + options.timeoutMs,
    ...(options.retry ? { retry: options.retry } : {}),
  };
  const manifest = await readManifest(artifacts);
  const { names } = options;
  const code = await deployStack(
    clients.cloudFormation,
    {
      stackName: names.artifactsStack,
      templateBody: await readFile(join(templates, 'code-artifacts.yaml'), 'utf8'),
      parameters: toCloudFormationParameters(artifactsParameters(names)),
    },
    context,
  );
  const bucket = code.outputs.ArtifactsBucketName ?? names.artifactsBucket;
  const upload = await uploadFunctions(
    clients.s3,
    bucket,
    artifacts,
    manifest,
    reporter,
    options.retry,
  );
  const pipeline = await deployStack(
    clients.cloudFormation,
    {
      stackName: names.stack,
      templateBody: await readFile(join(templates, 'pipeline.yaml'), 'utf8'),
      parameters: toCloudFormationParameters(
        pipelineParameters(options.config, names, {
          streaming: manifest.streaming.key,
          notification: manifest.notification.key,
        }),
      ),
      capabilities: ['CAPABILITY_NAMED_IAM'],
    },
    context,
  );
  return { ...pipeline, ...upload };
}

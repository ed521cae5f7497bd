import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import type { Capability, Parameter, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { readFile } from 'node:fs/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildFunctions } from '../../lib/build/functions.js';
import { deriveNames } from '../../lib/config/names.js';
import type { PipelineConfig } from '../../lib/config/schema.js';
import { artifactsParameters, pipelineParameters } from '../../lib/templates/parameters.js';

/** A CloudFormation client for local AWS (the endpoint comes from the environment). */
export function cloudFormationClient(): CloudFormationClient {
  return new CloudFormationClient({ maxAttempts: 1 });
}

/** Parameters in the API's shape from a plain object. */
export function parameters(values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

/** Waits until no operation runs on the stack, and returns it. */
export async function settled(client: CloudFormationClient, name: string): Promise<Stack> {
  for (;;) {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks![0]!;
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS') || stack.StackStatus === 'REVIEW_IN_PROGRESS')
      return stack;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates a stack from a template text and waits for the operation to end. */
export async function createStack(
  client: CloudFormationClient,
  name: string,
  template: string,
  options: { parameters?: Record<string, string>; capabilities?: Capability[] } = {},
): Promise<Stack> {
  await client.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: template,
      Parameters: parameters(options.parameters ?? {}),
      Capabilities: options.capabilities,
    }),
  );
  return settled(client, name);
}

/** Every event of the stack, newest first. */
export async function stackEvents(
  client: CloudFormationClient,
  name: string,
): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new DescribeStackEventsCommand({ StackName: name, NextToken: token }),
    );
    events.push(...(page.StackEvents ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}

/**
 * Stands up the project as `npm run deploy` does, on local AWS: builds the functions into
 * `buildDir`, creates the code-artifacts stack, uploads the zips into its bucket and creates the
 * pipeline stack on them. Throws, with the stack's reason, unless the pipeline stack is created.
 */
export async function deployPipeline(config: PipelineConfig, buildDir: string): Promise<Stack> {
  const names = deriveNames(config);
  const manifest = await buildFunctions({ outDir: buildDir });
  const cfn = cloudFormationClient();
  await createStack(
    cfn,
    names.artifactsStack,
    await readFile('cloudformation/code-artifacts.yaml', 'utf8'),
    { parameters: artifactsParameters(names) },
  );
  const s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
  for (const built of Object.values(manifest))
    await s3.send(
      new PutObjectCommand({
        Bucket: names.artifactsBucket,
        Key: built.key,
        Body: await readFile(built.file),
      }),
    );
  const stack = await createStack(
    cfn,
    names.stack,
    await readFile('cloudformation/pipeline.yaml', 'utf8'),
    {
      parameters: pipelineParameters(config, names, {
        streaming: manifest.streaming.key,
        notification: manifest.notification.key,
      }),
      capabilities: ['CAPABILITY_NAMED_IAM'],
    },
  );
  if (stack.StackStatus !== 'CREATE_COMPLETE')
    throw new Error(`${names.stack}: ${stack.StackStatus} ${stack.StackStatusReason ?? ''}`);
  return stack;
}

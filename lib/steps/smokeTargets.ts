import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ResourceNames } from '../config/names.js';
import type { RetryOptions } from './aws.js';
import { StepError } from './errors.js';
import type { SmokeTargets } from './smoke.js';
import { describeStack, outputsOf } from './stacks.js';

/** Where smoke looks, from the pipeline stack's outputs; says to deploy first when it is missing. */
export async function smokeTargets(
  cloudFormation: CloudFormationClient,
  names: ResourceNames,
  retry?: RetryOptions,
): Promise<SmokeTargets> {
  const stack = await describeStack(cloudFormation, names.stack, retry);
  if (!stack)
    throw new StepError(
      `the pipeline stack ${names.stack} does not exist; run the deploy step first`,
    );
  const outputs = outputsOf(stack);
  return {
    bucket: outputs.BucketName ?? names.bucket,
    prefix: outputs.DataPrefix ?? 'tickers/',
    streamingFunction: outputs.StreamingFunctionName ?? names.streamingFunction,
    ...(outputs.AlertQueueUrl ? { alertQueueUrl: outputs.AlertQueueUrl } : {}),
  };
}

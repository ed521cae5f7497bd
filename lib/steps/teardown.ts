import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ResourceNames } from '../config/names.js';
import type { RetryOptions } from './aws.js';
import { deleteBucketIfPresent, emptyBucket } from './buckets.js';
import { StackStateError, StepError } from './errors.js';
import { markdownTable, systemClock } from './report.js';
import type { Clock, Reporter } from './report.js';
import { deleteStack } from './stacks.js';

/** The clients teardown uses. */
export interface TeardownClients {
  cloudFormation: CloudFormationClient;
  s3: S3Client;
}

/** Options of {@link teardownPipeline}. */
export interface TeardownOptions {
  names: ResourceNames;
  /** Must equal the pipeline stack's name, or nothing is touched. */
  confirm: string;
  timeoutMs: number;
  clock?: Clock;
  retry?: RetryOptions;
}

/** A `confirm` that is not the stack name: nothing was touched. */
export class ConfirmationError extends StepError {
  override name = 'ConfirmationError';
}

/** Throws {@link ConfirmationError} unless `confirm` is the pipeline stack's name. */
export function checkConfirmation(names: ResourceNames, confirm: string): void {
  if (confirm !== names.stack)
    throw new ConfirmationError(
      `confirm is ${JSON.stringify(confirm)}; set it to the pipeline stack's name, ` +
        `${JSON.stringify(names.stack)}, to delete the pipeline (nothing was deleted)`,
    );
}

/**
 * Empties the data and artifacts buckets (every version and delete marker), deletes the pipeline
 * stack and then the artifacts stack, and returns what it deleted. On nothing, it deletes
 * nothing and succeeds.
 */
export async function teardownPipeline(
  clients: TeardownClients,
  options: TeardownOptions,
  reporter: Reporter,
): Promise<{ deleted: string[] }> {
  const { names } = options;
  checkConfirmation(names, options.confirm);
  const clock = options.clock ?? systemClock;
  const context = {
    reporter,
    clock,
    deadline: clock.now() + options.timeoutMs,
    ...(options.retry ? { retry: options.retry } : {}),
  };
  const deleted: string[] = [];
  const stages = [
    { stack: names.stack, bucket: names.bucket },
    { stack: names.artifactsStack, bucket: names.artifactsBucket },
  ];
  for (const { stack, bucket } of stages) {
    const emptied = await emptyBucket(clients.s3, bucket, reporter, options.retry);
    let stackDeleted: boolean;
    try {
      stackDeleted = await deleteStack(clients.cloudFormation, stack, context);
    } catch (error: unknown) {
      if (!(error instanceof StackStateError)) throw error;
      // Firehose may deliver one last object between emptying and deleting: empty once more.
      reporter.warning(
        `${stack} could not be deleted at first; emptying ${bucket} again and retrying`,
      );
      await emptyBucket(clients.s3, bucket, reporter, options.retry);
      stackDeleted = await deleteStack(clients.cloudFormation, stack, context);
    }
    if (stackDeleted) deleted.push(`stack:${stack}`);
    // A bucket the stack did not own (or kept) is deleted here, so nothing is left behind.
    if (emptied.existed) {
      await deleteBucketIfPresent(clients.s3, bucket, options.retry);
      deleted.push(`bucket:${bucket}`);
    }
  }
  reporter.summary(
    deleted.length > 0
      ? `### Teardown\n\n${markdownTable(
          ['deleted'],
          deleted.map((item) => [item]),
        )}`
      : '### Teardown\n\nNothing to delete: no pipeline stack, artifacts stack or bucket was found.',
  );
  reporter.info(deleted.length > 0 ? `Deleted ${deleted.join(', ')}` : 'Nothing to delete');
  return { deleted };
}

import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import type { ObjectIdentifier, S3Client } from '@aws-sdk/client-s3';
import { callAws, errorName } from './aws.js';
import type { RetryOptions } from './aws.js';
import { StepError } from './errors.js';
import type { Reporter } from './report.js';

/** S3 deletes at most this many keys in one DeleteObjects call. */
export const DELETE_BATCH = 1_000;

/** What emptying a bucket found. */
export interface EmptiedBucket {
  /** False when the bucket did not exist. */
  existed: boolean;
  /** Object versions and delete markers deleted. */
  deleted: number;
}

/**
 * Deletes every object version and delete marker of a versioned bucket, 1,000 at a time, so
 * CloudFormation can delete the bucket. A bucket that does not exist is already empty.
 */
export async function emptyBucket(
  s3: S3Client,
  bucket: string,
  reporter: Reporter,
  retry?: RetryOptions,
): Promise<EmptiedBucket> {
  let deleted = 0;
  for (;;) {
    // Always list from the start: what was listed before is gone, and markers deleted meanwhile
    // would make a saved position point at nothing.
    let page;
    try {
      page = await callAws(
        { action: 's3:ListBucketVersions', resource: `bucket ${bucket}` },
        () => s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: DELETE_BATCH })),
        retry,
      );
    } catch (error: unknown) {
      if (errorName(error) === 'NoSuchBucket') return { existed: false, deleted };
      throw error;
    }
    const batch: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((entry) => entry.Key !== undefined)
      .map((entry) => ({ Key: entry.Key!, VersionId: entry.VersionId }))
      .slice(0, DELETE_BATCH);
    if (batch.length === 0) break;
    const result = await callAws(
      { action: 's3:DeleteObjectVersion', resource: `bucket ${bucket}` },
      () =>
        s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
        ),
      retry,
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new StepError(
        `could not delete ${failed.length} object version(s) from ${bucket}, such as ${first.Key} (${first.Code}: ${first.Message}); ` +
          'check that the role may call s3:DeleteObjectVersion on it and that no Object Lock retention holds it',
      );
    }
    deleted += batch.length;
    reporter.info(`${bucket}: deleted ${deleted} object version(s) and delete marker(s) so far`);
  }
  return { existed: true, deleted };
}

/** Deletes an (empty) bucket; one that is already gone is fine. */
export async function deleteBucketIfPresent(
  s3: S3Client,
  bucket: string,
  retry?: RetryOptions,
): Promise<void> {
  try {
    await callAws(
      { action: 's3:DeleteBucket', resource: `bucket ${bucket}` },
      () => s3.send(new DeleteBucketCommand({ Bucket: bucket })),
      retry,
    );
  } catch (error: unknown) {
    if (errorName(error) !== 'NoSuchBucket') throw error;
  }
}

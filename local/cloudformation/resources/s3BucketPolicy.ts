import { DeleteBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

/** AWS::S3::BucketPolicy: the policy written with PutBucketPolicy (recorded, not enforced, locally). */
export const s3BucketPolicy: Provisioner = {
  replacing: ['Bucket'],
  async create(context, properties) {
    const bucket = textOf(properties.Bucket) ?? '';
    await context.clients.get(S3Client).send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify(properties.PolicyDocument),
      }),
    );
    // CloudFormation gives a bucket policy the bucket's name as its physical id.
    return { physicalId: bucket };
  },
  async update(context, current, properties) {
    return this.create(context, { ...properties, Bucket: current.physicalId });
  },
  async delete(context, current) {
    await ignoringMissing(['NoSuchBucket', 'NoSuchBucketPolicy'], () =>
      context.clients
        .get(S3Client)
        .send(new DeleteBucketPolicyCommand({ Bucket: current.physicalId })),
    );
  },
};

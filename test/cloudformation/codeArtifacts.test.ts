import { describe, expect, it } from 'vitest';
import { isObject, readTemplate } from '../../lib/templates/parse.js';

async function artifactsBucket() {
  const resources = (await readTemplate('cloudformation/code-artifacts.yaml')).body.Resources;
  const bucket = isObject(resources) ? resources.ArtifactsBucket : undefined;
  if (!isObject(bucket)) throw new Error('code-artifacts.yaml has no ArtifactsBucket');
  return bucket;
}

describe('cloudformation/code-artifacts.yaml', () => {
  it('encrypts the zips with the AWS managed KMS key (no key to pay for) and a bucket key', async () => {
    // Act
    const bucket = await artifactsBucket();

    // Assess: no KMSMasterKeyID means S3 uses the account's aws/s3 key.
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
        ],
      },
    });
    const [rule] = (
      bucket.Properties as {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: object }[];
        };
      }
    ).BucketEncryption.ServerSideEncryptionConfiguration;
    expect(rule!.ServerSideEncryptionByDefault).not.toHaveProperty('KMSMasterKeyID');
  });

  it('meets CT.S3.PR.10 rather than suppressing it', async () => {
    const bucket = await artifactsBucket();
    const guard = isObject(bucket.Metadata) ? bucket.Metadata.guard : undefined;
    const rules =
      isObject(guard) && Array.isArray(guard.SuppressedRules) ? guard.SuppressedRules : [];
    expect(rules.map((rule) => (isObject(rule) ? rule.Rule : rule))).not.toContain('CT.S3.PR.10');
  });
});

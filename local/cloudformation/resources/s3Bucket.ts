import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { isObject } from '../../../lib/templates/parse.js';
import type { TemplateValue } from '../../../lib/templates/parse.js';
import type { Properties } from '../model.js';
import { changed, ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioned, Provisioner } from './provisioner.js';

type Json = { [key: string]: TemplateValue };
const objectOf = (value: TemplateValue | undefined): Json => (isObject(value) ? value : {});
const listOf = (value: TemplateValue | undefined): Json[] =>
  Array.isArray(value) ? value.filter(isObject) : [];

/** A lifecycle rule as CloudFormation writes it, in S3's API shape. */
function lifecycleRule(rule: Json): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (rule.Prefix !== undefined) filter.Prefix = rule.Prefix;
  const transitions = listOf(rule.Transitions).map((t) => ({
    StorageClass: t.StorageClass,
    Days: t.TransitionInDays,
    Date: t.TransitionDate,
  }));
  const noncurrent = objectOf(rule.NoncurrentVersionExpiration);
  return {
    ID: rule.Id,
    Status: rule.Status,
    Filter: filter,
    ...(rule.ExpirationInDays !== undefined || rule.ExpirationDate !== undefined
      ? { Expiration: { Days: rule.ExpirationInDays, Date: rule.ExpirationDate } }
      : {}),
    ...(rule.ExpiredObjectDeleteMarker !== undefined
      ? { Expiration: { ExpiredObjectDeleteMarker: rule.ExpiredObjectDeleteMarker } }
      : {}),
    ...(rule.NoncurrentVersionExpirationInDays !== undefined
      ? { NoncurrentVersionExpiration: { NoncurrentDays: rule.NoncurrentVersionExpirationInDays } }
      : {}),
    ...(Object.keys(noncurrent).length > 0
      ? {
          NoncurrentVersionExpiration: {
            NoncurrentDays: noncurrent.NoncurrentDays,
            NewerNoncurrentVersions: noncurrent.NewerNoncurrentVersions,
          },
        }
      : {}),
    ...(transitions.length > 0 ? { Transitions: transitions } : {}),
    ...(rule.AbortIncompleteMultipartUpload !== undefined
      ? { AbortIncompleteMultipartUpload: rule.AbortIncompleteMultipartUpload }
      : {}),
  };
}

/** Each bucket configuration the template may hold: how to write it, and how to remove it. */
const CONFIGURATIONS: {
  property: string;
  put(client: S3Client, bucket: string, value: Json | TemplateValue[]): Promise<unknown>;
  remove?(client: S3Client, bucket: string): Promise<unknown>;
}[] = [
  {
    property: 'VersioningConfiguration',
    put: (client, bucket, value) =>
      client.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: (value as Json).Status as never },
        }),
      ),
  },
  {
    property: 'BucketEncryption',
    put: (client, bucket, value) =>
      client.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: listOf((value as Json).ServerSideEncryptionConfiguration).map((rule) => ({
              ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault as never,
              BucketKeyEnabled: rule.BucketKeyEnabled as never,
            })),
          },
        }),
      ),
    remove: (client, bucket) => client.send(new DeleteBucketEncryptionCommand({ Bucket: bucket })),
  },
  {
    property: 'PublicAccessBlockConfiguration',
    put: (client, bucket, value) =>
      client.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: value as never,
        }),
      ),
    remove: (client, bucket) => client.send(new DeletePublicAccessBlockCommand({ Bucket: bucket })),
  },
  {
    property: 'OwnershipControls',
    put: (client, bucket, value) =>
      client.send(
        new PutBucketOwnershipControlsCommand({
          Bucket: bucket,
          OwnershipControls: value as never,
        }),
      ),
    remove: (client, bucket) =>
      client.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket })),
  },
  {
    property: 'LifecycleConfiguration',
    put: (client, bucket, value) =>
      client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: {
            Rules: listOf((value as Json).Rules).map(lifecycleRule) as never,
          },
        }),
      ),
    remove: (client, bucket) => client.send(new DeleteBucketLifecycleCommand({ Bucket: bucket })),
  },
  {
    property: 'NotificationConfiguration',
    put: (client, bucket, value) => {
      const bridge = objectOf((value as Json).EventBridgeConfiguration);
      return client.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration:
            bridge.EventBridgeEnabled === true ? { EventBridgeConfiguration: {} } : {},
        }),
      );
    },
    remove: (client, bucket) =>
      client.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {},
        }),
      ),
  },
  {
    property: 'Tags',
    put: (client, bucket, value) =>
      client.send(
        new PutBucketTaggingCommand({
          Bucket: bucket,
          Tagging: { TagSet: tagsOf(value as TemplateValue[]) },
        }),
      ),
    remove: (client, bucket) => client.send(new DeleteBucketTaggingCommand({ Bucket: bucket })),
  },
];

/** Writes the configurations that differ between `before` and `after`. */
async function configure(
  context: ProvisionContext,
  bucket: string,
  before: Properties,
  after: Properties,
): Promise<void> {
  const client = context.clients.get(S3Client);
  for (const configuration of CONFIGURATIONS) {
    const value = after[configuration.property];
    if (!changed(before[configuration.property], value)) continue;
    if (value !== undefined && value !== null)
      await configuration.put(client, bucket, value as Json);
    else await configuration.remove?.(client, bucket);
  }
}

function provisioned(context: ProvisionContext, bucket: string): Provisioned {
  const suffix = 'amazonaws.com';
  return {
    physicalId: bucket,
    attributes: {
      Arn: `arn:aws:s3:::${bucket}`,
      DomainName: `${bucket}.s3.${suffix}`,
      RegionalDomainName: `${bucket}.s3.${context.region}.${suffix}`,
      DualStackDomainName: `${bucket}.s3.dualstack.${context.region}.${suffix}`,
      WebsiteURL: `http://${bucket}.s3-website.${context.region}.${suffix}`,
    },
  };
}

/**
 * AWS::S3::Bucket through local S3's API: versioning, encryption, public access block, ownership
 * controls, lifecycle, EventBridge notification and tags are written as S3 calls (local S3 records
 * them). Deleting a bucket that still holds objects fails with S3's own BucketNotEmpty.
 */
export const s3Bucket: Provisioner = {
  nameProperty: 'BucketName',
  async create(context, properties) {
    const bucket =
      textOf(properties.BucketName) ?? context.generatedName({ maxLength: 63, lowerCase: true });
    await context.clients.get(S3Client).send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(context.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: context.region as never } }),
      }),
    );
    await configure(context, bucket, {}, properties);
    return provisioned(context, bucket);
  },

  async update(context, current, properties) {
    await configure(context, current.physicalId, current.properties, properties);
    return provisioned(context, current.physicalId);
  },

  async delete(context, current) {
    await ignoringMissing(['NoSuchBucket'], () =>
      context.clients.get(S3Client).send(new DeleteBucketCommand({ Bucket: current.physicalId })),
    );
  },
};

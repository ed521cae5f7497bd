import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import type { Properties } from '../model.js';
import { changed, ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioned, Provisioner } from './provisioner.js';

/** Queue properties that are queue attributes, and whether they are JSON. */
const ATTRIBUTES: Record<string, boolean> = {
  DelaySeconds: false,
  MaximumMessageSize: false,
  MessageRetentionPeriod: false,
  ReceiveMessageWaitTimeSeconds: false,
  VisibilityTimeout: false,
  RedrivePolicy: true,
  RedriveAllowPolicy: true,
  FifoQueue: false,
  ContentBasedDeduplication: false,
  DeduplicationScope: false,
  FifoThroughputLimit: false,
  KmsMasterKeyId: false,
  KmsDataKeyReusePeriodSeconds: false,
  SqsManagedSseEnabled: false,
};

function attributesOf(properties: Properties): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, json] of Object.entries(ATTRIBUTES)) {
    const value = properties[name];
    if (value !== undefined)
      attributes[name] = json && typeof value !== 'string' ? JSON.stringify(value) : String(value);
  }
  return attributes;
}

async function provisioned(context: ProvisionContext, url: string): Promise<Provisioned> {
  const { Attributes } = await context.clients
    .get(SQSClient)
    .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = Attributes!.QueueArn!;
  return {
    physicalId: url,
    attributes: { Arn: arn, QueueName: arn.split(':').pop()!, QueueUrl: url },
  };
}

/** AWS::SQS::Queue through local SQS's API; Ref is the queue's URL as local SQS gives it. */
export const sqsQueue: Provisioner = {
  nameProperty: 'QueueName',
  async create(context, properties) {
    const fifo = properties.FifoQueue === true;
    const name =
      textOf(properties.QueueName) ??
      `${context.generatedName({ maxLength: fifo ? 75 : 80 })}${fifo ? '.fifo' : ''}`;
    const tags = Object.fromEntries(tagsOf(properties.Tags).map((tag) => [tag.Key, tag.Value]));
    const { QueueUrl } = await context.clients.get(SQSClient).send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: attributesOf(properties),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
      }),
    );
    return provisioned(context, QueueUrl!);
  },
  async update(context, current, properties) {
    const sqs = context.clients.get(SQSClient);
    const url = current.physicalId;
    const before = attributesOf(current.properties);
    const changedAttributes = Object.fromEntries(
      Object.entries(attributesOf(properties)).filter(([key, value]) => before[key] !== value),
    );
    if (Object.keys(changedAttributes).length > 0)
      await sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changedAttributes }),
      );
    if (changed(current.properties.Tags, properties.Tags) && tagsOf(properties.Tags).length > 0)
      await sqs.send(
        new TagQueueCommand({
          QueueUrl: url,
          Tags: Object.fromEntries(tagsOf(properties.Tags).map((tag) => [tag.Key, tag.Value])),
        }),
      );
    return provisioned(context, url);
  },
  async delete(context, current) {
    await ignoringMissing(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'], () =>
      context.clients.get(SQSClient).send(new DeleteQueueCommand({ QueueUrl: current.physicalId })),
    );
  },
};

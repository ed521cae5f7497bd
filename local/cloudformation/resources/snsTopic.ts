import {
  CreateTopicCommand,
  DeleteTopicCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
} from '@aws-sdk/client-sns';
import { isObject } from '../../../lib/templates/parse.js';
import { changed, ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioned, Provisioner } from './provisioner.js';
import type { Properties } from '../model.js';

/** Topic properties that are topic attributes of the same name. */
const ATTRIBUTES = [
  'DisplayName',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'ContentBasedDeduplication',
] as const;

function attributesOf(properties: Properties): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTES) {
    const value = textOf(properties[name]);
    if (value !== undefined) attributes[name] = value;
  }
  if (properties.FifoTopic !== undefined) attributes.FifoTopic = String(properties.FifoTopic);
  for (const name of ['DataProtectionPolicy', 'ArchivePolicy'] as const)
    if (properties[name] !== undefined) attributes[name] = JSON.stringify(properties[name]);
  return attributes;
}

function provisioned(topicArn: string): Provisioned {
  return {
    physicalId: topicArn,
    attributes: { TopicArn: topicArn, TopicName: topicArn.split(':').pop()! },
  };
}

async function subscribeAll(
  context: ProvisionContext,
  topicArn: string,
  properties: Properties,
): Promise<void> {
  const subscriptions = Array.isArray(properties.Subscription) ? properties.Subscription : [];
  for (const subscription of subscriptions.filter(isObject)) {
    await context.clients.get(SNSClient).send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: textOf(subscription.Protocol),
        Endpoint: textOf(subscription.Endpoint),
      }),
    );
  }
}

/** AWS::SNS::Topic through local SNS's API; Ref is the topic's ARN. */
export const snsTopic: Provisioner = {
  nameProperty: 'TopicName',
  async create(context, properties) {
    const name =
      textOf(properties.TopicName) ??
      `${context.generatedName({ maxLength: properties.FifoTopic === true ? 251 : 256 })}${properties.FifoTopic === true ? '.fifo' : ''}`;
    const tags = tagsOf(properties.Tags);
    const { TopicArn } = await context.clients.get(SNSClient).send(
      new CreateTopicCommand({
        Name: name,
        Attributes: attributesOf(properties),
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    await subscribeAll(context, TopicArn!, properties);
    return provisioned(TopicArn!);
  },

  async update(context, current, properties) {
    const client = context.clients.get(SNSClient);
    const before = attributesOf(current.properties);
    for (const [name, value] of Object.entries(attributesOf(properties)))
      if (before[name] !== value)
        await client.send(
          new SetTopicAttributesCommand({
            TopicArn: current.physicalId,
            AttributeName: name,
            AttributeValue: value,
          }),
        );
    if (changed(current.properties.Tags, properties.Tags) && tagsOf(properties.Tags).length > 0)
      await client.send(
        new TagResourceCommand({ ResourceArn: current.physicalId, Tags: tagsOf(properties.Tags) }),
      );
    if (changed(current.properties.Subscription, properties.Subscription))
      await subscribeAll(context, current.physicalId, properties);
    return provisioned(current.physicalId);
  },

  async delete(context, current) {
    await ignoringMissing(['NotFoundException'], () =>
      context.clients.get(SNSClient).send(new DeleteTopicCommand({ TopicArn: current.physicalId })),
    );
  },
};

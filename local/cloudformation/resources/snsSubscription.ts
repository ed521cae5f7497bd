import {
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { Properties } from '../model.js';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

/** Subscription properties that are subscription attributes, and whether they are JSON. */
const ATTRIBUTES: Record<string, boolean> = {
  DeliveryPolicy: true,
  FilterPolicy: true,
  FilterPolicyScope: false,
  RawMessageDelivery: false,
  RedrivePolicy: true,
  SubscriptionRoleArn: false,
  ReplayPolicy: true,
};

function attributesOf(properties: Properties): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, json] of Object.entries(ATTRIBUTES)) {
    const value = properties[name];
    if (value !== undefined) attributes[name] = json ? JSON.stringify(value) : String(value);
  }
  return attributes;
}

/** AWS::SNS::Subscription through local SNS's API; Ref is the subscription's ARN. */
export const snsSubscription: Provisioner = {
  async create(context, properties) {
    const attributes = attributesOf(properties);
    const { SubscriptionArn } = await context.clients.get(SNSClient).send(
      new SubscribeCommand({
        TopicArn: textOf(properties.TopicArn),
        Protocol: textOf(properties.Protocol),
        Endpoint: textOf(properties.Endpoint),
        ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
        ReturnSubscriptionArn: true,
      }),
    );
    return { physicalId: SubscriptionArn! };
  },

  async update(context, current, properties) {
    const before = attributesOf(current.properties);
    for (const [name, value] of Object.entries(attributesOf(properties)))
      if (before[name] !== value)
        await context.clients.get(SNSClient).send(
          new SetSubscriptionAttributesCommand({
            SubscriptionArn: current.physicalId,
            AttributeName: name,
            AttributeValue: value,
          }),
        );
    return { physicalId: current.physicalId };
  },

  async delete(context, current) {
    await ignoringMissing(['NotFoundException'], () =>
      context.clients
        .get(SNSClient)
        .send(new UnsubscribeCommand({ SubscriptionArn: current.physicalId })),
    );
  },
};

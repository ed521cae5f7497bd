import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { xmlEscape } from '../http.js';
import { queryPairs } from '../query.js';
import { invalid, required } from './model.js';
import type { Subscription, Topic } from './model.js';
import { checkQueueEndpoint } from './sqsDelivery.js';

const SUPPORTED_PROTOCOLS = new Set(['email', 'email-json', 'sqs']);
/** The subscription attributes SetSubscriptionAttributes accepts; only RawMessageDelivery acts. */
const SUBSCRIPTION_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A subscription as ListSubscriptions and ListSubscriptionsByTopic write it. */
export function subscriptionXml(topic: Topic, subscription: Subscription): string {
  return (
    `<TopicArn>${xmlEscape(topic.arn)}</TopicArn><Protocol>${xmlEscape(subscription.protocol)}</Protocol>` +
    `<SubscriptionArn>${xmlEscape(subscription.arn)}</SubscriptionArn><Owner>${LOCAL_ACCOUNT_ID}</Owner>` +
    `<Endpoint>${xmlEscape(subscription.endpoint)}</Endpoint>`
  );
}

/** GetSubscriptionAttributes: SNS's defaults, then what was set. */
export function subscriptionAttributes(
  topic: Topic,
  subscription: Subscription,
): Record<string, string> {
  return {
    SubscriptionArn: subscription.arn,
    TopicArn: topic.arn,
    Owner: LOCAL_ACCOUNT_ID,
    Protocol: subscription.protocol,
    Endpoint: subscription.endpoint,
    ConfirmationWasAuthenticated: 'true',
    PendingConfirmation: 'false',
    RawMessageDelivery: 'false',
    ...subscription.attributes,
  };
}

/**
 * Subscribe: the topic's subscription for that protocol and endpoint, added (and `true` returned
 * with it) when it is new. AWS emails a confirmation link first; local AWS has no one to click
 * it, so a subscription is confirmed at once.
 */
export function addSubscription(
  topic: Topic,
  params: URLSearchParams,
): { subscription: Subscription; added: boolean } {
  const protocol = required(params, 'Protocol');
  const endpoint = required(params, 'Endpoint');
  if (!SUPPORTED_PROTOCOLS.has(protocol)) {
    throw invalid(
      `Protocol ${protocol} is not supported by local AWS (supported: email, email-json, sqs)`,
    );
  }
  if (protocol === 'sqs') checkQueueEndpoint(endpoint);
  else if (!EMAIL.test(endpoint)) throw invalid('Email address');
  const attributes = checkSubscriptionAttributes(
    queryPairs(params, 'Attributes.entry', 'key', 'value'),
  );
  const existing = topic.subscriptions.find(
    (s) => s.protocol === protocol && s.endpoint === endpoint,
  );
  if (existing) return { subscription: existing, added: false };
  const subscription = { arn: `${topic.arn}:${randomUUID()}`, protocol, endpoint, attributes };
  topic.subscriptions.push(subscription);
  return { subscription, added: true };
}

/** Checks subscription attributes by name and, for RawMessageDelivery, value. */
export function checkSubscriptionAttributes(
  attributes: Record<string, string>,
): Record<string, string> {
  for (const [name, value] of Object.entries(attributes)) {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name))
      throw invalid(
        `AttributeName (${name} is not one of ${[...SUBSCRIPTION_ATTRIBUTES].join(', ')})`,
      );
    if (name === 'RawMessageDelivery' && value !== 'true' && value !== 'false')
      throw invalid('RawMessageDelivery: Invalid value [' + value + ']. Must be true or false.');
  }
  return attributes;
}

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { arn, LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, xmlEscape } from '../http.js';
import { queryPairs, serveQueryOperation, unknownAction } from '../query.js';
import { JsonFile } from '../state.js';
import { renderEmail } from './email.js';
import { checkQueueEndpoint, envelope, publishAttributes } from './sqsDelivery.js';
import type { Notification, QueueSender } from './sqsDelivery.js';

/** SNS's limit on a message, in bytes. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** SNS's limit on a subject, in characters. */
export const MAX_SUBJECT_LENGTH = 100;

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
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

interface Subscription {
  arn: string;
  protocol: string;
  endpoint: string;
  /** Set by Subscribe or SetSubscriptionAttributes (absent in state saved before they existed). */
  attributes?: Record<string, string>;
}

interface Topic {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: Subscription[];
}

type Params = URLSearchParams;

function invalid(what: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${what}`);
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw invalid(`${name} is required`);
  return value;
}

/** Checks a subject as SNS does: printable ASCII, no line breaks, starts with a letter, digit or punctuation. */
export function subjectProblem(subject: string): string | undefined {
  if (subject.length === 0) return 'Subject must not be empty';
  if (subject.length > MAX_SUBJECT_LENGTH)
    return `Subject must be at most ${MAX_SUBJECT_LENGTH} characters`;
  if (!/^[\x20-\x7E]+$/.test(subject)) return 'Subject must be printable ASCII without line breaks';
  if (subject.startsWith(' '))
    return 'Subject must begin with a letter, number or punctuation mark';
  return undefined;
}

function members(name: string, items: string[]): string {
  return `<${name}>${items.map((item) => `<member>${item}</member>`).join('')}</${name}>`;
}

function attributesXml(attributes: Record<string, string>): string {
  return `<Attributes>${Object.entries(attributes)
    .map(
      ([key, value]) =>
        `<entry><key>${xmlEscape(key)}</key><value>${xmlEscape(value)}</value></entry>`,
    )
    .join('')}</Attributes>`;
}

/**
 * SNS (query protocol), built here; email subscriptions deliver `.eml` files to the outbox, `sqs`
 * subscriptions send to local SQS.
 */
export class SnsService {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly stateDir: string,
    private readonly log: (line: string) => void,
    private readonly sqs?: QueueSender,
  ) {}

  /** The folder that email notifications are written to. */
  get outbox(): string {
    return join(this.stateDir, 'outbox');
  }

  private file(): JsonFile<Topic[]> {
    return new JsonFile(join(this.stateDir, 'sns', 'topics.json'), () => []);
  }

  /** Loads the topics saved by the previous run. */
  async start(): Promise<void> {
    for (const topic of await this.file().read()) this.topics.set(topic.arn, topic);
  }

  private save(): Promise<void> {
    return this.file().write([...this.topics.values()]);
  }

  /** A topic's Policy attribute, if it has one: the resource policy IAM evaluates. */
  topicPolicy(topicArn: string): string | undefined {
    return this.topics.get(topicArn)?.attributes.Policy || undefined;
  }

  private topic(params: Params): Topic {
    const topicArn = required(params, 'TopicArn');
    const topic = this.topics.get(topicArn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  /** Serves one SNS request: form-encoded body or query string, XML answer. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    region: string,
    url: URL,
    read?: Buffer,
  ): Promise<void> {
    await serveQueryOperation(
      request,
      response,
      { url, namespace: XMLNS, body: read },
      (action, params) => this.dispatch(action, params, region),
    );
  }

  private async dispatch(
    action: string,
    params: Params,
    region: string,
  ): Promise<string | undefined> {
    switch (action) {
      case 'CreateTopic':
        return this.createTopic(params, region);
      case 'DeleteTopic': {
        const topicArn = required(params, 'TopicArn');
        this.topics.delete(topicArn);
        await this.save();
        return undefined;
      }
      case 'ListTopics': {
        const arns = [...this.topics.values()]
          .filter((t) => t.arn.split(':')[3] === region)
          .map((t) => t.arn);
        return members(
          'Topics',
          arns.map((topicArn) => `<TopicArn>${xmlEscape(topicArn)}</TopicArn>`),
        );
      }
      case 'GetTopicAttributes':
        return attributesXml(this.topicAttributes(this.topic(params)));
      case 'SetTopicAttributes': {
        const topic = this.topic(params);
        topic.attributes[required(params, 'AttributeName')] = params.get('AttributeValue') ?? '';
        await this.save();
        return undefined;
      }
      case 'Subscribe':
        return this.subscribe(params);
      case 'Unsubscribe': {
        const subscriptionArn = required(params, 'SubscriptionArn');
        const topic = this.topics.get(subscriptionArn.split(':').slice(0, 6).join(':'));
        if (!topic?.subscriptions.some((s) => s.arn === subscriptionArn)) {
          throw new AwsError('NotFound', 'Subscription does not exist', 404);
        }
        topic.subscriptions = topic.subscriptions.filter((s) => s.arn !== subscriptionArn);
        await this.save();
        return undefined;
      }
      case 'GetSubscriptionAttributes': {
        const { topic, subscription } = this.subscription(params);
        return attributesXml({
          SubscriptionArn: subscription.arn,
          TopicArn: topic.arn,
          Owner: LOCAL_ACCOUNT_ID,
          Protocol: subscription.protocol,
          Endpoint: subscription.endpoint,
          ConfirmationWasAuthenticated: 'true',
          PendingConfirmation: 'false',
          RawMessageDelivery: 'false',
          ...subscription.attributes,
        });
      }
      case 'SetSubscriptionAttributes': {
        const { subscription } = this.subscription(params);
        const name = required(params, 'AttributeName');
        subscription.attributes = {
          ...subscription.attributes,
          ...checkSubscriptionAttributes({ [name]: params.get('AttributeValue') ?? '' }),
        };
        await this.save();
        return undefined;
      }
      case 'ListSubscriptionsByTopic': {
        const topic = this.topic(params);
        return members(
          'Subscriptions',
          topic.subscriptions.map((s) => this.subscriptionXml(topic, s)),
        );
      }
      case 'ListSubscriptions': {
        const all = [...this.topics.values()].flatMap((topic) =>
          topic.subscriptions.map((s) => this.subscriptionXml(topic, s)),
        );
        return members('Subscriptions', all);
      }
      case 'Publish':
        return this.publish(params);
      case 'TagResource': {
        const topic = this.topics.get(required(params, 'ResourceArn'));
        if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
        Object.assign(topic.tags, queryPairs(params, 'Tags.member', 'Key', 'Value'));
        await this.save();
        return '';
      }
      case 'ListTagsForResource': {
        const topic = this.topics.get(required(params, 'ResourceArn'));
        if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
        return members(
          'Tags',
          Object.entries(topic.tags).map(
            ([key, value]) => `<Key>${xmlEscape(key)}</Key><Value>${xmlEscape(value)}</Value>`,
          ),
        );
      }
      default:
        throw unknownAction(action);
    }
  }

  private subscription(params: Params): { topic: Topic; subscription: Subscription } {
    const subscriptionArn = required(params, 'SubscriptionArn');
    const topic = this.topics.get(subscriptionArn.split(':').slice(0, 6).join(':'));
    const subscription = topic?.subscriptions.find((s) => s.arn === subscriptionArn);
    if (!topic || !subscription) throw new AwsError('NotFound', 'Subscription does not exist', 404);
    return { topic, subscription };
  }

  private async createTopic(params: Params, region: string): Promise<string> {
    const name = required(params, 'Name');
    if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name) || name.length > 256)
      throw invalid('Topic Name');
    const topicArn = arn('sns', region, name);
    const attributes = queryPairs(params, 'Attributes.entry', 'key', 'value');
    const existing = this.topics.get(topicArn);
    if (!existing) {
      this.topics.set(topicArn, {
        arn: topicArn,
        name,
        attributes,
        tags: queryPairs(params, 'Tags.member', 'Key', 'Value'),
        subscriptions: [],
      });
      await this.save();
    }
    return `<TopicArn>${xmlEscape(topicArn)}</TopicArn>`;
  }

  private topicAttributes(topic: Topic): Record<string, string> {
    const confirmed = topic.subscriptions.length;
    return {
      TopicArn: topic.arn,
      Owner: LOCAL_ACCOUNT_ID,
      DisplayName: '',
      SubscriptionsConfirmed: String(confirmed),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
      ...topic.attributes,
    };
  }

  private subscriptionXml(topic: Topic, subscription: Subscription): string {
    return (
      `<TopicArn>${xmlEscape(topic.arn)}</TopicArn><Protocol>${xmlEscape(subscription.protocol)}</Protocol>` +
      `<SubscriptionArn>${xmlEscape(subscription.arn)}</SubscriptionArn><Owner>${LOCAL_ACCOUNT_ID}</Owner>` +
      `<Endpoint>${xmlEscape(subscription.endpoint)}</Endpoint>`
    );
  }

  private async subscribe(params: Params): Promise<string> {
    const topic = this.topic(params);
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
    let subscription = topic.subscriptions.find(
      (s) => s.protocol === protocol && s.endpoint === endpoint,
    );
    if (!subscription) {
      // AWS emails a confirmation link first; local AWS has no one to click it, so it confirms at once.
      subscription = { arn: `${topic.arn}:${randomUUID()}`, protocol, endpoint, attributes };
      topic.subscriptions.push(subscription);
      await this.save();
    }
    return `<SubscriptionArn>${xmlEscape(subscription.arn)}</SubscriptionArn>`;
  }

  /** Publishes as the Publish call would, for local AWS's own senders (Lambda destinations). */
  async publishMessage(topicArn: string, message: string, subject?: string): Promise<void> {
    const params = new URLSearchParams({ TopicArn: topicArn, Message: message });
    if (subject !== undefined) params.set('Subject', subject);
    await this.publish(params);
  }

  private async publish(params: Params): Promise<string> {
    const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
    if (!topicArn) throw invalid('TopicArn or TargetArn is required');
    const topic = this.topics.get(topicArn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    const message = params.get('Message');
    if (message === null || message === '') throw invalid('Empty message');
    if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalid('Message too long');
    const subject = params.get('Subject');
    if (subject !== null) {
      const problem = subjectProblem(subject);
      if (problem)
        throw new AwsError('InvalidParameter', `Invalid parameter: Subject (${problem})`);
    }
    let perProtocol: Record<string, unknown> | undefined;
    if (params.get('MessageStructure') === 'json') {
      try {
        perProtocol = JSON.parse(message) as Record<string, unknown>;
      } catch {
        throw invalid('Message Structure - JSON message body failed to parse');
      }
      if (typeof perProtocol.default !== 'string')
        throw invalid('Message Structure - No default entry in JSON message body');
    }
    const attributes = publishAttributes(params);
    const messageId = randomUUID();
    const date = new Date();
    await mkdir(this.outbox, { recursive: true });
    for (const subscription of topic.subscriptions) {
      const text = String(perProtocol?.[subscription.protocol] ?? perProtocol?.default ?? message);
      const unsubscribeUrl = `https://sns.${topic.arn.split(':')[3]}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`;
      if (subscription.protocol === 'sqs') {
        await this.deliverToQueue(subscription, {
          messageId,
          topicArn: topic.arn,
          subject: subject ?? undefined,
          message: text,
          timestamp: date,
          unsubscribeUrl,
          attributes,
        });
        continue;
      }
      const body =
        subscription.protocol === 'email-json'
          ? JSON.stringify({
              Type: 'Notification',
              MessageId: messageId,
              TopicArn: topic.arn,
              Subject: subject ?? undefined,
              Message: text,
              Timestamp: date.toISOString(),
              UnsubscribeURL: unsubscribeUrl,
            })
          : text;
      const email = renderEmail({
        to: subscription.endpoint,
        fromName: topic.attributes.DisplayName || 'AWS Notifications',
        subject: subject ?? 'AWS Notification Message',
        body,
        messageId,
        date,
        unsubscribeUrl,
      });
      const file = join(
        this.outbox,
        `${date.toISOString().replace(/[:.]/g, '-')}-${topic.name}-${messageId}-${subscription.endpoint.replace(/[^\w.@-]/g, '_')}.eml`,
      );
      await writeFile(file, email);
      this.log(`sns ${topic.name}: emailed ${subscription.endpoint} (${file})`);
    }
    return `<MessageId>${messageId}</MessageId>`;
  }

  /**
   * Sends a notification to a subscribed queue: SNS's JSON envelope, or with RawMessageDelivery the
   * message itself with its attributes. A missing queue loses the message, as in AWS (logged here).
   */
  private async deliverToQueue(subscription: Subscription, notification: Notification) {
    const raw = subscription.attributes?.RawMessageDelivery === 'true';
    const region = notification.topicArn.split(':')[3]!;
    try {
      if (!this.sqs) throw new Error('local SQS is not running');
      await this.sqs.sendMessage(
        subscription.endpoint,
        raw ? notification.message : envelope(notification, region),
        raw ? notification.attributes : undefined,
      );
      this.log(`sns ${notification.topicArn}: sent to ${subscription.endpoint}`);
    } catch (error: unknown) {
      if (!(error instanceof Error)) throw error;
      this.log(
        `sns ${notification.topicArn}: delivery to ${subscription.endpoint} failed: ${error.message}`,
      );
    }
  }
}

/** Checks subscription attributes by name and, for RawMessageDelivery, value. */
function checkSubscriptionAttributes(attributes: Record<string, string>): Record<string, string> {
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

import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { arn, LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, xmlEscape } from '../http.js';
import { queryPairs, serveQueryOperation, unknownAction } from '../query.js';
import { JsonFile } from '../state.js';
import { attributesXml, invalid, members, required } from './model.js';
import type { Subscription, Topic } from './model.js';
import { deliver, readPublication } from './publish.js';
import type { QueueSender } from './sqsDelivery.js';
import {
  checkSubscriptionAttributes,
  addSubscription,
  subscriptionAttributes,
  subscriptionXml,
} from './subscriptions.js';

export { MAX_MESSAGE_BYTES, MAX_SUBJECT_LENGTH, subjectProblem } from './publish.js';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

type Params = URLSearchParams;

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
        return attributesXml(subscriptionAttributes(topic, subscription));
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
          topic.subscriptions.map((s) => subscriptionXml(topic, s)),
        );
      }
      case 'ListSubscriptions': {
        const all = [...this.topics.values()].flatMap((topic) =>
          topic.subscriptions.map((s) => subscriptionXml(topic, s)),
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

  private async subscribe(params: Params): Promise<string> {
    const { subscription, added } = addSubscription(this.topic(params), params);
    if (added) await this.save();
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
    const messageId = await deliver(topic, readPublication(params), {
      outbox: this.outbox,
      log: this.log,
      sqs: this.sqs,
    });
    return `<MessageId>${messageId}</MessageId>`;
  }
}

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError } from '../http.js';
import { renderEmail } from './email.js';
import { invalid } from './model.js';
import type { Subscription, Topic } from './model.js';
import { envelope, publishAttributes } from './sqsDelivery.js';
import type { Notification, PublishAttribute, QueueSender } from './sqsDelivery.js';

/** SNS's limit on a message, in bytes. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** SNS's limit on a subject, in characters. */
export const MAX_SUBJECT_LENGTH = 100;

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

/** A Publish call's message, checked as SNS checks it. */
export interface Publication {
  message: string;
  subject: string | null;
  /** With MessageStructure json: the message for each protocol, and `default`. */
  perProtocol: Record<string, unknown> | undefined;
  attributes: Record<string, PublishAttribute>;
}

/** Reads and checks Publish's message, subject, structure and attributes. */
export function readPublication(params: URLSearchParams): Publication {
  const message = params.get('Message');
  if (message === null || message === '') throw invalid('Empty message');
  if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalid('Message too long');
  const subject = params.get('Subject');
  if (subject !== null) {
    const problem = subjectProblem(subject);
    if (problem) throw new AwsError('InvalidParameter', `Invalid parameter: Subject (${problem})`);
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
  return { message, subject, perProtocol, attributes };
}

/** Where a publication goes: the email outbox folder, local SQS, and the log. */
export interface DeliveryTargets {
  outbox: string;
  log: (line: string) => void;
  sqs?: QueueSender;
}

/**
 * Delivers a publication to every subscription of the topic: `.eml` files in the outbox for
 * email and email-json, a message in the queue for sqs. Answers the message id.
 */
export async function deliver(
  topic: Topic,
  { message, subject, perProtocol, attributes }: Publication,
  targets: DeliveryTargets,
): Promise<string> {
  const messageId = randomUUID();
  const date = new Date();
  await mkdir(targets.outbox, { recursive: true });
  for (const subscription of topic.subscriptions) {
    const text = String(perProtocol?.[subscription.protocol] ?? perProtocol?.default ?? message);
    const unsubscribeUrl = `https://sns.${topic.arn.split(':')[3]}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`;
    if (subscription.protocol === 'sqs') {
      await deliverToQueue(targets, subscription, {
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
      targets.outbox,
      `${date.toISOString().replace(/[:.]/g, '-')}-${topic.name}-${messageId}-${subscription.endpoint.replace(/[^\w.@-]/g, '_')}.eml`,
    );
    await writeFile(file, email);
    targets.log(`sns ${topic.name}: emailed ${subscription.endpoint} (${file})`);
  }
  return messageId;
}

/**
 * Sends a notification to a subscribed queue: SNS's JSON envelope, or with RawMessageDelivery the
 * message itself with its attributes. A missing queue loses the message, as in AWS (logged here).
 */
async function deliverToQueue(
  { sqs, log }: DeliveryTargets,
  subscription: Subscription,
  notification: Notification,
) {
  const raw = subscription.attributes?.RawMessageDelivery === 'true';
  const region = notification.topicArn.split(':')[3]!;
  try {
    if (!sqs) throw new Error('local SQS is not running');
    await sqs.sendMessage(
      subscription.endpoint,
      raw ? notification.message : envelope(notification, region),
      raw ? notification.attributes : undefined,
    );
    log(`sns ${notification.topicArn}: sent to ${subscription.endpoint}`);
  } catch (error: unknown) {
    if (!(error instanceof Error)) throw error;
    log(
      `sns ${notification.topicArn}: delivery to ${subscription.endpoint} failed: ${error.message}`,
    );
  }
}

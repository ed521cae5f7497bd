import { createHash } from 'node:crypto';
import { AwsError } from '../http.js';

/** A message attribute of Publish (the same shape SQS uses). */
export interface PublishAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
}

/** What an SQS subscription needs of SQS: sending a message to a queue by ARN. */
export interface QueueSender {
  sendMessage(
    queueArn: string,
    body: string,
    attributes?: Record<string, PublishAttribute>,
  ): Promise<string>;
}

/** One published message, as SNS delivers it to a subscription. */
export interface Notification {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  timestamp: Date;
  unsubscribeUrl: string;
  attributes: Record<string, PublishAttribute>;
}

const SQS_ARN = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/;

/** Checks an `sqs` subscription's endpoint: a standard queue's ARN. */
export function checkQueueEndpoint(endpoint: string): void {
  if (!SQS_ARN.test(endpoint)) {
    throw new AwsError(
      'InvalidParameter',
      `Invalid parameter: SQS endpoint ARN (${endpoint} is not a queue ARN such as arn:aws:sqs:us-east-1:000000000000:my-queue)`,
    );
  }
}

/** Reads Publish's `MessageAttributes.entry.N.Name/Value.*` fields. */
export function publishAttributes(params: URLSearchParams): Record<string, PublishAttribute> {
  const attributes: Record<string, PublishAttribute> = {};
  for (let index = 1; params.has(`MessageAttributes.entry.${index}.Name`); index++) {
    const at = `MessageAttributes.entry.${index}`;
    const name = params.get(`${at}.Name`)!;
    const dataType = params.get(`${at}.Value.DataType`) ?? '';
    const stringValue = params.get(`${at}.Value.StringValue`) ?? undefined;
    const binaryValue = params.get(`${at}.Value.BinaryValue`) ?? undefined;
    const base = dataType.split('.')[0];
    if (!['String', 'Number', 'Binary'].includes(base ?? ''))
      throw new AwsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    if (base === 'Binary' ? !binaryValue : !stringValue)
      throw new AwsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
      );
    attributes[name] = { DataType: dataType, StringValue: stringValue, BinaryValue: binaryValue };
  }
  return attributes;
}

/**
 * The JSON envelope SNS puts in an SQS message (the same as an HTTP notification's body). The
 * signature is a digest of SNS's string to sign, not an AWS signature: local AWS holds no AWS
 * signing key, so it cannot be verified against a certificate.
 */
export function envelope(notification: Notification, region: string): string {
  const fields: [string, string][] = [
    ['Message', notification.message],
    ['MessageId', notification.messageId],
    ...(notification.subject !== undefined
      ? ([['Subject', notification.subject]] as [string, string][])
      : []),
    ['Timestamp', notification.timestamp.toISOString()],
    ['TopicArn', notification.topicArn],
    ['Type', 'Notification'],
  ];
  const toSign = fields.map(([key, value]) => `${key}\n${value}\n`).join('');
  const attributes = Object.entries(notification.attributes);
  return JSON.stringify({
    Type: 'Notification',
    MessageId: notification.messageId,
    TopicArn: notification.topicArn,
    Subject: notification.subject,
    Message: notification.message,
    Timestamp: notification.timestamp.toISOString(),
    SignatureVersion: '1',
    Signature: createHash('sha1').update(toSign).digest('base64'),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
    UnsubscribeURL: notification.unsubscribeUrl,
    MessageAttributes:
      attributes.length > 0
        ? Object.fromEntries(
            attributes.map(([name, value]) => [
              name,
              { Type: value.DataType, Value: value.StringValue ?? value.BinaryValue },
            ]),
          )
        : undefined,
  });
}

import { randomBytes, randomUUID } from 'node:crypto';
import { invalidParameter, missingParameter, SqsError } from './errors.js';
import { md5OfAttributes, md5OfBody } from './md5.js';
import type { MessageAttribute } from './md5.js';

/** A message as a queue keeps it (times in the clock's epoch milliseconds). */
export interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  attributes: Record<string, MessageAttribute>;
  attributesMd5?: string;
  sentAt: number;
  /** Before this time the message is delayed or in flight. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The receipt handle of the latest receive; only it deletes the message. */
  receipt?: string;
  senderId: string;
  /** FIFO queues only. */
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

/** A message as ReceiveMessage hands it out (the JSON protocol's shape). */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, MessageAttribute>;
}

/** Characters SQS accepts in a body or string attribute (XML 1.0's). */
// eslint-disable-next-line no-control-regex -- the control characters are the point: SQS allows only these three
const INVALID_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!\.)(?!.*\.\.)(?!.*\.$)[\w.-]{1,256}$/i;
const MAX_MESSAGE_ATTRIBUTES = 10;

function checkCharacters(text: string, what: string): void {
  if (INVALID_CHARACTER.test(text)) {
    throw new SqsError(
      'InvalidMessageContents',
      `Invalid characters found in ${what}. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
}

/** Checks message attributes as SQS does and returns their size in bytes. */
function checkMessageAttributes(attributes: Record<string, MessageAttribute>): number {
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(
      'MessageAttributes',
      names.length,
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  let size = 0;
  for (const name of names) {
    const attribute = attributes[name];
    if (typeof attribute !== 'object' || attribute === null)
      throw invalidParameter(
        `MessageAttributes.${name}`,
        JSON.stringify(attribute),
        'A message attribute must be an object with DataType and StringValue or BinaryValue.',
      );
    if (!ATTRIBUTE_NAME.test(name))
      throw invalidParameter('MessageAttributes', name, `Invalid message attribute name ${name}.`);
    const type = attribute.DataType ?? '';
    const base = type.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw invalidParameter(
        `MessageAttributes.${name}.DataType`,
        type,
        'The type of a message attribute must be String, Number or Binary, optionally followed by .label.',
      );
    }
    if (base === 'Binary') {
      if (!attribute.BinaryValue)
        throw invalidParameter(
          `MessageAttributes.${name}.BinaryValue`,
          '',
          `The message attribute '${name}' with type 'Binary' must use field 'BinaryValue'.`,
        );
      size += Buffer.from(attribute.BinaryValue, 'base64').length;
    } else {
      if (attribute.StringValue === undefined || attribute.StringValue === '')
        throw invalidParameter(
          `MessageAttributes.${name}.StringValue`,
          '',
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
        );
      if (base === 'Number' && !Number.isFinite(Number(attribute.StringValue)))
        throw invalidParameter(
          `MessageAttributes.${name}.StringValue`,
          attribute.StringValue,
          `The message attribute '${name}' has an invalid numeric value.`,
        );
      checkCharacters(attribute.StringValue, `message attribute ${name}`);
      size += Buffer.byteLength(attribute.StringValue, 'utf8');
    }
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(type, 'utf8');
  }
  return size;
}

/** What SendMessage needs to make a message. */
export interface NewMessage {
  body: unknown;
  attributes?: Record<string, MessageAttribute>;
  delaySeconds?: number;
  senderId: string;
}

/** Validates a message against a queue's size limit and makes it, delayed as asked. */
export function makeMessage(
  input: NewMessage,
  queue: { maxBytes: number; delaySeconds: number },
  now: number,
): StoredMessage {
  const body = input.body;
  if (typeof body !== 'string' || body === '') throw missingParameter('MessageBody');
  checkCharacters(body, 'the message body');
  const attributes = input.attributes ?? {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
    throw invalidParameter('MessageAttributes', JSON.stringify(attributes), 'must be a map');
  const size = Buffer.byteLength(body, 'utf8') + checkMessageAttributes(attributes);
  if (size > queue.maxBytes) {
    throw new SqsError(
      'InvalidParameterValueException',
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maxBytes} bytes.`,
    );
  }
  const delay = input.delaySeconds ?? queue.delaySeconds;
  if (!Number.isInteger(delay) || delay < 0 || delay > 900)
    throw invalidParameter('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
  return {
    id: randomUUID(),
    body,
    md5: md5OfBody(body),
    attributes,
    attributesMd5: md5OfAttributes(attributes),
    sentAt: now,
    visibleAt: now + delay * 1000,
    receiveCount: 0,
    senderId: input.senderId,
  };
}

/** A receipt handle: opaque to callers, naming the queue and message so a stale one is told apart. */
export function receiptHandle(queueArn: string, messageId: string): string {
  return Buffer.from(
    JSON.stringify([queueArn, messageId, randomBytes(12).toString('hex')]),
  ).toString('base64');
}

/** Reads a receipt handle, or throws `ReceiptHandleIsInvalid`. */
export function readReceiptHandle(handle: unknown): { queueArn: string; messageId: string } {
  if (typeof handle !== 'string' || handle === '') throw missingParameter('ReceiptHandle');
  try {
    const parsed: unknown = JSON.parse(Buffer.from(handle, 'base64').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string')
      return { queueArn: parsed[0], messageId: parsed[1] };
  } catch {
    // Not ours: answered below like any other handle SQS did not issue.
  }
  throw invalidReceipt(handle);
}

/** `ReceiptHandleIsInvalid`, for a handle SQS did not issue for this queue. */
export function invalidReceipt(handle: string): SqsError {
  return new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );
}

/** Which message attributes a receive asked for: `All`, `.*`, names, or `prefix.*`. */
export function selectAttributes(
  attributes: Record<string, MessageAttribute>,
  names: readonly string[],
): Record<string, MessageAttribute> {
  const chosen: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = names.some(
      (pattern) =>
        pattern === 'All' ||
        pattern === '.*' ||
        pattern === name ||
        (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
    if (wanted) chosen[name] = value;
  }
  return chosen;
}

/** The system attributes of a received message, as asked for (`All` or names). */
export function systemAttributes(
  message: StoredMessage,
  names: readonly string[],
): Record<string, string> | undefined {
  const all: Record<string, string> = {
    SenderId: message.senderId,
    SentTimestamp: String(Math.floor(message.sentAt)),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(Math.floor(message.firstReceivedAt ?? message.sentAt)),
  };
  if (message.groupId !== undefined) {
    all.MessageGroupId = message.groupId;
    all.MessageDeduplicationId = message.deduplicationId ?? '';
    all.SequenceNumber = message.sequenceNumber ?? '';
  }
  const chosen = names.includes('All')
    ? all
    : Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
  return Object.keys(chosen).length > 0 ? chosen : undefined;
}

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { arn, LOCAL_ACCOUNT_ID } from '../account.js';
import { Clock } from '../clock.js';
import { JsonFile } from '../state.js';
import {
  checkAttributes,
  DEFAULT_ATTRIBUTES,
  FIFO_DEFAULTS,
  requestedAttributes,
} from './attributes.js';
import { invalidParameter, missingParameter, QueueDoesNotExistError, SqsError } from './errors.js';
import type { MessageAttribute } from './md5.js';
import {
  invalidReceipt,
  makeMessage,
  receiptHandle,
  readReceiptHandle,
  selectAttributes,
  systemAttributes,
} from './messages.js';
import type { ReceivedMessage, StoredMessage } from './messages.js';

/** A queue as stored on disk. */
export interface Queue {
  name: string;
  region: string;
  arn: string;
  /** Epoch seconds, as CreatedTimestamp reports them. */
  created: number;
  modified: number;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  messages: StoredMessage[];
  /** FIFO queues only: the last sequence number, and what was sent in the deduplication window. */
  fifo?: { sequence: number; sent: Record<string, SentMessage> };
}

/** What SendMessage answers about a message it took (or, for a FIFO duplicate, took before). */
export interface SentMessage {
  id: string;
  md5: string;
  attributesMd5?: string;
  sequenceNumber?: string;
  /** When it was sent, in the clock's epoch milliseconds. */
  sentAt: number;
}

/** How long a FIFO queue remembers deduplication ids. */
const DEDUPLICATION_MS = 5 * 60 * 1000;

/** The state file: the queues, and the clock's time when they were saved. */
interface SavedQueues {
  savedAt: number;
  queues: Queue[];
}

/** What CreateQueue takes. */
export interface CreateQueueInput {
  name: string;
  region: string;
  attributes?: Record<string, string>;
  tags?: Record<string, string>;
}

/** What ReceiveMessage takes (the JSON protocol's names, already typed). */
export interface ReceiveInput {
  maxNumberOfMessages?: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
  /** System attributes: `All` or names such as `ApproximateReceiveCount`. */
  attributeNames?: readonly string[];
  messageAttributeNames?: readonly string[];
  /** Ends a long poll early (the caller hung up). */
  signal?: AbortSignal;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

function checkRange(parameter: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalidParameter(parameter, value, `Must be between ${min} and ${max}, if provided.`);
}

/**
 * SQS's queues and messages, with the operations both wire protocols and other local services
 * (SNS deliveries, Lambda destinations) use. Times run on the shared clock, so visibility
 * timeouts, delays, retention and long polls all scale with --time-scale.
 */
export class QueueStore {
  private readonly queues = new Map<string, Queue>();
  /** Long polls waiting on a queue, woken when a message arrives. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;
  private lastWrite: Promise<void> = Promise.resolve();
  private nextWrite?: Promise<void>;

  constructor(
    private readonly stateDir: string,
    private readonly clock: Clock = new Clock(),
  ) {}

  private file(): JsonFile<SavedQueues> {
    return new JsonFile(join(this.stateDir, 'sqs', 'queues.json'), () => ({
      savedAt: 0,
      queues: [],
    }));
  }

  /** Loads the queues (and their messages) saved by the previous run. */
  async load(): Promise<void> {
    const saved = await this.file().read();
    // A run at a higher --time-scale leaves times ahead of this run's clock, which starts at the
    // wall clock: shift them back so that the moment of saving is now, rather than have messages
    // sent "in the future" and hidden for hours.
    const skew = Math.max(0, saved.savedAt - this.clock.now());
    for (const queue of saved.queues) {
      for (const message of queue.messages) {
        message.sentAt -= skew;
        message.visibleAt -= skew;
        if (message.firstReceivedAt !== undefined) message.firstReceivedAt -= skew;
      }
      for (const sent of Object.values(queue.fifo?.sent ?? {})) sent.sentAt -= skew;
      this.queues.set(queue.arn, queue);
    }
  }

  /**
   * Persists every queue. Calls made while a write is under way share the next write, which
   * snapshots the state when it starts: under load the file is written once per round, not once
   * per message, and every caller still resolves only once its change is on disk.
   */
  private save(): Promise<void> {
    this.nextWrite ??= this.lastWrite.then(() => {
      this.nextWrite = undefined;
      return this.file().write({ savedAt: this.clock.now(), queues: [...this.queues.values()] });
    });
    this.lastWrite = this.nextWrite.catch(() => undefined);
    return this.nextWrite;
  }

  /** Releases every long poll and waits for the last write. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiters of this.waiters.values()) for (const wake of waiters) wake();
    await this.lastWrite;
  }

  /** The queue an ARN names, or {@link QueueDoesNotExistError}. */
  get(queueArn: string): Queue {
    const queue = this.queues.get(queueArn);
    if (!queue) throw new QueueDoesNotExistError(queueArn);
    return queue;
  }

  /** The queues of a region whose names start with a prefix, by name. */
  list(region: string, prefix = ''): Queue[] {
    return [...this.queues.values()]
      .filter((queue) => queue.region === region && queue.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates a queue, or returns the existing one when its attributes are the same. */
  async create(input: CreateQueueInput): Promise<Queue> {
    const { name, region } = input;
    const attributes = input.attributes ?? {};
    const fifo = attributes.FifoQueue === 'true';
    if (fifo && !FIFO_QUEUE_NAME.test(name)) {
      throw new SqsError(
        'InvalidParameterValueException',
        `Invalid queue name ${JSON.stringify(name)}: the name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length`,
      );
    }
    if (!fifo && !QUEUE_NAME.test(name)) {
      throw new SqsError(
        'InvalidParameterValueException',
        `Invalid queue name ${JSON.stringify(name)}: can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length` +
          (name.endsWith('.fifo') ? ' (a .fifo queue needs the attribute FifoQueue=true)' : ''),
      );
    }
    checkAttributes(attributes, { fifo, creating: true });
    this.checkDeadLetterTarget(attributes);
    const queueArn = arn('sqs', region, name);
    const existing = this.queues.get(queueArn);
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        const current = existing.attributes[key] ?? '';
        if (current !== value && !(key === 'FifoQueue' && value === 'false' && !existing.fifo)) {
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return existing;
    }
    const now = Math.floor(this.clock.now() / 1000);
    const stored: Record<string, string> = {
      ...DEFAULT_ATTRIBUTES,
      ...(fifo ? FIFO_DEFAULTS : {}),
      ...attributes,
    };
    if (!fifo) delete stored.FifoQueue;
    if (attributes.KmsMasterKeyId && !attributes.SqsManagedSseEnabled) {
      stored.SqsManagedSseEnabled = 'false';
      stored.KmsDataKeyReusePeriodSeconds ??= '300';
    }
    const queue: Queue = {
      name,
      region,
      arn: queueArn,
      created: now,
      modified: now,
      attributes: stored,
      tags: { ...input.tags },
      messages: [],
      fifo: fifo ? { sequence: 0, sent: {} } : undefined,
    };
    this.queues.set(queueArn, queue);
    await this.save();
    return queue;
  }

  /** A RedrivePolicy must name a queue that exists, as SQS checks when it is set. */
  private checkDeadLetterTarget(attributes: Record<string, string>): void {
    if (!attributes.RedrivePolicy) return;
    const { deadLetterTargetArn } = JSON.parse(attributes.RedrivePolicy) as {
      deadLetterTargetArn: string;
    };
    if (!this.queues.has(deadLetterTargetArn)) {
      throw invalidParameter(
        'RedrivePolicy',
        attributes.RedrivePolicy,
        `Dead letter target ${deadLetterTargetArn} does not exist.`,
      );
    }
  }

  /** Deletes a queue and its messages; long polls on it end empty. */
  async delete(queueArn: string): Promise<void> {
    this.get(queueArn);
    this.queues.delete(queueArn);
    this.wake(queueArn);
    await this.save();
  }

  /** The attributes asked for (`All` or names), computed ones included. */
  attributes(queueArn: string, names: readonly string[]): Record<string, string> {
    const queue = this.get(queueArn);
    const now = this.clock.now();
    this.expire(queue, now);
    const inFlight = queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0);
    const delayed = queue.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0);
    const all: Record<string, string> = {
      ...queue.attributes,
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(queue.messages.length - inFlight.length - delayed.length),
      ApproximateNumberOfMessagesNotVisible: String(inFlight.length),
      ApproximateNumberOfMessagesDelayed: String(delayed.length),
      CreatedTimestamp: String(queue.created),
      LastModifiedTimestamp: String(queue.modified),
    };
    const result: Record<string, string> = {};
    for (const name of requestedAttributes(names, queue.fifo !== undefined)) {
      if (all[name] !== undefined) result[name] = all[name];
    }
    return result;
  }

  /** Sets attributes (an empty value clears Policy, RedrivePolicy and the like). */
  async setAttributes(queueArn: string, attributes: Record<string, string>): Promise<void> {
    const queue = this.get(queueArn);
    checkAttributes(attributes, { fifo: queue.fifo !== undefined, creating: false });
    this.checkDeadLetterTarget(attributes);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === '' && !(key in DEFAULT_ATTRIBUTES)) delete queue.attributes[key];
      else queue.attributes[key] = value;
    }
    queue.modified = Math.floor(this.clock.now() / 1000);
    await this.save();
  }

  /** Adds tags (TagQueue, CreateQueue). */
  async tag(queueArn: string, tags: Record<string, string>): Promise<void> {
    Object.assign(this.get(queueArn).tags, tags);
    await this.save();
  }

  /** Removes tags by key. */
  async untag(queueArn: string, keys: readonly string[]): Promise<void> {
    const queue = this.get(queueArn);
    for (const key of keys) delete queue.tags[key];
    await this.save();
  }

  /** Sends one message; returns it as stored (id and MD5s). */
  async send(
    queueArn: string,
    input: {
      body: unknown;
      attributes?: Record<string, MessageAttribute>;
      delaySeconds?: number;
      senderId?: string;
      /** FIFO queues: required. */
      groupId?: string;
      /** FIFO queues: required unless the queue has ContentBasedDeduplication. */
      deduplicationId?: string;
    },
  ): Promise<SentMessage> {
    const queue = this.get(queueArn);
    if (queue.fifo && input.delaySeconds !== undefined)
      throw invalidParameter(
        'DelaySeconds',
        input.delaySeconds,
        'The request include parameter that is not valid for this queue type (set DelaySeconds on a FIFO queue, not on its messages).',
      );
    const message = makeMessage(
      { ...input, senderId: input.senderId ?? LOCAL_ACCOUNT_ID },
      {
        maxBytes: Number(queue.attributes.MaximumMessageSize),
        delaySeconds: Number(queue.attributes.DelaySeconds),
      },
      this.clock.now(),
    );
    if (queue.fifo) {
      const duplicate = this.sequence(queue, message, input);
      if (duplicate) return duplicate;
    }
    queue.messages.push(message);
    await this.save();
    this.wake(queueArn);
    if (message.visibleAt > message.sentAt) this.wakeAt(queueArn, message.visibleAt);
    return message;
  }

  /**
   * Gives a FIFO message its group, deduplication id and sequence number, or returns what was
   * sent with the same deduplication id in the last five minutes (then nothing is enqueued).
   */
  private sequence(
    queue: Queue,
    message: StoredMessage,
    input: { groupId?: string; deduplicationId?: string },
  ): SentMessage | undefined {
    const fifo = queue.fifo!;
    if (!input.groupId) throw missingParameter('MessageGroupId');
    const deduplicationId =
      input.deduplicationId ??
      (queue.attributes.ContentBasedDeduplication === 'true'
        ? createHash('sha256').update(message.body).digest('hex')
        : undefined);
    if (deduplicationId === undefined)
      throw invalidParameter(
        'MessageDeduplicationId',
        '(none)',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    for (const [key, sent] of Object.entries(fifo.sent)) {
      if (sent.sentAt + DEDUPLICATION_MS <= message.sentAt) delete fifo.sent[key];
    }
    const key =
      queue.attributes.DeduplicationScope === 'messageGroup'
        ? `${input.groupId}/${deduplicationId}`
        : deduplicationId;
    if (fifo.sent[key]) return fifo.sent[key];
    fifo.sequence += 1;
    message.groupId = input.groupId;
    message.deduplicationId = deduplicationId;
    message.sequenceNumber = String(fifo.sequence).padStart(20, '0');
    fifo.sent[key] = {
      id: message.id,
      md5: message.md5,
      attributesMd5: message.attributesMd5,
      sequenceNumber: message.sequenceNumber,
      sentAt: message.sentAt,
    };
    return undefined;
  }

  /** Receives up to `maxNumberOfMessages`, long-polling up to `waitTimeSeconds` for the first. */
  async receive(queueArn: string, input: ReceiveInput = {}): Promise<ReceivedMessage[]> {
    const queue = this.get(queueArn);
    checkRange('MaxNumberOfMessages', input.maxNumberOfMessages, 1, 10);
    checkRange('VisibilityTimeout', input.visibilityTimeout, 0, 43200);
    checkRange('WaitTimeSeconds', input.waitTimeSeconds, 0, 20);
    const wait = input.waitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
    const deadline = this.clock.now() + wait * 1000;
    for (;;) {
      const taken = await this.take(queueArn, input);
      if (taken.length > 0 || this.closed || input.signal?.aborted) return taken;
      if (!this.queues.has(queueArn) || this.clock.now() >= deadline) return taken;
      await this.waitForMessage(queueArn, deadline, input.signal);
    }
  }

  /** Takes the visible messages now, making them in flight for the visibility timeout. */
  private async take(queueArn: string, input: ReceiveInput): Promise<ReceivedMessage[]> {
    const queue = this.queues.get(queueArn);
    if (!queue) return [];
    const now = this.clock.now();
    this.expire(queue, now);
    const timeout = input.visibilityTimeout ?? Number(queue.attributes.VisibilityTimeout);
    const limit = input.maxNumberOfMessages ?? 1;
    const received: ReceivedMessage[] = [];
    let redriven = false;
    // In a FIFO queue a group whose oldest message is in flight (or delayed) waits for it.
    const blocked = new Set<string>();
    for (const message of queue.messages) {
      if (received.length >= limit) break;
      if (message.visibleAt > now) {
        if (message.groupId !== undefined) blocked.add(message.groupId);
        continue;
      }
      if (message.groupId !== undefined && blocked.has(message.groupId)) continue;
      if (this.redrive(queue, message)) {
        redriven = true;
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + timeout * 1000;
      message.receipt = receiptHandle(queue.arn, message.id);
      const attributes = selectAttributes(message.attributes, input.messageAttributeNames ?? []);
      const hasAttributes = Object.keys(attributes).length > 0;
      received.push({
        MessageId: message.id,
        ReceiptHandle: message.receipt,
        MD5OfBody: message.md5,
        Body: message.body,
        Attributes: systemAttributes(message, input.attributeNames ?? []),
        MD5OfMessageAttributes: hasAttributes ? message.attributesMd5 : undefined,
        MessageAttributes: hasAttributes ? attributes : undefined,
      });
      this.wakeAt(queue.arn, message.visibleAt);
    }
    if (received.length > 0 || redriven) await this.save();
    return received;
  }

  /**
   * Moves a message that has been received `maxReceiveCount` times to the dead-letter queue of the
   * queue's RedrivePolicy, as SQS does on the next receive. True when it was moved.
   */
  private redrive(queue: Queue, message: StoredMessage): boolean {
    if (!queue.attributes.RedrivePolicy) return false;
    const policy = JSON.parse(queue.attributes.RedrivePolicy) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    const target = this.queues.get(policy.deadLetterTargetArn);
    if (!target || message.receiveCount < Number(policy.maxReceiveCount)) return false;
    queue.messages = queue.messages.filter((m) => m !== message);
    target.messages.push({ ...message, visibleAt: message.sentAt, receipt: undefined });
    this.wake(target.arn);
    return true;
  }

  /** Deletes a message by its latest receipt handle; a stale handle deletes nothing, as in SQS. */
  async deleteMessage(queueArn: string, handle: unknown): Promise<void> {
    const queue = this.get(queueArn);
    if (readReceiptHandle(handle).queueArn !== queueArn) throw invalidReceipt(String(handle));
    const before = queue.messages.length;
    queue.messages = queue.messages.filter((m) => m.receipt !== handle);
    if (queue.messages.length !== before) await this.save();
  }

  /** Changes how long an in-flight message stays invisible, from now. */
  async changeVisibility(queueArn: string, handle: unknown, timeout: unknown): Promise<void> {
    const queue = this.get(queueArn);
    readReceiptHandle(handle);
    if (typeof timeout !== 'number') {
      throw invalidParameter('VisibilityTimeout', timeout, 'Must be between 0 and 43200.');
    }
    checkRange('VisibilityTimeout', timeout, 0, 43200);
    const now = this.clock.now();
    const message = queue.messages.find((m) => m.receipt === handle);
    if (!message || message.visibleAt <= now) {
      throw new SqsError(
        'MessageNotInflight',
        `Value ${String(handle)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    message.visibleAt = now + timeout * 1000;
    this.wakeAt(queueArn, message.visibleAt);
    await this.save();
  }

  /** Deletes every message in the queue. */
  async purge(queueArn: string): Promise<void> {
    this.get(queueArn).messages = [];
    await this.save();
  }

  /** Drops messages older than the retention period. */
  private expire(queue: Queue, now: number): void {
    const retention = Number(queue.attributes.MessageRetentionPeriod) * 1000;
    queue.messages = queue.messages.filter((m) => m.sentAt + retention > now);
  }

  private wake(queueArn: string): void {
    for (const wake of this.waiters.get(queueArn) ?? []) wake();
  }

  /** Wakes long polls when a message becomes visible again (a delay or visibility timeout ends). */
  private wakeAt(queueArn: string, at: number): void {
    if (!this.waiters.get(queueArn)?.size) return;
    this.clock.setTimeout(() => this.wake(queueArn), at - this.clock.now());
  }

  private waitForMessage(queueArn: string, deadline: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(queueArn) ?? new Set<() => void>();
      this.waiters.set(queueArn, waiters);
      const queue = this.queues.get(queueArn);
      const now = this.clock.now();
      const nextVisible = Math.min(
        deadline,
        ...(queue?.messages ?? []).map((m) => m.visibleAt).filter((at) => at > now),
      );
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, nextVisible - now);
      waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }
}

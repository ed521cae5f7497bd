import { SqsError } from './errors.js';

/** The attributes a queue starts with when CreateQueue does not set them (AWS's defaults). */
export const DEFAULT_ATTRIBUTES = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
} as const;

/** The attributes GetQueueAttributes computes rather than stores. */
export const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

type Check = (value: string) => string | undefined;

const integer =
  (min: number, max: number): Check =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;

const boolean: Check = (value) =>
  value === 'true' || value === 'false' ? undefined : 'must be true or false';

const anything: Check = () => undefined;

const json: Check = (value) => {
  if (value === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? undefined : 'must be a JSON object';
  } catch {
    return 'must be a JSON object';
  }
};

const redrivePolicy: Check = (value) => {
  if (value === '') return undefined;
  const problem = json(value);
  if (problem) return problem;
  const policy = JSON.parse(value) as Record<string, unknown>;
  if (typeof policy.deadLetterTargetArn !== 'string') return 'must name a deadLetterTargetArn';
  const count = Number(policy.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    return 'maxReceiveCount must be an integer from 1 to 1000';
  return undefined;
};

/** The attributes a caller may set, each with its check (the ranges AWS documents). */
const SETTABLE: Readonly<Record<string, Check>> = {
  DelaySeconds: integer(0, 900),
  MaximumMessageSize: integer(1024, 262144),
  MessageRetentionPeriod: integer(60, 1209600),
  ReceiveMessageWaitTimeSeconds: integer(0, 20),
  VisibilityTimeout: integer(0, 43200),
  Policy: json,
  RedrivePolicy: redrivePolicy,
  RedriveAllowPolicy: json,
  KmsMasterKeyId: anything,
  KmsDataKeyReusePeriodSeconds: integer(60, 86400),
  SqsManagedSseEnabled: boolean,
};

const FIFO_ATTRIBUTES = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** The refusal for anything FIFO: local AWS serves standard queues only. */
export function fifoUnsupported(what: string): SqsError {
  return new SqsError(
    'UnsupportedOperation',
    `FIFO queues are not supported by local AWS (${what}); use a standard queue`,
  );
}

/** Checks attributes given to CreateQueue or SetQueueAttributes; throws naming the first bad one. */
export function checkAttributes(attributes: Record<string, string>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (FIFO_ATTRIBUTES.has(name)) {
      if (name === 'FifoQueue' && value === 'false') continue;
      throw fifoUnsupported(`attribute ${name}`);
    }
    const check = SETTABLE[name];
    if (!check) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    const problem = check(value);
    if (problem) {
      throw new SqsError(
        'InvalidAttributeValue',
        `Invalid value for the parameter ${name}. Reason: ${name} ${problem}.`,
      );
    }
  }
}

/** The names GetQueueAttributes asks for, expanded (`All`) and checked. */
export function requestedAttributes(names: readonly string[]): string[] {
  const known = [...COMPUTED_ATTRIBUTES, ...Object.keys(SETTABLE)];
  if (names.includes('All')) return known;
  for (const name of names) {
    if (!known.includes(name) && !FIFO_ATTRIBUTES.has(name))
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  return [...names];
}

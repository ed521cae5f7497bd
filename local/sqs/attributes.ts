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

const oneOf =
  (...values: string[]): Check =>
  (value) =>
    values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;

/** The attributes only a FIFO queue has, with their checks and defaults. */
const FIFO_SETTABLE: Readonly<Record<string, Check>> = {
  ContentBasedDeduplication: boolean,
  DeduplicationScope: oneOf('messageGroup', 'queue'),
  FifoThroughputLimit: oneOf('perQueue', 'perMessageGroupId'),
};

/** What a FIFO queue starts with besides {@link DEFAULT_ATTRIBUTES}. */
export const FIFO_DEFAULTS = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
} as const;

/**
 * Checks attributes given to CreateQueue (`creating`) or SetQueueAttributes; throws naming the
 * first bad one. FIFO attributes are unknown on a standard queue, as in SQS; FifoQueue is fixed
 * at creation.
 */
export function checkAttributes(
  attributes: Record<string, string>,
  queue: { fifo: boolean; creating: boolean },
): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'FifoQueue' && queue.creating) {
      if (value !== 'true' && value !== 'false')
        throw new SqsError(
          'InvalidAttributeValue',
          'Invalid value for the parameter FifoQueue. Reason: FifoQueue must be true or false.',
        );
      continue;
    }
    const check = SETTABLE[name] ?? (queue.fifo ? FIFO_SETTABLE[name] : undefined);
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
export function requestedAttributes(names: readonly string[], fifo: boolean): string[] {
  const known = [
    ...COMPUTED_ATTRIBUTES,
    ...Object.keys(SETTABLE),
    ...(fifo ? ['FifoQueue', ...Object.keys(FIFO_SETTABLE)] : []),
  ];
  if (names.includes('All')) return known;
  for (const name of names) {
    if (!known.includes(name))
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  return [...names];
}

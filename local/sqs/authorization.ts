import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

/** Batch operations are authorised as the action they repeat, as SQS documents. */
const BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** The operation and the input fields of an SQS request, in either of its protocols. */
function readInput(request: ServiceRequest): { operation: string; input: Record<string, unknown> } {
  const text = request.body.toString('utf8');
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    try {
      return {
        operation: target.replace(/^AmazonSQS\./, ''),
        input: JSON.parse(text || '{}') as Record<string, unknown>,
      };
    } catch {
      return { operation: target.replace(/^AmazonSQS\./, ''), input: {} };
    }
  }
  const params = new URLSearchParams(text || request.url.search);
  return { operation: params.get('Action') ?? '', input: Object.fromEntries(params) };
}

/** The queue a QueueUrl names (`.../<account>/<name>`), as an ARN in the request's region. */
function queueArnOf(queueUrl: string, region: string): string | undefined {
  try {
    const [account, name] = new URL(queueUrl).pathname.split('/').filter(Boolean);
    return account && name ? `arn:aws:sqs:${region}:${account}:${name}` : undefined;
  } catch {
    return undefined;
  }
}

/** The IAM call of an SQS request: `sqs:<Action>` on its queue, with the queue's policy. */
export function sqsCalls(
  request: ServiceRequest,
  queuePolicy: (queueArn: string) => string | undefined,
): IamCall[] {
  const { operation, input } = readInput(request);
  const action = `sqs:${BATCH_ACTIONS[operation] ?? operation}`;
  const queueArn =
    typeof input.QueueUrl === 'string'
      ? queueArnOf(input.QueueUrl, request.region)
      : typeof input.QueueName === 'string'
        ? arn('sqs', request.region, input.QueueName)
        : undefined;
  if (!queueArn) return [{ action, resource: '*' }];
  const policy = queuePolicy(queueArn);
  return [{ action, resource: queueArn, ...(policy ? { resourcePolicy: policy } : {}) }];
}

/** How SQS's requests map to IAM, with each queue's Policy attribute as its resource policy. */
export function sqsAuthorization(
  queuePolicy: (queueArn: string) => string | undefined,
): ServiceMapping {
  return {
    readsBody: true,
    calls: (request) => sqsCalls(request, queuePolicy),
    denied: { code: 'AccessDenied', status: 403 },
  };
}

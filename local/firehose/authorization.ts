import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

/** The IAM call of a Firehose request: `firehose:<Operation>` on the delivery stream it names. */
export function firehoseCalls(request: ServiceRequest): IamCall[] {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  let name: unknown;
  try {
    name = (JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>)
      .DeliveryStreamName;
  } catch {
    name = undefined; // the service answers the malformed body itself
  }
  return [
    {
      action: `firehose:${operation}`,
      resource:
        typeof name === 'string' ? arn('firehose', request.region, `deliverystream/${name}`) : '*',
    },
  ];
}

/** How Firehose's requests map to IAM (JSON 1.1 targets). */
export const FIREHOSE_AUTHORIZATION: ServiceMapping = {
  readsBody: true,
  calls: firehoseCalls,
  denied: { code: 'AccessDeniedException', status: 400 },
};

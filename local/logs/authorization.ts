import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

/** Operations whose resource is a log stream (the project's roles grant `log-stream:*`). */
const ON_STREAM = new Set(['CreateLogStream', 'PutLogEvents', 'GetLogEvents', 'DeleteLogStream']);

/** The ARN of a log group, or of one of its streams, as IAM names them. */
export function logsArn(region: string, group: string, stream?: string): string {
  return arn(
    'logs',
    region,
    `log-group:${group}${stream === undefined ? '' : `:log-stream:${stream}`}`,
  );
}

/** The IAM call of a CloudWatch Logs request: `logs:<Operation>` on the group or stream it names. */
export function logsCalls(request: ServiceRequest): IamCall[] {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    // the service answers the malformed body itself
  }
  const group = body.logGroupName;
  const stream = body.logStreamName;
  const action = `logs:${operation}`;
  if (typeof group !== 'string') return [{ action, resource: '*' }];
  return [
    {
      action,
      resource: logsArn(
        request.region,
        group,
        ON_STREAM.has(operation) ? (typeof stream === 'string' ? stream : '*') : undefined,
      ),
    },
  ];
}

/** How CloudWatch Logs' requests map to IAM (JSON 1.1 targets). */
export const LOGS_AUTHORIZATION: ServiceMapping = {
  readsBody: true,
  calls: logsCalls,
  denied: { code: 'AccessDeniedException', status: 400 },
};

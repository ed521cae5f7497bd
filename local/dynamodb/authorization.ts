import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

type Json = Record<string, unknown>;

function input(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  } catch {
    return {}; // the service answers the malformed body itself
  }
}

/** The IAM calls of a DynamoDB request: `dynamodb:<Operation>` on each table it names. */
export function dynamodbCalls(request: ServiceRequest): IamCall[] {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const action = `dynamodb:${operation}`;
  const body = input(request.body);
  const tables =
    typeof body.TableName === 'string'
      ? [body.TableName]
      : typeof body.RequestItems === 'object' && body.RequestItems !== null
        ? Object.keys(body.RequestItems)
        : [];
  if (tables.length === 0) return [{ action, resource: '*' }];
  return tables.map((table) => ({
    action,
    // A table named by its ARN is that ARN; by name, the table of the request's region.
    resource: table.startsWith('arn:') ? table : arn('dynamodb', request.region, `table/${table}`),
  }));
}

/** How DynamoDB's requests map to IAM (JSON 1.0: the target names the action, the body the table). */
export const DYNAMODB_AUTHORIZATION: ServiceMapping = {
  readsBody: true,
  calls: dynamodbCalls,
  denied: { code: 'AccessDeniedException', status: 400 },
};

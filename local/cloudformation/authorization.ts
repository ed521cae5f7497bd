import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

/** The IAM call of a CloudFormation request: `cloudformation:<Action>` on the stack it names. */
export function cloudFormationCalls(request: ServiceRequest): IamCall[] {
  const params = new URLSearchParams(request.body.toString('utf8') || request.url.search);
  const action = `cloudformation:${params.get('Action') ?? ''}`;
  const stack = params.get('StackName');
  if (!stack) return [{ action, resource: '*' }];
  // A stack named by its ARN is that ARN; by name, any stack of that name (its id is unknown).
  return [
    {
      action,
      resource: stack.startsWith('arn:')
        ? stack
        : arn('cloudformation', request.region, `stack/${stack}/*`),
    },
  ];
}

/** How CloudFormation's requests map to IAM (query protocol). */
export const CLOUDFORMATION_AUTHORIZATION: ServiceMapping = {
  readsBody: true,
  calls: cloudFormationCalls,
  denied: { code: 'AccessDenied', status: 403 },
};

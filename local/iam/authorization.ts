import { LOCAL_ACCOUNT_ID } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from './authorize.js';

/** The IAM call of an IAM request: `iam:<Action>` on the role, policy or provider it names. */
export function iamCalls(request: ServiceRequest): IamCall[] {
  const params = new URLSearchParams(request.body.toString('utf8') || request.url.search);
  const action = `iam:${params.get('Action') ?? ''}`;
  const role = params.get('RoleName');
  const policyName = params.get('PolicyName');
  const resource =
    (role ? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${role}` : undefined) ??
    params.get('PolicyArn') ??
    params.get('OpenIDConnectProviderArn') ??
    (action === 'iam:CreatePolicy' && policyName
      ? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:policy/${policyName}`
      : '*');
  return [{ action, resource }];
}

/** How IAM's requests map to IAM (query protocol, global: no region in its ARNs). */
export const IAM_AUTHORIZATION: ServiceMapping = {
  readsBody: true,
  calls: iamCalls,
  denied: { code: 'AccessDenied', status: 403 },
};

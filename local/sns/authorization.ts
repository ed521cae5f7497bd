import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

/** The IAM call of an SNS request: `sns:<Action>` on its topic, with the topic's policy. */
export function snsCalls(
  request: ServiceRequest,
  topicPolicy: (topicArn: string) => string | undefined,
): IamCall[] {
  const params = new URLSearchParams(request.body.toString('utf8') || request.url.search);
  const action = `sns:${params.get('Action') ?? ''}`;
  const subscription = params.get('SubscriptionArn');
  const name = params.get('Name');
  const topicArn =
    params.get('TopicArn') ??
    params.get('TargetArn') ??
    params.get('ResourceArn') ??
    // A subscription's ARN is its topic's and one more segment.
    (subscription?.split(':').length === 7
      ? subscription.slice(0, subscription.lastIndexOf(':'))
      : undefined) ??
    (action === 'sns:CreateTopic' && name ? arn('sns', request.region, name) : undefined);
  if (!topicArn) return [{ action, resource: '*' }];
  const policy = topicPolicy(topicArn);
  return [{ action, resource: topicArn, ...(policy ? { resourcePolicy: policy } : {}) }];
}

/** How SNS's requests map to IAM, with each topic's Policy attribute as its resource policy. */
export function snsAuthorization(
  topicPolicy: (topicArn: string) => string | undefined,
): ServiceMapping {
  return {
    readsBody: true,
    calls: (request) => snsCalls(request, topicPolicy),
    denied: { code: 'AuthorizationError', status: 403 },
  };
}

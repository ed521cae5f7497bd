import { getDenialReasons, getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate';
import type { RequestAnalysis, RunSimulationResults } from '@cloud-copilot/iam-simulate';

/** An IAM policy document, as JSON (`{"Version": ..., "Statement": [...]}`). */
export type PolicyDocument = Record<string, unknown>;

/** A policy attached to an identity, with the name messages refer to it by. */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

/** The policies that decide a request: the caller's, and the resource's own, if it has one. */
export interface PolicySet {
  identityPolicies: readonly NamedPolicy[];
  /** A bucket policy, a role's trust policy, a topic policy... */
  resourcePolicy?: PolicyDocument;
}

/** One call to decide. */
export interface AccessRequest {
  /**
   * Who calls: a role session (`arn:aws:sts::111122223333:assumed-role/Role/session`), a role or
   * user ARN, or a service principal (`lambda.amazonaws.com`) asking to assume a role.
   */
  principal: string;
  action: string;
  resource: string;
  /** The account that owns the resource (default: the one in its ARN, else the principal's). */
  resourceAccount?: string;
  /** Condition keys and their values, such as `aws:SecureTransport: 'true'`. */
  context?: Readonly<Record<string, string | string[]>>;
}

/** Whether IAM allows a request, and which statement decided it (or that none allowed it). */
export type AccessDecision =
  { allowed: true; reason: string } | { allowed: false; explicit: boolean; reason: string };

/** Thrown when a request or a policy cannot be evaluated (an unknown action, a malformed policy). */
export class PolicyEvaluationError extends Error {
  override name = 'PolicyEvaluationError';
}

/** The account field of an ARN, if it has one (S3 ARNs do not). */
function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

const policyName = (identifier: string | undefined, policyType: string) =>
  policyType === 'identity'
    ? `identity policy ${identifier ?? ''}`.trim()
    : `the ${policyType} policy`;

const statementName = (reason: { statementIndex?: number; statementId?: string | undefined }) =>
  `statement ${reason.statementIndex ?? '?'}${reason.statementId ? ` (${reason.statementId})` : ''}`;

function explain(
  analysis: RequestAnalysis,
  policies: PolicySet,
  request: AccessRequest,
): AccessDecision {
  if (analysis.result === 'Allowed') {
    const grants = getGrantReasons(analysis).map((grant) => {
      const identifier = 'policyIdentifier' in grant ? grant.policyIdentifier : undefined;
      return `${policyName(identifier, grant.policyType)}, ${statementName(grant)}`;
    });
    return { allowed: true, reason: `allowed by ${grants.join('; ') || 'policy'}` };
  }
  const denials = getDenialReasons(analysis);
  const explicit = denials.filter((denial) => denial.denialType === 'Explicit');
  if (explicit.length > 0) {
    const by = explicit.map((denial) => {
      const identifier = 'policyIdentifier' in denial ? denial.policyIdentifier : undefined;
      return `${policyName(identifier, denial.policyType)}, ${statementName(denial)}`;
    });
    return { allowed: false, explicit: true, reason: `explicitly denied by ${by.join('; ')}` };
  }
  const identity = policies.identityPolicies.map((policy) => policy.name).join(', ');
  // A service principal has no identity policies: only the resource policy can let it in.
  const byService = !request.principal.startsWith('arn:');
  const missing = denials
    .filter((denial) => !(byService && denial.policyType === 'identity'))
    .map((denial) =>
      denial.policyType === 'identity'
        ? `no statement of ${identity ? `identity policies ${identity}` : 'any identity policy (there are none)'} allows it`
        : `${policyName(undefined, denial.policyType)} does not allow it`,
    );
  return { allowed: false, explicit: false, reason: missing.join(', and ') || 'implicitly denied' };
}

/**
 * Decides a request as IAM would, with `@cloud-copilot/iam-simulate`: identity policies and an
 * optional resource policy, same-account and cross-account rules, every condition operator.
 */
export async function evaluateAccess(
  policies: PolicySet,
  request: AccessRequest,
): Promise<AccessDecision> {
  const resourceAccount =
    request.resourceAccount ?? accountOf(request.resource) ?? accountOf(request.principal);
  if (!resourceAccount)
    throw new PolicyEvaluationError(
      `cannot tell which account owns ${request.resource}: give resourceAccount`,
    );
  let response: RunSimulationResults;
  try {
    response = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: { resource: request.resource, accountId: resourceAccount },
          contextVariables: { ...request.context },
        },
        identityPolicies: policies.identityPolicies.map(({ name, document }) => ({
          name,
          policy: document,
        })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(policies.resourcePolicy ? { resourcePolicy: policies.resourcePolicy } : {}),
      },
      {},
    );
  } catch (error: unknown) {
    throw new PolicyEvaluationError(`cannot evaluate ${request.action} on ${request.resource}`, {
      cause: error,
    });
  }
  if (response.resultType === 'error') {
    const { message, ...details } = response.errors;
    throw new PolicyEvaluationError(
      `cannot evaluate ${request.action} on ${request.resource}: ${message}` +
        (Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : ''),
    );
  }
  // A resource with a wildcard is simulated once per matching pattern; explain the deciding one.
  const analysis =
    response.resultType === 'single'
      ? response.result.analysis
      : response.results.find((result) => result.analysis.result === response.overallResult)
          ?.analysis;
  if (!analysis)
    return {
      allowed: false,
      explicit: false,
      reason: 'no statement names a resource that matches',
    };
  return explain(analysis, policies, request);
}

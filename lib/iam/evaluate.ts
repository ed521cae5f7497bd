import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { RequestAnalysis, RunSimulationResults } from '@cloud-copilot/iam-simulate';

/**
 * iam-simulate and the IAM data behind it (about 10 MiB), loaded with the first decision rather
 * than by every program that imports this module (local AWS at start, before any call is evaluated).
 */
const simulator = () => import('@cloud-copilot/iam-simulate');

/** Loads the evaluator ahead of the first decision, so that the decision does not wait for it. */
export async function loadEvaluator(): Promise<void> {
  await simulator();
}

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

/** The caller of an unsigned request, as iam-simulate names it. */
export const ANONYMOUS = { type: 'Anonymous' } as const;

/** One call to decide. */
export interface AccessRequest {
  /**
   * Who calls: a role session (`arn:aws:sts::111122223333:assumed-role/Role/session`), a role or
   * user ARN, a service principal (`lambda.amazonaws.com`) asking to assume a role, an OIDC
   * provider's ARN (a web identity), or {@link ANONYMOUS}.
   */
  principal: string | typeof ANONYMOUS;
  action: string;
  resource: string;
  /** The account that owns the resource (default: the one in its ARN, else the principal's). */
  resourceAccount?: string;
  /** Condition keys and their values, such as `aws:SecureTransport: 'true'`. */
  context?: Readonly<Record<string, string | string[]>>;
  /**
   * Keys an identity provider's token brings (`token.actions.githubusercontent.com:sub`), which
   * iam-data does not list for the action and a checked simulation would ignore: given these, the
   * request is simulated unchecked (same engine, no context filtering), and its reason is shorter.
   */
  providerContext?: Readonly<Record<string, string | string[]>>;
  /** S3's effective RestrictPublicBuckets: a public bucket policy then admits only the owner. */
  restrictPublicBuckets?: boolean;
}

/** Whether IAM allows a request, and which statement decided it (or that none allowed it). */
export type AccessDecision =
  | { allowed: true; reason: string }
  | {
      allowed: false;
      explicit: boolean;
      reason: string;
      /** The kinds of policy that refused (`identity`, `resource`...), as AWS's message names one. */
      deniedBy: string[];
    };

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

async function explain(
  analysis: RequestAnalysis,
  policies: PolicySet,
  request: AccessRequest,
): Promise<AccessDecision> {
  const { getDenialReasons, getGrantReasons } = await simulator();
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
    return {
      allowed: false,
      explicit: true,
      reason: `explicitly denied by ${by.join('; ')}`,
      deniedBy: explicit.map((denial) => denial.policyType),
    };
  }
  const identity = policies.identityPolicies.map((policy) => policy.name).join(', ');
  // A service principal has no identity policies: only the resource policy can let it in.
  const byService = typeof request.principal !== 'string' || !request.principal.startsWith('arn:');
  const deciding = denials.filter((denial) => !(byService && denial.policyType === 'identity'));
  const missing = deciding.map((denial) =>
    denial.policyType === 'identity'
      ? `no statement of ${identity ? `identity policies ${identity}` : 'any identity policy (there are none)'} allows it`
      : `${policyName(undefined, denial.policyType)} does not allow it`,
  );
  return {
    allowed: false,
    explicit: false,
    reason: missing.join(', and ') || 'implicitly denied',
    deniedBy: deciding.map((denial) => denial.policyType),
  };
}

/**
 * Decides a trust policy with an identity provider's keys, statement by statement, with
 * iam-simulate for both halves: the checked engine says whether a statement's principal and
 * action match (its conditions left out), the unchecked engine whether its conditions hold (the
 * statement as an identity policy, so no key is filtered out; its own resource policy path fails
 * on unnamed policies). A matching Deny wins; else a matching Allow allows.
 */
async function unchecked(simulation: Simulation): Promise<AccessDecision> {
  const { runSimulation, runUnsafeSimulation } = await simulator();
  const policy = simulation.resourcePolicy as { Statement?: unknown } | undefined;
  const statements = [policy?.Statement ?? []].flat() as Record<string, unknown>[];
  const matching: { effect: unknown; index: number }[] = [];
  try {
    for (const [index, statement] of statements.entries()) {
      const { Condition, Principal, NotPrincipal, ...rest } = statement;
      const principalOnly = await runSimulation(
        {
          ...simulation,
          request: { ...simulation.request, contextVariables: {} },
          identityPolicies: [],
          resourcePolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                ...rest,
                ...(Principal === undefined ? {} : { Principal }),
                ...(NotPrincipal === undefined ? {} : { NotPrincipal }),
                Effect: 'Allow',
              },
            ],
          },
        },
        {},
      );
      if (principalOnly.resultType !== 'single') continue;
      if (principalOnly.result.analysis.result !== 'Allowed') continue;
      const conditions = runUnsafeSimulation(
        {
          ...simulation,
          identityPolicies: [
            {
              name: 'trust',
              policy: {
                Version: '2012-10-17',
                Statement: [
                  {
                    ...rest,
                    ...(Condition === undefined ? {} : { Condition }),
                    Effect: 'Allow',
                    Resource: '*',
                  },
                ],
              },
            },
          ],
          resourcePolicy: undefined,
        },
        {},
      );
      if (conditions === 'Allowed') matching.push({ effect: statement.Effect, index: index + 1 });
    }
  } catch (error: unknown) {
    throw new PolicyEvaluationError(
      `cannot evaluate ${simulation.request.action} on ${simulation.request.resource.resource}`,
      { cause: error },
    );
  }
  const deny = matching.find((match) => match.effect === 'Deny');
  if (deny)
    return {
      allowed: false,
      explicit: true,
      reason: `explicitly denied by the resource policy, statement ${deny.index}`,
      deniedBy: ['resource'],
    };
  const allow = matching.find((match) => match.effect === 'Allow');
  if (allow)
    return { allowed: true, reason: `allowed by the resource policy, statement ${allow.index}` };
  return {
    allowed: false,
    explicit: false,
    reason:
      'the resource policy does not allow it (no statement matches both the principal and the conditions on its claims)',
    deniedBy: ['resource'],
  };
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
    request.resourceAccount ??
    accountOf(request.resource) ??
    (typeof request.principal === 'string' ? accountOf(request.principal) : undefined);
  if (!resourceAccount)
    throw new PolicyEvaluationError(
      `cannot tell which account owns ${request.resource}: give resourceAccount`,
    );
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: { ...request.context, ...request.providerContext },
    },
    identityPolicies: policies.identityPolicies.map(({ name, document }) => ({
      name,
      policy: document,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(policies.resourcePolicy ? { resourcePolicy: policies.resourcePolicy } : {}),
    ...(request.restrictPublicBuckets === undefined
      ? {}
      : { additionalSettings: { s3: { blockPublicAccess: request.restrictPublicBuckets } } }),
  };
  if (request.providerContext) return unchecked(simulation);
  const { runSimulation } = await simulator();
  let response: RunSimulationResults;
  try {
    response = await runSimulation(simulation, {});
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
      deniedBy: [],
    };
  return explain(analysis, policies, request);
}

import type { Finding } from '../errors.js';
import { RESOURCE_KINDS } from '../iam/calls.js';
import type { FunctionCalls } from '../iam/calls.js';
import { evaluateAccess, PolicyEvaluationError } from '../iam/evaluate.js';
import type { AccessDecision, NamedPolicy, PolicyDocument } from '../iam/evaluate.js';
import { serviceRoleCalls } from '../iam/platform.js';
import type { RoleCall } from '../iam/platform.js';
import type { ParameterValues } from './parameters.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import { createResolver, ResolveError } from './resolve.js';
import type { PseudoParameters, Resolver, ResourceValues } from './resolve.js';
import { documentedResourceValues } from './resourceValues.js';

/** What the permissions of a template are proven with. */
export interface PermissionsOptions {
  parameters: ParameterValues;
  pseudo: PseudoParameters;
  /** The calls of each function's code, by the name in its zip's key (`functions/<name>-<hash>.zip`). */
  functionCalls: FunctionCalls;
  /** Default: the values AWS documents for each resource type. */
  resources?: ResourceValues;
}

/** A role of the template, as IAM sees it. */
export interface TemplateRole {
  id: string;
  arn: string;
  policies: NamedPolicy[];
  trust: PolicyDocument | undefined;
}

/** The zip key `npm run build` gives a function's code (lib/build/functions.ts). */
const CODE_KEY = /^functions\/([a-z0-9-]+)-[0-9a-f]{16}\.zip$/;

/** The roles of the template by ARN, with their inline policies and the policies attached to them. */
export function rolesOf(
  resolver: Resolver,
  template: ParsedTemplate,
  findings: Finding[],
): Map<string, TemplateRole> {
  const roles = new Map<string, TemplateRole>();
  const byName = new Map<string, TemplateRole>();
  const ids = resolver.resourceIds();
  for (const id of ids) {
    if (resolver.typeOf(id) !== 'AWS::IAM::Role') continue;
    const properties = resolver.properties(id);
    const policies = (Array.isArray(properties.Policies) ? properties.Policies : [])
      .filter(isObject)
      .map((policy) => ({
        name: String(policy.PolicyName),
        document: policy.PolicyDocument as PolicyDocument,
      }));
    if (Array.isArray(properties.ManagedPolicyArns) && properties.ManagedPolicyArns.length > 0)
      findings.push(
        findingAt(
          template,
          ['Resources', id, 'Properties', 'ManagedPolicyArns'],
          `${id}'s managed policies cannot be read offline, so its permissions cannot be proven: write the statements under Policies`,
        ),
      );
    const trust = properties.AssumeRolePolicyDocument;
    const role: TemplateRole = {
      id,
      arn: String(resolver.getAtt(id, 'Arn')),
      policies,
      trust: isObject(trust) ? trust : undefined,
    };
    roles.set(role.arn, role);
    byName.set(String(resolver.ref(id)), role);
  }
  for (const id of ids) {
    const type = resolver.typeOf(id);
    if (type !== 'AWS::IAM::Policy' && type !== 'AWS::IAM::ManagedPolicy') continue;
    const properties = resolver.properties(id);
    for (const name of Array.isArray(properties.Roles) ? properties.Roles : [])
      byName.get(String(name))?.policies.push({
        name: String(properties.PolicyName ?? properties.ManagedPolicyName ?? id),
        document: properties.PolicyDocument as PolicyDocument,
      });
  }
  return roles;
}

/** The resource an environment variable names with `!Ref X` or `!GetAtt X.Attribute`. */
function referencedResource(value: TemplateValue | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/** The calls each function's code makes, on the resources its environment variables name. */
function functionCodeCalls(
  template: ParsedTemplate,
  resolver: Resolver,
  functionCalls: FunctionCalls,
  findings: Finding[],
): RoleCall[] {
  const calls: RoleCall[] = [];
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  for (const id of resolver.resourceIds()) {
    if (resolver.typeOf(id) !== 'AWS::Lambda::Function') continue;
    const path: TemplatePath = ['Resources', id, 'Properties'];
    const properties = resolver.properties(id);
    const code = isObject(properties.Code) ? properties.Code : {};
    const name = CODE_KEY.exec(String(code.S3Key ?? ''))?.[1];
    const listed = name === undefined ? undefined : functionCalls[name];
    if (!listed) {
      findings.push(
        findingAt(
          template,
          [...path, 'Code'],
          name === undefined
            ? `cannot tell which function's code ${id} runs (Code.S3Key is not a key npm run build writes, functions/<name>-<hash>.zip), so its calls cannot be proven`
            : `${id} runs functions/${name}, whose AWS calls are not listed (functions/calls.ts), so its role cannot be proven`,
        ),
      );
      continue;
    }
    const raw = resources[id];
    const rawProperties = isObject(raw) && isObject(raw.Properties) ? raw.Properties : {};
    const rawEnvironment = isObject(rawProperties.Environment) ? rawProperties.Environment : {};
    const variables = isObject(rawEnvironment.Variables) ? rawEnvironment.Variables : {};
    for (const call of listed) {
      const variablePath = [...path, 'Environment', 'Variables', call.variable];
      const kind = RESOURCE_KINDS[call.resource];
      const target = referencedResource(variables[call.variable]);
      if (variables[call.variable] === undefined) {
        findings.push(
          findingAt(
            template,
            [...path, 'Environment'],
            `functions/${name} reads ${call.variable} to call ${call.action}, but ${id} does not set it`,
          ),
        );
        continue;
      }
      if (!target || resolver.typeOf(target) !== kind.type) {
        findings.push(
          findingAt(
            template,
            variablePath,
            `${call.variable} must name the ${kind.type} that functions/${name} calls ${call.action} on, with !Ref or !GetAtt to it, so its permission can be proven`,
          ),
        );
        continue;
      }
      const resource = kind.arn === 'Ref' ? resolver.ref(target) : resolver.getAtt(target, 'Arn');
      calls.push({
        roleArn: String(properties.Role),
        source: id,
        action: call.action,
        resource: String(resource),
        why: `functions/${name} calls (${call.variable})`,
      });
    }
  }
  return calls;
}

/** The session ARN of a role, as the service that assumed it calls with it. */
export function sessionOf(role: TemplateRole, account: string, partition: string): string {
  const name = role.arn.split('/').at(-1);
  return `arn:${partition}:sts::${account}:assumed-role/${name}/proof`;
}

async function decide(
  call: RoleCall,
  role: TemplateRole,
  pseudo: PseudoParameters,
): Promise<AccessDecision> {
  if (call.service)
    return evaluateAccess(
      { identityPolicies: [], resourcePolicy: role.trust },
      {
        principal: call.service,
        action: call.action,
        resource: role.arn,
        context: { 'aws:SecureTransport': 'true', ...call.context },
      },
    );
  return evaluateAccess(
    { identityPolicies: role.policies, resourcePolicy: call.resourcePolicy },
    {
      principal: sessionOf(role, pseudo.accountId, pseudo.partition),
      action: call.action,
      resource: call.resource,
      resourceAccount: pseudo.accountId,
      context: {
        'aws:SecureTransport': 'true',
        'aws:PrincipalAccount': pseudo.accountId,
        'aws:PrincipalArn': role.arn,
        ...call.context,
      },
    },
  );
}

/**
 * Proves, with a real IAM policy evaluator, that each role of a template allows every call made
 * with it: the calls of each function's code, and what Lambda, Firehose and Scheduler do on the
 * roles' behalf (lib/iam/platform.ts), with parameters and ARNs resolved to concrete values.
 * Each missing permission is a finding on the role naming the call, the resource and the role.
 */
export async function checkPermissions(
  template: ParsedTemplate,
  options: PermissionsOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  let roles: Map<string, TemplateRole>;
  let calls: RoleCall[];
  try {
    const resolver = createResolver(template, {
      parameters: options.parameters,
      pseudo: options.pseudo,
      resources: options.resources ?? documentedResourceValues(),
    });
    roles = rolesOf(resolver, template, findings);
    calls = [
      ...functionCodeCalls(template, resolver, options.functionCalls, findings),
      ...serviceRoleCalls(resolver),
    ];
  } catch (error: unknown) {
    if (!(error instanceof ResolveError)) throw error;
    return [
      ...findings,
      findingAt(template, error.at, `permissions cannot be proven: ${error.reason}`),
    ];
  }
  for (const call of calls) {
    const role = roles.get(call.roleArn);
    if (!role) {
      findings.push(
        findingAt(
          template,
          ['Resources', call.source],
          `${call.source} hands AWS the role ${call.roleArn}, which is no role of this template, so ${call.action} cannot be proven`,
        ),
      );
      continue;
    }
    let decision: AccessDecision;
    try {
      decision = await decide(call, role, options.pseudo);
    } catch (error: unknown) {
      if (!(error instanceof PolicyEvaluationError)) throw error;
      findings.push(findingAt(template, ['Resources', role.id], error.message));
      continue;
    }
    if (decision.allowed) continue;
    findings.push(
      call.service
        ? findingAt(
            template,
            ['Resources', role.id, 'Properties', 'AssumeRolePolicyDocument'],
            `${role.id}'s trust policy does not let ${call.service} assume ${role.arn}, which ${call.why}: ${decision.reason}`,
          )
        : findingAt(
            template,
            ['Resources', role.id],
            `${role.id} (${role.arn}) does not allow ${call.action} on ${call.resource}, which ${call.why}: ${decision.reason}`,
          ),
    );
  }
  return findings;
}

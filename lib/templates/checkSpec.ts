import type { Finding } from '../errors.js';
import { closest, quoteList } from '../text.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import type { PropertySpec, ServiceSpec, ValueShape } from './spec.js';
import { branches, intrinsicName, PSEUDO_PARAMETERS, subVariables, walk } from './walk.js';

const SECTIONS = [
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
];

const RESOURCE_KEYS = [
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
];

const PARAMETER_TYPES = ['String', 'Number', 'List<Number>', 'CommaDelimitedList'];

const hint = (word: string, candidates: readonly string[]): string => {
  const near = word === '' ? undefined : closest(word, candidates);
  return near ? ` (did you mean ${JSON.stringify(near)}?)` : '';
};

/** Checks the shape of a property value against the spec: unknown and missing properties. */
function checkValue(
  template: ParsedTemplate,
  value: TemplateValue,
  shape: ValueShape,
  path: TemplatePath,
  where: string,
  findings: Finding[],
): void {
  // Either branch of an Fn::If may be deployed, so both must fit.
  if (intrinsicName(value) === 'Fn::If') {
    for (const branch of branches(value, path))
      checkValue(template, branch.value, shape, branch.path, where, findings);
    return;
  }
  // Another function's result is only known at deploy time; its arguments are checked elsewhere.
  if (intrinsicName(value) !== undefined) return;
  const wrongType = (expected: string) =>
    findings.push(
      findingAt(template, path, `${where} must be ${expected}, not ${describeValue(value)}`),
    );
  switch (shape.kind) {
    case 'object':
      if (isObject(value))
        checkProperties(template, value, shape.properties(), path, where, findings);
      else wrongType(`a map (${shape.name})`);
      return;
    case 'list':
      if (Array.isArray(value))
        value.forEach((item, index) =>
          checkValue(template, item, shape.element, [...path, index], where, findings),
        );
      else wrongType('a list');
      return;
    case 'map':
      if (isObject(value))
        for (const [key, item] of Object.entries(value))
          checkValue(template, item, shape.element, [...path, key], where, findings);
      else wrongType('a map');
      return;
    case 'union': {
      // Check against the one structured option, when there is exactly one.
      const objects = shape.options.filter((option) => option.kind === 'object');
      if (objects.length === 1 && isObject(value))
        checkValue(template, value, objects[0]!, path, where, findings);
      return;
    }
    case 'primitive':
      checkPrimitive(value, shape.type, wrongType);
      if (shape.allowedValues && !isObject(value) && !Array.isArray(value) && value !== null) {
        const allowed = shape.allowedValues.map(String);
        if (!allowed.includes(String(value)))
          findings.push(
            findingAt(
              template,
              path,
              `${where} = ${JSON.stringify(value)} is not one of ${quoteList(allowed)}${hint(String(value), allowed)}`,
            ),
          );
      }
      return;
    default:
      return;
  }
}

function describeValue(value: TemplateValue): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a map';
  return JSON.stringify(value);
}

/** CloudFormation turns scalars into the type a property wants where it can; lists and maps it cannot. */
function checkPrimitive(
  value: TemplateValue,
  type: string,
  wrongType: (expected: string) => void,
): void {
  const scalar = !Array.isArray(value) && !isObject(value);
  switch (type) {
    case 'string':
    case 'date-time':
      if (!scalar) wrongType('text');
      return;
    case 'number':
    case 'integer':
      if (!scalar || value === null || value === '' || Number.isNaN(Number(value)))
        wrongType(type === 'integer' ? 'a whole number' : 'a number');
      else if (type === 'integer' && !Number.isInteger(Number(value))) wrongType('a whole number');
      return;
    case 'boolean':
      if (!(typeof value === 'boolean' || value === 'true' || value === 'false'))
        wrongType('true or false');
      return;
    default:
      return;
  }
}

function checkProperties(
  template: ParsedTemplate,
  value: { [key: string]: TemplateValue },
  properties: Record<string, PropertySpec>,
  path: TemplatePath,
  where: string,
  findings: Finding[],
): void {
  const known = Object.keys(properties);
  for (const [name, child] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      findings.push(
        findingAt(
          template,
          [...path, name],
          `${where} has no property ${JSON.stringify(name)}${hint(name, known)}`,
        ),
      );
      continue;
    }
    checkValue(template, child, property.shape, [...path, name], `${where}.${name}`, findings);
  }
  const missing = known.filter((name) => properties[name]!.required && !(name in value));
  if (missing.length > 0) {
    findings.push(
      findingAt(
        template,
        path,
        `${where} is missing the required ${missing.length > 1 ? 'properties' : 'property'} ${quoteList(missing, 'and')}`,
      ),
    );
  }
}

/** Resource types, properties, required properties and `GetAtt` attributes, from AWS's spec. */
function checkResources(template: ParsedTemplate, spec: ServiceSpec, findings: Finding[]): void {
  const resources = template.body.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    findings.push(findingAt(template, ['Resources'], 'the template needs a Resources section'));
    return;
  }
  for (const [id, resource] of Object.entries(resources)) {
    const path = ['Resources', id];
    if (!isObject(resource)) {
      findings.push(findingAt(template, path, `resource ${id} must be a map with a Type`));
      continue;
    }
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.includes(key))
        findings.push(
          findingAt(
            template,
            [...path, key],
            `resource ${id} has an unknown attribute ${JSON.stringify(key)}${hint(key, RESOURCE_KEYS)}`,
          ),
        );
    const type = resource.Type;
    if (typeof type !== 'string') {
      findings.push(
        findingAt(template, path, `resource ${id} needs a Type such as AWS::S3::Bucket`),
      );
      continue;
    }
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') continue;
    const typeSpec = spec.resource(type);
    if (!typeSpec) {
      findings.push(
        findingAt(
          template,
          [...path, 'Type'],
          `resource ${id}: ${JSON.stringify(type)} is not a CloudFormation resource type${hint(type, spec.resourceTypes())}`,
        ),
      );
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!isObject(properties)) {
      findings.push(findingAt(template, [...path, 'Properties'], `${id}.Properties must be a map`));
      continue;
    }
    checkProperties(
      template,
      properties,
      typeSpec.properties,
      resource.Properties === undefined ? path : [...path, 'Properties'],
      `${id} (${type})`,
      findings,
    );
  }
}

/** What the reference checkers share: the template's names, and where findings go. */
interface ReferenceContext {
  template: ParsedTemplate;
  spec: ServiceSpec;
  findings: Finding[];
  section: string;
  resources: { [key: string]: TemplateValue };
  parameters: string[];
  conditions: string[];
  resourceIds: string[];
  /** What a `Ref` may name: parameters, resources and pseudo parameters. */
  refTargets: string[];
}

/** A check of one intrinsic function's arguments, at `path` (the function's key). */
type ReferenceCheck = (context: ReferenceContext, args: TemplateValue, path: TemplatePath) => void;

/** A `GetAtt` (or `${Resource.Attribute}`) names a resource of the template and one of its attributes. */
function checkAttribute(
  context: ReferenceContext,
  id: string,
  attribute: string,
  path: TemplatePath,
): void {
  const { template, spec, findings, resources, resourceIds } = context;
  if (!resourceIds.includes(id)) {
    findings.push(
      findingAt(
        template,
        path,
        `GetAtt names ${JSON.stringify(id)}, which is not a resource of this template${hint(id, resourceIds)}`,
      ),
    );
    return;
  }
  const resource = resources[id];
  const type = isObject(resource) && typeof resource.Type === 'string' ? resource.Type : undefined;
  const typeSpec = type ? spec.resource(type) : undefined;
  if (typeSpec && !typeSpec.attributes.includes(attribute)) {
    findings.push(
      findingAt(
        template,
        path,
        `GetAtt ${id}.${attribute}: ${type} has no attribute ${JSON.stringify(attribute)}; ` +
          (typeSpec.attributes.length > 0
            ? `it has ${quoteList(typeSpec.attributes, 'and')}`
            : 'it has no attributes'),
      ),
    );
  }
}

/** A name given to `Ref` or `DependsOn` is among those it may name. */
function checkName(
  context: ReferenceContext,
  name: string,
  path: TemplatePath,
  what: 'Ref' | 'DependsOn',
  allowed: readonly string[],
): void {
  if (!allowed.includes(name))
    context.findings.push(
      findingAt(
        context.template,
        path,
        `${what} ${JSON.stringify(name)} names no ${what === 'Ref' ? 'parameter, resource or pseudo parameter' : 'resource'} of this template${hint(name, allowed)}`,
      ),
    );
}

function checkConditionName(context: ReferenceContext, name: unknown, path: TemplatePath): void {
  if (typeof name === 'string' && !context.conditions.includes(name))
    context.findings.push(
      findingAt(
        context.template,
        path,
        `condition ${JSON.stringify(name)} is not defined under Conditions${hint(name, context.conditions)}`,
      ),
    );
}

const checkRef: ReferenceCheck = (context, args, path) => {
  const { template, findings, parameters } = context;
  if (typeof args !== 'string')
    findings.push(findingAt(template, path, 'Ref takes the name of a parameter or resource'));
  else if (
    context.section === 'Conditions' &&
    !parameters.includes(args) &&
    !(PSEUDO_PARAMETERS as readonly string[]).includes(args)
  )
    findings.push(
      findingAt(template, path, `a condition may only Ref parameters, not ${JSON.stringify(args)}`),
    );
  else checkName(context, args, path, 'Ref', context.refTargets);
};

const checkGetAtt: ReferenceCheck = (context, args, path) => {
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string')
    context.findings.push(
      findingAt(context.template, path, 'GetAtt takes Resource.Attribute or [Resource, Attribute]'),
    );
  else if (typeof args[1] === 'string') checkAttribute(context, args[0], args[1], path);
};

const checkSub: ReferenceCheck = (context, args, path) => {
  const [text, variables] = Array.isArray(args) ? args : [args, undefined];
  if (typeof text !== 'string') return;
  const local = isObject(variables) ? Object.keys(variables) : [];
  for (const variable of subVariables(text)) {
    if (local.includes(variable)) continue;
    const dot = variable.indexOf('.');
    if (dot > 0 && !variable.startsWith('AWS::'))
      checkAttribute(context, variable.slice(0, dot), variable.slice(dot + 1), path);
    else checkName(context, variable, path, 'Ref', context.refTargets);
  }
};

/** One checker per intrinsic function whose arguments name something in the template. */
const REFERENCE_CHECKS: Record<string, ReferenceCheck> = {
  Ref: checkRef,
  'Fn::GetAtt': checkGetAtt,
  'Fn::Sub': checkSub,
  Condition: (context, args, path) => checkConditionName(context, args, path),
  'Fn::If': (context, args, path) =>
    checkConditionName(context, Array.isArray(args) ? args[0] : undefined, path),
};

/** Every `Ref`, `Fn::Sub` variable, `Fn::GetAtt`, `DependsOn` and condition names something real. */
function checkReferences(template: ParsedTemplate, spec: ServiceSpec, findings: Finding[]): void {
  const body = template.body;
  const resources = isObject(body.Resources) ? body.Resources : {};
  const parameters = isObject(body.Parameters) ? Object.keys(body.Parameters) : [];
  const resourceIds = Object.keys(resources);
  const context: ReferenceContext = {
    template,
    spec,
    findings,
    section: '',
    resources,
    parameters,
    conditions: isObject(body.Conditions) ? Object.keys(body.Conditions) : [],
    resourceIds,
    refTargets: [...parameters, ...resourceIds, ...PSEUDO_PARAMETERS],
  };

  for (const section of ['Resources', 'Outputs', 'Conditions'] as const) {
    context.section = section;
    walk(body[section], [section], (value, path) => {
      const fn = intrinsicName(value);
      const check = fn ? REFERENCE_CHECKS[fn] : undefined;
      if (check && isObject(value)) check(context, value[fn!]!, [...path, fn!]);
    });
  }

  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const dependsOn = resource.DependsOn;
    const list = Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn];
    list.forEach((target, index) => {
      const path = ['Resources', id, 'DependsOn', ...(Array.isArray(dependsOn) ? [index] : [])];
      if (typeof target !== 'string')
        findings.push(findingAt(template, path, 'DependsOn takes resource names'));
      else
        checkName(
          context,
          target,
          path,
          'DependsOn',
          resourceIds.filter((other) => other !== id),
        );
    });
    if (typeof resource.Condition === 'string')
      checkConditionName(context, resource.Condition, ['Resources', id, 'Condition']);
  }
}

function checkSections(template: ParsedTemplate, findings: Finding[]): void {
  for (const key of Object.keys(template.body))
    if (!SECTIONS.includes(key))
      findings.push(
        findingAt(
          template,
          [key],
          `unknown template section ${JSON.stringify(key)}${hint(key, SECTIONS)}`,
        ),
      );
  const outputs = template.body.Outputs;
  if (outputs !== undefined && !isObject(outputs))
    findings.push(findingAt(template, ['Outputs'], 'Outputs must be a map of names to {Value}'));
  for (const [name, output] of Object.entries(isObject(outputs) ? outputs : {}))
    if (!isObject(output) || output.Value === undefined)
      findings.push(findingAt(template, ['Outputs', name], `output ${name} needs a Value`));
  const parameters = template.body.Parameters;
  if (isObject(parameters)) {
    for (const [name, parameter] of Object.entries(parameters)) {
      const type = isObject(parameter) ? parameter.Type : undefined;
      if (
        typeof type !== 'string' ||
        !(PARAMETER_TYPES.includes(type) || /^(List<)?AWS::/.test(type))
      )
        findings.push(
          findingAt(
            template,
            ['Parameters', name],
            `parameter ${name} needs a Type: ${quoteList(PARAMETER_TYPES)} or an AWS-specific type`,
          ),
        );
    }
  }
}

/** The resources each resource needs first: what its properties reference, and its DependsOn. */
export function dependencies(template: ParsedTemplate): Map<string, Set<string>> {
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const needs = new Set<string>();
    const add = (name: unknown) => {
      if (typeof name === 'string' && name in resources && name !== id) needs.add(name);
    };
    if (!isObject(resource)) continue;
    const dependsOn = resource.DependsOn;
    (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).forEach(add);
    walk(resource.Properties, [], (value) => {
      const fn = intrinsicName(value);
      if (!fn || !isObject(value)) return;
      const args = value[fn];
      if (fn === 'Ref') add(args);
      else if (fn === 'Fn::GetAtt' && Array.isArray(args)) add(args[0]);
      else if (fn === 'Fn::Sub') {
        const text = Array.isArray(args) ? args[0] : args;
        if (typeof text === 'string')
          for (const variable of subVariables(text)) add(variable.split('.')[0]);
      }
    });
    graph.set(id, needs);
  }
  return graph;
}

/** CloudFormation refuses a template whose resources need each other in a circle. */
function checkCycles(template: ParsedTemplate, findings: Finding[]): void {
  const graph = dependencies(template);
  const done = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    if (done.has(id)) return;
    const at = trail.indexOf(id);
    if (at >= 0) {
      const cycle = [...trail.slice(at), id];
      findings.push(
        findingAt(
          template,
          ['Resources', id],
          `circular dependency: ${cycle.join(' → ')}; CloudFormation cannot create these in any order`,
        ),
      );
      cycle.forEach((member) => done.add(member));
      return;
    }
    for (const next of graph.get(id) ?? []) visit(next, [...trail, id]);
    done.add(id);
  };
  for (const id of graph.keys()) visit(id, []);
}

/** Checks a template against AWS's resource specification and its own names. */
export function checkAgainstSpec(template: ParsedTemplate, spec: ServiceSpec): Finding[] {
  const findings: Finding[] = [];
  checkSections(template, findings);
  checkResources(template, spec, findings);
  checkReferences(template, spec, findings);
  checkCycles(template, findings);
  return findings;
}

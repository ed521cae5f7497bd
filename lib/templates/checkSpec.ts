import type { Finding } from '../errors.js';
import { didYouMean as hint, quoteList } from '../text.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import type { PropertySpec, ServiceSpec, ValueShape } from './spec.js';
import { checkReferences } from './references.js';
import { branches, intrinsicName, subVariables, walk } from './walk.js';

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

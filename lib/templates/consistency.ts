import type { Finding } from '../errors.js';
import { quoteList } from '../text.js';
import { checkParameterDefaults } from './parameters.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import { intrinsicName, walk } from './walk.js';

type Properties = { [key: string]: TemplateValue };

/** A check of one resource type's properties against each other. */
type ResourceCheck = (
  template: ParsedTemplate,
  id: string,
  properties: Properties,
  path: TemplatePath,
) => Finding[];

/** A check of one intrinsic function's arguments. */
type FunctionCheck = (
  template: ParsedTemplate,
  args: TemplateValue,
  path: TemplatePath,
) => Finding[];

/** Every key attribute of a table and its indexes must be declared under AttributeDefinitions. */
const checkTableKeys: ResourceCheck = (template, id, properties, path) => {
  const definitions = properties.AttributeDefinitions;
  if (!Array.isArray(definitions)) return []; // Missing or computed: the spec check's business.
  const defined = definitions.flatMap((definition) =>
    isObject(definition) && typeof definition.AttributeName === 'string'
      ? [definition.AttributeName]
      : [],
  );
  const keySchemas: { schema: TemplateValue | undefined; at: TemplatePath }[] = [
    { schema: properties.KeySchema, at: [...path, 'KeySchema'] },
  ];
  for (const kind of ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes']) {
    const indexes = properties[kind];
    if (Array.isArray(indexes))
      indexes.forEach((index, i) => {
        if (isObject(index))
          keySchemas.push({ schema: index.KeySchema, at: [...path, kind, i, 'KeySchema'] });
      });
  }
  const findings: Finding[] = [];
  const used = new Set<string>();
  for (const { schema, at } of keySchemas) {
    if (!Array.isArray(schema)) continue;
    schema.forEach((key, index) => {
      const name = isObject(key) ? key.AttributeName : undefined;
      if (typeof name !== 'string') return;
      used.add(name);
      if (!defined.includes(name))
        findings.push(
          findingAt(
            template,
            [...at, index, 'AttributeName'],
            `${id}: key attribute ${JSON.stringify(name)} is not under AttributeDefinitions` +
              (defined.length > 0 ? ` (which declares ${quoteList(defined, 'and')})` : ''),
          ),
        );
    });
  }
  // DynamoDB refuses a definition that no key uses: only key attributes are declared.
  definitions.forEach((definition, index) => {
    const name = isObject(definition) ? definition.AttributeName : undefined;
    if (typeof name === 'string' && !used.has(name))
      findings.push(
        findingAt(
          template,
          [...path, 'AttributeDefinitions', index, 'AttributeName'],
          `${id}: attribute ${JSON.stringify(name)} is defined but no key schema uses it; DynamoDB declares key attributes only`,
        ),
      );
  });
  return findings;
};

/** `Fn::Select` with a literal list: the index must point into it. */
const checkSelect: FunctionCheck = (template, args, path) => {
  if (!Array.isArray(args) || args.length !== 2)
    return [findingAt(template, path, 'Fn::Select takes [index, list]')];
  const [index, list] = args;
  if (intrinsicName(index) !== undefined) return [];
  const number = Number(index);
  if (!Number.isInteger(number) || number < 0 || typeof index === 'boolean' || index === null)
    return [
      findingAt(
        template,
        [...path, 0],
        `Fn::Select index ${JSON.stringify(index)} is not a whole number from 0`,
      ),
    ];
  if (Array.isArray(list) && number >= list.length)
    return [
      findingAt(
        template,
        [...path, 0],
        `Fn::Select index ${number} is past the end of a list of ${list.length} (indexes start at 0)`,
      ),
    ];
  return [];
};

/** One checker per resource type whose properties must agree with each other. */
const RESOURCE_CHECKS: Record<string, ResourceCheck> = {
  'AWS::DynamoDB::Table': checkTableKeys,
  'AWS::DynamoDB::GlobalTable': checkTableKeys,
};

/** One checker per intrinsic function whose arguments can be checked before deploying. */
const FUNCTION_CHECKS: Record<string, FunctionCheck> = {
  'Fn::Select': checkSelect,
};

/**
 * Checks that AWS's own linter makes and the spec check does not: parameter defaults against
 * their own constraints, table keys against their attribute definitions, `Fn::Select` indexes.
 */
export function checkConsistency(template: ParsedTemplate): Finding[] {
  const findings = checkParameterDefaults(template);
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !isObject(resource.Properties)) continue;
    const check = RESOURCE_CHECKS[String(resource.Type)];
    if (check)
      findings.push(...check(template, id, resource.Properties, ['Resources', id, 'Properties']));
  }
  for (const section of ['Resources', 'Outputs', 'Conditions'] as const)
    walk(template.body[section], [section], (value, path) => {
      const fn = intrinsicName(value);
      const check = fn ? FUNCTION_CHECKS[fn] : undefined;
      if (check && isObject(value)) findings.push(...check(template, value[fn!]!, [...path, fn!]));
    });
  return findings;
}

/** Export names must be unique in a region: two templates checked together may not share one. */
export function checkExportNames(templates: readonly ParsedTemplate[]): Finding[] {
  const seen = new Map<string, { template: ParsedTemplate; output: string }>();
  const findings: Finding[] = [];
  for (const template of templates) {
    const outputs = isObject(template.body.Outputs) ? template.body.Outputs : {};
    for (const [output, declaration] of Object.entries(outputs)) {
      const exported = isObject(declaration) ? declaration.Export : undefined;
      const name = isObject(exported) ? exported.Name : undefined;
      if (name === undefined) continue;
      // A literal name is the same in every stack; a computed one (`!Sub '${AWS::StackName}-X'`)
      // differs between stacks, so it can only clash within its own template.
      const text = typeof name === 'string' ? name : JSON.stringify(name);
      const key = typeof name === 'string' ? text : `${template.file}\n${text}`;
      const first = seen.get(key);
      if (first)
        findings.push(
          findingAt(
            template,
            ['Outputs', output, 'Export', 'Name'],
            `export name ${text} is also exported by ${first.output} in ${first.template.file}; CloudFormation refuses a second export of one name`,
          ),
        );
      else seen.set(key, { template, output });
    }
  }
  return findings;
}

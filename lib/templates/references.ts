import type { Finding } from '../errors.js';
import { didYouMean as hint, quoteList } from '../text.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import type { ServiceSpec } from './spec.js';
import { intrinsicName, PSEUDO_PARAMETERS, subVariables, walk } from './walk.js';

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
export function checkReferences(
  template: ParsedTemplate,
  spec: ServiceSpec,
  findings: Finding[],
): void {
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

import { isObject } from './parse.js';
import type { TemplatePath, TemplateValue } from './parse.js';
import { intrinsicName } from './walk.js';

/** The values of the pseudo parameters (`AWS::AccountId`, `AWS::Region`, ...) of one stack. */
export interface PseudoParameters {
  accountId: string;
  region: string;
  partition: string;
  stackName: string;
  /** Default: an ARN in the CloudFormation format built from the other values. */
  stackId?: string;
  /** Default: the partition's domain (`amazonaws.com`, `amazonaws.com.cn`). */
  urlSuffix?: string;
  notificationArns?: string[];
}

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The domain of a partition's endpoints, as `AWS::URLSuffix` gives it. */
export function urlSuffixOf(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** One resource, as a {@link ResourceValues} source sees it: its type and its resolved properties. */
export interface ResourceInfo {
  id: string;
  type: string;
  pseudo: Required<PseudoParameters>;
  /** The property resolved with the stack's parameters; undefined when absent or `AWS::NoValue`. */
  property(name: string): TemplateValue | undefined;
}

/**
 * Where the resolver gets a resource's `Ref` and `Fn::GetAtt` values: provisioned state in an
 * engine, AWS's documented formats in a proof. `getAtt` returns undefined for an unknown attribute.
 */
export interface ResourceValues {
  ref(resource: ResourceInfo): TemplateValue;
  getAtt(resource: ResourceInfo, attribute: string): TemplateValue | undefined;
}

/** Thrown when a value cannot be resolved; `at` is the path to the value at fault. */
export class ResolveError extends Error {
  override name = 'ResolveError';
  /** The dotted form of {@link ResolveError.at}. */
  readonly path: string;
  constructor(
    readonly at: TemplatePath,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${at.join('.')}: ${reason}`, options);
    this.path = at.join('.');
  }
}

/** What a template is resolved with. */
export interface ResolveOptions {
  /** Parameter values as CloudFormation takes them: text, lists comma-separated. */
  parameters: Readonly<Record<string, string>>;
  pseudo: PseudoParameters;
  resources: ResourceValues;
}

/** A template with its parameters bound: conditions, resources and any value, resolved. */
export interface Resolver {
  /** Whether the named condition holds. */
  condition(name: string): boolean;
  /** Whether the resource exists with these parameters (it has no Condition, or its condition holds). */
  exists(id: string): boolean;
  /** The logical ids of the resources that exist with these parameters, in template order. */
  resourceIds(): string[];
  /** The resource's type, or undefined when the template has no such resource. */
  typeOf(id: string): string | undefined;
  /** The resource's properties, resolved. */
  properties(id: string): { [key: string]: TemplateValue };
  /** `Ref` of a parameter, pseudo parameter or resource. */
  ref(name: string, path?: TemplatePath): TemplateValue;
  /** `Fn::GetAtt` of a resource. */
  getAtt(id: string, attribute: string, path?: TemplatePath): TemplateValue;
  /** Any value of the template, found at `path`; undefined when it resolves to `AWS::NoValue`. */
  resolve(value: TemplateValue, path: TemplatePath): TemplateValue | undefined;
}

/** `Ref: AWS::NoValue`: removes the property or list item that holds it. */
const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = TemplateValue | typeof NO_VALUE;

type Body = { [key: string]: TemplateValue };
type Evaluate = (args: TemplateValue, path: TemplatePath) => Resolved;

const describe = (value: TemplateValue | undefined): string =>
  value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : JSON.stringify(value);

/** Binds a template to parameter values, pseudo parameters and a source of resource values. */
export function createResolver(template: { body: Body }, options: ResolveOptions): Resolver {
  const body = template.body;
  const declared = isObject(body.Parameters) ? body.Parameters : {};
  const conditions = isObject(body.Conditions) ? body.Conditions : {};
  const resources = isObject(body.Resources) ? body.Resources : {};
  const mappings = isObject(body.Mappings) ? body.Mappings : {};
  const pseudo: Required<PseudoParameters> = {
    stackId: `arn:${options.pseudo.partition}:cloudformation:${options.pseudo.region}:${options.pseudo.accountId}:stack/${options.pseudo.stackName}/00000000-0000-0000-0000-000000000000`,
    urlSuffix: urlSuffixOf(options.pseudo.partition),
    notificationArns: [],
    ...options.pseudo,
  };
  const pseudoValues: Record<string, TemplateValue> = {
    'AWS::AccountId': pseudo.accountId,
    'AWS::Region': pseudo.region,
    'AWS::Partition': pseudo.partition,
    'AWS::StackName': pseudo.stackName,
    'AWS::StackId': pseudo.stackId,
    'AWS::URLSuffix': pseudo.urlSuffix,
    'AWS::NotificationARNs': pseudo.notificationArns,
  };

  const conditionValues = new Map<string, boolean>();
  const conditionsInProgress = new Set<string>();
  const propertiesInProgress = new Set<string>();

  const resourceOf = (id: string): Body | undefined => {
    const resource = resources[id];
    return isObject(resource) ? resource : undefined;
  };

  const parameter = (name: string, path: TemplatePath): TemplateValue => {
    const declaration = declared[name];
    const type = isObject(declaration) ? String(declaration.Type ?? 'String') : 'String';
    const given = options.parameters[name];
    const fallback = isObject(declaration) ? declaration.Default : undefined;
    const value =
      given ?? (fallback === undefined || fallback === null ? undefined : String(fallback));
    if (value === undefined)
      throw new ResolveError(path, `parameter ${name} has no value and no Default`);
    if (type.startsWith('AWS::SSM::Parameter::'))
      throw new ResolveError(
        path,
        `parameter ${name} is of type ${type}, which is read from SSM and not supported here`,
      );
    return type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',') : value;
  };

  const info = (id: string, type: string): ResourceInfo => ({
    id,
    type,
    pseudo,
    property(name) {
      const key = `${id}.${name}`;
      if (propertiesInProgress.has(key))
        throw new ResolveError(
          ['Resources', id, 'Properties', name],
          'refers back to itself through Ref or Fn::GetAtt',
        );
      propertiesInProgress.add(key);
      try {
        const properties = resourceOf(id)?.Properties;
        const value = isObject(properties) ? properties[name] : undefined;
        if (value === undefined) return undefined;
        const resolved = evaluate(value, ['Resources', id, 'Properties', name]);
        return resolved === NO_VALUE ? undefined : resolved;
      } finally {
        propertiesInProgress.delete(key);
      }
    },
  });

  /** The resource named in a Ref or GetAtt, which must exist with these parameters. */
  const existing = (id: string, path: TemplatePath): ResourceInfo => {
    const resource = resourceOf(id);
    if (!resource)
      throw new ResolveError(
        path,
        `${id} names no parameter, pseudo parameter or resource of the template`,
      );
    if (!exists(id))
      throw new ResolveError(
        path,
        `${id} does not exist with these parameters (its condition ${String(resource.Condition)} is false)`,
      );
    return info(id, String(resource.Type));
  };

  const ref = (name: string, path: TemplatePath = []): TemplateValue => {
    if (name in pseudoValues) return pseudoValues[name]!;
    if (name in declared || name in options.parameters) return parameter(name, path);
    const resource = existing(name, path);
    return options.resources.ref(resource);
  };

  const getAtt = (id: string, attribute: string, path: TemplatePath = []): TemplateValue => {
    const resource = existing(id, path);
    const value = options.resources.getAtt(resource, attribute);
    if (value === undefined)
      throw new ResolveError(path, `${id} (${resource.type}) has no attribute ${attribute} here`);
    return value;
  };

  const text = (value: Resolved, path: TemplatePath, what: string): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new ResolveError(
      path,
      `${what} must be text, not ${value === NO_VALUE ? 'AWS::NoValue' : describe(value)}`,
    );
  };

  const list = (value: Resolved, path: TemplatePath, what: string): TemplateValue[] => {
    if (Array.isArray(value)) return value;
    throw new ResolveError(
      path,
      `${what} must be a list, not ${value === NO_VALUE ? 'AWS::NoValue' : describe(value)}`,
    );
  };

  const argsOf = (args: TemplateValue, count: number, path: TemplatePath, form: string) => {
    if (!Array.isArray(args) || args.length !== count)
      throw new ResolveError(path, `takes ${form}, not ${describe(args)}`);
    return args;
  };

  /** A condition expression: `{Condition: Name}`, Fn::Equals/Not/And/Or, or a resolved boolean. */
  const truth = (value: TemplateValue, path: TemplatePath): boolean => {
    if (isObject(value) && typeof value.Condition === 'string' && Object.keys(value).length === 1)
      return condition(value.Condition, [...path, 'Condition']);
    const resolved = evaluate(value, path);
    if (typeof resolved === 'boolean') return resolved;
    if (resolved === 'true' || resolved === 'false') return resolved === 'true';
    throw new ResolveError(
      path,
      `a condition must be true or false, not ${resolved === NO_VALUE ? 'AWS::NoValue' : describe(resolved)}`,
    );
  };

  const subText = (template: string, variables: Body, path: TemplatePath): string =>
    template.replace(/\$\{([^}]*)\}/g, (match, inner: string) => {
      const name = inner.trim();
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables)
        return text(
          evaluate(variables[name]!, [...path, 1, name]),
          [...path, 1, name],
          `\${${name}}`,
        );
      const dot = name.indexOf('.');
      if (dot > 0 && !(name in pseudoValues) && resourceOf(name.slice(0, dot)))
        return text(getAtt(name.slice(0, dot), name.slice(dot + 1), path), path, `\${${name}}`);
      return text(ref(name, path), path, `\${${name}}`);
    });

  /** One small evaluator per intrinsic function, each given its arguments and their path. */
  const INTRINSICS: Record<string, Evaluate> = {
    Ref: (args, path) => {
      if (typeof args !== 'string')
        throw new ResolveError(path, `Ref takes a name, not ${describe(args)}`);
      return args === 'AWS::NoValue' ? NO_VALUE : ref(args, path);
    },
    'Fn::GetAtt': (args, path) => {
      const parts =
        typeof args === 'string' && args.includes('.')
          ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)]
          : argsOf(args, 2, path, '[resource, attribute]');
      const attribute = text(evaluate(parts[1]!, [...path, 1]), [...path, 1], 'the attribute');
      return getAtt(text(parts[0]!, [...path, 0], 'the resource'), attribute, path);
    },
    'Fn::Sub': (args, path) => {
      if (typeof args === 'string') return subText(args, {}, path);
      const [template, variables] = argsOf(args, 2, path, 'a string, or [string, {variables}]');
      if (typeof template !== 'string' || !isObject(variables))
        throw new ResolveError(path, 'takes a string, or [string, {variables}]');
      return subText(template, variables, path);
    },
    'Fn::Join': (args, path) => {
      const [delimiter, items] = argsOf(args, 2, path, '[delimiter, [values]]');
      const values = list(evaluate(items!, [...path, 1]), [...path, 1], 'the values');
      return values
        .map((item, index) => text(item, [...path, 1, index], 'each value'))
        .join(text(delimiter!, [...path, 0], 'the delimiter'));
    },
    'Fn::Select': (args, path) => {
      const [index, items] = argsOf(args, 2, path, '[index, [values]]');
      const at = Number(text(evaluate(index!, [...path, 0]), [...path, 0], 'the index'));
      const values = list(evaluate(items!, [...path, 1]), [...path, 1], 'the values');
      if (!Number.isInteger(at) || at < 0 || at >= values.length)
        throw new ResolveError(
          path,
          `index ${String(index)} is outside the list of ${values.length}`,
        );
      return values[at]!;
    },
    'Fn::Split': (args, path) => {
      const [delimiter, source] = argsOf(args, 2, path, '[delimiter, text]');
      const value = text(evaluate(source!, [...path, 1]), [...path, 1], 'the text to split');
      return value.split(text(delimiter!, [...path, 0], 'the delimiter'));
    },
    'Fn::If': (args, path) => {
      const [name, whenTrue, whenFalse] = argsOf(
        args,
        3,
        path,
        '[condition, value if true, value if false]',
      );
      const holds = condition(text(name!, [...path, 0], 'the condition name'), [...path, 0]);
      return holds ? evaluate(whenTrue!, [...path, 1]) : evaluate(whenFalse!, [...path, 2]);
    },
    'Fn::Equals': (args, path) => {
      const [left, right] = argsOf(args, 2, path, '[value, value]');
      const plain = (value: Resolved) =>
        typeof value === 'string' ? value : JSON.stringify(value);
      return plain(evaluate(left!, [...path, 0])) === plain(evaluate(right!, [...path, 1]));
    },
    'Fn::Not': (args, path) => !truth(argsOf(args, 1, path, '[condition]')[0]!, [...path, 0]),
    'Fn::And': (args, path) => conditionList(args, path).every(({ value, at }) => truth(value, at)),
    'Fn::Or': (args, path) => conditionList(args, path).some(({ value, at }) => truth(value, at)),
    'Fn::FindInMap': (args, path) => {
      const [map, top, second] = argsOf(
        args,
        3,
        path,
        '[map, top-level key, second-level key]',
      ).map((arg, index) => text(evaluate(arg, [...path, index]), [...path, index], 'each key'));
      const level = mappings[map!];
      const entry = isObject(level) ? level[top!] : undefined;
      const value = isObject(entry) ? entry[second!] : undefined;
      if (value === undefined)
        throw new ResolveError(path, `Mappings has no ${map}.${top}.${second}`);
      return value;
    },
    'Fn::Base64': (args, path) =>
      Buffer.from(text(evaluate(args, path), path, 'the value'), 'utf8').toString('base64'),
  };

  const conditionList = (args: TemplateValue, path: TemplatePath) => {
    if (!Array.isArray(args) || args.length < 2 || args.length > 10)
      throw new ResolveError(path, `takes 2 to 10 conditions, not ${describe(args)}`);
    return args.map((value, index) => ({ value, at: [...path, index] }));
  };

  function evaluate(value: TemplateValue, path: TemplatePath): Resolved {
    const name = intrinsicName(value);
    if (name && name !== 'Condition') {
      const evaluator = INTRINSICS[name];
      if (!evaluator)
        throw new ResolveError(
          [...path, name],
          `${name} is not supported here; it supports ${Object.keys(INTRINSICS).join(', ')}`,
        );
      return evaluator((value as Body)[name]!, [...path, name]);
    }
    if (Array.isArray(value))
      return value
        .map((item, index) => evaluate(item, [...path, index]))
        .filter((item): item is TemplateValue => item !== NO_VALUE);
    if (isObject(value)) {
      const result: Body = {};
      for (const [key, child] of Object.entries(value)) {
        const resolved = evaluate(child, [...path, key]);
        if (resolved !== NO_VALUE) result[key] = resolved;
      }
      return result;
    }
    return value;
  }

  function condition(name: string, path: TemplatePath = []): boolean {
    const known = conditionValues.get(name);
    if (known !== undefined) return known;
    if (!(name in conditions))
      throw new ResolveError(path, `${name} names no condition of the template`);
    if (conditionsInProgress.has(name))
      throw new ResolveError(['Conditions', name], 'depends on itself');
    conditionsInProgress.add(name);
    try {
      const holds = truth(conditions[name]!, ['Conditions', name]);
      conditionValues.set(name, holds);
      return holds;
    } finally {
      conditionsInProgress.delete(name);
    }
  }

  function exists(id: string): boolean {
    const resource = resourceOf(id);
    if (!resource) return false;
    return (
      typeof resource.Condition !== 'string' ||
      condition(resource.Condition, ['Resources', id, 'Condition'])
    );
  }

  return {
    condition: (name) => condition(name),
    exists,
    resourceIds: () => Object.keys(resources).filter(exists),
    typeOf: (id) => {
      const type = resourceOf(id)?.Type;
      return typeof type === 'string' ? type : undefined;
    },
    properties(id) {
      const properties = resourceOf(id)?.Properties;
      if (!isObject(properties)) return {};
      const resolved = evaluate(properties, ['Resources', id, 'Properties']);
      return isObject(resolved) ? resolved : {};
    },
    ref,
    getAtt,
    resolve(value, path) {
      const resolved = evaluate(value, path);
      return resolved === NO_VALUE ? undefined : resolved;
    },
  };
}

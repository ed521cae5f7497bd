import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;

/** The shape of a property's value, as AWS's resource specification describes it. */
export type ValueShape =
  | { kind: 'primitive'; type: string; allowedValues?: readonly (string | number)[] }
  | { kind: 'object'; name: string; properties: () => Record<string, PropertySpec> }
  | { kind: 'list'; element: ValueShape }
  | { kind: 'map'; element: ValueShape }
  | { kind: 'json' }
  | { kind: 'union'; options: ValueShape[] };

/** One property of a resource type or of a nested structure. */
export interface PropertySpec {
  required: boolean;
  shape: ValueShape;
}

/** What the checks need to know about one resource type. */
export interface ResourceTypeSpec {
  type: string;
  properties: Record<string, PropertySpec>;
  attributes: readonly string[];
}

/** AWS's CloudFormation resource specification, reduced to what the validator asks of it. */
export interface ServiceSpec {
  /** The resource type, or undefined when CloudFormation has no such type. */
  resource(type: string): ResourceTypeSpec | undefined;
  /** Every resource type name, for "did you mean" hints. */
  resourceTypes(): readonly string[];
}

// Structural views of the spec database's entities, so this module depends on data, not classes.
interface RawType {
  type: string;
  element?: RawType;
  types?: RawType[];
  reference?: { $ref: string };
  allowedValues?: (string | number)[];
}
interface RawProperty {
  required?: boolean;
  type: RawType;
}
interface RawTypeDefinition {
  name: string;
  properties: Record<string, RawProperty>;
}

function wrap(db: SpecDatabase): ServiceSpec {
  const typeCache = new Map<string, Record<string, PropertySpec>>();
  const shape = (raw: RawType): ValueShape => {
    switch (raw.type) {
      case 'ref': {
        const id = raw.reference!.$ref;
        const definition = db.get('typeDefinition', id) as unknown as RawTypeDefinition;
        return {
          kind: 'object',
          name: definition.name,
          properties: () => {
            let cached = typeCache.get(id);
            if (!cached) {
              cached = properties(definition.properties);
              typeCache.set(id, cached);
            }
            return cached;
          },
        };
      }
      case 'array':
        return { kind: 'list', element: shape(raw.element!) };
      case 'map':
        return { kind: 'map', element: shape(raw.element!) };
      case 'union':
        return { kind: 'union', options: raw.types!.map(shape) };
      case 'json':
        return { kind: 'json' };
      default:
        return raw.allowedValues
          ? { kind: 'primitive', type: raw.type, allowedValues: raw.allowedValues }
          : { kind: 'primitive', type: raw.type };
    }
  };
  const properties = (raw: Record<string, RawProperty>): Record<string, PropertySpec> =>
    Object.fromEntries(
      Object.entries(raw).map(([name, property]) => [
        name,
        { required: property.required === true, shape: shape(property.type) },
      ]),
    );

  const resources = new Map<string, ResourceTypeSpec | undefined>();
  let names: string[] | undefined;
  return {
    resource(type) {
      if (!resources.has(type)) {
        const found = db.lookup('resource', 'cloudFormationType', 'equals', type);
        const raw = found[0];
        resources.set(
          type,
          raw
            ? {
                type,
                properties: properties(raw.properties as unknown as Record<string, RawProperty>),
                attributes: Object.keys(raw.attributes),
              }
            : undefined,
        );
      }
      return resources.get(type);
    },
    resourceTypes() {
      names ??= db.all('resource').map((resource) => resource.cloudFormationType);
      return names;
    },
  };
}

let loading: Promise<ServiceSpec> | undefined;

/** Loads the specification carried by `@aws-cdk/aws-service-spec` once per process (about 0.6 s). */
export function loadServiceSpec(): Promise<ServiceSpec> {
  loading ??= loadAwsServiceSpec().then(wrap);
  return loading;
}

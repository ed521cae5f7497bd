import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { isObject } from '../../lib/templates/parse.js';
import type { TemplateValue } from '../../lib/templates/parse.js';

type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;

// Structural views of the spec database's entities, so this module depends on data, not classes.
interface RawType {
  type: string;
  element?: RawType;
  types?: RawType[];
  reference?: { $ref: string };
}
interface RawProperty {
  type: RawType;
  causesReplacement?: 'yes' | 'no' | 'maybe';
}
interface RawResource {
  properties: Record<string, RawProperty>;
  attributes: Record<string, unknown>;
}

/** What the engine needs from AWS's resource schemas about one type. */
export interface TypeSchema {
  /** Top-level properties whose change replaces the resource (createOnlyProperties). */
  replacing: ReadonlySet<string>;
  /** The attributes Fn::GetAtt may name. */
  attributes: ReadonlySet<string>;
  /** Converts resolved values to the types the properties expect, as CloudFormation does. */
  convert(properties: { [key: string]: TemplateValue }): { [key: string]: TemplateValue };
}

/** AWS's resource schemas, from `@aws-cdk/aws-service-spec`. */
export interface Schemas {
  /** The type's schema, or undefined when CloudFormation has no such type. */
  type(name: string): TypeSchema | undefined;
}

function convertValue(db: SpecDatabase, value: TemplateValue, type: RawType): TemplateValue {
  switch (type.type) {
    case 'integer':
    case 'number':
      return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? Number(value)
        : value;
    case 'boolean':
      return value === 'true' || value === 'false' ? value === 'true' : value;
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'tag':
      return isObject(value) && value.Value !== undefined
        ? { ...value, Value: convertValue(db, value.Value, { type: 'string' }) }
        : value;
    case 'array':
      return Array.isArray(value)
        ? value.map((item) => convertValue(db, item, type.element!))
        : value;
    case 'map':
      return isObject(value)
        ? Object.fromEntries(
            Object.entries(value).map(([key, item]) => [
              key,
              convertValue(db, item, type.element!),
            ]),
          )
        : value;
    case 'ref': {
      if (!isObject(value)) return value;
      const definition = db.get('typeDefinition', type.reference!.$ref) as unknown as {
        properties: Record<string, RawProperty>;
      };
      return convertObject(db, value, definition.properties);
    }
    case 'union': {
      // Only when one option is a structure and the value is one: other unions are left as given.
      const structure = type.types?.find((option) => option.type === 'ref');
      return structure && isObject(value) ? convertValue(db, value, structure) : value;
    }
    default:
      return value;
  }
}

function convertObject(
  db: SpecDatabase,
  value: { [key: string]: TemplateValue },
  properties: Record<string, RawProperty>,
): { [key: string]: TemplateValue } {
  const result: { [key: string]: TemplateValue } = {};
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    result[key] = property ? convertValue(db, item, property.type) : item;
  }
  return result;
}

let loading: Promise<Schemas> | undefined;

/** Loads the schemas once per process (about half a second), on the first stack operation. */
export function loadSchemas(): Promise<Schemas> {
  loading ??= loadAwsServiceSpec().then((db) => {
    const cache = new Map<string, TypeSchema | undefined>();
    return {
      type(name) {
        if (!cache.has(name)) {
          const raw = db.lookup('resource', 'cloudFormationType', 'equals', name)[0] as
            RawResource | undefined;
          cache.set(
            name,
            raw && {
              replacing: new Set(
                Object.entries(raw.properties)
                  .filter(([, property]) => property.causesReplacement === 'yes')
                  .map(([key]) => key),
              ),
              attributes: new Set(Object.keys(raw.attributes)),
              convert: (properties) => convertObject(db, properties, raw.properties),
            },
          );
        }
        return cache.get(name);
      },
    };
  });
  return loading;
}

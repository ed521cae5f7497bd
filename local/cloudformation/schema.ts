import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isObject } from '../../lib/templates/parse.js';
import type { TemplateValue } from '../../lib/templates/parse.js';

/** A property's type, as the spec database describes it, with a structure named by `ref`. */
interface CompactType {
  type: string;
  element?: CompactType;
  types?: CompactType[];
  /** The id of a structure (a type definition) in {@link CompactSchemas.types}. */
  ref?: string;
}

type CompactProperties = Record<string, CompactType>;

/** What local CloudFormation keeps of AWS's resource schemas: about 2 MiB of JSON for every type. */
interface CompactSchemas {
  resources: Record<
    string,
    { replacing: string[]; attributes: string[]; properties: CompactProperties }
  >;
  types: Record<string, CompactProperties>;
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

/** Thrown when the schemas cannot be extracted from `@aws-cdk/aws-service-spec`. */
export class SchemaExtractionError extends Error {
  override name = 'SchemaExtractionError';
}

function convertValue(
  schemas: CompactSchemas,
  value: TemplateValue,
  type: CompactType,
): TemplateValue {
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
        ? { ...value, Value: convertValue(schemas, value.Value, { type: 'string' }) }
        : value;
    case 'array':
      return Array.isArray(value)
        ? value.map((item) => convertValue(schemas, item, type.element!))
        : value;
    case 'map':
      return isObject(value)
        ? Object.fromEntries(
            Object.entries(value).map(([key, item]) => [
              key,
              convertValue(schemas, item, type.element!),
            ]),
          )
        : value;
    case 'ref': {
      const definition = schemas.types[type.ref!];
      if (!isObject(value) || !definition) return value;
      return convertObject(schemas, value, definition);
    }
    case 'union': {
      // Only when one option is a structure and the value is one: other unions are left as given.
      const structure = type.types?.find((option) => option.type === 'ref');
      return structure && isObject(value) ? convertValue(schemas, value, structure) : value;
    }
    default:
      return value;
  }
}

function convertObject(
  schemas: CompactSchemas,
  value: { [key: string]: TemplateValue },
  properties: CompactProperties,
): { [key: string]: TemplateValue } {
  const result: { [key: string]: TemplateValue } = {};
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    result[key] = property ? convertValue(schemas, item, property) : item;
  }
  return result;
}

/** Bumped when {@link CompactSchemas} changes shape, so that an older cache is not read. */
const FORMAT = 1;

/**
 * Run in a child process: loads the spec database (about 140 MiB once loaded) and writes what
 * {@link CompactSchemas} keeps of it, atomically, to the file named by its second argument.
 */
const EXTRACT = `
import { rename, writeFile } from 'node:fs/promises';
const [specUrl, file] = process.argv.slice(1);
const { loadAwsServiceSpec } = await import(specUrl);
const db = await loadAwsServiceSpec();
const out = { resources: {}, types: {} };
const slim = (t) => ({
  type: t.type,
  ...(t.element ? { element: slim(t.element) } : {}),
  ...(t.types ? { types: t.types.map(slim) } : {}),
  ...(t.reference ? { ref: define(t.reference.$ref) } : {}),
});
const props = (properties) =>
  Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, slim(p.type)]));
function define(id) {
  if (!(id in out.types)) {
    out.types[id] = {};
    out.types[id] = props(db.get('typeDefinition', id).properties);
  }
  return id;
}
for (const resource of db.all('resource')) {
  out.resources[resource.cloudFormationType] = {
    replacing: Object.entries(resource.properties)
      .filter(([, p]) => p.causesReplacement === 'yes')
      .map(([key]) => key),
    attributes: Object.keys(resource.attributes),
    properties: props(resource.properties),
  };
}
await writeFile(file + '.' + process.pid, JSON.stringify(out));
await rename(file + '.' + process.pid, file);
`;

/** Runs {@link EXTRACT} for one version of the spec package. */
async function extract(specEntry: string, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', EXTRACT, pathToFileURL(specEntry).href, file],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0)
    throw new SchemaExtractionError(
      `could not read the CloudFormation resource schemas from @aws-cdk/aws-service-spec (exit ${code}): ${errors.trim()}`,
    );
}

/**
 * The compact schemas of the installed spec package, extracted once per version into
 * `node_modules/.cache/local-aws/` by a child process: the database stays out of this
 * long-running process, and later starts read 2 MiB of JSON instead of loading it again.
 */
async function compactSchemas(): Promise<CompactSchemas> {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@aws-cdk/aws-service-spec/package.json');
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  const modules = manifest.slice(0, manifest.lastIndexOf(`${sep}node_modules${sep}`) + 14);
  const file = join(modules, '.cache', 'local-aws', `cfn-schemas-${version}-${FORMAT}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CompactSchemas;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await extract(require.resolve('@aws-cdk/aws-service-spec'), file);
  return JSON.parse(await readFile(file, 'utf8')) as CompactSchemas;
}

let loading: Promise<Schemas> | undefined;

/** Loads the schemas once per process, on the first stack operation. */
export function loadSchemas(): Promise<Schemas> {
  loading ??= compactSchemas().then((schemas) => {
    const cache = new Map<string, TypeSchema | undefined>();
    return {
      type(name) {
        if (!cache.has(name)) {
          const raw = Object.hasOwn(schemas.resources, name) ? schemas.resources[name] : undefined;
          cache.set(
            name,
            raw && {
              replacing: new Set(raw.replacing),
              attributes: new Set(raw.attributes),
              convert: (properties) => convertObject(schemas, properties, raw.properties),
            },
          );
        }
        return cache.get(name);
      },
    };
  });
  // A failed load is tried again by the next operation.
  loading.catch(() => (loading = undefined));
  return loading;
}

import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { configJsonSchema } from '../lib/config/schema.js';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

/** The file whose config reference this script writes. */
export const README_FILE = 'README.md';

/** The comments around the generated table in the README; everything between them is replaced. */
export const CONFIG_TABLE_MARKERS = {
  start: '<!-- config-reference:start (npm run generate:config-docs writes this table) -->',
  end: '<!-- config-reference:end -->',
} as const;

const USAGE = `Usage: npm run generate:config-docs -- [--check]

Writes the config reference table of ${README_FILE} (between its config-reference markers) from
the config's zod schema, through the JSON Schema that npm run generate:schema writes.
  --check   write nothing; exit 1 when the table in ${README_FILE} is not what the schema gives
Exit status: 0 written or up to date, 1 stale (with --check) or no markers, 2 bad command line.`;

/** The part of JSON Schema that the config's schema uses; anything else fails loudly. */
interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: (string | number)[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

const jsonSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.strictObject({
    $schema: z.string().optional(),
    title: z.string().optional(),
    additionalProperties: z.literal(false).optional(),
    type: z.enum(['object', 'array', 'string', 'number', 'integer', 'boolean']).optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
    enum: z.array(z.union([z.string(), z.number()])).optional(),
    anyOf: z.array(jsonSchema).optional(),
    properties: z.record(z.string(), jsonSchema).optional(),
    required: z.array(z.string()).optional(),
    items: jsonSchema.optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    minItems: z.number().optional(),
    maxItems: z.number().optional(),
    pattern: z.string().optional(),
    format: z.string().optional(),
  }),
);

/** One row of the reference: a field (nested ones as `tickers[].name`) and what it takes. */
export interface ConfigField {
  field: string;
  type: string;
  default: string;
  allowed: string;
  description: string;
}

const number = (value: number) => value.toLocaleString('en-US');
const code = (text: string) => `\`${text}\``;

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  switch (schema.type) {
    case 'array':
      return `list of ${schema.items ? typeOf(schema.items) : 'values'}`;
    case 'integer':
      return 'whole number';
    case 'object':
      return 'object';
    default:
      return schema.type ?? 'any';
  }
}

function range(low: string | undefined, high: string | undefined, unit: string): string[] {
  if (low && high) return [`${low} to ${high}${unit}`];
  // "at least 1 items" reads wrong; a unit is plural otherwise.
  if (low) return [`at least ${low}${low === '1' ? unit.replace(/s$/, '') : unit}`];
  if (high) return [`at most ${high}${unit}`];
  return [];
}

/** The values a field takes, in words: enums, ranges, lengths, counts, patterns. */
function allowedOf(schema: JsonSchema): string[] {
  if (schema.anyOf) return [schema.anyOf.flatMap(allowedOf).join('; or ')];
  const parts: string[] = [];
  if (schema.enum)
    parts.push(
      schema.enum.length <= 6
        ? schema.enum.map((value) => code(JSON.stringify(value))).join(', ')
        : `one of ${schema.enum.length}: ${code(String(schema.enum[0]))} … ${code(String(schema.enum.at(-1)))} (all in \`pipeline.config.schema.json\`)`,
    );
  if (schema.type === 'object' && schema.properties)
    parts.push(
      code(`{${Object.keys(schema.properties).map((key) => `"${key}": …`)}}`) +
        ' (no other fields)',
    );
  if (schema.format === 'email') parts.push('an email address');
  else if (schema.pattern) parts.push(`matching ${code(schema.pattern)}`);
  parts.push(
    ...range(
      schema.minLength === undefined ? undefined : number(schema.minLength),
      schema.maxLength === undefined ? undefined : number(schema.maxLength),
      ' characters',
    ),
  );
  if (schema.exclusiveMinimum !== undefined)
    parts.push(`more than ${number(schema.exclusiveMinimum)}`);
  parts.push(
    ...range(
      schema.minimum === undefined ? undefined : number(schema.minimum),
      schema.maximum === undefined ? undefined : number(schema.maximum),
      '',
    ),
  );
  parts.push(
    ...range(
      schema.minItems === undefined ? undefined : number(schema.minItems),
      schema.maxItems === undefined ? undefined : number(schema.maxItems),
      ' items',
    ),
  );
  if (schema.type === 'array' && schema.items && !schema.items.properties) {
    const items = allowedOf(schema.items);
    if (items.length > 0) parts.push(`each ${items.join(', ')}`);
  }
  return parts;
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if (required) return 'required';
  if (schema.default === undefined) return 'optional, no default';
  if (Array.isArray(schema.default) && schema.default.length > 2)
    return `${code(JSON.stringify(schema.default[0]))} and ${schema.default.length - 1} more`;
  return code(JSON.stringify(schema.default));
}

function fieldsOf(prefix: string, object: JsonSchema): ConfigField[] {
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {})
    .filter(([name]) => name !== '$schema')
    .flatMap(([name, schema]) => {
      const field = `${prefix}${name}`;
      const nested = [
        ...(schema.items?.properties ? fieldsOf(`${field}[].`, schema.items) : []),
        ...(schema.anyOf ?? [])
          .filter((option) => option.properties)
          .flatMap((option) => fieldsOf(`${field}.`, option)),
      ];
      const row: ConfigField = {
        field,
        type: typeOf(schema),
        default: defaultOf(schema, required.has(name)),
        allowed: allowedOf(schema).join(', ') || 'any',
        description: schema.description ?? '',
      };
      return [row, ...nested];
    });
}

/** Every field of the config's schema, nested ones after their parent, with what each takes. */
export function configFields(schema: unknown = configJsonSchema()): ConfigField[] {
  return fieldsOf('', jsonSchema.parse(schema));
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The reference as a Markdown table, formatted as prettier formats the README. */
export async function configTable(fields = configFields()): Promise<string> {
  const rows = [
    '| field | type | default | allowed values | description |',
    '| --- | --- | --- | --- | --- |',
    ...fields.map(
      (f) =>
        `| ${[code(f.field), f.type, f.default, f.allowed, f.description].map(cell).join(' | ')} |`,
    ),
  ];
  const options = (await resolveConfig(README_FILE)) ?? {};
  return (await format(rows.join('\n'), { ...options, parser: 'markdown' })).trimEnd();
}

/** Thrown when the README has lost the markers the table is written between. */
export class MarkersError extends Error {
  override name = 'MarkersError';
}

/** The README's text with the table between the markers replaced by `table`. */
export function withConfigTable(readme: string, table: string): string {
  const start = readme.indexOf(CONFIG_TABLE_MARKERS.start);
  const end = readme.indexOf(CONFIG_TABLE_MARKERS.end);
  if (start < 0 || end < start)
    throw new MarkersError(
      `${README_FILE} has no "${CONFIG_TABLE_MARKERS.start}" line followed by "${CONFIG_TABLE_MARKERS.end}"; put both where the config reference belongs`,
    );
  return `${readme.slice(0, start + CONFIG_TABLE_MARKERS.start.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

async function generateConfigDocs(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      check: { type: 'boolean', default: false },
    },
    argv,
  );
  const readme = await readFile(README_FILE, 'utf8');
  const updated = withConfigTable(readme, await configTable());
  if (updated === readme) {
    io.stdout(`${README_FILE}: the config reference is up to date`);
    return 0;
  }
  if (options.check) {
    io.stderr(
      `${README_FILE}: the config reference differs from the schema; run npm run generate:config-docs`,
    );
    return 1;
  }
  await writeFile(README_FILE, updated);
  io.stdout(`wrote the config reference in ${README_FILE}`);
  return 0;
}

/** `npm run generate:config-docs`: writes (or with `--check`, checks) the README's config table. */
export const main = command(USAGE, generateConfigDocs);

runIfEntryPoint(import.meta.url, main);

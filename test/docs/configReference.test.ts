import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_TABLE_MARKERS,
  configFields,
  configTable,
  MarkersError,
  withConfigTable,
} from '../../scripts/generate-config-docs.js';
import { configJsonSchema } from '../../lib/config/schema.js';

/** Every property path of a JSON Schema object, nested objects of lists and unions included. */
function paths(schema: Record<string, unknown>, prefix = ''): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties)
    .filter(([name]) => name !== '$schema')
    .flatMap(([name, property]) => {
      const items = property.items as Record<string, unknown> | undefined;
      const options = (property.anyOf ?? []) as Record<string, unknown>[];
      return [
        `${prefix}${name}`,
        ...(items?.properties ? paths(items, `${prefix}${name}[].`) : []),
        ...options.filter((o) => o.properties).flatMap((o) => paths(o, `${prefix}${name}.`)),
      ];
    });
}

describe('the config reference in the README', () => {
  it('is the table the schema gives (npm run generate:config-docs writes it)', async () => {
    const readme = await readFile('README.md', 'utf8');

    expect(readme).toBe(withConfigTable(readme, await configTable()));
  });

  it('has a row for every field of the schema, nested ones included', () => {
    expect(configFields().map((row) => row.field)).toEqual(paths(configJsonSchema()));
  });

  it('gives every field a type, a default or "required", allowed values and a description', () => {
    for (const row of configFields()) {
      expect(row.type, row.field).not.toBe('');
      expect(row.default, row.field).not.toBe('');
      expect(row.allowed, row.field).not.toBe('');
      expect(row.description, row.field).not.toBe('');
    }
  });

  it('says what each field takes, as the schema says it', () => {
    const rows = Object.fromEntries(configFields().map((row) => [row.field, row]));

    expect(rows.scheduleMinutes).toMatchObject({
      type: 'whole number',
      default: '`1`',
      allowed: '1 to 1,440',
    });
    expect(rows.firstName?.default).toBe('required');
    expect(rows.bucketReadAccess?.allowed).toContain('`"authenticated-aws-accounts"`, `"private"`');
    expect(rows['tickers[].price']?.allowed).toBe('more than 0, at most 1,000,000,000');
  });

  it('fails loudly on a JSON Schema feature it does not know how to describe', () => {
    expect(() =>
      configFields({ type: 'object', properties: { a: { type: 'string', not: {} } } }),
    ).toThrow();
  });

  it('is written between its markers, and refuses a README without them', () => {
    const readme = `# R\n\n${CONFIG_TABLE_MARKERS.start}\nold\n${CONFIG_TABLE_MARKERS.end}\n`;

    expect(withConfigTable(readme, '| new |')).toBe(
      `# R\n\n${CONFIG_TABLE_MARKERS.start}\n\n| new |\n\n${CONFIG_TABLE_MARKERS.end}\n`,
    );
    expect(() => withConfigTable('# R\n', '| new |')).toThrow(MarkersError);
  });
});

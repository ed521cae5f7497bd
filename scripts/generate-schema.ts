import { writeFile } from 'node:fs/promises';
import { configJsonSchema } from '../lib/config/schema.js';

/** Where editors find the schema; `pipeline.config.json` points at it with `$schema`. */
export const SCHEMA_FILE = 'pipeline.config.schema.json';

/** The schema file's exact text, so a test can tell when the committed copy is stale. */
export function schemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}

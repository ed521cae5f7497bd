import { writeFile } from 'node:fs/promises';
import { configJsonSchema } from '../lib/config/schema.js';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

/** Where editors find the schema; `pipeline.config.json` points at it with `$schema`. */
export const SCHEMA_FILE = 'pipeline.config.schema.json';

const USAGE = `Usage: npm run generate:schema

Writes ${SCHEMA_FILE} from the config's zod schema.`;

/** The schema file's exact text, so a test can tell when the committed copy is stale. */
export function schemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

async function generateSchema(argv: readonly string[], io: CliIo): Promise<number> {
  parseOptions({}, argv); // No options: anything given is a usage error.
  await writeFile(SCHEMA_FILE, schemaText());
  io.stdout(`wrote ${SCHEMA_FILE}`);
  return 0;
}

/** `npm run generate:schema`: writes the config's JSON Schema; exit 0 written. */
export const main = command(USAGE, generateSchema);

runIfEntryPoint(import.meta.url, main);

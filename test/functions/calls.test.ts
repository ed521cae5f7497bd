import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FUNCTION_CALLS } from '../../functions/calls.js';
import { FUNCTION_ENTRIES } from '../../lib/build/functions.js';

// SDK client packages whose IAM prefix is not the package's own suffix.
const IAM_PREFIXES: Record<string, string> = { 'cloudwatch-logs': 'logs', eventbridge: 'events' };

/** The IAM actions of every SDK command a function's code imports (its folder and functions/shared). */
async function importedActions(name: string): Promise<string[]> {
  const actions = new Set<string>();
  for (const dir of [`functions/${name}`, 'functions/shared']) {
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts'))) {
      const path = join(dir, file);
      const source = ts.createSourceFile(
        path,
        await readFile(path, 'utf8'),
        ts.ScriptTarget.Latest,
      );
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
        const module = (statement.moduleSpecifier as ts.StringLiteral).text;
        const client = /^@aws-sdk\/client-(.+)$/.exec(module)?.[1];
        const bindings = statement.importClause?.namedBindings;
        if (!client || !bindings || !ts.isNamedImports(bindings)) continue;
        for (const element of bindings.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (element.isTypeOnly || !imported.endsWith('Command')) continue;
          actions.add(`${IAM_PREFIXES[client] ?? client}:${imported.slice(0, -'Command'.length)}`);
        }
      }
    }
  }
  return [...actions].sort();
}

describe('FUNCTION_CALLS', () => {
  it('lists every function that npm run build zips', () => {
    expect(Object.keys(FUNCTION_CALLS).sort()).toEqual(Object.keys(FUNCTION_ENTRIES).sort());
  });

  it.each(Object.keys(FUNCTION_ENTRIES))(
    'lists exactly the AWS calls the %s function imports SDK commands for',
    async (name) => {
      const listed = FUNCTION_CALLS[name as keyof typeof FUNCTION_CALLS].map((call) => call.action);
      expect([...new Set(listed)].sort()).toEqual(await importedActions(name));
    },
  );
});

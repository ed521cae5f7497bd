import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isObject, readTemplate } from '../../lib/templates/parse.js';
import { findTemplates } from '../../lib/templates/validate.js';

/** Every `control resource` pair suppressed in the templates. */
async function suppressions(): Promise<string[]> {
  const pairs: string[] = [];
  for (const file of await findTemplates()) {
    const resources = (await readTemplate(file)).body.Resources;
    for (const [id, resource] of Object.entries(isObject(resources) ? resources : {})) {
      const guard =
        isObject(resource) && isObject(resource.Metadata) ? resource.Metadata.guard : undefined;
      const rules =
        isObject(guard) && Array.isArray(guard.SuppressedRules) ? guard.SuppressedRules : [];
      for (const rule of rules) if (isObject(rule)) pairs.push(`${String(rule.Rule)} ${id}`);
    }
  }
  return pairs;
}

/** Every `control resource` pair in the table of suppressions in docs/validation.md. */
async function documented(): Promise<string[]> {
  const readme = await readFile('docs/validation.md', 'utf8');
  const table = readme.slice(readme.indexOf('## Guard suppressions'));
  return [...table.matchAll(/^\| (CT\.[A-Z0-9.]+)\s*\|[^|]*\|([^|]*)\|/gm)].flatMap((row) =>
    [...row[2]!.matchAll(/`(\w+)`/g)].map((resource) => `${row[1]} ${resource[1]}`),
  );
}

describe('Guard suppressions', () => {
  it('are each documented in the README, and the README documents no other', async () => {
    expect((await documented()).sort()).toEqual((await suppressions()).sort());
  });
});

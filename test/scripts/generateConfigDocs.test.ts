import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_TABLE_MARKERS, main } from '../../scripts/generate-config-docs.js';
import type { CliIo } from '../../scripts/cli.js';
import { useTempDir } from '../support/tempDir.js';

const temp = useTempDir('config-docs-');
const home = process.cwd();

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {} };
  return { cli, out, err };
}

afterEach(() => process.chdir(home));

describe('npm run generate:config-docs', () => {
  it('with --check, exits 1 on a stale table and writes nothing', async () => {
    const dir = await temp();
    const stale = `# R\n\n${CONFIG_TABLE_MARKERS.start}\n\n| old |\n\n${CONFIG_TABLE_MARKERS.end}\n`;
    await writeFile(join(dir, 'README.md'), stale);
    process.chdir(dir);
    const { cli, err } = io();

    const code = await main(['--check'], cli);

    expect(code).toBe(1);
    expect(err.join('\n')).toContain('run npm run generate:config-docs');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe(stale);
  });

  it('writes the table between the markers, after which --check passes', async () => {
    const dir = await temp();
    await writeFile(
      join(dir, 'README.md'),
      `# R\n\n${CONFIG_TABLE_MARKERS.start}\n${CONFIG_TABLE_MARKERS.end}\n\nAfter.\n`,
    );
    process.chdir(dir);

    expect(await main([], io().cli)).toBe(0);
    expect(await main(['--check'], io().cli)).toBe(0);
    const written = await readFile(join(dir, 'README.md'), 'utf8');
    expect(written).toMatch(/\| `scheduleMinutes` +\| whole number/);
    expect(written.endsWith('<!-- config-reference:end -->\n\nAfter.\n')).toBe(true);
  });

  it('exits 1 naming the markers when the README has none', async () => {
    const dir = await temp();
    await writeFile(join(dir, 'README.md'), '# R\n');
    process.chdir(dir);
    const { cli, err } = io();

    expect(await main([], cli)).toBe(1);
    expect(err.join('\n')).toContain('config-reference:start');
  });
});

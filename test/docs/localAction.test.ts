import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { extractCommands } from '../support/markdown.js';
import { useTempDir } from '../support/tempDir.js';

const run = promisify(execFile);
const temp = useTempDir('local-action-');

describe('running one action on this machine, as docs/actions.md shows', () => {
  it('runs the validate action with its inputs from a .env file', async () => {
    // Prepare: the documented line, with its .env in a temporary folder.
    const documented = extractCommands('docs/actions.md', await readFile('docs/actions.md', 'utf8'))
      .map((c) => c.command)
      .find((command) =>
        command.startsWith('npx @github/local-action run actions/validate src/main.ts'),
      );
    expect(documented).toBeDefined();
    const env = join(await temp(), '.env');
    await writeFile(env, 'INPUT_CONFIG=pipeline.config.json\nINPUT_TEMPLATES=cloudformation\n');
    const [program, ...args] = documented!.replace(/ \.env$/, ` ${env}`).split(' ');

    // Act
    const { stdout } = await run(program!, args, { maxBuffer: 16 * 1024 * 1024 });

    // Assess
    expect(stdout).toContain('::set-output name=stack-name::DEKYLMAP-streaming-pipeline');
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/config.js';
import { runMain, runScript } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const config = (...args: string[]) => runMain(main, args);
const tempDir = useTempDir('config-');

describe('npm run config', () => {
  it('prints the region of the sample config, run as a command', async () => {
    const { code, stdout } = await runScript('config.ts', ['region']);
    expect(code).toBe(0);
    expect(stdout).toBe('eu-west-1\n');
  });

  it('prints a derived name', async () => {
    const { code, stdout } = await config('names.stack');
    expect(code).toBe(0);
    expect(stdout).toBe('DEKYLMAP-streaming-pipeline\n');
  });

  it('fills in a default the file leaves out', async () => {
    const file = join(await tempDir(), 'config.json');
    await writeFile(
      file,
      '{"firstName": "Ada", "lastName": "Lovelace", "alertEmails": ["ada@x.io"], "bucketReadAccess": "private"}',
    );
    const { code, stdout } = await config('--config', file, 'region');
    expect(code).toBe(0);
    expect(stdout).toBe('eu-west-1\n');
  });

  it('exits 2 naming the fields there are when the field is unknown', async () => {
    const { code, stderr } = await config('regoin');
    expect(code).toBe(2);
    expect(stderr).toContain('"regoin" is not a field of the config; use one of firstName');
  });

  it('exits 1 naming the field when the config is invalid', async () => {
    const file = join(await tempDir(), 'config.json');
    await writeFile(file, '{"firstName": "Ada"}');
    const { code, stderr } = await config('--config', file, 'region');
    expect(code).toBe(1);
    expect(stderr).toContain('lastName');
  });
});

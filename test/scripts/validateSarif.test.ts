import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/validate.js';
import type { SarifLog } from '../../lib/sarif.js';
import { runMain } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const tempDir = useTempDir('validate-sarif-');

describe('npm run validate --sarif', () => {
  it('writes the errors of an invalid config as SARIF results at their place, and still exits 1', async () => {
    // Prepare
    const dir = await tempDir();
    const config = join(dir, 'config.json');
    const sarif = join(dir, 'validate.sarif');
    await writeFile(
      config,
      '{"firstName": "Kyle", "lastName": "M4posa", "alertEmails": ["k@x.io"], "bucketReadAccess": "private"}',
    );

    // Act
    const { code } = await runMain(main, ['--config', config, '--no-cfn-lint', '--sarif', sarif]);

    // Assess
    expect(code).toBe(1);
    const log = JSON.parse(await readFile(sarif, 'utf8')) as SarifLog;
    expect(log.version).toBe('2.1.0');
    const [result] = log.runs[0]!.results;
    expect(result).toMatchObject({
      ruleId: 'config',
      level: 'error',
      message: { text: expect.stringContaining('lastName: "M4posa" contains "4"') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: config },
            region: { startLine: 1, startColumn: 23 },
          },
        },
      ],
    });
  });

  it('writes an empty run with the warnings of a valid project', async () => {
    const sarif = join(await tempDir(), 'validate.sarif');
    const { code } = await runMain(main, ['--no-cfn-lint', '--sarif', sarif]);
    expect(code).toBe(0);
    const log = JSON.parse(await readFile(sarif, 'utf8')) as SarifLog;
    const levels = log.runs[0]!.results.map((result) => result.level);
    expect(levels.length).toBeGreaterThan(0);
    expect(new Set(levels)).toEqual(new Set(['warning']));
  });
});

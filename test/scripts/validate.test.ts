import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaText, SCHEMA_FILE } from '../../scripts/generate-schema.js';
import { main } from '../../scripts/validate.js';
import { runMain, runScript } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const validate = (...args: string[]) => runMain(main, args);
const tempDir = useTempDir('validate-');

async function configFile(content: string): Promise<string> {
  const file = join(await tempDir(), 'config.json');
  await writeFile(file, content);
  return file;
}

describe('npm run validate', () => {
  it('prints the names of the sample config as JSON, run as a command', async () => {
    const { code, stdout } = await runScript('validate.ts', ['--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(true);
    expect(report.names).toMatchObject({
      stack: 'DEKYLMAP-streaming-pipeline',
      table: 'DEKYLMAP-streaming-dynamodb',
      streamingFunction: 'DEKYLMAP-streaming-lambda',
      notificationFunction: 'DEKYLMAP-notification-lambda',
      topic: 'DEKYLMAP-streaming-sns-topic',
      deliveryStream: 'DEKYLMAP-deliverystream',
      bucket: 'dekylemaposa-deliverystream-s3',
    });
    expect(report.warnings.map((w: { path: string }) => w.path)).toContain('bucketReadAccess');
  });

  it('prints a table of names and explains the read-access warning', async () => {
    const { code, stdout, stderr } = await validate();
    expect(code).toBe(0);
    expect(stdout).toMatch(/Streaming function\s+DEKYLMAP-streaming-lambda/);
    expect(stderr).toContain(
      'warning: pipeline.config.json: bucketReadAccess: "authenticated-aws-accounts" lets anyone signed in to any AWS account',
    );
  });

  it('exits 1 with JSON errors naming the field', async () => {
    const file = await configFile(
      '{"firstName": "Kyle", "lastName": "M4posa", "alertEmails": ["k@x.io"], "bucketReadAccess": "private"}',
    );
    const { code, stdout } = await validate('--config', file, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({
          path: 'lastName',
          message: expect.stringContaining('"M4posa" contains "4", which is not a letter'),
          file,
          line: 1,
          column: 23,
        }),
      ],
      warnings: [],
      templates: [
        'cloudformation/code-artifacts.yaml',
        'cloudformation/github-oidc.yaml',
        'cloudformation/pipeline.yaml',
      ],
      cfnLint: expect.objectContaining({ ran: expect.any(Boolean) }),
    });
  });

  it('reports broken JSON with file and position, without a stack trace', async () => {
    const file = await configFile('{\n  "firstName": "Kyle"\n  "lastName": "Maposa"\n}');
    const { code, stderr } = await validate('--config', file);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `error: ${file}:3:3: invalid JSON: a comma is missing between two entries`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing file', async () => {
    const { code, stderr } = await validate('--config', 'nope.json');
    expect(code).toBe(1);
    expect(stderr).toContain('error: nope.json: the file does not exist');
  });

  it('exits 2 with the usage on an unknown option', async () => {
    const { code, stderr } = await validate('--conifg', 'x');
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--conifg'");
    expect(stderr).toContain('Usage: npm run validate');
  });
});

describe('pipeline.config.schema.json', () => {
  it('is generated from the zod schema (run `npm run generate:schema` after changing it)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(schemaText());
  });
});

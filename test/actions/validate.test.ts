import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runActionProcess } from '../support/actionRun.js';
import { useTempDir } from '../support/tempDir.js';

const tempDir = useTempDir('validate-action-');

describe('the validate action', () => {
  it('sets the stack name, the names and the cost, and lists them in the summary', async () => {
    const dir = await tempDir();

    const run = await runActionProcess('validate', {}, { dir });

    expect(run.code).toBe(0);
    expect(run.outputs['stack-name']).toBe('DEKYLMAP-streaming-pipeline');
    expect(JSON.parse(run.outputs.names!)).toMatchObject({ table: 'DEKYLMAP-streaming-dynamodb' });
    expect(Number(run.outputs['monthly-cost-usd'])).toBeGreaterThan(0);
    expect(run.summary).toContain('| bucket | `dekylemaposa-deliverystream-s3` |');
    expect(run.summary).toContain('Estimated monthly cost');
  });

  it('fails with an annotation on the file and line of each config error', async () => {
    const dir = await tempDir();
    const config = join(dir, 'bad.json');
    await writeFile(
      config,
      '{\n  "firstName": "Kyle",\n  "lastName": "Maposa",\n  "alertEmails": [],\n  "bucketReadAccess": "private"\n}\n',
    );

    const run = await runActionProcess('validate', { config }, { dir });

    expect(run.code).toBe(1);
    expect(run.log).toContain(`::error file=${config},line=4,col=3::alertEmails:`);
    expect(run.log).not.toMatch(/\n\s+at /);
  });

  it('names the input when templates is not a folder of templates', async () => {
    const dir = await tempDir();

    const run = await runActionProcess('validate', { templates: join(dir, 'none') }, { dir });

    expect(run.code).toBe(1);
    expect(run.log).toMatch(/::error::/);
    expect(run.log).not.toMatch(/\n\s+at /);
  });
});

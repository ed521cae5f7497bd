import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/validate.js';
import { runMain } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const validate = (args: string[], env: Record<string, string> = {}) => runMain(main, args, env);
const tempDir = useTempDir('validate-');

describe('npm run validate (templates)', () => {
  it('checks every template, then prints the cost estimate with its unit prices', async () => {
    const { code, stdout } = await validate([]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      '3 template(s) valid: cloudformation/code-artifacts.yaml, cloudformation/github-oidc.yaml, cloudformation/pipeline.yaml.',
    );
    expect(stdout).toMatch(
      /Estimated monthly cost: about \$\d+\.\d\d \(USD, eu-west-1 prices as of \d{4}-\d\d-\d\d\)/,
    );
    expect(stdout).toMatch(/DynamoDB writes\s+219,000 write units\s+\$0\.7068 per million/);
  });

  it('reports a broken template as file:line:column: message and exits 1', async () => {
    // Act
    const { code, stdout, stderr } = await validate([
      '--template',
      'test/fixtures/templates/unknown-property.yaml',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: test/fixtures/templates/unknown-property.yaml:9:7: Resources.DataBucket.Properties.BucketNam: DataBucket (AWS::S3::Bucket) has no property "BucketNam" (did you mean "BucketName"?)',
    );
    expect(stderr).toMatch(/templates: \d+ error\(s\)\.\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).not.toContain('template(s) valid');
  });

  it('reports broken YAML without a stack trace', async () => {
    const { code, stderr } = await validate([
      '--template',
      'test/fixtures/templates/bad-yaml.yaml',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: test/fixtures/templates/bad-yaml.yaml:7:1: not valid YAML: A block sequence may not be used as an implicit map key',
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a template that does not exist', async () => {
    const { code, stderr } = await validate(['--template', 'cloudformation/nope.yaml']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: cloudformation/nope.yaml: the template does not exist');
  });

  it('adds the templates and the cost to the JSON report', async () => {
    // Act
    const { code, stdout } = await validate([
      '--template',
      'cloudformation/pipeline.yaml',
      '--json',
    ]);

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      ok: true,
      names: { stack: 'DEKYLMAP-streaming-pipeline' },
      templates: ['cloudformation/pipeline.yaml'],
      cost: { region: 'eu-west-1', currency: 'USD', ticksPerMonth: 43_800 },
    });
    expect(report.cost.lines.length).toBeGreaterThan(5);
  });

  it('lists template errors in the JSON report with their positions', async () => {
    const { code, stdout } = await validate([
      '--template',
      'test/fixtures/templates/old-runtime.yaml',
      '--json',
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).errors).toContainEqual({
      path: 'Resources.StreamingFunction.Properties.Runtime',
      message: 'runtime "nodejs18.x" is not current: use nodejs22.x or newer',
      file: 'test/fixtures/templates/old-runtime.yaml',
      line: 19,
      column: 7,
    });
  });

  it('rejects a config with more alert addresses than the template subscribes', async () => {
    // Prepare
    const file = join(await tempDir(), 'config.json');
    const emails = [1, 2, 3, 4, 5, 6].map((n) => `kyle${n}@maposa.dev`);
    await writeFile(
      file,
      JSON.stringify({
        firstName: 'Kyle',
        lastName: 'Maposa',
        alertEmails: emails,
        bucketReadAccess: 'private',
      }),
    );

    // Act
    const { code, stdout, stderr } = await validate(['--config', file]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(
      `error: ${file}:1:41: alertEmails: lists 6 addresses; the pipeline stack subscribes at most 5`,
    );
    expect(stderr).toContain(`${file} is not valid: 1 error(s).`);
    expect(stdout).not.toContain('is valid');
  });

  it('says once that cfn-lint is not on PATH, and still catches what it would', async () => {
    // Prepare: a PATH with node and the system tools only.
    const path = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');

    // Act
    const { code, stdout, stderr } = await validate(
      ['--template', 'test/fixtures/templates/out-of-range.yaml'],
      { PATH: path },
    );

    // Assess
    expect(code).toBe(1);
    expect(stdout.match(/Note: cfn-lint was not found on PATH/g)).toHaveLength(1);
    expect(stderr).toContain(
      'out-of-range.yaml:18:7: Resources.StreamingFunction.Properties.Timeout: StreamingFunction.Timeout = 1000 is above the maximum of 900',
    );
    expect(stderr).not.toContain('(cfn-lint)');
  });

  it('prints findings as workflow annotations inside GitHub Actions', async () => {
    const { code, stdout } = await validate(
      ['--template', 'test/fixtures/templates/wildcard-action.yaml'],
      { GITHUB_ACTIONS: 'true' },
    );
    expect(code).toBe(1);
    expect(stdout).toContain(
      '::error file=test/fixtures/templates/wildcard-action.yaml,line=27,col=21::Resources.StreamingFunctionRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.1: wildcard action "s3:*"',
    );
  });
});

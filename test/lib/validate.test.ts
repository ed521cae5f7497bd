import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { FUNCTION_CALLS } from '../../functions/calls.js';
import { formatFinding } from '../../lib/errors.js';
import { validateProject } from '../../lib/validate.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of the pipeline template without the schedule role's only statement. */
async function pipelineWithoutSchedulerStatement(): Promise<string> {
  const doc = parseDocument(await readFile('cloudformation/pipeline.yaml', 'utf8'));
  doc.deleteIn([
    'Resources',
    'SchedulerRole',
    'Properties',
    'Policies',
    0,
    'PolicyDocument',
    'Statement',
    0,
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'validate-permissions-'));
  dirs.push(dir);
  const file = join(dir, 'pipeline.yaml');
  await writeFile(file, String(doc));
  return file;
}

describe('validateProject (permissions stage)', () => {
  it('passes the real templates, every role proven', async () => {
    const report = await validateProject({
      config: 'pipeline.config.json',
      functionCalls: FUNCTION_CALLS,
    });
    expect(report.errors).toEqual([]);
  });

  it('reports a role missing a permission as file:line:col: path: message', async () => {
    // Prepare
    const file = await pipelineWithoutSchedulerStatement();

    // Act
    const report = await validateProject({
      config: 'pipeline.config.json',
      templates: [file],
      functionCalls: FUNCTION_CALLS,
    });

    // Assess
    expect(report.ok).toBe(false);
    expect(report.errors.map(formatFinding)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:3: Resources\\.SchedulerRole: SchedulerRole \\(arn:aws:iam::123456789012:role/DEKYLMAP-streaming-schedule-role\\) does not allow lambda:InvokeFunction on arn:aws:lambda:eu-west-1:123456789012:function:DEKYLMAP-streaming-lambda, which EventBridge Scheduler calls to run StreamingSchedule's target: no statement of identity policies invoke-streaming-function allows it$`,
        ),
      ),
    ]);
  });
});

describe('validateProject (GitHub OIDC stack)', () => {
  /** The OIDC template admitting only repositories of `owner`, and a config naming `repository`. */
  async function project(owner: string, repository: string) {
    const dir = await mkdtemp(join(tmpdir(), 'validate-oidc-'));
    dirs.push(dir);
    const template = join(dir, 'github-oidc.yaml');
    const doc = parseDocument(await readFile('cloudformation/github-oidc.yaml', 'utf8'));
    doc.setIn(['Parameters', 'GitHubRepository', 'AllowedPattern'], `^${owner}/[A-Za-z0-9._-]+$`);
    await writeFile(template, String(doc));
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        firstName: 'Kyle',
        lastName: 'Maposa',
        alertEmails: ['kyle@x.io'],
        bucketReadAccess: 'private',
        githubRepository: repository,
      }),
    );
    return { template, config };
  }

  it("checks the config's githubRepository against the template's parameter", async () => {
    const { template, config } = await project('kyle', 'ada/pipeline');
    const report = await validateProject({
      config,
      templates: [template],
      functionCalls: FUNCTION_CALLS,
      cfnLint: false,
    });
    expect(report.errors.map((f) => f.message)).toEqual([
      expect.stringContaining('GitHubRepository = "ada/pipeline": does not match AllowedPattern'),
    ]);
  });

  it('passes a repository the template admits', async () => {
    const { template, config } = await project('kyle', 'kyle/pipeline');
    const report = await validateProject({
      config,
      templates: [template],
      functionCalls: FUNCTION_CALLS,
      cfnLint: false,
    });
    expect(report.errors).toEqual([]);
  });
});

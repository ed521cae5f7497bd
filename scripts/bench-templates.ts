// Times `npm run validate` against a baseline measured in the same run (a Node process with the
// tsx loader that does nothing), and each template check in-process, so a slowdown shows up as a ratio.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { checkBounds } from '../lib/templates/bounds.js';
import { checkWithCfnLint, findCfnLint } from '../lib/templates/cfnLint.js';
import { checkAgainstSpec } from '../lib/templates/checkSpec.js';
import { FUNCTION_CALLS } from '../functions/calls.js';
import { loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import { checkConsistency } from '../lib/templates/consistency.js';
import { checkGuardRules } from '../lib/templates/guard.js';
import { pipelineParameters } from '../lib/templates/parameters.js';
import { readTemplate } from '../lib/templates/parse.js';
import { checkPermissions } from '../lib/templates/permissions.js';
import { checkPolicies } from '../lib/templates/policies.js';
import { checkProjectRules } from '../lib/templates/rules.js';
import { loadServiceSpec } from '../lib/templates/spec.js';
import { findTemplates } from '../lib/templates/validate.js';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const run = promisify(execFile);
const ROUNDS = 5;

async function median(task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

const USAGE = `Usage: npm run bench:templates

Times the validate command against a Node process with the tsx loader that does nothing, and
each template check in-process (median of ${ROUNDS} runs).`;

async function benchTemplates(argv: readonly string[], io: CliIo): Promise<number> {
  parseOptions({}, argv); // No options: anything given is a usage error.
  const files = await findTemplates();
  const tsx = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', ...args]).catch(() => undefined);
  const baseline = await median(() => tsx(['-e', '0']));
  const cli = await median(() => tsx(['scripts/validate.ts']));
  const cliOwn = await median(() => tsx(['scripts/validate.ts', '--no-cfn-lint']));
  const cfnLint = await findCfnLint();

  const specStart = performance.now();
  const spec = await loadServiceSpec();
  const specMs = performance.now() - specStart;
  const templates = await Promise.all(files.map((file) => readTemplate(file)));
  const rows: [string, number][] = [
    ['node --import tsx doing nothing (baseline)', baseline],
    ['npm run validate (config + all templates)', cli],
    ['npm run validate -- --no-cfn-lint', cliOwn],
    ['  load the resource spec (once)', specMs],
    ['  parse all templates', await median(() => Promise.all(files.map((f) => readTemplate(f))))],
    ['  spec checks', await median(async () => templates.map((t) => checkAgainstSpec(t, spec)))],
    ['  project rules', await median(async () => templates.map((t) => checkProjectRules(t)))],
    ['  ranges and value lists', await median(async () => templates.map((t) => checkBounds(t)))],
    ['  consistency', await median(async () => templates.map((t) => checkConsistency(t)))],
    ['  policies and IAM actions', await median(() => Promise.all(templates.map(checkPolicies)))],
    ['  cfn-guard (one run)', await median(() => checkGuardRules(templates))],
  ];
  if (cfnLint) {
    rows.push([
      '  cfn-lint (one run)',
      await median(() => checkWithCfnLint(templates, { binary: cfnLint })),
    ]);
  }
  // The permissions stage: the first run also loads the IAM action data it needs.
  const config = await loadConfig('pipeline.config.json');
  const pipeline = templates.find((t) => t.file.endsWith('pipeline.yaml'));
  if (pipeline) {
    const permissions = () =>
      checkPermissions(pipeline, {
        parameters: pipelineParameters(config, deriveNames(config), {
          streaming: 'functions/streaming-0000000000000000.zip',
          notification: 'functions/notification-0000000000000000.zip',
        }),
        pseudo: {
          accountId: '123456789012',
          region: config.region,
          partition: 'aws',
          stackName: 'bench',
        },
        functionCalls: FUNCTION_CALLS,
      });
    const coldStart = performance.now();
    await permissions();
    rows.push(['  permissions, first run', performance.now() - coldStart]);
    rows.push(['  permissions, again', await median(permissions)]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  io.stdout(`${files.length} templates, median of ${ROUNDS} runs (spec load: one run)`);
  for (const [label, ms] of rows)
    io.stdout(
      `${label.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline).toFixed(2)}x baseline`,
    );
  io.stdout(`validate costs ${(cli - baseline).toFixed(0)} ms over starting a process`);
  if (!cfnLint) io.stdout('cfn-lint is not on PATH: its stage was not timed');
  return 0;
}

/** `npm run bench:templates`: times validation against a do-nothing process; exit 0 measured. */
export const main = command(USAGE, benchTemplates);

runIfEntryPoint(import.meta.url, main);

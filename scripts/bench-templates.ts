// Times `npm run validate` against a baseline measured in the same run (a tsx process that does
// nothing), and each template check in-process, so a slowdown shows up as a ratio.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { checkBounds } from '../lib/templates/bounds.js';
import { checkWithCfnLint, findCfnLint } from '../lib/templates/cfnLint.js';
import { checkAgainstSpec } from '../lib/templates/checkSpec.js';
import { checkConsistency } from '../lib/templates/consistency.js';
import { checkGuardRules } from '../lib/templates/guard.js';
import { readTemplate } from '../lib/templates/parse.js';
import { checkPolicies } from '../lib/templates/policies.js';
import { checkProjectRules } from '../lib/templates/rules.js';
import { loadServiceSpec } from '../lib/templates/spec.js';
import { findTemplates } from '../lib/templates/validate.js';

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

const files = await findTemplates();
const tsx = (args: string[]) => run('npx', ['tsx', ...args]).catch(() => undefined);
const baseline = await median(() => tsx(['-e', '0']));
const cli = await median(() => tsx(['scripts/validate.ts']));
const cliOwn = await median(() => tsx(['scripts/validate.ts', '--no-cfn-lint']));
const cfnLint = await findCfnLint();

const specStart = performance.now();
const spec = await loadServiceSpec();
const specMs = performance.now() - specStart;
const templates = await Promise.all(files.map((file) => readTemplate(file)));
const rows: [string, number][] = [
  ['tsx process doing nothing (baseline)', baseline],
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
  ...(cfnLint
    ? ([
        [
          '  cfn-lint (one run)',
          await median(() => checkWithCfnLint(templates, { binary: cfnLint })),
        ],
      ] as [string, number][])
    : []),
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`${files.length} templates, median of ${ROUNDS} runs (spec load: one run)`);
for (const [label, ms] of rows)
  console.log(
    `${label.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline).toFixed(2)}x baseline`,
  );
console.log(`validate costs ${(cli - baseline).toFixed(0)} ms over starting a process`);
if (!cfnLint) console.log('cfn-lint is not on PATH: its stage was not timed');

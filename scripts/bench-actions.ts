import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildFunctions } from '../lib/build/functions.js';
import { startLocalAws } from '../local/index.js';
import { runActionProcess } from '../test/support/actionRun.js';
import { spreadOf } from './bench/measure.js';
import type { Spread } from './bench/measure.js';
import { ACTIONS } from './build-actions.js';
import { parseBenchOptions, wholeNumber } from './bench/options.js';
import { formatSpread } from './bench/report.js';
import { command, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run bench:actions -- [--runs <n>] [--json]

Times the GitHub Actions through their real interface (node actions/<name>/dist/index.js with
INPUT_* variables) against a fresh local AWS at time scale 60 per run: validate, deploy, a second
deploy with nothing changed, seed, smoke with the drill, teardown, and the whole life (validate
to teardown, without the second deploy). Then the size of each dist/index.js and its cold load
time (a node process that loads the bundle and stops at a missing config or templates folder,
less an empty node process). Every time is the median of the runs, the range in brackets.
  --runs <n>  whole runs (default 3)
  --json      print one JSON object
Aims: the whole life under 60 s on 2 cores; a second deploy with no change under 5 s.`;

const STEPS = ['validate', 'deploy', 'deploy again', 'seed', 'smoke', 'teardown'] as const;
type Step = (typeof STEPS)[number];
const LIFE: readonly Step[] = ['validate', 'deploy', 'seed', 'smoke', 'teardown'];
const STACK = 'DEKYLMAP-streaming-pipeline';

function nodeProcessMs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env }, () => resolve(performance.now() - started));
  });
}

/** One whole run against its own local AWS; the milliseconds of each step. */
async function oneRun(artifacts: string): Promise<Record<Step, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-actions-'));
  const local = await startLocalAws({ port: 0, stateDir, timeScale: 60 });
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: local.endpoint,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'eu-west-1',
  };
  const inputs: Record<Step, Record<string, string>> = {
    validate: {},
    deploy: { artifacts },
    'deploy again': { artifacts },
    seed: {},
    smoke: { drill: 'true', 'timeout-seconds': '120' },
    teardown: { confirm: STACK },
  };
  const times = {} as Record<Step, number>;
  try {
    for (const step of STEPS) {
      const name = step === 'deploy again' ? 'deploy' : step;
      const started = performance.now();
      const result = await runActionProcess(name, inputs[step], {
        dir: stateDir,
        env,
        timeoutMs: 300_000,
      });
      times[step] = performance.now() - started;
      if (result.code !== 0) throw new Error(`${step} failed:\n${result.log}`);
      if (step === 'deploy again' && result.outputs.changed !== 'false')
        throw new Error(`the second deploy changed something: ${result.log}`);
    }
  } finally {
    await local.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
  return times;
}

interface BundleResult {
  action: string;
  bytes: number;
  coldLoadMs: Spread;
}

async function measureBundles(runs: number): Promise<BundleResult[]> {
  // Inputs every action refuses before doing any work: what is timed is loading the bundle.
  const env = {
    ...process.env,
    INPUT_CONFIG: '/nonexistent/config.json',
    INPUT_TEMPLATES: '/nonexistent/templates',
    GITHUB_OUTPUT: '',
  };
  const empty: number[] = [];
  for (let i = 0; i < runs; i++) empty.push(await nodeProcessMs(['-e', ''], env));
  const baseline = spreadOf(empty).median;
  const results: BundleResult[] = [];
  for (const action of ACTIONS) {
    const file = join('actions', action, 'dist', 'index.js');
    const times: number[] = [];
    for (let i = 0; i < runs; i++)
      times.push((await nodeProcessMs(['--no-warnings', file], env)) - baseline);
    results.push({ action, bytes: (await stat(file)).size, coldLoadMs: spreadOf(times) });
  }
  return results;
}

const show = (spread: Spread) => formatSpread(spread, { digits: 0, unit: ' ms' });

async function bench(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseBenchOptions({ runs: { type: 'string', default: '3' } }, argv);
  const runs = wholeNumber(options.runs, '--runs', { min: 1 });
  const buildDir = await mkdtemp(join(tmpdir(), 'bench-actions-build-'));
  try {
    await buildFunctions({ outDir: buildDir });
    const all: Record<Step, number>[] = [];
    for (let i = 0; i < runs; i++) {
      all.push(await oneRun(buildDir));
      if (!options.json) io.stdout(`  run ${i + 1} of ${runs} done`);
    }
    const steps = Object.fromEntries(
      STEPS.map((step) => [step, spreadOf(all.map((times) => times[step]))]),
    ) as Record<Step, Spread>;
    const life = spreadOf(all.map((times) => LIFE.reduce((sum, step) => sum + times[step], 0)));
    const bundles = await measureBundles(5);
    if (options.json) {
      io.stdout(JSON.stringify({ runs, lifeMs: life, stepsMs: steps, bundles }, null, 2));
      return 0;
    }
    io.stdout(
      `\nWhole life (validate to teardown), median of ${runs}: ${formatSpread(life, { unit: ' s', scale: 1000 })}`,
    );
    for (const step of STEPS) io.stdout(`  ${step.padEnd(13)} ${show(steps[step])}`);
    io.stdout('\nBundles (dist/index.js): size, cold load (median of 5, less an empty node)');
    for (const bundle of bundles)
      io.stdout(
        `  ${bundle.action.padEnd(9)} ${(bundle.bytes / 1024).toFixed(0).padStart(5)} KiB  ${show(bundle.coldLoadMs)}`,
      );
    return 0;
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

/** `npm run bench:actions`: times the actions' whole life against local AWS and their bundles. */
export const main = command(USAGE, bench);

runIfEntryPoint(import.meta.url, main);

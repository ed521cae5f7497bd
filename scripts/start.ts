import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { stop as stopEsbuild } from 'esbuild';
import { buildFunctions } from '../lib/build/functions.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import type { ResourceNames } from '../lib/config/names.js';
import type { PipelineConfig } from '../lib/config/schema.js';
import { formatFinding } from '../lib/errors.js';
import type { Finding } from '../lib/errors.js';
import type { Reporter } from '../lib/steps/report.js';
import { deployPipeline } from '../lib/steps/deploy.js';
import { seedTickers } from '../lib/steps/seed.js';
import { teardownPipeline } from '../lib/steps/teardown.js';
import { DEFAULT_PORT, LocalAwsStartError } from '../local/index.js';
import { command, parseOptions, processIo, runIfEntryPoint, UsageError } from './cli.js';
import type { CliIo } from './cli.js';
import { connectOrStartLocalAws, LocalAwsMismatchError } from './start/localAws.js';
import type { StartedLocalAws } from './start/localAws.js';
import { runSteps, StartStepError } from './start/steps.js';
import type { StartStep } from './start/steps.js';
import { counted, plainTickLine, readHint, redrawFrame, renderView } from './start/view.js';
import type { Snapshot } from './start/view.js';
import { PipelineWatcher } from './start/watch.js';

const USAGE = `Usage: npm start -- [--every <seconds>] [--ticks <n>] [--drill] [--plain] [--teardown]

Deploys the pipeline to local AWS (started on 127.0.0.1:${DEFAULT_PORT} unless one already runs
there), seeds the table and shows the stream live until Ctrl-C.
  --every <seconds>  run the configured schedule every that many seconds, by running local AWS's
                     clock faster (default 5; 60 is real time for a one-minute schedule)
  --ticks <n>        stop after n ticks, once their records are in S3
  --drill            after the first tick, make the streaming function fail once on purpose,
                     so that the alert email appears in the outbox
  --plain            one line per tick instead of the live view (the default when standard
                     output is not a terminal)
  --verbose          show each step's own progress lines
  --teardown         empty the buckets and delete both stacks instead, then stop
  --config <file>    the pipeline config (default: ${DEFAULT_CONFIG_FILE})
  --port <port>      local AWS's port (default: LOCAL_AWS_PORT or ${DEFAULT_PORT})
  --state-dir <dir>  local AWS's state when npm start starts it (default: .local)
Exit status: 0 stopped, 1 a step failed, 2 bad command line.`;

/** The demo's pace when no --every is given: a tick every five seconds. */
export const DEFAULT_EVERY_SECONDS = 5;

/** How often the view reads the pipeline, in real milliseconds. */
const POLL_MS = 300;

/** How long, beyond the scaled buffer interval, `--ticks` waits for the last records and the drill's email. */
const SETTLE_MS = 30_000;

function positiveNumber(text: string, option: string, example: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(
      `${option} must be a positive number such as ${example}, not ${JSON.stringify(text)}`,
    );
  return value;
}

function positiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${option} must be a whole number from 1, not ${JSON.stringify(text)}`);
  return value;
}

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(
      `${source} must be a port number from 1 to 65535, not ${JSON.stringify(text)}`,
    );
  return port;
}

/** SDK clients for local AWS: loopback endpoint, dummy credentials. */
function localClients(endpoint: string, region: string) {
  const common = {
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  return {
    cloudFormation: new CloudFormationClient(common),
    dynamodb: new DynamoDBClient(common),
    lambda: new LambdaClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

type Clients = ReturnType<typeof localClients>;

/** What `npm run validate -- --json` prints, as far as npm start reads it. */
const finding = z.object({
  path: z.string().default(''),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});
const validateOutput = z.looseObject({
  ok: z.boolean(),
  errors: z.array(finding).default([]),
  warnings: z.array(finding).default([]),
});

/** A finding as `formatFinding` takes it (optional fields absent rather than undefined). */
function toFinding(parsed: z.infer<typeof finding>): Finding {
  return Object.fromEntries(
    Object.entries(parsed).filter(([, value]) => value !== undefined),
  ) as unknown as Finding;
}

/**
 * Runs `npm run validate -- --json --no-cfn-lint` (validateProject, as the validate action does)
 * in a child process: the CloudFormation and IAM specifications it loads take about 110 MiB,
 * which go back to the system when it exits instead of staying in this long-running process.
 * cfn-lint is AWS's optional Python linter: `npm run validate` runs it, a demo need not wait.
 */
async function validateInChild(configFile: string, reporter: Reporter): Promise<void> {
  // From the repository root, as every path here (build/, cloudformation/): npm runs scripts there.
  const launcher = resolve('scripts/launch.mjs');
  const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>(
    (resolveRun, reject) => {
      const child = spawn(
        process.execPath,
        [launcher, 'validate', '--json', '--no-cfn-lint', '--config', configFile],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (exitCode) => resolveRun({ stdout: out, code: exitCode }));
    },
  );
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    throw new Error(`npm run validate exited ${code} without its JSON report; run it to see why`);
  }
  const report = validateOutput.parse(data);
  for (const warning of report.warnings) reporter.warning(formatFinding(toFinding(warning)));
  if (!report.ok) {
    const errors = report.errors.map(toFinding);
    throw new Error(
      `${errors.length} error(s); npm run validate shows them all. First: ${errors[0] ? formatFinding(errors[0]) : '(none given)'}`,
    );
  }
}

/** What runs before local AWS is needed: nothing starts for a config or template that is wrong. */
function prepareSteps(configFile: string): StartStep[] {
  return [
    {
      title: 'build the functions',
      run: async (reporter) => {
        const manifest = await buildFunctions();
        // esbuild's service process would otherwise outlive the build, idle, until exit.
        await stopEsbuild();
        for (const [name, built] of Object.entries(manifest))
          reporter.info(`${name}: ${built.file} (${(built.bytes / 1024).toFixed(1)} KiB)`);
      },
    },
    {
      title: 'validate the config and templates',
      run: (reporter) => validateInChild(configFile, reporter),
    },
  ];
}

/** The deploy and seed steps the GitHub workflows run, in the same order, through the same lib/ code. */
function deploySteps(options: {
  config: PipelineConfig;
  names: ResourceNames;
  clients: Clients;
}): StartStep[] {
  const { config, names, clients } = options;
  return [
    {
      title: `deploy ${names.artifactsStack} and ${names.stack}`,
      run: async (reporter) => {
        await deployPipeline(
          { cloudFormation: clients.cloudFormation, s3: clients.s3 },
          { config, names, timeoutMs: 120_000 },
          reporter,
        );
      },
    },
    {
      title: `seed ${names.table}`,
      run: async (reporter) => {
        await seedTickers(
          clients.dynamodb,
          { tickers: config.tickers, tableName: names.table, reset: false },
          reporter,
        );
      },
    },
  ];
}

/** Invokes the streaming function asynchronously, as the schedule does. */
async function invokeStreaming(
  clients: Clients,
  names: ResourceNames,
  event: object,
): Promise<void> {
  await clients.lambda.send(
    new InvokeCommand({
      FunctionName: names.streamingFunction,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveWait) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveWait();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Follows the pipeline until Ctrl-C, or until `ticks` ticks are delivered. */
async function watch(options: {
  io: CliIo;
  live: boolean;
  clients: Clients;
  config: PipelineConfig;
  names: ResourceNames;
  endpoint: string;
  outbox: string;
  every: number;
  ticks?: number;
  drill: boolean;
  timeScale: number;
  signal: AbortSignal;
}): Promise<number> {
  const { io, names, clients, signal } = options;
  const watcher = new PipelineWatcher(
    clients,
    { table: names.table, bucket: names.bucket, outbox: options.outbox },
    options.config.tickers.map((ticker) => ticker.name),
  );
  const baseline = new Map((await watcher.tickers()).map((t) => [t.name, t.version]));
  const alertsBefore = (await watcher.alerts()).length;
  // The first tick now, rather than when the schedule next comes round.
  await invokeStreaming(clients, names, {});
  let shownTicks = 0;
  let shownObjects = 0;
  let drilled = false;
  let frameLines = 0;
  let settleUntil: number | undefined;
  const settleMs = (options.config.deliveryBufferSeconds * 1000) / options.timeScale + SETTLE_MS;
  for (;;) {
    const [tickers, bucket, alerts] = await Promise.all([
      watcher.tickers(),
      watcher.bucket(),
      watcher.alerts(),
    ]);
    const ticks = Math.min(
      ...tickers.map((t) => t.version - (baseline.get(t.name) ?? 0)),
      tickers.length > 0 ? Infinity : 0,
    );
    const snapshot: Snapshot = {
      stack: names.stack,
      endpoint: options.endpoint,
      bucket: names.bucket,
      every: options.every,
      ticks: Number.isFinite(ticks) ? ticks : 0,
      tickers,
      objects: bucket.objects,
      records: bucket.records,
      ...(bucket.lastKey === undefined ? {} : { lastKey: bucket.lastKey }),
      alerts,
      outbox: options.outbox,
    };
    if (options.live) {
      const lines = renderView(snapshot);
      process.stdout.write(redrawFrame(lines, frameLines));
      frameLines = lines.length;
    } else if (snapshot.ticks > shownTicks) {
      io.stdout(plainTickLine(snapshot));
    }
    if (!options.live && bucket.objects > shownObjects && bucket.lastKey !== undefined) {
      io.stdout(
        `s3: ${counted(bucket.objects, 'object')}, ${counted(bucket.records, 'record')}; newest s3://${names.bucket}/${bucket.lastKey}`,
      );
      if (shownObjects === 0)
        readHint(options.endpoint, names.bucket).forEach((line) => io.stdout(line));
    }
    shownTicks = Math.max(shownTicks, snapshot.ticks);
    shownObjects = Math.max(shownObjects, bucket.objects);
    if (options.drill && !drilled && snapshot.ticks >= 1) {
      drilled = true;
      await invokeStreaming(clients, names, { drill: true });
      if (!options.live)
        io.stdout('drill: the streaming function was invoked with {"drill": true}');
    }
    if (options.ticks !== undefined && snapshot.ticks >= options.ticks) {
      const target = options.ticks;
      const delivered = tickers.every(
        (t) => (bucket.delivered.get(t.name) ?? 0) >= (baseline.get(t.name) ?? 0) + target,
      );
      const alerted = !options.drill || alerts.length > alertsBefore;
      if (delivered && alerted) {
        io.stdout(
          `${target} tick(s) of every ticker are in s3://${names.bucket}` +
            (options.drill ? `; the drill's alert is in ${options.outbox}` : ''),
        );
        return 0;
      }
      settleUntil ??= Date.now() + settleMs;
      if (Date.now() > settleUntil) {
        io.stderr(
          `error: after ${target} tick(s), ${delivered ? 'no alert email arrived' : 'their records did not all reach S3'} ` +
            `within ${(settleMs / 1000).toFixed(0)} s`,
        );
        return 1;
      }
    }
    if (signal.aborted) return 0;
    await pause(POLL_MS, signal);
    if (signal.aborted) return 0;
  }
}

async function start(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      every: { type: 'string' },
      ticks: { type: 'string' },
      drill: { type: 'boolean', default: false },
      plain: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      teardown: { type: 'boolean', default: false },
      config: { type: 'string', default: DEFAULT_CONFIG_FILE },
      port: { type: 'string' },
      'state-dir': { type: 'string', default: '.local' },
    },
    argv,
  );
  const every =
    options.every === undefined
      ? DEFAULT_EVERY_SECONDS
      : positiveNumber(options.every, '--every', '5 (seconds)');
  const ticks = options.ticks === undefined ? undefined : positiveInteger(options.ticks, '--ticks');
  const port = options.port
    ? parsePort(options.port, '--port')
    : io.env.LOCAL_AWS_PORT
      ? parsePort(io.env.LOCAL_AWS_PORT, 'LOCAL_AWS_PORT')
      : DEFAULT_PORT;
  const stateDir = resolve(options['state-dir']);
  const config = await loadConfig(options.config);
  const names = deriveNames(config);
  const timeScale = (config.scheduleMinutes * 60) / every;
  const live = !options.plain && io.stdout === processIo.stdout && process.stdout.isTTY === true;

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) io.stdout(`\n${signal}: stopping...`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A step that fails, or a local AWS that cannot start, is said here, before the shutdown's lines.
  const expectedFailure = (error: unknown): number => {
    const expected =
      error instanceof StartStepError ||
      error instanceof LocalAwsStartError ||
      error instanceof LocalAwsMismatchError;
    if (!expected) throw error;
    io.stderr(`error: ${error.message}`);
    return 1;
  };
  let local: StartedLocalAws | undefined;
  try {
    const progress = {
      print: (line: string) => io.stdout(line),
      now: () => Date.now(),
      verbose: options.verbose,
      signal: controller.signal,
    };
    if (!options.teardown) {
      try {
        await runSteps(prepareSteps(options.config), {
          ...progress,
          numbering: { from: 1, of: 4 },
        });
      } catch (error: unknown) {
        return expectedFailure(error);
      }
      if (controller.signal.aborted) return 0;
    }
    try {
      local = await connectOrStartLocalAws({ port, stateDir, timeScale, every });
    } catch (error: unknown) {
      return expectedFailure(error);
    }
    io.stdout(
      `local AWS ${local.owned ? 'started' : 'already running'} on ${local.endpoint}` +
        ` (a ${config.scheduleMinutes}-minute schedule fires every ${every} s; state in ${stateDir})`,
    );
    const clients = localClients(local.endpoint, config.region);
    try {
      if (options.teardown) {
        await runSteps(
          [
            {
              title: `tear down ${names.stack} and ${names.artifactsStack}`,
              run: async (reporter) => {
                await teardownPipeline(
                  { cloudFormation: clients.cloudFormation, s3: clients.s3 },
                  { names, confirm: names.stack, timeoutMs: 120_000 },
                  reporter,
                );
              },
            },
          ],
          progress,
        );
        return 0;
      }
      await runSteps(deploySteps({ config, names, clients }), {
        ...progress,
        numbering: { from: 3, of: 4 },
      });
    } catch (error: unknown) {
      return expectedFailure(error);
    }
    if (controller.signal.aborted) return 0;
    return await watch({
      io,
      live,
      clients,
      config,
      names,
      endpoint: local.endpoint,
      // The outbox of a local AWS that was already running is in its own state folder.
      outbox: join(stateDir, 'outbox'),
      every,
      ...(ticks === undefined ? {} : { ticks }),
      drill: options.drill,
      timeScale,
      signal: controller.signal,
    });
  } finally {
    if (local?.owned) {
      io.stdout('flushing Firehose buffers and stopping local AWS...');
      await local.stop();
      io.stdout(`local AWS stopped; its state stays in ${stateDir} for the next npm start`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `npm start`: the whole pipeline on local AWS with a live view; exit 0 stopped, 1 failed, 2 bad command line. */
export const main = command(USAGE, start);

runIfEntryPoint(import.meta.url, main);

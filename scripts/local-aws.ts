import { SERVICE_LIST } from '../local/gateway.js';
import { DEFAULT_PORT, LocalAwsStartError, startLocalAws } from '../local/index.js';
import { command, parseOptions, UsageError, runIfEntryPoint, wrap } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run local-aws -- [--port <port>] [--reset] [--state-dir <dir>] [--time-scale <n>]

${wrap(`Serves ${SERVICE_LIST} on one endpoint until Ctrl-C.`)}
  --port <port>       port on 127.0.0.1 (default: LOCAL_AWS_PORT or ${DEFAULT_PORT})
  --reset             start empty, deleting the state of earlier runs
  --state-dir <dir>   where state lives between runs (default: .local): a folder local AWS
                      made, or a new or empty one; it refuses a folder holding anything else
  --time-scale <n>    run every wait (buffer intervals, retry delays, visibility timeouts) n
                      times faster (default: LOCAL_AWS_TIME_SCALE or 1)
Faults: LOCAL_AWS_FAULTS='{"firehose":{"failRate":0.5}}' or PUT /_local/faults.`;

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `${source} must be a port number from 0 to 65535, not ${JSON.stringify(text)}`,
    );
  }
  return port;
}

function parseTimeScale(text: string, source: string): number {
  const scale = Number(text);
  if (text.trim() === '' || !Number.isFinite(scale) || scale <= 0) {
    throw new UsageError(
      `${source} must be a positive number such as 60 (a minute a second), not ${JSON.stringify(text)}`,
    );
  }
  return scale;
}

async function serve(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      port: { type: 'string' },
      reset: { type: 'boolean', default: false },
      'state-dir': { type: 'string', default: '.local' },
      'time-scale': { type: 'string' },
    },
    argv,
  );
  const port = options.port
    ? parsePort(options.port, '--port')
    : io.env.LOCAL_AWS_PORT
      ? parsePort(io.env.LOCAL_AWS_PORT, 'LOCAL_AWS_PORT')
      : DEFAULT_PORT;
  const timeScale =
    options['time-scale'] !== undefined
      ? parseTimeScale(options['time-scale'], '--time-scale')
      : io.env.LOCAL_AWS_TIME_SCALE
        ? parseTimeScale(io.env.LOCAL_AWS_TIME_SCALE, 'LOCAL_AWS_TIME_SCALE')
        : 1;
  let faults: unknown;
  if (io.env.LOCAL_AWS_FAULTS) {
    try {
      faults = JSON.parse(io.env.LOCAL_AWS_FAULTS);
    } catch {
      throw new UsageError('LOCAL_AWS_FAULTS must be JSON such as {"firehose":{"failRate":0.5}}');
    }
  }
  let local;
  try {
    local = await startLocalAws({
      port,
      reset: options.reset,
      stateDir: options['state-dir'],
      faults: faults as never,
      timeScale,
      log: (line) => io.stdout(`${new Date().toISOString()} ${line}`),
    });
  } catch (error: unknown) {
    if (error instanceof LocalAwsStartError) {
      io.stderr(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  io.stdout(
    `local AWS is serving ${SERVICE_LIST} on ${local.endpoint}` +
      (timeScale === 1 ? '' : ` (time runs ${timeScale} times faster)`),
  );
  io.stdout(`  state: ${local.stateDir}   email outbox: ${local.outbox}`);
  io.stdout(`  try:   aws --endpoint-url ${local.endpoint} dynamodb list-tables`);
  io.stdout('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.stdout(`\n${signal}: flushing Firehose buffers and stopping...`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await local.stop();
  io.stdout('local AWS stopped.');
  return 0;
}

/** `npm run local-aws`: serves local AWS until SIGINT or SIGTERM; exit 0 stopped, 1 failed to start. */
export const main = command(USAGE, serve);

runIfEntryPoint(import.meta.url, main);

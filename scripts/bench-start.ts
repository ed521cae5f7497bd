import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import { spawnSampled } from './bench/processTree.js';
import { parseBenchOptions, wholeNumber } from './bench/options.js';
import { command, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run bench:start -- [--runs <n>] [--json]

Times \`npm start -- --every 1 --ticks 1 --plain\` from its start to the first object in local S3,
and the peak memory of its whole process tree (local AWS, Lambda instances, esbuild), over
--runs runs (default 5), each on a fresh state folder and a free port. The first run of the
session is reported apart as the cold one. Then times local AWS from start to its first answer,
and its memory up to a second later, both as \`npm run local-aws\` and as the server alone
(\`node scripts/launch.mjs local-aws\`, no npm), against \`moto_server\` started the same way,
alternating in the same run; npm's own cost is the difference, and local/moto the ratios.`;

const MIB = 1024 * 1024;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One `npm start` run: seconds to the first object, peak MiB, and whether it exited 0. */
interface StartRun {
  firstObjectSeconds: number;
  totalSeconds: number;
  peakMiB: number;
  code: number | null;
}

async function benchStartOnce(bucket: string, region: string): Promise<StartRun> {
  const stateParent = await mkdtemp(join(tmpdir(), 'bench-start-'));
  const port = await freePort();
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  const began = performance.now();
  let firstObject = Number.NaN;
  const run = spawnSampled(
    'npm',
    ['start', '--', '--every', '1', '--ticks', '1', '--plain', '--port', String(port)].concat([
      '--state-dir',
      join(stateParent, 'state'),
    ]),
    {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      // Its own report of the first object counts too: a poll may miss a short run's object.
      onLine: (line) => {
        if (Number.isNaN(firstObject) && /^s3: \d+ objects?\b/.test(line))
          firstObject = performance.now() - began;
      },
    },
  );
  let ended = false;
  void run.exited.then(() => (ended = true));
  try {
    while (!ended && Number.isNaN(firstObject)) {
      try {
        const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
        if ((listing.KeyCount ?? 0) > 0) firstObject = performance.now() - began;
      } catch {
        // Not listening yet, or the bucket is not made yet.
      }
      await sleep(50);
    }
    const code = await run.exited;
    return {
      firstObjectSeconds: firstObject / 1000,
      totalSeconds: (performance.now() - began) / 1000,
      peakMiB: run.peakBytes() / MIB,
      code,
    };
  } finally {
    run.signal('SIGKILL'); // Only when it is still there after a failure.
    s3.destroy();
    await rm(stateParent, { recursive: true, force: true });
  }
}

/** One server's start: seconds to its first HTTP answer, and its tree's peak memory up to a second later. */
interface ServerRun {
  firstAnswerSeconds: number;
  rssMiB: number;
}

async function benchServerOnce(
  commandLine: readonly string[],
  url: (port: number) => string,
  port: number,
): Promise<ServerRun> {
  const began = performance.now();
  const run = spawnSampled(commandLine[0]!, commandLine.slice(1), { everyMs: 50 });
  let answered = Number.NaN;
  try {
    while (Number.isNaN(answered)) {
      try {
        await fetch(url(port), { signal: AbortSignal.timeout(1000) });
        answered = performance.now() - began;
      } catch {
        await sleep(10);
      }
      if (performance.now() - began > 60_000)
        throw new Error(`${commandLine.join(' ')}: no answer in 60 s`);
    }
    await sleep(1000);
    return { firstAnswerSeconds: answered / 1000, rssMiB: run.peakBytes() / MIB };
  } finally {
    run.signal('SIGINT');
    const stopped = await Promise.race([
      run.exited.then(() => true),
      sleep(10_000).then(() => false),
    ]);
    if (!stopped) run.signal('SIGKILL');
  }
}

async function bench(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseBenchOptions({ runs: { type: 'string', default: '5' } }, argv);
  const runs = wholeNumber(options.runs, '--runs', { min: 1 });
  const config = await loadConfig();
  const { bucket } = deriveNames(config);

  const log = (line: string) => {
    if (!options.json) io.stdout(line);
  };
  log('npm start -- --every 1 --ticks 1 --plain (fresh state each run)');
  const cold = await benchStartOnce(bucket, config.region);
  log(
    `  cold: first object ${cold.firstObjectSeconds.toFixed(2)} s, peak ${cold.peakMiB.toFixed(0)} MiB, exit ${cold.code}`,
  );
  const starts: StartRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await benchStartOnce(bucket, config.region);
    starts.push(run);
    log(
      `  run ${i + 1}: first object ${run.firstObjectSeconds.toFixed(2)} s (exit after ${run.totalSeconds.toFixed(1)} s), ` +
        `peak ${run.peakMiB.toFixed(0)} MiB, exit ${run.code}`,
    );
  }

  log('server start to first answer, and peak memory up to 1 s later (alternating)');
  const npmLocalAws: ServerRun[] = [];
  const server: ServerRun[] = [];
  const moto: ServerRun[] = [];
  // The same server, through npm and alone: npm stays resident as the parent of what it runs.
  const localAwsOnce = async (launch: readonly string[]) => {
    const stateParent = await mkdtemp(join(tmpdir(), 'bench-local-aws-'));
    try {
      const port = await freePort();
      return await benchServerOnce(
        [...launch, '--port', String(port), '--state-dir', join(stateParent, 'state')],
        (p) => `http://127.0.0.1:${p}/_local/health`,
        port,
      );
    } finally {
      await rm(stateParent, { recursive: true, force: true });
    }
  };
  for (let i = 0; i < runs; i++) {
    npmLocalAws.push(await localAwsOnce(['npm', 'run', 'local-aws', '--']));
    server.push(await localAwsOnce([process.execPath, 'scripts/launch.mjs', 'local-aws']));
    const motoPort = await freePort();
    moto.push(
      await benchServerOnce(
        ['moto_server', '-p', String(motoPort)],
        (p) => `http://127.0.0.1:${p}/`,
        motoPort,
      ),
    );
    const show = (run: ServerRun) =>
      `${run.firstAnswerSeconds.toFixed(2)} s ${run.rssMiB.toFixed(0)} MiB`;
    log(
      `  run ${i + 1}: npm run local-aws ${show(npmLocalAws[i]!)}; server alone ${show(server[i]!)}; ` +
        `moto_server ${show(moto[i]!)}`,
    );
  }

  const medians = (list: readonly ServerRun[]) => ({
    medianFirstAnswerSeconds: median(list.map((r) => r.firstAnswerSeconds)),
    medianRssMiB: median(list.map((r) => r.rssMiB)),
  });
  const localAws = medians(npmLocalAws);
  const alone = medians(server);
  const motoServer = medians(moto);
  const summary = {
    start: {
      cold,
      runs: starts,
      medianFirstObjectSeconds: median(starts.map((r) => r.firstObjectSeconds)),
      maxPeakMiB: Math.max(...starts.map((r) => r.peakMiB)),
    },
    localAws,
    localAwsServer: alone,
    npmOverhead: {
      seconds: localAws.medianFirstAnswerSeconds - alone.medianFirstAnswerSeconds,
      MiB: localAws.medianRssMiB - alone.medianRssMiB,
    },
    moto: motoServer,
    ratios: {
      serverSeconds: alone.medianFirstAnswerSeconds / motoServer.medianFirstAnswerSeconds,
      serverMiB: alone.medianRssMiB / motoServer.medianRssMiB,
      npmSeconds: localAws.medianFirstAnswerSeconds / motoServer.medianFirstAnswerSeconds,
      npmMiB: localAws.medianRssMiB / motoServer.medianRssMiB,
    },
  };
  if (options.json) {
    io.stdout(JSON.stringify(summary, null, 2));
  } else {
    const { ratios, npmOverhead } = summary;
    io.stdout(
      `npm start: first object in a median ${summary.start.medianFirstObjectSeconds.toFixed(2)} s ` +
        `(cold ${cold.firstObjectSeconds.toFixed(2)} s), peak ${summary.start.maxPeakMiB.toFixed(0)} MiB`,
    );
    io.stdout(
      `local AWS: first answer in a median ${localAws.medianFirstAnswerSeconds.toFixed(2)} s, ` +
        `${localAws.medianRssMiB.toFixed(0)} MiB; moto_server ${motoServer.medianFirstAnswerSeconds.toFixed(2)} s, ` +
        `${motoServer.medianRssMiB.toFixed(0)} MiB`,
    );
    io.stdout(
      `local AWS server alone: ${alone.medianFirstAnswerSeconds.toFixed(2)} s, ${alone.medianRssMiB.toFixed(0)} MiB ` +
        `(local/moto: ${ratios.serverSeconds.toFixed(2)}x the time, ${ratios.serverMiB.toFixed(2)}x the memory); ` +
        `through npm ${ratios.npmSeconds.toFixed(2)}x, ${ratios.npmMiB.toFixed(2)}x`,
    );
    io.stdout(
      `npm's own cost (npm run local-aws less the server alone): ${npmOverhead.seconds.toFixed(2)} s, ` +
        `${npmOverhead.MiB.toFixed(0)} MiB`,
    );
  }
  const failed = [cold, ...starts].filter((run) => run.code !== 0).length;
  return failed === 0 ? 0 : 1;
}

/** `npm run bench:start`: npm start's time to the first object and memory; local AWS against moto. */
export const main = command(USAGE, bench);

runIfEntryPoint(import.meta.url, main);

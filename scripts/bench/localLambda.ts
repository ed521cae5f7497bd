import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';

/** The trivial handler both sides run: it answers its event. */
const HANDLER_SOURCE = 'export const handler = async (event) => ({ ok: true, n: event.n });\n';

/** Times calls to each target, alternating targets in rounds (the bench's own `compare`). */
export type Compare = <T extends string>(
  requests: number,
  targets: Record<T, (i: number) => Promise<unknown>>,
) => Promise<Record<T, { p50Ms: number; p99Ms: number; perSecond: number; requests: number }>>;

/** What the Lambda part of the benchmark measured, in milliseconds. */
export interface LambdaBench {
  warm: Awaited<ReturnType<Compare>>;
  /** p50 of warm gateway invokes minus p50 of in-process handler calls. */
  overheadP50Ms: number;
  cold: { samples: number; p50Ms: number; maxMs: number };
}

/**
 * A warm `RequestResponse` invoke of a trivial function through the gateway against calling the
 * same handler in this process, and cold invokes (each after a configuration change, which
 * retires the warm instance).
 */
export async function benchLambda(
  endpoint: string,
  options: { region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  requests: number,
  compare: Compare,
): Promise<LambdaBench> {
  const lambda = new LambdaClient({ ...options, endpoint, maxAttempts: 1 });
  const folder = await mkdtemp(join(tmpdir(), 'bench-lambda-'));
  try {
    const file = join(folder, 'handler.mjs');
    await writeFile(file, HANDLER_SOURCE);
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown) => Promise<unknown>;
    };
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'bench-echo',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::000000000000:role/bench',
        Handler: 'index.handler',
        Code: { ZipFile: zipSync({ 'index.mjs': strToU8(HANDLER_SOURCE) }) },
      }),
    );
    const invoke = (i: number) =>
      lambda.send(
        new InvokeCommand({
          FunctionName: 'bench-echo',
          Payload: Buffer.from(JSON.stringify({ n: i })),
        }),
      );
    // The in-process side pays for the same JSON round trip a caller's payload goes through.
    const inProcess = async (i: number) =>
      JSON.stringify(await handler(JSON.parse(JSON.stringify({ n: i }))));
    const warm = await compare(requests, { gateway: invoke, inProcess });

    const coldSamples: number[] = [];
    const coldRounds = Math.min(30, Math.max(5, Math.floor(requests / 100)));
    for (let round = 0; round < coldRounds; round++) {
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'bench-echo',
          Environment: { Variables: { ROUND: String(round) } },
        }),
      );
      const started = performance.now();
      await invoke(round);
      coldSamples.push(performance.now() - started);
    }
    coldSamples.sort((a, b) => a - b);
    return {
      warm,
      overheadP50Ms: Number((warm.gateway.p50Ms - warm.inProcess.p50Ms).toFixed(3)),
      cold: {
        samples: coldSamples.length,
        p50Ms: Number(coldSamples[Math.floor(coldSamples.length / 2)]!.toFixed(1)),
        maxMs: Number(coldSamples.at(-1)!.toFixed(1)),
      },
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

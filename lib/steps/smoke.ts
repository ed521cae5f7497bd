import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { callAws } from './aws.js';
import type { RetryOptions } from './aws.js';
import { SmokeError, TimeoutError } from './errors.js';
import { parseObjectLines, priceChart, smokeProblems, tickerSeries } from './records.js';
import type { DeliveredRecord, MalformedLine, TickerSeries } from './records.js';
import { markdownTable } from './report.js';
import type { Clock, Reporter } from './report.js';
import { waitUntil } from './wait.js';

/** The clients smoke uses; Lambda and SQS only for the drill. */
export interface SmokeClients {
  s3: S3Client;
  lambda: LambdaClient;
  sqs: SQSClient;
}

/** Where the deployed pipeline is. */
export interface SmokeTargets {
  bucket: string;
  /** Key prefix of delivered objects (`tickers/`). */
  prefix: string;
  streamingFunction: string;
  /** The queue subscribed to the alert topic; needed for the drill. */
  alertQueueUrl?: string;
}

/** Options of {@link smokeTest}. */
export interface SmokeOptions {
  targets: SmokeTargets;
  tickers: readonly string[];
  ownerName: string;
  /** Objects written before this time are not looked at. */
  since: Date;
  timeoutMs: number;
  drill: boolean;
  /** Pause between looks at the bucket (default 2 s). */
  intervalMs?: number;
  clock: Clock;
  retry?: RetryOptions;
}

/** What smoke proved. */
export interface SmokeResult {
  objects: number;
  records: number;
  /** Seconds from `since` to the first new object. */
  firstObjectSeconds?: number;
  alertReceived: 'true' | 'false' | 'not-tested';
  series: TickerSeries[];
}

/** The default bound of smoke: two schedule periods and a buffer interval, with a margin. */
export function defaultSmokeTimeoutSeconds(config: {
  scheduleMinutes: number;
  deliveryBufferSeconds: number;
}): number {
  return Math.ceil((2 * config.scheduleMinutes * 60 + config.deliveryBufferSeconds) * 1.5 + 60);
}

interface Window {
  keys: string[];
  firstModified?: Date;
  records: DeliveredRecord[];
  malformed: MalformedLine[];
}

/** Every object under the prefix written at or after `since`, read and parsed; `seen` caches bodies. */
async function readWindow(
  s3: S3Client,
  options: SmokeOptions,
  seen: Map<string, ReturnType<typeof parseObjectLines>>,
): Promise<Window> {
  const { bucket, prefix } = options.targets;
  const window: Window = { keys: [], records: [], malformed: [] };
  let token: string | undefined;
  do {
    const page = await callAws(
      { action: 's3:ListBucket', resource: `bucket ${bucket}` },
      () =>
        s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      options.retry,
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || !object.LastModified || object.LastModified < options.since) continue;
      window.keys.push(object.Key);
      if (!window.firstModified || object.LastModified < window.firstModified)
        window.firstModified = object.LastModified;
      let parsed = seen.get(object.Key);
      if (!parsed) {
        const key = object.Key;
        const response = await callAws(
          { action: 's3:GetObject', resource: `s3://${bucket}/${key}` },
          () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
          options.retry,
        );
        parsed = parseObjectLines(key, (await response.Body?.transformToString('utf8')) ?? '');
        seen.set(key, parsed);
      }
      window.records.push(...parsed.records);
      window.malformed.push(...parsed.malformed);
    }
    token = page.NextContinuationToken;
  } while (token);
  return window;
}

// SNS wraps what it delivers to SQS in an envelope (raw delivery is off for the alert queue).
const snsEnvelope = z.object({
  Type: z.string(),
  Message: z.string(),
  Subject: z.string().optional(),
});

/** Invokes the streaming function with `{"drill": true}` and waits for its alert in the queue. */
async function drill(
  clients: SmokeClients,
  options: SmokeOptions,
  reporter: Reporter,
  deadline: number,
): Promise<boolean> {
  const { streamingFunction, alertQueueUrl } = options.targets;
  if (!alertQueueUrl)
    throw new SmokeError(
      'the pipeline stack has no AlertQueueUrl output, so the drill cannot read the alert; deploy the current template first',
    );
  await callAws(
    { action: 'lambda:InvokeFunction', resource: `function ${streamingFunction}` },
    () =>
      clients.lambda.send(
        new InvokeCommand({
          FunctionName: streamingFunction,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ drill: true })),
        }),
      ),
    options.retry,
  );
  reporter.info(`Drill: invoked ${streamingFunction} with {"drill": true}; waiting for the alert`);
  const found = await waitUntil({
    what: 'the drill alert in the alert queue',
    poll: async () => {
      const { Messages } = await callAws(
        { action: 'sqs:ReceiveMessage', resource: alertQueueUrl },
        () =>
          clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: alertQueueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          ),
        options.retry,
      );
      for (const message of Messages ?? []) {
        const envelope = snsEnvelope.safeParse(safeJson(message.Body ?? ''));
        const text = envelope.success
          ? `${envelope.data.Subject ?? ''}\n${envelope.data.Message}`
          : (message.Body ?? '');
        if (message.ReceiptHandle)
          await clients.sqs.send(
            new DeleteMessageCommand({
              QueueUrl: alertQueueUrl,
              ReceiptHandle: message.ReceiptHandle,
            }),
          );
        if (text.includes(options.ownerName) && /drill/i.test(text)) return true;
        reporter.info(
          'Drill: a message in the alert queue that is not the drill alert was skipped',
        );
      }
      return false;
    },
    done: (received) => received,
    timeoutMs: Math.max(0, deadline - options.clock.now()),
    intervalMs: 1_000,
    clock: options.clock,
    reporter,
  });
  reporter.info(`Drill: the alert naming ${options.ownerName} and the drill arrived`);
  return found;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Proves the deployed pipeline works: new objects in the data bucket since `since`, every
 * configured ticker present, each advancing without version gaps, every record well-formed; with
 * `drill`, that a failure reaches the alert topic. Throws {@link SmokeError} saying what is wrong.
 */
export async function smokeTest(
  clients: SmokeClients,
  options: SmokeOptions,
  reporter: Reporter,
): Promise<SmokeResult> {
  const { clock } = options;
  const deadline = clock.now() + options.timeoutMs;
  const seen = new Map<string, ReturnType<typeof parseObjectLines>>();
  let problems: string[] = [];
  let window: Window = { keys: [], records: [], malformed: [] };
  reporter.info(
    `Looking for objects in s3://${options.targets.bucket}/${options.targets.prefix} written since ${options.since.toISOString()}`,
  );
  try {
    await waitUntil({
      what: `every ticker to advance in ${options.targets.bucket}`,
      poll: async () => {
        window = await readWindow(clients.s3, options, seen);
        problems = smokeProblems(options.tickers, tickerSeries(window.records), window.malformed);
        return problems;
      },
      // Malformed records will not mend themselves: stop at once.
      done: (found) => found.length === 0 || window.malformed.length > 0,
      describe: () => `${window.keys.length} object(s), ${window.records.length} record(s)`,
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 2_000,
      clock,
      reporter,
    });
  } catch (error: unknown) {
    if (!(error instanceof TimeoutError)) throw error;
  }
  const series = [...tickerSeries(window.records).values()].sort((a, b) =>
    a.ticker.localeCompare(b.ticker),
  );
  summarise(reporter, series, window);
  if (problems.length > 0)
    throw new SmokeError(
      `the pipeline is not working as it should after ${Math.round(options.timeoutMs / 1000)} s: ${problems.join('; ')}`,
    );
  const firstObjectSeconds = window.firstModified
    ? Math.max(0, Math.round((window.firstModified.getTime() - options.since.getTime()) / 100) / 10)
    : undefined;
  reporter.info(
    `${window.keys.length} object(s), ${window.records.length} record(s): every ticker advanced without gaps`,
  );
  let alertReceived: SmokeResult['alertReceived'] = 'not-tested';
  if (options.drill) {
    try {
      alertReceived = (await drill(clients, options, reporter, deadline)) ? 'true' : 'false';
    } catch (error: unknown) {
      if (!(error instanceof TimeoutError)) throw error;
      throw new SmokeError(
        `the drill alert did not arrive in the alert queue within the timeout: check the notification function's log group and the topic's subscriptions`,
        { cause: error },
      );
    }
  }
  return {
    objects: window.keys.length,
    records: window.records.length,
    ...(firstObjectSeconds === undefined ? {} : { firstObjectSeconds }),
    alertReceived,
    series,
  };
}

function summarise(reporter: Reporter, series: TickerSeries[], window: Window): void {
  const table = markdownTable(
    ['ticker', 'first price', 'last price', 'versions', 'records seen'],
    series.map((s) => [
      s.ticker,
      s.prices[0]!.toFixed(2),
      s.prices.at(-1)!.toFixed(2),
      `${s.versions[0]}–${s.versions.at(-1)}`,
      String(s.records),
    ]),
  );
  reporter.summary(
    [
      `### Smoke: ${window.keys.length} object(s), ${window.records.length} record(s)`,
      series.length > 0 ? table : '_No records in the window._',
      priceChart(series),
    ]
      .filter(Boolean)
      .join('\n\n'),
  );
}

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../../lib/errors.js';
import type { Clock } from '../clock.js';
import type { InvokeResult } from './invoker.js';
import type { FunctionRecord, FunctionStore } from './store.js';

/** Lambda's waits before the first and second retry of a failed asynchronous event. */
export const RETRY_DELAYS_MS = [60_000, 120_000] as const;
/** Defaults of an event invoke config. */
export const ASYNC_DEFAULTS = {
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 21_600,
} as const;

/** Where destination records go: each service's in-process sender. */
export interface DestinationSenders {
  /** Publishes a message to an SNS topic. */
  publishSns(topicArn: string, message: string): Promise<void>;
  /** Sends a message to an SQS queue. */
  sendSqs(queueArn: string, body: string): Promise<void>;
}

/** Thrown by the SQS sender while local AWS has no SQS. */
export class SqsUnavailableError extends Error {
  override name = 'SqsUnavailableError';
}

/** The SQS sender until local SQS is wired in: every send fails, saying why. */
export async function sqsUnavailable(queueArn: string): Promise<void> {
  throw new SqsUnavailableError(
    `SQS is not available in local AWS, so nothing was sent to ${queueArn}`,
  );
}

/**
 * How many of one function's asynchronous events run at once. AWS would start more instances;
 * local AWS runs them in turn (they wait journalled), so that a schedule firing faster than a
 * cold start (`npm start --every 1`) costs one instance, a Node process of about 50 MiB, not several.
 */
export const ASYNC_CONCURRENCY = 1;

/** A function's events running now, and those waiting for one of them to finish. */
interface Lane {
  active: number;
  waiting: (() => void)[];
}

/** One event waiting for its next attempt, as journalled on disk. */
interface PendingEvent {
  requestId: string;
  region: string;
  functionName: string;
  functionArn: string;
  payload: string;
  /** Scaled clock time the event was accepted, for its maximum age. */
  received: number;
  attempts: number;
  /** Scaled clock time of the next attempt. */
  due: number;
  /**
   * Set when the next retry would come after the event's maximum age: the event then fails with
   * EventAgeExceeded when it reaches that age, whatever the timer's rounding at a large time scale.
   */
  expired?: boolean;
}

/** What the async invoker needs from the Lambda service. */
export interface AsyncHost {
  functions: FunctionStore;
  run(record: FunctionRecord, payload: string, requestId: string): Promise<InvokeResult>;
  /** Queues an event for another function (a Lambda destination). */
  enqueue(functionArn: string, payload: string): Promise<void>;
}

/**
 * Asynchronous invocations (`Event`): each event is journalled, run, retried on a function error
 * after Lambda's delays on the shared clock, and, once it succeeds, runs out of retries or gets too
 * old, its invocation record goes to the OnSuccess or OnFailure destination.
 */
export class AsyncInvoker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly lanes = new Map<string, Lane>();
  private closed = false;

  constructor(
    private readonly folder: string,
    private readonly clock: Clock,
    private readonly host: AsyncHost,
    private readonly senders: DestinationSenders,
    private readonly log: (line: string) => void,
  ) {}

  /** Picks up the events a previous run left journalled. */
  async start(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    for (const file of await readdir(this.folder)) {
      if (!file.endsWith('.json')) continue;
      const event = JSON.parse(await readFile(join(this.folder, file), 'utf8')) as PendingEvent;
      // The clock restarts at wall time; wait at most one retry delay for what was due.
      this.schedule(event, Math.min(Math.max(0, event.due - this.clock.now()), RETRY_DELAYS_MS[1]));
    }
  }

  /** Accepts an event for a function; resolves with its request id once it is journalled. */
  async enqueue(record: FunctionRecord, payload: string): Promise<string> {
    const now = this.clock.now();
    const event: PendingEvent = {
      requestId: randomUUID(),
      region: record.region,
      functionName: record.name,
      functionArn: record.arn,
      payload,
      received: now,
      attempts: 0,
      due: now,
    };
    await this.journal(event);
    this.schedule(event, 0);
    return event.requestId;
  }

  private path(event: PendingEvent): string {
    return join(this.folder, `${event.requestId}.json`);
  }

  private async journal(event: PendingEvent): Promise<void> {
    const path = this.path(event);
    await writeFile(`${path}.tmp`, JSON.stringify(event));
    await rename(`${path}.tmp`, path);
  }

  private schedule(event: PendingEvent, delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(event.requestId));
    const fire = () => {
      this.timers.delete(event.requestId);
      const run = this.inTurn(event.functionArn, () => this.attempt(event)).catch(
        (error: unknown) =>
          this.log(
            `lambda: async event ${event.requestId} failed in local AWS: ${messageOf(error)}`,
          ),
      );
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    };
    this.timers.set(event.requestId, this.clock.setTimeout(fire, delayMs));
  }

  /** Runs one of a function's events once fewer than {@link ASYNC_CONCURRENCY} of them run. */
  private async inTurn(functionArn: string, run: () => Promise<void>): Promise<void> {
    let lane = this.lanes.get(functionArn);
    if (!lane) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(functionArn, lane);
    }
    const current = lane;
    // A finishing event hands its place straight to the next, so that none can overtake it.
    if (current.active < ASYNC_CONCURRENCY) current.active++;
    else await new Promise<void>((resolve) => current.waiting.push(resolve));
    try {
      // Closed while it waited: it stays journalled for the next start.
      if (!this.closed) await run();
    } finally {
      const next = current.waiting.shift();
      if (next) next();
      else if (--current.active === 0) this.lanes.delete(functionArn);
    }
  }

  private async attempt(event: PendingEvent): Promise<void> {
    const record = this.host.functions.find(event.region, event.functionName);
    if (!record) {
      this.log(`lambda: dropped async event ${event.requestId}: ${event.functionName} was deleted`);
      await rm(this.path(event), { force: true });
      return;
    }
    const config = { ...ASYNC_DEFAULTS, ...definedOnly(record.eventInvokeConfig) };
    const maxAgeMs = config.maximumEventAgeInSeconds * 1000;
    if (event.expired || this.clock.now() - event.received > maxAgeMs) {
      await this.finish(record, event, 'EventAgeExceeded', undefined);
      return;
    }
    event.attempts += 1;
    const result = await this.host.run(record, event.payload, event.requestId);
    if (!result.functionError) {
      await this.finish(record, event, 'Success', result);
      return;
    }
    if (event.attempts > config.maximumRetryAttempts) {
      await this.finish(record, event, 'RetriesExhausted', result);
      return;
    }
    const delay = event.attempts === 1 ? RETRY_DELAYS_MS[0] : RETRY_DELAYS_MS[1];
    // Past its maximum age the event is not tried again: it fails when it reaches that age.
    const ageLimit = event.received + maxAgeMs + 1 - this.clock.now();
    if (delay >= ageLimit) event.expired = true;
    event.due = this.clock.now() + Math.min(delay, Math.max(0, ageLimit));
    await this.journal(event);
    this.schedule(event, event.due - this.clock.now());
  }

  private async finish(
    record: FunctionRecord,
    event: PendingEvent,
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded',
    result: InvokeResult | undefined,
  ): Promise<void> {
    const destination =
      condition === 'Success'
        ? record.eventInvokeConfig?.onSuccess
        : record.eventInvokeConfig?.onFailure;
    if (condition !== 'Success') {
      this.log(
        `lambda ${record.name}: async event ${event.requestId} failed (${condition}, ${event.attempts} attempts)` +
          (destination ? `; record sent to ${destination}` : ''),
      );
    }
    if (destination) {
      const invocationRecord = {
        version: '1.0',
        timestamp: new Date().toISOString(),
        requestContext: {
          requestId: event.requestId,
          functionArn: `${event.functionArn}:$LATEST`,
          condition,
          approximateInvokeCount: event.attempts,
        },
        requestPayload: parse(event.payload),
        ...(result
          ? {
              responseContext: {
                statusCode: 200,
                executedVersion: '$LATEST',
                ...(result.functionError ? { functionError: result.functionError } : {}),
              },
              responsePayload: parse(result.payload),
            }
          : {}),
      };
      await this.send(destination, JSON.stringify(invocationRecord)).catch((error: unknown) =>
        this.log(
          `lambda ${record.name}: could not send the ${condition} record of ${event.requestId} to ${destination}: ${messageOf(error)}`,
        ),
      );
    }
    await rm(this.path(event), { force: true });
  }

  private send(destination: string, message: string): Promise<void> {
    const service = destination.split(':')[2];
    switch (service) {
      case 'lambda':
        return this.host.enqueue(destination, message);
      case 'sns':
        return this.senders.publishSns(destination, message);
      case 'sqs':
        return this.senders.sendSqs(destination, message);
      default:
        return Promise.reject(
          new Error(
            `local AWS sends destination records to Lambda, SNS and SQS only, not ${service}`,
          ),
        );
    }
  }

  /** Stops scheduling; events not yet done stay journalled for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    // Events waiting their turn end now, unrun (see inTurn).
    for (const lane of this.lanes.values()) {
      for (const next of lane.waiting.splice(0)) {
        lane.active++; // as a handed-on place: each gives its own back
        next();
      }
    }
    await Promise.all(this.running);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}

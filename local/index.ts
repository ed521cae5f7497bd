import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { Clock } from './clock.js';
import { CloudFormationService } from './cloudformation/index.js';
import { DynamoDbService } from './dynamodb/index.js';
import { Faults } from './faults.js';
import type { FaultSettings } from './faults.js';
import { FirehoseService } from './firehose/index.js';
import { createGateway, DEFAULT_TIMEOUTS } from './gateway.js';
import type { GatewayTimeouts } from './gateway.js';
import { IamService } from './iam/index.js';
import { CredentialRegistry } from './identity/credentials.js';
import { LambdaService } from './lambda/index.js';
import type { CodeSource } from './lambda/index.js';
import { LogsService, LogStore } from './logs/index.js';
import { S3Service } from './s3/index.js';
import { SchedulerService } from './scheduler/index.js';
import { SnsService } from './sns/index.js';
import { SqsService } from './sqs/index.js';
import { claimStateDir, clearStateDir, lockStateDir, LocalAwsStartError } from './stateLock.js';
import { StsService } from './sts/index.js';

export { LocalAwsStartError } from './stateLock.js';

/** The port LocalStack users know. */
export const DEFAULT_PORT = 4566;

/** How to start local AWS. */
export interface LocalAwsOptions {
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: local AWS never listens beyond loopback unless told to. */
  host?: string;
  /** Where state lives between runs; default `.local`. */
  stateDir?: string;
  /** Start empty, deleting the state of earlier runs. */
  reset?: boolean;
  /** Faults to inject from the start (the same shape as `PUT /_local/faults`). */
  faults?: FaultSettings;
  /** How long clients may take; defaults suit a developer's machine (`DEFAULT_TIMEOUTS`). */
  timeouts?: Partial<GatewayTimeouts>;
  /** How many times faster than the wall clock every wait runs (buffers, retries, timeouts); default 1. */
  timeScale?: number;
  log?: (line: string) => void;
}

/** A running local AWS. */
export interface LocalAws {
  endpoint: string;
  port: number;
  stateDir: string;
  /** The folder SNS email notifications are written to. */
  outbox: string;
  /** The clock every service waits on (scaled by `timeScale`). */
  clock: Clock;
  /** SQS's in-process API, for local services that send to queues. */
  sqs: SqsService;
  /** IAM's in-process API (roles, policies, OIDC providers), for CloudFormation. */
  iam: IamService;
  /** Who each access key stands for (STS's temporary credentials), for per-request IAM. */
  identity: CredentialRegistry;
  /** Scheduler's in-process API (create, update, get, delete schedules), for CloudFormation. */
  scheduler: SchedulerService;
  /** Flushes Firehose buffers, closes every service and frees the port. */
  stop(): Promise<void>;
}

/** Lambda reads function code through S3's own code path: the store's in-process API. */
function s3CodeSource(s3: S3Service): CodeSource {
  return { getObject: (bucket, key) => s3.store.readObject(bucket, key) };
}

/**
 * Starts DynamoDB, S3, Firehose, SNS, SQS, Lambda, CloudWatch Logs, STS, IAM, EventBridge
 * Scheduler and CloudFormation behind one endpoint.
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  const stateDir = resolve(options.stateDir ?? '.local');
  const log = options.log ?? (() => undefined);
  await claimStateDir(stateDir);
  const unlock = await lockStateDir(stateDir);
  try {
    if (options.reset) await clearStateDir(stateDir);
    return await serve({ ...options, stateDir, host, log, unlock });
  } catch (error: unknown) {
    await unlock();
    throw error;
  }
}

/** Starts the services and the gateway on a locked state folder. */
async function serve(
  options: LocalAwsOptions & {
    stateDir: string;
    host: string;
    log: (line: string) => void;
    unlock: () => Promise<void>;
  },
): Promise<LocalAws> {
  const { stateDir, host, log, unlock } = options;
  const faults = new Faults();
  if (options.faults) faults.set(options.faults);
  const s3 = new S3Service(stateDir);
  await s3.start();
  const dynamodb = new DynamoDbService(stateDir);
  const clock = new Clock(options.timeScale ?? 1);
  const firehose = new FirehoseService(stateDir, s3.store, faults, log, clock);
  let endpoint = '';
  const sqs = new SqsService(stateDir, () => endpoint, clock);
  const sns = new SnsService(stateDir, log, sqs);
  const iam = new IamService(stateDir, clock);
  const credentials = new CredentialRegistry(stateDir, clock);
  const sts = new StsService(iam.store, credentials);
  const logStore = new LogStore(stateDir);
  const logs = new LogsService(logStore);
  const lambda = new LambdaService({
    stateDir,
    logs: logStore,
    code: s3CodeSource(s3),
    senders: {
      publishSns: (topicArn, message) => sns.publishMessage(topicArn, message),
      sendSqs: async (queueArn, body) => {
        await sqs.sendMessage(queueArn, body);
      },
    },
    clock,
    endpoint: () => endpoint,
    log,
  });
  const scheduler = new SchedulerService({
    stateDir,
    clock,
    log,
    targets: {
      invokeAsync: async (functionArn, payload) => lambda.invokeAsync(functionArn, payload),
      sendMessage: (queueArn, body, attributes) => sqs.sendMessage(queueArn, body, attributes),
      publish: (topicArn, message) => sns.publishMessage(topicArn, message),
    },
  });
  const cloudformation = new CloudFormationService({ stateDir, endpoint: () => endpoint, log });
  const closeAll = async () => {
    // Stack operations call the other services: they finish first.
    await cloudformation.close();
    // Schedules stop first: a firing must not reach a function or queue that is closing.
    await scheduler.close();
    await lambda.close();
    await sqs.close();
    await firehose.close();
    await Promise.all([dynamodb.close(), s3.close(), logStore.close()]);
  };
  try {
    await Promise.all([
      firehose.start(),
      sns.start(),
      sqs.start(),
      iam.start(),
      credentials.load(),
      logStore.start(),
      cloudformation.start(),
    ]);
    await lambda.start();
    await scheduler.start();
  } catch (error: unknown) {
    await closeAll();
    throw error;
  }

  const server = createGateway(
    {
      dynamodb,
      s3,
      firehose,
      sns,
      lambda,
      logs,
      sqs,
      sts,
      iam,
      scheduler,
      cloudformation,
      faults,
      timeScale: clock.scale,
    },
    log,
    { ...DEFAULT_TIMEOUTS, ...options.timeouts },
  );
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, resolveListen);
    });
  } catch (error: unknown) {
    await closeAll();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new LocalAwsStartError(
        `port ${options.port ?? DEFAULT_PORT} on ${host} is already in use (is local AWS already running?); ` +
          'stop the other process or choose another with --port or LOCAL_AWS_PORT',
      );
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://${host}:${port}`;
  await lambda.resumeEvents();
  // Schedules fire once functions can reach the endpoint.
  scheduler.resume();
  cloudformation.recover();

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    stateDir,
    outbox: sns.outbox,
    clock,
    sqs,
    iam,
    identity: credentials,
    scheduler,
    stop() {
      stopping ??= (async () => {
        // No firing may start once queues begin to close.
        await scheduler.close();
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        // Idle keep-alive connections would hold the port open; in-flight requests finish first.
        server.closeIdleConnections();
        // Long polls answer (empty) now rather than hold the shutdown for up to 20 s.
        const polls = sqs.close();
        setTimeout(() => sockets.forEach((socket) => socket.destroy()), 2000).unref();
        await closed;
        await polls;
        await closeAll();
        await unlock();
      })();
      return stopping;
    },
  };
}

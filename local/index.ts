import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { messageOf } from '../lib/errors.js';
import { loadEvaluator } from '../lib/iam/evaluate.js';
import { Clock } from './clock.js';
import { inProgress } from './cloudformation/model.js';
import { Faults } from './faults.js';
import type { FaultSettings } from './faults.js';
import { createGateway, DEFAULT_TIMEOUTS } from './gateway.js';
import type { GatewayTimeouts, LocalServices, ServiceName } from './gateway.js';
import { Authorizer } from './iam/authorize.js';
import type { ServiceMapping } from './iam/authorize.js';
import {
  firehoseDeliveryWriter,
  lambdaExecutionRoles,
  schedulerRoles,
} from './iam/serviceRoles.js';
import type { LogStore } from './logs/store.js';
import { ServiceRegistry } from './registry.js';
import { CredentialRegistry } from './identity/credentials.js';
import { claimStateDir, clearStateDir, lockStateDir, LocalAwsStartError } from './stateLock.js';

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

/** Thrown when a service is read through a field before anything started it. */
export class ServiceNotStartedError extends Error {
  override name = 'ServiceNotStartedError';
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
  /** Who each access key stands for (STS's temporary credentials), for per-request IAM. */
  identity: CredentialRegistry;
  /** IAM's decisions on calls made with keys local AWS handed out (and unsigned ones). */
  authorizer: Authorizer;
  /** A service's in-process API, started (module loaded, state read) if this is its first use. */
  service<K extends ServiceName>(name: K): Promise<LocalServices[K]>;
  /** The services started so far, in the order of their first use. */
  started(): ServiceName[];
  /** SQS's in-process API once started ({@link service}); {@link ServiceNotStartedError} before. */
  readonly sqs: LocalServices['sqs'];
  /** IAM's in-process API once started ({@link service}). */
  readonly iam: LocalServices['iam'];
  /** Scheduler's in-process API once started ({@link service}). */
  readonly scheduler: LocalServices['scheduler'];
  /** S3's in-process API once started ({@link service}). */
  readonly s3: LocalServices['s3'];
  /** Glue's in-process API once started ({@link service}). */
  readonly glue: LocalServices['glue'];
  /** Athena's in-process API once started ({@link service}). */
  readonly athena: LocalServices['athena'];
  /** Flushes Firehose buffers, closes every service that started and frees the port. */
  stop(): Promise<void>;
}

/** What the registry starts: the routed services, and the log store Lambda and Logs share. */
type Started = LocalServices & { logStore: LogStore };

/**
 * Starts local AWS: DynamoDB, S3, Firehose, SNS, SQS, Lambda, CloudWatch Logs, STS, IAM, EventBridge
 * Scheduler, CloudFormation, Glue and Athena behind one endpoint, each loaded on its first use.
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

/** Whether a folder holds a file whose name ends so (a missing folder holds none). */
async function holds(folder: string, suffix: string): Promise<boolean> {
  const files = await readdir(folder).catch(() => [] as string[]);
  return files.some((file) => file.endsWith(suffix));
}

/** A JSON state file's document, or undefined when there is none (or it is unreadable: the service says why). */
async function readState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The services whose saved state holds work that runs with no call: armed schedules, journalled
 * asynchronous invocations, buffered Firehose records, interrupted stack operations. Read cheaply
 * (a folder listing, a small JSON file), so that an idle state folder starts nothing.
 */
async function servicesWithPendingWork(stateDir: string): Promise<ServiceName[]> {
  const [schedules, events, streams, stacks] = await Promise.all([
    readState(join(stateDir, 'scheduler', 'state.json')),
    holds(join(stateDir, 'lambda', 'async'), '.json'),
    readdir(join(stateDir, 'firehose')).catch(() => [] as string[]),
    readState(join(stateDir, 'cloudformation', 'stacks.json')),
  ]);
  const pending: ServiceName[] = [];
  const scheduleList = (schedules as { schedules?: unknown[] } | undefined)?.schedules;
  if (Array.isArray(scheduleList) && scheduleList.length > 0) pending.push('scheduler');
  if (events) pending.push('lambda');
  if (streams.length > 0) pending.push('firehose');
  // The same test as CloudFormation's own recovery; model.ts is types and small helpers only.
  if (
    Array.isArray(stacks) &&
    stacks.some(
      (stack: { status?: unknown }) => typeof stack.status === 'string' && inProgress(stack.status),
    )
  )
    pending.push('cloudformation');
  return pending;
}

/** Builds the services' loaders and the gateway on a locked state folder, and listens. */
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
  if (options.faults) {
    const { InvalidFaultsError, parseFaultSettings } = await import('./faultSchema.js');
    try {
      faults.set(parseFaultSettings(options.faults));
    } catch (error: unknown) {
      if (!(error instanceof InvalidFaultsError)) throw error;
      throw new LocalAwsStartError(`invalid faults: ${error.message}`, { cause: error });
    }
  }
  const clock = new Clock(options.timeScale ?? 1);
  let endpoint = '';
  const credentials = new CredentialRegistry(stateDir, clock);
  // Which keys local AWS handed out decides, per request, whether IAM is evaluated at all.
  await credentials.load();

  // Each service says how its requests map to IAM; its loader adds its mapping as it starts (the
  // gateway starts the service called before it asks IAM), with lookups into the service's state.
  const mappings = new Map<ServiceName, ServiceMapping>();
  // Each loader imports its module only when the service is first used: the packages behind it
  // (DuckDB, the AWS SDK clients, dynalite...) load then, not at start.
  const registry: ServiceRegistry<Started> = new ServiceRegistry<Started>({
    s3: {
      start: async () => {
        const [{ S3Service }, { s3Authorization }] = await Promise.all([
          import('./s3/index.js'),
          import('./s3/authorization.js'),
        ]);
        const s3 = new S3Service(stateDir);
        await s3.start();
        mappings.set('s3', s3Authorization(s3.store));
        return s3;
      },
      close: (s3) => s3.close(),
    },
    dynamodb: {
      start: async () => {
        const [{ DynamoDbService }, { DYNAMODB_AUTHORIZATION }] = await Promise.all([
          import('./dynamodb/index.js'),
          import('./dynamodb/authorization.js'),
        ]);
        mappings.set('dynamodb', DYNAMODB_AUTHORIZATION);
        return new DynamoDbService(stateDir);
      },
      close: (dynamodb) => dynamodb.close(),
    },
    sqs: {
      start: async () => {
        const [{ SqsService }, { sqsAuthorization }] = await Promise.all([
          import('./sqs/index.js'),
          import('./sqs/authorization.js'),
        ]);
        const sqs = new SqsService(stateDir, () => endpoint, clock);
        await sqs.start();
        mappings.set(
          'sqs',
          sqsAuthorization((queueArn) => sqs.queuePolicy(queueArn)),
        );
        return sqs;
      },
      close: (sqs) => sqs.close(),
    },
    sns: {
      start: async () => {
        const [{ SnsService }, { snsAuthorization }] = await Promise.all([
          import('./sns/index.js'),
          import('./sns/authorization.js'),
        ]);
        const sns = new SnsService(stateDir, log, {
          sendMessage: async (queueArn, body, attributes) =>
            (await registry.get('sqs')).sendMessage(queueArn, body, attributes),
        });
        await sns.start();
        mappings.set(
          'sns',
          snsAuthorization((topicArn) => sns.topicPolicy(topicArn)),
        );
        return sns;
      },
    },
    iam: {
      start: async () => {
        const [{ IamService }, { IAM_AUTHORIZATION }] = await Promise.all([
          import('./iam/index.js'),
          import('./iam/authorization.js'),
        ]);
        const iam = new IamService(stateDir, clock);
        await iam.start();
        // Roles can now be made and assumed: IAM's evaluator loads meanwhile, so that the first
        // decision (a schedule firing with its role, say) does not wait for it.
        void loadEvaluator().catch((error: unknown) =>
          log(`local IAM: the policy evaluator did not load: ${messageOf(error)}`),
        );
        mappings.set('iam', IAM_AUTHORIZATION);
        return iam;
      },
    },
    sts: {
      start: async () => {
        const [{ StsService }, iam] = await Promise.all([
          import('./sts/index.js'),
          registry.get('iam'),
        ]);
        return new StsService(iam.store, credentials, authorizer);
      },
    },
    logStore: {
      start: async () => {
        const { LogStore } = await import('./logs/store.js');
        const store = new LogStore(stateDir);
        await store.start();
        return store;
      },
      close: (store) => store.close(),
    },
    logs: {
      start: async () => {
        const [{ LogsService }, { LOGS_AUTHORIZATION }, store] = await Promise.all([
          import('./logs/index.js'),
          import('./logs/authorization.js'),
          registry.get('logStore'),
        ]);
        mappings.set('logs', LOGS_AUTHORIZATION);
        return new LogsService(store);
      },
    },
    firehose: {
      start: async () => {
        const [{ FirehoseService }, { FIREHOSE_AUTHORIZATION }] = await Promise.all([
          import('./firehose/index.js'),
          import('./firehose/authorization.js'),
        ]);
        const firehose = new FirehoseService(
          stateDir,
          firehoseDeliveryWriter({
            store: async () => (await registry.get('s3')).store,
            logs: () => registry.get('logStore'),
            authorizer,
            clock,
            log,
          }),
          faults,
          log,
          clock,
        );
        await firehose.start();
        mappings.set('firehose', FIREHOSE_AUTHORIZATION);
        return firehose;
      },
      close: (firehose) => firehose.close(),
    },
    lambda: {
      start: async () => {
        const [{ LambdaService }, { lambdaAuthorization }, logStore] = await Promise.all([
          import('./lambda/index.js'),
          import('./lambda/authorization.js'),
          registry.get('logStore'),
        ]);
        const lambda = new LambdaService({
          roles: lambdaExecutionRoles(authorizer, clock, log),
          stateDir,
          logs: logStore,
          // Lambda reads function code through S3's own code path: the store's in-process API.
          code: {
            getObject: async (bucket, key) =>
              (await registry.get('s3')).store.readObject(bucket, key),
          },
          senders: {
            publishSns: async (topicArn, message) =>
              (await registry.get('sns')).publishMessage(topicArn, message),
            sendSqs: async (queueArn, body) => {
              await (await registry.get('sqs')).sendMessage(queueArn, body);
            },
          },
          clock,
          endpoint: () => endpoint,
          log,
        });
        await lambda.start();
        mappings.set(
          'lambda',
          lambdaAuthorization((functionArn) => lambda.functionPolicy(functionArn)),
        );
        // Services start once the gateway listens, so functions can already reach the endpoint.
        await lambda.resumeEvents();
        return lambda;
      },
      close: (lambda) => lambda.close(),
    },
    scheduler: {
      start: async () => {
        const [{ SchedulerService }, { SCHEDULER_AUTHORIZATION }] = await Promise.all([
          import('./scheduler/index.js'),
          import('./scheduler/authorization.js'),
        ]);
        const scheduler = new SchedulerService({
          stateDir,
          clock,
          log,
          targets: {
            invokeAsync: async (functionArn, payload) =>
              (await registry.get('lambda')).invokeAsync(functionArn, payload),
            sendMessage: async (queueArn, body, attributes) =>
              (await registry.get('sqs')).sendMessage(queueArn, body, attributes),
            publish: async (topicArn, message) =>
              (await registry.get('sns')).publishMessage(topicArn, message),
            permit: schedulerRoles({
              authorizer,
              clock,
              log,
              resourcePolicy: async (arn) =>
                arn.startsWith('arn:aws:lambda:')
                  ? (await registry.get('lambda')).functionPolicy(arn)
                  : arn.startsWith('arn:aws:sns:')
                    ? (await registry.get('sns')).topicPolicy(arn)
                    : (await registry.get('sqs')).queuePolicy(arn),
            }),
          },
        });
        await scheduler.start();
        mappings.set('scheduler', SCHEDULER_AUTHORIZATION);
        // Schedules fire once functions can reach the endpoint (it is known by now).
        scheduler.resume();
        return scheduler;
      },
      close: (scheduler) => scheduler.close(),
    },
    glue: {
      start: async () => {
        const { GlueService } = await import('./glue/index.js');
        const glue = new GlueService(stateDir);
        await glue.start();
        return glue;
      },
    },
    athena: {
      start: async () => {
        const [{ AthenaService }, glue, s3] = await Promise.all([
          import('./athena/index.js'),
          registry.get('glue'),
          registry.get('s3'),
        ]);
        const athena = new AthenaService(stateDir, glue, s3.store);
        await athena.start();
        return athena;
      },
      close: (athena) => athena.close(),
    },
    cloudformation: {
      start: async () => {
        const [{ CloudFormationService }, { CLOUDFORMATION_AUTHORIZATION }] = await Promise.all([
          import('./cloudformation/index.js'),
          import('./cloudformation/authorization.js'),
        ]);
        const cloudformation = new CloudFormationService({
          stateDir,
          endpoint: () => endpoint,
          log,
        });
        await cloudformation.start();
        mappings.set('cloudformation', CLOUDFORMATION_AUTHORIZATION);
        cloudformation.recover();
        return cloudformation;
      },
      close: (cloudformation) => cloudformation.close(),
    },
  });

  const authorizer: Authorizer = new Authorizer(
    async () => (await registry.get('iam')).store,
    credentials,
    (service) => mappings.get(service as ServiceName),
    clock,
    log,
  );

  const closeAll = async () => {
    // Stack operations call the other services: they finish first.
    await registry.close('cloudformation');
    // Schedules stop first: a firing must not reach a function or queue that is closing.
    await registry.close('scheduler');
    await registry.close('lambda');
    await registry.close('sqs');
    await registry.close('firehose');
    await registry.close('athena');
    await Promise.all(
      (['dynamodb', 's3', 'logStore', 'sns', 'iam', 'sts', 'logs', 'glue'] as const).map((name) =>
        registry.close(name),
      ),
    );
  };

  const server = createGateway(
    {
      registry,
      faults,
      authorizer,
      accounts: async (account, userName) => ({
        accountId: account,
        userName,
        ...(await credentials.createUser(account, userName)),
      }),
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

  const closeServer = async () => {
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    // Idle keep-alive connections would hold the port open; in-flight requests finish first.
    server.closeIdleConnections();
    setTimeout(() => sockets.forEach((socket) => socket.destroy()), 2000).unref();
    await closed;
  };
  try {
    // Work saved by an earlier run runs with no call: those services start now, once the
    // endpoint is known; every other one waits for its first use.
    for (const name of await servicesWithPendingWork(stateDir)) await registry.get(name);
  } catch (error: unknown) {
    await closeServer();
    await closeAll();
    throw error;
  }

  const field = <K extends ServiceName>(name: K): LocalServices[K] => {
    const service = registry.started(name);
    if (!service)
      throw new ServiceNotStartedError(
        `local ${name} is not started yet: use await local.service('${name}'), which starts it`,
      );
    return service;
  };
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    stateDir,
    outbox: join(stateDir, 'outbox'),
    clock,
    identity: credentials,
    authorizer,
    service: (name) => registry.get(name),
    started: () => registry.names().filter((name): name is ServiceName => name !== 'logStore'),
    get sqs() {
      return field('sqs');
    },
    get iam() {
      return field('iam');
    },
    get scheduler() {
      return field('scheduler');
    },
    get s3() {
      return field('s3');
    },
    get glue() {
      return field('glue');
    },
    get athena() {
      return field('athena');
    },
    stop() {
      stopping ??= (async () => {
        // No firing may start once queues begin to close.
        await registry.close('scheduler');
        const closed = closeServer();
        // Long polls answer (empty) now rather than hold the shutdown for up to 20 s.
        const polls = registry.started('sqs')?.close();
        await closed;
        await polls;
        await closeAll();
        await unlock();
      })();
      return stopping;
    },
  };
}

import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { Clock } from './clock.js';
import { Faults } from './faults.js';
import type { FaultSettings } from './faults.js';
import { createGateway, DEFAULT_TIMEOUTS } from './gateway.js';
import type { GatewayTimeouts, LocalServices, ServiceName } from './gateway.js';
import { Authorizer } from './iam/authorize.js';
import type { ServiceMapping } from './iam/authorize.js';
import { CredentialRegistry } from './identity/credentials.js';
import { servicesWithPendingWork } from './pendingWork.js';
import { closeServices, createServiceRegistry } from './services.js';
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
  // The authorizer and the services need each other: it reads IAM's store through the registry
  // (on the first decision, long after this), and services that assume roles ask it.
  const authorizer: Authorizer = new Authorizer(
    async () => (await registry.get('iam')).store,
    credentials,
    (service) => mappings.get(service as ServiceName),
    clock,
    log,
  );
  const registry = createServiceRegistry({
    stateDir,
    clock,
    log,
    faults,
    credentials,
    mappings,
    authorizer,
    endpoint: () => endpoint,
  });

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
    await closeServices(registry);
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
        await closeServices(registry);
        await unlock();
      })();
      return stopping;
    },
  };
}

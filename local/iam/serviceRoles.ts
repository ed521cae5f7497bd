import { messageOf } from '../../lib/errors.js';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import type { Clock } from '../clock.js';
import type { ObjectWriter, StreamRecord } from '../firehose/streams.js';
import type { Principal } from '../identity/credentials.js';
import type { ExecutionRoles, SessionKeys } from '../lambda/index.js';
import type { LogStore } from '../logs/store.js';
import { s3Call } from '../s3/authorization.js';
import type { S3Store } from '../s3/S3Store.js';
import { AccessDeniedError } from './authorize.js';
import type { Authorizer } from './authorize.js';

/** How long a service's role session lasts (Lambda's and Firehose's run for hours). */
const SESSION_SECONDS = 12 * 3600;
/** A session is renewed once less than this is left, so that no call runs on an expired one. */
const RENEW_BEFORE_MS = 3600_000;

interface Session {
  principal: Principal;
  keys: SessionKeys;
  expiration: number;
}

/** Thrown when Firehose's role may not write to the bucket (Firehose's `S3.AccessDenied`). */
export class DeliveryAccessDeniedError extends Error {
  override name = 'DeliveryAccessDeniedError';
}

/**
 * Sessions of roles that services take on, keyed by who takes which role; renewed before they
 * expire; undefined for a role local IAM does not have (its work then is not evaluated).
 */
class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly missing = new Set<string>();

  constructor(
    private readonly authorizer: Authorizer,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  async get(
    roleArn: string,
    service: string,
    sessionName: string,
    context: Record<string, string>,
  ): Promise<Session | undefined> {
    const key = `${service}\n${roleArn}\n${sessionName}`;
    const cached = this.sessions.get(key);
    if (cached && cached.expiration - this.clock.now() > RENEW_BEFORE_MS) return cached;
    const issued = await this.authorizer.serviceSession(roleArn, service, sessionName, {
      seconds: SESSION_SECONDS,
      context,
    });
    if (!issued) {
      if (!this.missing.has(key)) {
        this.missing.add(key);
        this.log(
          `local IAM: ${service} acts as ${roleArn}, which local IAM does not have: its calls are not evaluated`,
        );
      }
      return undefined;
    }
    const { principal, credentials } = issued;
    const session: Session = {
      principal,
      keys: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
      expiration: credentials.expiration,
    };
    this.sessions.set(key, session);
    return session;
  }

  /** The session already handed out for this key, if any. */
  current(roleArn: string, service: string, sessionName: string): Session | undefined {
    return this.sessions.get(`${service}\n${roleArn}\n${sessionName}`);
  }
}

/** Lambda's execution roles: a session per function, and its role's say over the function's logs. */
export function lambdaExecutionRoles(
  authorizer: Authorizer,
  clock: Clock,
  log: (line: string) => void,
): ExecutionRoles {
  const sessions = new Sessions(authorizer, clock, log);
  const service = 'lambda.amazonaws.com';
  return {
    session: async (record) =>
      (
        await sessions.get(record.role, service, record.name, {
          'aws:SourceArn': record.arn,
        })
      )?.keys,
    refusal: async (record, action, resource) => {
      const session = sessions.current(record.role, service, record.name);
      if (!session) return undefined;
      return authorizer.refusalFor(session.principal, { action, resource }, record.region);
    },
  };
}

/** What Firehose logs for a delivery its role may not make (its documented `S3.AccessDenied`). */
const ACCESS_DENIED =
  'Access was denied. Ensure that the trust policy for the provided IAM role allows Firehose to assume the role, and the access policy allows access to the S3 bucket.';

interface Logging {
  Enabled?: boolean;
  LogGroupName?: string;
  LogStreamName?: string;
}

/**
 * Firehose's writer: each delivery is made with the stream's role, and one the role may not make
 * fails with S3.AccessDenied, written to the stream's error log (CloudWatchLoggingOptions) and
 * retried by the stream as Firehose retries.
 */
export function firehoseDeliveryWriter(options: {
  /** S3's store, started on the first delivery. */
  store: () => Promise<S3Store>;
  /** The log store, started on the first error log written. */
  logs: () => Promise<LogStore>;
  authorizer: Authorizer;
  clock: Clock;
  log: (line: string) => void;
}): ObjectWriter {
  const { store, logs, authorizer, clock, log } = options;
  const sessions = new Sessions(authorizer, clock, log);

  const errorLog = async (stream: StreamRecord, principal: Principal, bucket: string) => {
    const logging = stream.description.CloudWatchLoggingOptions as Logging | undefined;
    if (!logging?.Enabled || !logging.LogGroupName || !logging.LogStreamName) return;
    const arn = `arn:aws:logs:${stream.region}:${LOCAL_ACCOUNT_ID}:log-group:${logging.LogGroupName}:log-stream:${logging.LogStreamName}`;
    const refused = await authorizer.refusalFor(
      principal,
      { action: 'logs:PutLogEvents', resource: arn },
      stream.region,
    );
    if (refused) {
      log(`firehose ${stream.name}: error log not written: ${refused}`);
      return;
    }
    const message = JSON.stringify({
      deliveryStreamARN: stream.arn,
      destination: `arn:aws:s3:::${bucket}`,
      deliveryStreamVersionId: stream.version,
      message: ACCESS_DENIED,
      errorCode: 'S3.AccessDenied',
    });
    try {
      await (
        await logs()
      ).putLogEvents(stream.region, logging.LogGroupName, logging.LogStreamName, [
        { timestamp: clock.now(), message },
      ]);
    } catch (error: unknown) {
      log(`firehose ${stream.name}: error log not written: ${messageOf(error)}`);
    }
  };

  return {
    putObject: async (input) => {
      const { stream, ...object } = input;
      const s3 = await store();
      if (stream) {
        const session = await sessions
          .get(stream.roleArn, 'firehose.amazonaws.com', `firehose-${stream.name}`.slice(0, 64), {
            'sts:ExternalId': LOCAL_ACCOUNT_ID,
            'aws:SourceArn': stream.arn,
          })
          .catch((error: unknown) => {
            if (!(error instanceof AccessDeniedError)) throw error;
            // A trust policy that refuses Firehose is a failed delivery too, logged and retried.
            log(`firehose ${stream.name}: ${messageOf(error)}`);
            return null;
          });
        if (session === null)
          throw new DeliveryAccessDeniedError(`S3.AccessDenied: ${ACCESS_DENIED}`);
        if (session) {
          const call = s3Call(s3, {
            method: 'PUT',
            rawUrl: `/${encodeURIComponent(object.bucket)}/${object.key.split('/').map(encodeURIComponent).join('/')}`,
            url: new URL('http://127.0.0.1/'),
            headers: {},
            region: stream.region,
            body: Buffer.alloc(0),
          });
          const refused = await authorizer.refusalFor(session.principal, call, stream.region);
          if (refused) {
            await errorLog(stream, session.principal, object.bucket);
            throw new DeliveryAccessDeniedError(`S3.AccessDenied: ${ACCESS_DENIED} (${refused})`);
          }
        }
      }
      return s3.putObject(object);
    },
  };
}

/**
 * Scheduler's roles: each delivery is made with a session of the schedule's role, and one the
 * role may not make is refused ({@link AccessDeniedError}): Scheduler records a failed invoke and
 * retries, then dead-letters, as for any failed delivery.
 */
export function schedulerRoles(options: {
  authorizer: Authorizer;
  clock: Clock;
  log: (line: string) => void;
  /** The target's own policy (a function's AddPermission statements, a topic or queue policy). */
  resourcePolicy: (targetArn: string) => Promise<string | undefined>;
}): (
  schedule: { scheduleArn: string; roleArn: string },
  action: string,
  targetArn: string,
) => Promise<void> {
  const { authorizer, clock, log } = options;
  const sessions = new Sessions(authorizer, clock, log);
  return async (schedule, action, targetArn) => {
    const session = await sessions.get(
      schedule.roleArn,
      'scheduler.amazonaws.com',
      schedule.scheduleArn.split('/').pop()!.slice(0, 64),
      { 'aws:SourceArn': schedule.scheduleArn },
    );
    if (!session) return;
    const policy = await options.resourcePolicy(targetArn);
    const refused = await authorizer.refusalFor(
      session.principal,
      { action, resource: targetArn, ...(policy ? { resourcePolicy: policy } : {}) },
      targetArn.split(':')[3] || 'us-east-1',
    );
    if (refused) throw new AccessDeniedError('AccessDeniedException', refused, 403);
  };
}

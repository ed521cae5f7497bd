import { CredentialsExpiredError, PermissionError, ThrottledError } from './errors.js';
import { systemClock } from './report.js';
import type { Clock } from './report.js';

/** The error names AWS gives an expired or revoked session. */
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);

/** The error names AWS services give throttling. */
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** The error names AWS services give a missing permission. */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
  'AuthorizationErrorException',
]);

/** The `name` of a thrown AWS error (the SDK sets it to the service's error code). */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** What a call is, for messages: the IAM action and the resource it acts on. */
export interface AwsCall {
  /** `cloudformation:CreateChangeSet` */
  action: string;
  resource: string;
}

/** Backoff of {@link callAws} for throttling. */
export interface RetryOptions {
  /** Attempts including the first (default 5). */
  attempts?: number;
  /** Backoff before the second attempt, doubled each time (default 1 s). */
  baseDelayMs?: number;
  clock?: Clock;
}

/**
 * Makes one AWS call, retrying throttling with exponential backoff (beyond the SDK's own
 * retries), and turns expired credentials, throttling that does not pass and missing permissions
 * into errors whose messages say what to do. Anything else is thrown as it came.
 */
export async function callAws<Result>(
  call: AwsCall,
  send: () => Promise<Result>,
  options: RetryOptions = {},
): Promise<Result> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 1_000;
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error: unknown) {
      const name = errorName(error);
      if (name !== undefined && THROTTLED.has(name)) {
        if (attempt < attempts) {
          await clock.sleep(base * 2 ** (attempt - 1));
          continue;
        }
        throw new ThrottledError(
          `AWS throttled ${call.action} on ${call.resource} ${attempts} times in a row; ` +
            'wait a minute and run the job again, or ask for a higher quota if it keeps happening',
          { cause: error },
        );
      }
      if (name !== undefined && EXPIRED.has(name)) {
        throw new CredentialsExpiredError(
          `the AWS credentials expired during ${call.action}; run the job again (the OIDC role ` +
            'session lasts one hour) or raise the role session duration for long deploys',
          { cause: error },
        );
      }
      if (name !== undefined && DENIED.has(name)) {
        throw new PermissionError(call.action, call.resource, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * Whether the SDK's credential provider chain finds any credentials (environment, profile, web
 * identity, container or instance). Only "none found" is false: a chain that finds credentials
 * but fails otherwise (an expired SSO session) is thrown so its reason is seen.
 */
export async function hasCredentials(provider: () => Promise<unknown>): Promise<boolean> {
  try {
    await provider();
    return true;
  } catch (error: unknown) {
    if (errorName(error) === 'CredentialsProviderError') return false;
    throw error;
  }
}

/** The notice for a run without credentials: what to configure. */
export const NO_CREDENTIALS_NOTICE =
  'No AWS credentials found, so this step was skipped. To run it, store the ARN of a deploy ' +
  'role in the repository variable AWS_DEPLOY_ROLE_ARN and let the workflow assume it (aws-actions/configure-aws-credentials ' +
  'with role-to-assume), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';

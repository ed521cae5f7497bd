import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { Clock } from '../clock.js';
import { AwsError } from '../http.js';
import { JsonFile } from '../state.js';

/** The user any key local AWS did not hand out stands for: the account's administrator. */
export const ADMIN_USER = {
  name: 'local-admin',
  arn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local-admin`,
  userId: 'AIDALOCALADMINUSER000',
} as const;

/** Who a request's credentials stand for. */
export interface Principal {
  account: string;
  /** The caller's ARN, as GetCallerIdentity reports it. */
  arn: string;
  userId: string;
  /** For temporary credentials: the role assumed, and the session's name. */
  roleArn?: string;
  sessionName?: string;
  /** For AssumeRoleWithWebIdentity: the token's issuer and its (unverified) claims. */
  webIdentity?: { issuer: string; claims: Record<string, unknown> };
}

/** Temporary credentials as STS hands them out (Expiration in the clock's epoch milliseconds). */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

interface Entry {
  principal: Principal;
  credentials: TemporaryCredentials;
}

/** Thrown when temporary credentials have expired (STS's `ExpiredToken`). */
export class ExpiredTokenError extends AwsError {
  override name = 'ExpiredTokenError';
  constructor(accessKeyId: string) {
    super(
      'ExpiredToken',
      `The security token included in the request is expired (${accessKeyId})`,
      400,
    );
  }
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKey(prefix: string, length: number): string {
  return prefix + [...randomBytes(length)].map((byte) => KEY_ALPHABET[byte % 32]).join('');
}

/**
 * Maps each access key id local STS hands out to the principal it stands for, persisted so that
 * credentials survive a restart (and so that IAM can later be evaluated per request). Keys it
 * did not hand out stand for {@link ADMIN_USER}.
 */
export class CredentialRegistry {
  private entries: Record<string, Entry> = {};

  constructor(
    private readonly stateDir: string,
    private readonly clock: Clock = new Clock(),
  ) {}

  private file(): JsonFile<Record<string, Entry>> {
    return new JsonFile(join(this.stateDir, 'identity', 'credentials.json'), () => ({}));
  }

  /** Loads the credentials handed out by earlier runs. */
  async load(): Promise<void> {
    this.entries = await this.file().read();
  }

  /** Hands out temporary credentials (`ASIA...`) for a principal, valid for `seconds`. */
  async issue(principal: Principal, seconds: number): Promise<TemporaryCredentials> {
    const now = this.clock.now();
    for (const [key, entry] of Object.entries(this.entries)) {
      if (entry.credentials.expiration <= now) delete this.entries[key];
    }
    const credentials: TemporaryCredentials = {
      accessKeyId: randomKey('ASIA', 16),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: now + seconds * 1000,
    };
    this.entries[credentials.accessKeyId] = { principal, credentials };
    await this.file().write(this.entries);
    return credentials;
  }

  /** The principal an access key stands for; {@link ExpiredTokenError} once its time is up. */
  resolve(accessKeyId: string): Principal {
    const entry = this.entries[accessKeyId];
    if (!entry) {
      return { account: LOCAL_ACCOUNT_ID, arn: ADMIN_USER.arn, userId: ADMIN_USER.userId };
    }
    if (entry.credentials.expiration <= this.clock.now()) throw new ExpiredTokenError(accessKeyId);
    return entry.principal;
  }
}

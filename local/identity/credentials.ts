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

/** Long-term keys of a user of another account, as `PUT /_local/accounts` hands them out. */
export interface AccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An account ID: twelve digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/** Long-term keys never expire; JSON has no Infinity, so the largest safe time stands for it. */
const NEVER = Number.MAX_SAFE_INTEGER;

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

  /**
   * Hands out long-term keys (`AKIA...`) for a user of another account, for acting as "another
   * AWS account": the same user name in the same account gets the same keys again.
   */
  async createUser(account: string, userName: string): Promise<AccessKeys & { arn: string }> {
    const arn = `arn:aws:iam::${account}:user/${userName}`;
    const existing = Object.values(this.entries).find(
      (entry) => entry.principal.arn === arn && entry.credentials.expiration === NEVER,
    );
    const credentials = existing?.credentials ?? {
      accessKeyId: randomKey('AKIA', 16),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: '',
      expiration: NEVER,
    };
    if (!existing) {
      const principal: Principal = { account, arn, userId: randomKey('AIDA', 17) };
      this.entries[credentials.accessKeyId] = { principal, credentials };
      await this.file().write(this.entries);
    }
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      arn,
    };
  }

  /** Whether local AWS handed out this key (expired or not): its calls are evaluated. */
  issued(accessKeyId: string): boolean {
    return accessKeyId in this.entries;
  }

  /**
   * The principal keys local AWS handed out stand for, or undefined for any other key (the
   * account's administrator, whose calls IAM does not evaluate); {@link ExpiredTokenError} once
   * their time is up.
   */
  lookup(accessKeyId: string): Principal | undefined {
    const entry = this.entries[accessKeyId];
    if (!entry) return undefined;
    if (entry.credentials.expiration <= this.clock.now()) throw new ExpiredTokenError(accessKeyId);
    return entry.principal;
  }

  /** The principal an access key stands for; {@link ExpiredTokenError} once its time is up. */
  resolve(accessKeyId: string): Principal {
    return (
      this.lookup(accessKeyId) ?? {
        account: LOCAL_ACCOUNT_ID,
        arn: ADMIN_USER.arn,
        userId: ADMIN_USER.userId,
      }
    );
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError } from '../http.js';
import type { Authorizer } from '../iam/authorize.js';
import type { IamStore, Role } from '../iam/index.js';
import type {
  CredentialRegistry,
  Principal,
  TemporaryCredentials,
} from '../identity/credentials.js';
import { requiredParam, serveQueryOperation, toXml, unknownAction } from '../query.js';
import type { XmlValue } from '../query.js';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** STS's operations, by which the gateway tells an unsigned call (a web identity) for STS apart. */
export const STS_ACTIONS = [
  'GetCallerIdentity',
  'AssumeRole',
  'AssumeRoleWithWebIdentity',
] as const;

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/.+/;
const MIN_DURATION = 900;

function validation(value: unknown, field: string, constraint: string): AwsError {
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** The claims of a JWT, read without checking its signature (local AWS trusts every issuer). */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  try {
    if (parts.length !== 3) throw new Error('not three parts');
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw new Error('claims are not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new AwsError(
      'InvalidIdentityToken',
      'The web identity token is not a JWT (header.payload.signature, base64url-encoded JSON claims).',
    );
  }
}

/**
 * The condition keys a web identity brings: `<issuer host/path>:aud`, `:sub` and `:amr`, as IAM
 * names them for an OIDC provider (`token.actions.githubusercontent.com:sub`).
 */
function webIdentityContext(
  issuer: string,
  claims: Record<string, unknown>,
): Record<string, string | string[]> {
  const prefix = issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
  const context: Record<string, string | string[]> = {};
  for (const claim of ['aud', 'sub', 'amr', 'azp'] as const) {
    const value = claims[claim];
    if (typeof value === 'string') context[`${prefix}:${claim}`] = value;
    else if (Array.isArray(value)) context[`${prefix}:${claim}`] = value.map(String);
  }
  return context;
}

function credentialsXml(credentials: TemporaryCredentials): XmlValue {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: new Date(credentials.expiration),
  };
}

/**
 * STS (query protocol), built here: who a key stands for, and temporary credentials for roles in
 * local IAM, once the role's trust policy admits the caller (when given an {@link Authorizer}).
 */
export class StsService {
  constructor(
    private readonly iam: IamStore,
    private readonly credentials: CredentialRegistry,
    private readonly authorizer?: Authorizer,
  ) {}

  /** Serves one STS request; `accessKeyId` is the key that signed it, if any. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    accessKeyId: string | undefined,
    body?: Buffer,
  ): Promise<void> {
    await serveQueryOperation(
      request,
      response,
      { url, namespace: XMLNS, body },
      (action, params) => this.dispatch(action, params, accessKeyId),
    );
  }

  private caller(accessKeyId: string | undefined): Principal {
    if (!accessKeyId)
      throw new AwsError(
        'MissingAuthenticationToken',
        'Request is missing Authentication Token',
        403,
      );
    return this.credentials.resolve(accessKeyId);
  }

  private async dispatch(
    action: string,
    params: URLSearchParams,
    accessKeyId: string | undefined,
  ): Promise<string> {
    switch (action) {
      case 'GetCallerIdentity': {
        const caller = this.caller(accessKeyId);
        return toXml({ Arn: caller.arn, UserId: caller.userId, Account: caller.account });
      }
      case 'AssumeRole': {
        const caller = this.caller(accessKeyId);
        const denied = `User: ${caller.arn} is not authorized to perform: sts:AssumeRole`;
        const role = this.role(params, denied);
        const externalId = params.get('ExternalId');
        await this.checkTrust(role, caller.arn, 'sts:AssumeRole', denied, {
          identity: caller,
          context: externalId === null ? {} : { 'sts:ExternalId': externalId },
        });
        const { principal, credentials } = await this.assume(role, params);
        return toXml({
          Credentials: credentialsXml(credentials),
          AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
        });
      }
      case 'AssumeRoleWithWebIdentity': {
        const claims = jwtClaims(requiredParam(params, 'WebIdentityToken'));
        const denied = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
        const role = this.role(params, denied);
        const issuer = typeof claims.iss === 'string' ? claims.iss : '';
        const provider = this.iam.providerForIssuer(issuer);
        if (this.authorizer && !provider)
          throw new AwsError(
            'InvalidIdentityToken',
            `No OpenIDConnect provider found in your account for ${issuer || '(a token with no iss)'}`,
          );
        if (provider)
          await this.checkTrust(role, provider.arn, 'sts:AssumeRoleWithWebIdentity', denied, {
            context: {},
            providerContext: webIdentityContext(issuer, claims),
          });
        const { principal, credentials } = await this.assume(role, params, { issuer, claims });
        const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
        return toXml({
          Credentials: credentialsXml(credentials),
          SubjectFromWebIdentityToken: typeof claims.sub === 'string' ? claims.sub : undefined,
          AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
          Provider: this.iam.providerForIssuer(issuer)?.arn ?? (issuer || undefined),
          Audience: typeof audience === 'string' ? audience : undefined,
        });
      }
      default:
        throw unknownAction(action);
    }
  }

  /** Refuses, as STS does, a caller the role's trust policy does not admit. */
  private async checkTrust(
    role: Role,
    principal: string,
    action: 'sts:AssumeRole' | 'sts:AssumeRoleWithWebIdentity',
    denied: string,
    options: {
      identity?: Principal;
      context: Record<string, string | string[]>;
      providerContext?: Record<string, string | string[]>;
    },
  ): Promise<void> {
    if (!this.authorizer) return;
    const decision = await this.authorizer.trusts(role, principal, action, options);
    if (decision.allowed) return;
    this.authorizer.refuse(principal, { action, resource: role.arn }, decision);
    throw new AwsError('AccessDenied', `${denied} on resource: ${role.arn}`, 403);
  }

  /** The role named by RoleArn; AccessDenied, as AWS answers, when local IAM has no such role. */
  private role(params: URLSearchParams, denied: string): Role {
    const roleArn = requiredParam(params, 'RoleArn');
    if (roleArn.length < 20 || !ROLE_ARN.test(roleArn))
      throw validation(
        roleArn,
        'roleArn',
        'Member must be a role ARN such as arn:aws:iam::000000000000:role/name',
      );
    const role = this.iam.roleByArn(roleArn);
    if (!role) throw new AwsError('AccessDenied', `${denied} on resource: ${roleArn}`, 403);
    return role;
  }

  /** Issues credentials for a session of the role, recording who they stand for. */
  private async assume(
    role: Role,
    params: URLSearchParams,
    webIdentity?: Principal['webIdentity'],
  ): Promise<{ principal: Principal; credentials: TemporaryCredentials }> {
    const sessionName = requiredParam(params, 'RoleSessionName');
    if (!SESSION_NAME.test(sessionName))
      throw validation(
        sessionName,
        'roleSessionName',
        'Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64',
      );
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    if (!Number.isInteger(duration) || duration < MIN_DURATION)
      throw validation(
        duration,
        'durationSeconds',
        `Member must have value greater than or equal to ${MIN_DURATION}`,
      );
    if (duration > role.maxSessionDuration)
      throw new AwsError(
        'ValidationError',
        `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${role.maxSessionDuration}).`,
      );
    const principal: Principal = {
      account: LOCAL_ACCOUNT_ID,
      arn: `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${role.name}/${sessionName}`,
      userId: `${role.id}:${sessionName}`,
      roleArn: role.arn,
      sessionName,
      webIdentity,
    };
    return { principal, credentials: await this.credentials.issue(principal, duration) };
  }
}

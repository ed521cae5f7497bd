import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { messageOf } from '../../lib/errors.js';
import { ANONYMOUS, evaluateAccess, PolicyEvaluationError } from '../../lib/iam/evaluate.js';
import type { AccessDecision, NamedPolicy, PolicyDocument } from '../../lib/iam/evaluate.js';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import type { Clock } from '../clock.js';
import { AwsError, keepBody, readBody } from '../http.js';
import type {
  CredentialRegistry,
  Principal,
  TemporaryCredentials,
} from '../identity/credentials.js';
import type { IamStore, Role } from './store.js';

/** One IAM decision a request needs: the action, the resource, and what the resource says. */
export interface IamCall {
  /** `dynamodb:UpdateItem`, `s3:GetObject`... */
  action: string;
  /** The resource's ARN, or `*` for actions on no resource (ListTables). */
  resource: string;
  /** Condition keys of the request itself (`s3:prefix`...). */
  context?: Record<string, string | string[]>;
  /** The resource's own policy as JSON text (bucket, topic, queue, function policy). */
  resourcePolicy?: string;
  /** S3's RestrictPublicBuckets for the bucket. */
  restrictPublicBuckets?: boolean;
}

/** A request as a service's mapping reads it, before the service runs. */
export interface ServiceRequest {
  method: string;
  /** The path and query exactly as sent (S3 reads keys raw). */
  rawUrl: string;
  url: URL;
  headers: IncomingHttpHeaders;
  region: string;
  /** The body, for services whose mapping reads it. */
  body: Buffer;
}

/** How one service's requests map to IAM calls, and how it answers a refusal. */
export interface ServiceMapping {
  /** Whether the action or resource is in the body (JSON and query protocols). */
  readsBody: boolean;
  /** The calls one request makes (a batch may touch several tables). */
  calls(request: ServiceRequest): IamCall[];
  /** AWS's error code and status for a refusal in this service. */
  denied: { code: string; status: number };
}

/** Who makes a call that IAM evaluates: a principal local AWS handed keys to, or nobody. */
export type Caller = { kind: 'anonymous' } | { kind: 'principal'; principal: Principal };

/** A refusal, as `GET /_local/iam/decisions` lists it. */
export interface Refusal {
  time: string;
  principal: string;
  action: string;
  resource: string;
  /** Which statement denied, or which policy failed to allow. */
  reason: string;
  /** The message the caller got. */
  message: string;
}

/** A refusal in the service's own error shape (query, JSON or REST-XML), naming who and what. */
export class AccessDeniedError extends AwsError {
  override name = 'AccessDeniedError';
}

/** Other accounts' users administer their own account: only the resource's side can refuse them. */
const ADMINISTRATOR_ACCESS: NamedPolicy = {
  name: 'AdministratorAccess',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** How many refusals `GET /_local/iam/decisions` keeps. */
const REFUSALS_KEPT = 200;
/** Cached decisions before the cache starts afresh (a bound on memory, not a tuning knob). */
const CACHE_LIMIT = 10_000;

/** The name AWS's messages give a caller. */
export function callerName(caller: Caller): string {
  return caller.kind === 'anonymous' ? 'anonymous' : caller.principal.arn;
}

/** AWS's message for a refusal ("User: arn is not authorized to perform: a on resource: r ..."). */
export function deniedMessage(
  name: string,
  call: { action: string; resource: string },
  decision: AccessDecision & { allowed: false },
): string {
  const kind = decision.deniedBy.includes('resource') ? 'resource-based' : 'identity-based';
  const why = decision.explicit
    ? `with an explicit deny in a${kind === 'identity-based' ? 'n' : ''} ${kind} policy`
    : `because no ${kind} policy allows the ${call.action} action`;
  return `User: ${name} is not authorized to perform: ${call.action} on resource: ${call.resource} ${why}`;
}

function parsePolicy(text: string): PolicyDocument {
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch {
    // A policy IAM accepted is JSON; one that is not cannot allow anything.
    return { Version: '2012-10-17', Statement: [] };
  }
}

/**
 * Decides each call made with credentials local AWS handed out (role sessions, other accounts'
 * users) or with none (anonymous), as IAM would: the principal's identity policies from local
 * IAM, the resource's policy, explicit denies first, cross-account calls needing both sides.
 * Keys local AWS did not hand out are the account's administrator and are never evaluated.
 */
export class Authorizer {
  private readonly cache = new Map<string, AccessDecision>();
  private readonly refusals: Refusal[] = [];
  private readonly policies = new Map<string, { revision: number; list: NamedPolicy[] }>();

  constructor(
    /** Local IAM's store, started on the first decision (most runs never evaluate a call). */
    private readonly iamStore: () => Promise<IamStore>,
    private readonly credentials: CredentialRegistry,
    /** A service's mapping, asked for once the service called has started. */
    private readonly mappings: (service: string) => ServiceMapping | undefined,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether calls signed with this key are evaluated (the admin fast path skips them otherwise). */
  evaluates(accessKeyId: string): boolean {
    return this.credentials.issued(accessKeyId);
  }

  /**
   * Who a request's key stands for; undefined for the administrator (any key local AWS did not
   * hand out), whose calls are not evaluated. No key at all is the anonymous caller.
   */
  callerOf(accessKeyId: string | undefined): Caller | undefined {
    if (accessKeyId === undefined) return { kind: 'anonymous' };
    const principal = this.credentials.lookup(accessKeyId);
    return principal ? { kind: 'principal', principal } : undefined;
  }

  /**
   * Refuses a request its caller may not make, in the service's error shape; returns the body
   * when it had to read it (kept for the service's own read too).
   */
  async authorize(
    caller: Caller,
    service: string,
    request: IncomingMessage,
    url: URL,
    region: string,
    read?: Buffer,
  ): Promise<Buffer | undefined> {
    const mapping = this.mappings(service);
    if (!mapping) {
      throw new AccessDeniedError(
        'AccessDenied',
        `User: ${callerName(caller)} is not authorized to call ${service}: local AWS does not evaluate IAM for it, so only the administrator's keys may`,
        403,
      );
    }
    let body = read;
    if (mapping.readsBody && body === undefined) {
      body = await readBody(request);
      keepBody(request, body);
    }
    const calls = mapping.calls({
      method: request.method ?? 'GET',
      rawUrl: request.url ?? '/',
      url,
      headers: request.headers,
      region,
      body: body ?? Buffer.alloc(0),
    });
    for (const call of calls) {
      const decision = await this.decide(caller, call, region);
      if (!decision.allowed) {
        throw new AccessDeniedError(
          mapping.denied.code,
          this.refuse(callerName(caller), call, decision),
          mapping.denied.status,
        );
      }
    }
    return body;
  }

  /** Records a refusal (for `/_local/iam/decisions`) and returns AWS's message for it. */
  refuse(
    name: string,
    call: { action: string; resource: string },
    decision: AccessDecision & { allowed: false },
  ): string {
    const message = deniedMessage(name, call, decision);
    this.refusals.push({
      time: new Date(this.clock.now()).toISOString(),
      principal: name,
      action: call.action,
      resource: call.resource,
      reason: decision.reason,
      message,
    });
    if (this.refusals.length > REFUSALS_KEPT) this.refusals.shift();
    return message;
  }

  /** The most recent refusals, oldest first. */
  decisions(): Refusal[] {
    return [...this.refusals];
  }

  /** Decides one call (cached per principal, call, context and policy revision). */
  async decide(caller: Caller, call: IamCall, region = 'us-east-1'): Promise<AccessDecision> {
    const context = { ...contextOf(caller, region), ...call.context };
    const iam = await this.iamStore();
    const key = [
      callerName(caller),
      call.action,
      call.resource,
      JSON.stringify(context),
      iam.revision,
      call.resourcePolicy ?? '',
      call.restrictPublicBuckets ?? '',
    ].join('\n');
    const cached = this.cache.get(key);
    if (cached) return cached;
    let decision: AccessDecision;
    try {
      decision = await evaluateAccess(
        {
          identityPolicies:
            caller.kind === 'principal' ? this.identityPolicies(iam, caller.principal) : [],
          ...(call.resourcePolicy ? { resourcePolicy: parsePolicy(call.resourcePolicy) } : {}),
        },
        {
          principal: caller.kind === 'principal' ? caller.principal.arn : ANONYMOUS,
          action: call.action,
          resource: call.resource,
          resourceAccount: accountOf(call.resource) ?? LOCAL_ACCOUNT_ID,
          context,
          ...(call.restrictPublicBuckets === undefined
            ? {}
            : { restrictPublicBuckets: call.restrictPublicBuckets }),
        },
      );
    } catch (error: unknown) {
      if (!(error instanceof PolicyEvaluationError)) throw error;
      // Refused, not failed: a call local AWS cannot evaluate must not pass unchecked.
      this.log(`local IAM: ${messageOf(error)}`);
      decision = { allowed: false, explicit: false, reason: messageOf(error), deniedBy: [] };
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, decision);
    return decision;
  }

  /**
   * Decides whether a role's trust policy lets a principal assume it: a caller's session or user,
   * a service (`lambda.amazonaws.com`) or a web identity's provider, with the request's context.
   */
  async trusts(
    role: Role,
    principal: string,
    action: 'sts:AssumeRole' | 'sts:AssumeRoleWithWebIdentity',
    options: {
      identity?: Principal;
      context?: Record<string, string | string[]>;
      /** A web identity's claims as condition keys (`token.actions.githubusercontent.com:sub`). */
      providerContext?: Record<string, string | string[]>;
    } = {},
  ): Promise<AccessDecision> {
    const iam = await this.iamStore();
    try {
      return await evaluateAccess(
        {
          identityPolicies: options.identity ? this.identityPolicies(iam, options.identity) : [],
          resourcePolicy: parsePolicy(role.assumeRolePolicyDocument),
        },
        {
          principal,
          action,
          resource: role.arn,
          resourceAccount: LOCAL_ACCOUNT_ID,
          context: {
            'aws:SecureTransport': 'true',
            ...(options.identity ? principalContext(options.identity) : {}),
            ...options.context,
          },
          ...(options.providerContext ? { providerContext: options.providerContext } : {}),
        },
      );
    } catch (error: unknown) {
      if (!(error instanceof PolicyEvaluationError)) throw error;
      return { allowed: false, explicit: false, reason: messageOf(error), deniedBy: [] };
    }
  }

  /**
   * Hands out credentials for a session of a role that a service (`lambda.amazonaws.com`) takes on
   * for its own work, after the role's trust policy admits the service. Undefined when local IAM
   * has no such role; a refusal ({@link AccessDeniedError}) when the trust policy does not admit it.
   */
  async serviceSession(
    roleArn: string,
    service: string,
    sessionName: string,
    options: { seconds: number; context?: Record<string, string> },
  ): Promise<{ principal: Principal; credentials: TemporaryCredentials } | undefined> {
    const role = (await this.iamStore()).roleByArn(roleArn);
    if (!role) return undefined;
    const decision = await this.trusts(role, service, 'sts:AssumeRole', {
      context: { 'aws:SourceAccount': LOCAL_ACCOUNT_ID, ...options.context },
    });
    if (!decision.allowed) {
      const message = this.refuse(
        service,
        { action: 'sts:AssumeRole', resource: roleArn },
        decision,
      );
      throw new AccessDeniedError('AccessDenied', message, 403);
    }
    const principal: Principal = {
      account: LOCAL_ACCOUNT_ID,
      arn: `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${role.name}/${sessionName}`,
      userId: `${role.id}:${sessionName}`,
      roleArn: role.arn,
      sessionName,
    };
    return { principal, credentials: await this.credentials.issue(principal, options.seconds) };
  }

  /**
   * Whether a role session may make a call (for work a service does with a role: Lambda's logs,
   * Firehose's deliveries); the refusal's message, recorded, when it may not.
   */
  async refusalFor(
    principal: Principal,
    call: IamCall,
    region: string,
  ): Promise<string | undefined> {
    const caller: Caller = { kind: 'principal', principal };
    const decision = await this.decide(caller, call, region);
    return decision.allowed ? undefined : this.refuse(principal.arn, call, decision);
  }

  /** A role's inline and attached managed policies (AWS managed ones local IAM lacks are skipped). */
  private identityPolicies(iam: IamStore, principal: Principal): NamedPolicy[] {
    if (principal.account !== LOCAL_ACCOUNT_ID) return [ADMINISTRATOR_ACCESS];
    if (!principal.roleArn) return [ADMINISTRATOR_ACCESS];
    const cached = this.policies.get(principal.roleArn);
    if (cached?.revision === iam.revision) return cached.list;
    const role = iam.roleByArn(principal.roleArn);
    const list: NamedPolicy[] = [];
    if (role) {
      for (const [name, text] of Object.entries(role.inlinePolicies))
        list.push({ name, document: parsePolicy(text) });
      for (const arn of role.attachedPolicies) {
        const policy = iam.findManagedPolicy(arn);
        const version = policy?.versions.find((each) => each.id === policy.defaultVersionId);
        if (version) list.push({ name: policy!.name, document: parsePolicy(version.document) });
      }
    }
    this.policies.set(principal.roleArn, { revision: iam.revision, list });
    return list;
  }
}

function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The global condition keys a principal brings to each of its requests. */
function principalContext(principal: Principal): Record<string, string> {
  return {
    'aws:PrincipalArn': principal.roleArn ?? principal.arn,
    'aws:PrincipalAccount': principal.account,
    'aws:PrincipalType': principal.roleArn ? 'AssumedRole' : 'User',
    'aws:userid': principal.userId,
    ...(principal.roleArn ? {} : { 'aws:username': principal.arn.split('/').pop() ?? '' }),
  };
}

/**
 * The condition keys of a request. Local AWS listens on loopback HTTP, which no one else can read,
 * so it counts as secure transport: the project's bucket policies deny non-TLS requests.
 */
function contextOf(caller: Caller, region: string): Record<string, string> {
  return {
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': region,
    ...(caller.kind === 'principal' ? principalContext(caller.principal) : {}),
  };
}

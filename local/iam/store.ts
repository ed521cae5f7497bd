import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { Clock } from '../clock.js';
import { AwsError } from '../http.js';
import { JsonFile } from '../state.js';

/** An IAM error (query protocol code, HTTP status). */
export class IamError extends AwsError {
  override name = 'IamError';
}

/** Thrown for a role, policy or provider that does not exist. */
export class NoSuchEntityError extends IamError {
  override name = 'NoSuchEntityError';
  constructor(message: string) {
    super('NoSuchEntity', message, 404);
  }
}

/** A tag as IAM lists them. */
export interface Tag {
  Key: string;
  Value: string;
}

/** A role as stored. */
export interface Role {
  name: string;
  id: string;
  arn: string;
  path: string;
  created: number;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Tag[];
  /** Inline policies by name. */
  inlinePolicies: Record<string, string>;
  /** Managed policy ARNs attached. */
  attachedPolicies: string[];
}

/** A customer managed policy as stored, with its versions. */
export interface ManagedPolicy {
  name: string;
  id: string;
  arn: string;
  path: string;
  description?: string;
  created: number;
  updated: number;
  defaultVersionId: string;
  versions: { id: string; document: string; created: number }[];
  nextVersion: number;
  tags: Tag[];
}

/** An OpenID Connect identity provider as stored. */
export interface OidcProvider {
  arn: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  created: number;
  tags: Tag[];
}

interface IamState {
  roles: Role[];
  policies: ManagedPolicy[];
  providers: OidcProvider[];
}

const NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const PATH = /^\/([\x21-\x7E]{0,510}\/)?$/;
const MAX_POLICY_VERSIONS = 5;

/** AWS's unique ids: a four-letter prefix by kind and 17 characters. */
function uniqueId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...randomBytes(17)].map((byte) => alphabet[byte % 32]).join('');
}

/** IAM's ValidationError, in AWS's "1 validation error detected" wording. */
export function validationError(value: unknown, field: string, constraint: string): IamError {
  return new IamError(
    'ValidationError',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function checkName(value: string, field: string, pattern = NAME, max = 64): void {
  if (!pattern.test(value))
    throw validationError(
      value,
      field,
      `Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and ${max}`,
    );
}

function checkPath(path: string): void {
  if (!PATH.test(path))
    throw validationError(
      path,
      'path',
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
}

/** Checks a policy document is a JSON object with statements, as IAM's parser first does. */
export function checkPolicyDocument(document: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new IamError('MalformedPolicyDocument', 'This policy contains invalid Json');
  }
  const statement = (parsed as { Statement?: unknown } | null)?.Statement;
  if (typeof parsed !== 'object' || parsed === null || typeof statement !== 'object' || !statement)
    throw new IamError('MalformedPolicyDocument', 'Syntax errors in policy: it needs a Statement.');
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, tag);
  if (byKey.size > 50)
    throw new IamError(
      'LimitExceeded',
      'The number of tags has reached the maximum limit of 50.',
      409,
    );
  return [...byKey.values()];
}

/**
 * Local IAM's roles, managed policies and OpenID Connect providers: recorded and returned, not
 * enforced. The typed API is what the query protocol, STS and (later) CloudFormation call.
 */
export class IamStore {
  private state: IamState = { roles: [], policies: [], providers: [] };
  /** Bumped on every change, so that cached IAM decisions know when policies changed. */
  revision = 0;

  constructor(
    private readonly stateDir: string,
    private readonly clock: Clock = new Clock(),
  ) {}

  private file(): JsonFile<IamState> {
    return new JsonFile(join(this.stateDir, 'iam', 'iam.json'), () => ({
      roles: [],
      policies: [],
      providers: [],
    }));
  }

  /** Loads what the previous run saved. */
  async load(): Promise<void> {
    this.state = await this.file().read();
    this.revision += 1;
  }

  private save(): Promise<void> {
    this.revision += 1;
    return this.file().write(this.state);
  }

  private now(): number {
    return this.clock.now();
  }

  // Roles

  /** Creates a role; `EntityAlreadyExists` when the name is taken. */
  async createRole(input: {
    name: string;
    assumeRolePolicyDocument: string;
    path?: string;
    description?: string;
    maxSessionDuration?: number;
    permissionsBoundary?: string;
    tags?: Tag[];
  }): Promise<Role> {
    checkName(input.name, 'roleName');
    const path = input.path ?? '/';
    checkPath(path);
    checkPolicyDocument(input.assumeRolePolicyDocument);
    const maxSessionDuration = input.maxSessionDuration ?? 3600;
    this.checkSessionDuration(maxSessionDuration);
    if (this.findRole(input.name))
      throw new IamError(
        'EntityAlreadyExists',
        `Role with name ${input.name} already exists.`,
        409,
      );
    const role: Role = {
      name: input.name,
      id: uniqueId('AROA'),
      arn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role${path}${input.name}`,
      path,
      created: this.now(),
      assumeRolePolicyDocument: input.assumeRolePolicyDocument,
      description: input.description,
      maxSessionDuration,
      permissionsBoundary: input.permissionsBoundary,
      tags: mergeTags([], input.tags ?? []),
      inlinePolicies: {},
      attachedPolicies: [],
    };
    this.state.roles.push(role);
    await this.save();
    return role;
  }

  private checkSessionDuration(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 43200)
      throw validationError(
        seconds,
        'maxSessionDuration',
        'Member must have value between 3600 and 43200',
      );
  }

  private findRole(name: string): Role | undefined {
    return this.state.roles.find((role) => role.name === name);
  }

  /** The role of that name, or {@link NoSuchEntityError}. */
  getRole(name: string): Role {
    const role = this.findRole(name);
    if (!role) throw new NoSuchEntityError(`The role with name ${name} cannot be found.`);
    return role;
  }

  /** The role an ARN names, if it exists (STS's AssumeRole looks roles up this way). */
  roleByArn(roleArn: string): Role | undefined {
    return this.state.roles.find((role) => role.arn === roleArn);
  }

  /** Roles whose path starts with a prefix, by name. */
  listRoles(pathPrefix = '/'): Role[] {
    return this.state.roles
      .filter((role) => role.path.startsWith(pathPrefix))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deletes a role; `DeleteConflict` while it has inline or attached policies. */
  async deleteRole(name: string): Promise<void> {
    const role = this.getRole(name);
    if (Object.keys(role.inlinePolicies).length > 0)
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must delete policies first.',
        409,
      );
    if (role.attachedPolicies.length > 0)
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must detach all policies first.',
        409,
      );
    this.state.roles = this.state.roles.filter((other) => other !== role);
    await this.save();
  }

  /** UpdateRole: description and maximum session duration. */
  async updateRole(
    name: string,
    changes: { description?: string; maxSessionDuration?: number },
  ): Promise<void> {
    const role = this.getRole(name);
    if (changes.maxSessionDuration !== undefined) {
      this.checkSessionDuration(changes.maxSessionDuration);
      role.maxSessionDuration = changes.maxSessionDuration;
    }
    if (changes.description !== undefined) role.description = changes.description;
    await this.save();
  }

  /** Replaces a role's trust policy (recorded; STS does not enforce it yet). */
  async updateAssumeRolePolicy(name: string, document: string): Promise<void> {
    const role = this.getRole(name);
    checkPolicyDocument(document);
    role.assumeRolePolicyDocument = document;
    await this.save();
  }

  /** Adds or replaces an inline policy. */
  async putRolePolicy(name: string, policyName: string, document: string): Promise<void> {
    const role = this.getRole(name);
    checkName(policyName, 'policyName', POLICY_NAME, 128);
    checkPolicyDocument(document);
    role.inlinePolicies[policyName] = document;
    await this.save();
  }

  /** An inline policy's document. */
  getRolePolicy(name: string, policyName: string): string {
    const document = this.getRole(name).inlinePolicies[policyName];
    if (document === undefined)
      throw new NoSuchEntityError(`The role policy with name ${policyName} cannot be found.`);
    return document;
  }

  /** Deletes an inline policy. */
  async deleteRolePolicy(name: string, policyName: string): Promise<void> {
    this.getRolePolicy(name, policyName);
    delete this.getRole(name).inlinePolicies[policyName];
    await this.save();
  }

  /** Attaches a managed policy: AWS managed ones by ARN, customer ones when they exist. */
  async attachRolePolicy(name: string, policyArn: string): Promise<void> {
    const role = this.getRole(name);
    const awsManaged = policyArn.startsWith('arn:aws:iam::aws:policy/');
    if (!awsManaged && !this.findPolicy(policyArn))
      throw new NoSuchEntityError(`Policy ${policyArn} does not exist or is not attachable.`);
    if (!role.attachedPolicies.includes(policyArn)) role.attachedPolicies.push(policyArn);
    await this.save();
  }

  /** Detaches a managed policy. */
  async detachRolePolicy(name: string, policyArn: string): Promise<void> {
    const role = this.getRole(name);
    if (!role.attachedPolicies.includes(policyArn))
      throw new NoSuchEntityError(`Policy ${policyArn} was not found.`);
    role.attachedPolicies = role.attachedPolicies.filter((arn) => arn !== policyArn);
    await this.save();
  }

  /** Adds tags to a role (a tag with the same key is replaced). */
  async tagRole(name: string, tags: Tag[]): Promise<void> {
    const role = this.getRole(name);
    role.tags = mergeTags(role.tags, tags);
    await this.save();
  }

  /** Removes tags from a role by key. */
  async untagRole(name: string, keys: string[]): Promise<void> {
    const role = this.getRole(name);
    role.tags = role.tags.filter((tag) => !keys.includes(tag.Key));
    await this.save();
  }

  // Managed policies

  private findPolicy(policyArn: string): ManagedPolicy | undefined {
    return this.state.policies.find((policy) => policy.arn === policyArn);
  }

  /** The customer managed policy an ARN names, or {@link NoSuchEntityError}. */
  getPolicy(policyArn: string): ManagedPolicy {
    const policy = this.findPolicy(policyArn);
    if (!policy) throw new NoSuchEntityError(`Policy ${policyArn} was not found.`);
    return policy;
  }

  /** The managed policy of that ARN, if local IAM has it (AWS managed policies it has not). */
  findManagedPolicy(policyArn: string): ManagedPolicy | undefined {
    return this.findPolicy(policyArn);
  }

  /** How many roles a managed policy is attached to. */
  attachmentCount(policyArn: string): number {
    return this.state.roles.filter((role) => role.attachedPolicies.includes(policyArn)).length;
  }

  /** Customer managed policies whose path starts with a prefix. */
  listPolicies(pathPrefix = '/', onlyAttached = false): ManagedPolicy[] {
    return this.state.policies
      .filter((policy) => policy.path.startsWith(pathPrefix))
      .filter((policy) => !onlyAttached || this.attachmentCount(policy.arn) > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates a customer managed policy with its first version, v1. */
  async createPolicy(input: {
    name: string;
    document: string;
    path?: string;
    description?: string;
    tags?: Tag[];
  }): Promise<ManagedPolicy> {
    checkName(input.name, 'policyName', POLICY_NAME, 128);
    const path = input.path ?? '/';
    checkPath(path);
    checkPolicyDocument(input.document);
    const policyArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:policy${path}${input.name}`;
    if (this.findPolicy(policyArn))
      throw new IamError(
        'EntityAlreadyExists',
        `A policy called ${input.name} already exists. Duplicate names are not allowed.`,
        409,
      );
    const now = this.now();
    const policy: ManagedPolicy = {
      name: input.name,
      id: uniqueId('ANPA'),
      arn: policyArn,
      path,
      description: input.description,
      created: now,
      updated: now,
      defaultVersionId: 'v1',
      versions: [{ id: 'v1', document: input.document, created: now }],
      nextVersion: 2,
      tags: mergeTags([], input.tags ?? []),
    };
    this.state.policies.push(policy);
    await this.save();
    return policy;
  }

  /** Deletes a policy; `DeleteConflict` while attached or while it has other versions. */
  async deletePolicy(policyArn: string): Promise<void> {
    const policy = this.getPolicy(policyArn);
    if (this.attachmentCount(policyArn) > 0)
      throw new IamError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
    if (policy.versions.length > 1)
      throw new IamError(
        'DeleteConflict',
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        409,
      );
    this.state.policies = this.state.policies.filter((other) => other !== policy);
    await this.save();
  }

  /** Adds a version (at most five), optionally making it the default. */
  async createPolicyVersion(
    policyArn: string,
    document: string,
    setAsDefault: boolean,
  ): Promise<ManagedPolicy['versions'][number]> {
    const policy = this.getPolicy(policyArn);
    checkPolicyDocument(document);
    if (policy.versions.length >= MAX_POLICY_VERSIONS)
      throw new IamError(
        'LimitExceeded',
        `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
        409,
      );
    const version = { id: `v${policy.nextVersion}`, document, created: this.now() };
    policy.nextVersion += 1;
    policy.versions.push(version);
    policy.updated = version.created;
    if (setAsDefault) policy.defaultVersionId = version.id;
    await this.save();
    return version;
  }

  /** One version of a policy. */
  getPolicyVersion(policyArn: string, versionId: string): ManagedPolicy['versions'][number] {
    const version = this.getPolicy(policyArn).versions.find((v) => v.id === versionId);
    if (!version)
      throw new NoSuchEntityError(`Policy ${policyArn} version ${versionId} does not exist.`);
    return version;
  }

  /** Deletes a version that is not the default. */
  async deletePolicyVersion(policyArn: string, versionId: string): Promise<void> {
    const policy = this.getPolicy(policyArn);
    this.getPolicyVersion(policyArn, versionId);
    if (policy.defaultVersionId === versionId)
      throw new IamError('DeleteConflict', 'Cannot delete the default version of a policy.', 409);
    policy.versions = policy.versions.filter((v) => v.id !== versionId);
    await this.save();
  }

  /** Makes a version the default. */
  async setDefaultPolicyVersion(policyArn: string, versionId: string): Promise<void> {
    this.getPolicyVersion(policyArn, versionId);
    this.getPolicy(policyArn).defaultVersionId = versionId;
    await this.save();
  }

  // OpenID Connect providers

  /** Registers an OIDC provider; its ARN names the URL without `https://`. */
  async createOpenIdConnectProvider(input: {
    url: string;
    clientIds?: string[];
    thumbprints?: string[];
    tags?: Tag[];
  }): Promise<OidcProvider> {
    let host: string;
    try {
      const parsed = new URL(input.url);
      if (parsed.protocol !== 'https:') throw new Error('not https');
      host = `${parsed.host}${parsed.pathname}`.replace(/\/$/, '');
    } catch {
      throw validationError(input.url, 'url', 'Member must be an https:// URL');
    }
    for (const thumbprint of input.thumbprints ?? []) {
      if (!/^[0-9a-fA-F]{40}$/.test(thumbprint))
        throw validationError(thumbprint, 'thumbprintList', 'Member must have length 40');
    }
    const providerArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:oidc-provider/${host}`;
    if (this.state.providers.some((provider) => provider.arn === providerArn))
      throw new IamError(
        'EntityAlreadyExists',
        `Provider with url ${input.url} already exists.`,
        409,
      );
    const provider: OidcProvider = {
      arn: providerArn,
      url: host,
      clientIds: input.clientIds ?? [],
      thumbprints: input.thumbprints ?? [],
      created: this.now(),
      tags: mergeTags([], input.tags ?? []),
    };
    this.state.providers.push(provider);
    await this.save();
    return provider;
  }

  /** The provider an ARN names, or {@link NoSuchEntityError}. */
  getOpenIdConnectProvider(providerArn: string): OidcProvider {
    const provider = this.state.providers.find((p) => p.arn === providerArn);
    if (!provider)
      throw new NoSuchEntityError(`OpenIDConnect Provider not found for arn ${providerArn}`);
    return provider;
  }

  /** The provider registered for a token issuer (`iss`), if any. */
  providerForIssuer(issuer: string): OidcProvider | undefined {
    const host = issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
    return this.state.providers.find((provider) => provider.url === host);
  }

  /** Every provider. */
  listOpenIdConnectProviders(): OidcProvider[] {
    return [...this.state.providers];
  }

  /** Deletes a provider. */
  async deleteOpenIdConnectProvider(providerArn: string): Promise<void> {
    const provider = this.getOpenIdConnectProvider(providerArn);
    this.state.providers = this.state.providers.filter((p) => p !== provider);
    await this.save();
  }
}

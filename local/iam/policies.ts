import { LOCAL_ACCOUNT_ID } from '../account.js';
import {
  checkName,
  checkPath,
  checkPolicyDocument,
  IamError,
  MAX_POLICY_VERSIONS,
  mergeTags,
  NoSuchEntityError,
  POLICY_NAME,
  uniqueId,
} from './model.js';
import type { ManagedPolicy, Tag } from './model.js';
import { OidcProviderStore } from './providers.js';

/** Local IAM's customer managed policies and their versions (roles attach them by ARN). */
export abstract class ManagedPolicyStore extends OidcProviderStore {
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
}

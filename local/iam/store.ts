import { LOCAL_ACCOUNT_ID } from '../account.js';
import {
  checkName,
  checkPath,
  checkPolicyDocument,
  IamError,
  mergeTags,
  NoSuchEntityError,
  POLICY_NAME,
  uniqueId,
  validationError,
} from './model.js';
import type { Role, Tag } from './model.js';
import { ManagedPolicyStore } from './policies.js';

export { checkPolicyDocument, IamError, NoSuchEntityError, validationError } from './model.js';
export type { ManagedPolicy, OidcProvider, Role, Tag } from './model.js';

/**
 * Local IAM's roles, managed policies and OpenID Connect providers: recorded and returned, not
 * enforced. The typed API is what the query protocol, STS and (later) CloudFormation call. Roles
 * are here; managed policies (`policies.ts`) and providers (`providers.ts`) are the layers below.
 */
export class IamStore extends ManagedPolicyStore {
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
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from '../clock.js';
import {
  queryList,
  queryPairs,
  requiredParam,
  serveQueryOperation,
  toXml,
  unknownAction,
} from '../query.js';
import type { XmlValue } from '../query.js';
import { IamError, IamStore, validationError } from './store.js';
import type { ManagedPolicy, OidcProvider, Role, Tag } from './store.js';

export { IamError, IamStore, NoSuchEntityError } from './store.js';
export type { ManagedPolicy, OidcProvider, Role, Tag } from './store.js';

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** IAM's operations, by which the gateway tells an unsigned query-protocol call for IAM apart. */
export const IAM_ACTIONS = [
  'CreateRole',
  'GetRole',
  'ListRoles',
  'DeleteRole',
  'UpdateRole',
  'UpdateAssumeRolePolicy',
  'PutRolePolicy',
  'GetRolePolicy',
  'DeleteRolePolicy',
  'ListRolePolicies',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'ListAttachedRolePolicies',
  'TagRole',
  'UntagRole',
  'ListRoleTags',
  'CreatePolicy',
  'GetPolicy',
  'DeletePolicy',
  'ListPolicies',
  'CreatePolicyVersion',
  'GetPolicyVersion',
  'ListPolicyVersions',
  'DeletePolicyVersion',
  'SetDefaultPolicyVersion',
  'CreateOpenIDConnectProvider',
  'GetOpenIDConnectProvider',
  'ListOpenIDConnectProviders',
  'DeleteOpenIDConnectProvider',
] as const;

type Params = URLSearchParams;

/** Policy documents go out URL-encoded, as IAM returns them (callers decode them). */
function encoded(document: string): string {
  return encodeURIComponent(document);
}

function tags(params: Params): Tag[] {
  return Object.entries(queryPairs(params, 'Tags.member')).map(([Key, Value]) => ({
    Key,
    Value,
  }));
}

function optionalInteger(params: Params, name: string, field: string): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) throw validationError(text, field, 'Member must be an integer');
  return value;
}

/** One page of a list: `MaxItems` (default 100) from `Marker`. */
function page<T>(
  items: T[],
  params: Params,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = optionalInteger(params, 'MaxItems', 'maxItems') ?? 100;
  if (max < 1 || max > 1000)
    throw validationError(max, 'maxItems', 'Member must have value between 1 and 1000');
  const start = Number(params.get('Marker') ?? 0);
  if (!Number.isInteger(start) || start < 0)
    throw new IamError('InvalidInput', `Invalid Marker ${params.get('Marker')}.`);
  const slice = items.slice(start, start + max);
  const truncated = start + slice.length < items.length;
  return {
    items: slice,
    IsTruncated: truncated,
    Marker: truncated ? String(start + slice.length) : undefined,
  };
}

function roleXml(role: Role, full = true): XmlValue {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: new Date(role.created),
    AssumeRolePolicyDocument: encoded(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary:
      full && role.permissionsBoundary
        ? {
            PermissionsBoundaryType: 'Policy',
            PermissionsBoundaryArn: role.permissionsBoundary,
          }
        : undefined,
    Tags: full && role.tags.length > 0 ? tagsXml(role.tags) : undefined,
    RoleLastUsed: full ? {} : undefined,
  };
}

function tagsXml(list: Tag[]): XmlValue {
  return list.map((tag) => ({ Key: tag.Key, Value: tag.Value }));
}

/**
 * IAM (query protocol, global), built here: roles with inline and attached policies, customer
 * managed policies and their versions, tags and OpenID Connect providers. Recorded and returned,
 * not enforced.
 */
export class IamService {
  /** The typed API STS and, later, CloudFormation use. */
  readonly store: IamStore;

  constructor(stateDir: string, clock: Clock = new Clock()) {
    this.store = new IamStore(stateDir, clock);
  }

  /** Loads what the previous run saved. */
  start(): Promise<void> {
    return this.store.load();
  }

  /** Serves one IAM request: form-encoded body or query string, XML answer. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body?: Buffer,
  ): Promise<void> {
    await serveQueryOperation(
      request,
      response,
      { url, namespace: XMLNS, body },
      (action, params) => this.dispatch(action, params),
    );
  }

  private policyXml(policy: ManagedPolicy): XmlValue {
    return {
      PolicyName: policy.name,
      PolicyId: policy.id,
      Arn: policy.arn,
      Path: policy.path,
      DefaultVersionId: policy.defaultVersionId,
      AttachmentCount: this.store.attachmentCount(policy.arn),
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: policy.description,
      CreateDate: new Date(policy.created),
      UpdateDate: new Date(policy.updated),
      Tags: policy.tags.length > 0 ? tagsXml(policy.tags) : undefined,
    };
  }

  private providerXml(provider: OidcProvider): XmlValue {
    return {
      Url: provider.url,
      ClientIDList: provider.clientIds,
      ThumbprintList: provider.thumbprints,
      CreateDate: new Date(provider.created),
      Tags: tagsXml(provider.tags),
    };
  }

  private async dispatch(action: string, params: Params): Promise<string | undefined> {
    const store = this.store;
    const roleName = () => requiredParam(params, 'RoleName');
    const policyArn = () => requiredParam(params, 'PolicyArn');
    switch (action) {
      case 'CreateRole': {
        const role = await store.createRole({
          name: roleName(),
          assumeRolePolicyDocument: requiredParam(params, 'AssumeRolePolicyDocument'),
          path: params.get('Path') ?? undefined,
          description: params.get('Description') ?? undefined,
          maxSessionDuration: optionalInteger(params, 'MaxSessionDuration', 'maxSessionDuration'),
          permissionsBoundary: params.get('PermissionsBoundary') ?? undefined,
          tags: tags(params),
        });
        return toXml({ Role: roleXml(role) });
      }
      case 'GetRole':
        return toXml({ Role: roleXml(store.getRole(roleName())) });
      case 'ListRoles': {
        const { items, ...rest } = page(store.listRoles(params.get('PathPrefix') ?? '/'), params);
        return toXml({ Roles: items.map((role) => roleXml(role, false)), ...rest });
      }
      case 'DeleteRole':
        await store.deleteRole(roleName());
        return undefined;
      case 'UpdateRole':
        await store.updateRole(roleName(), {
          description: params.get('Description') ?? undefined,
          maxSessionDuration: optionalInteger(params, 'MaxSessionDuration', 'maxSessionDuration'),
        });
        return '';
      case 'UpdateAssumeRolePolicy':
        await store.updateAssumeRolePolicy(roleName(), requiredParam(params, 'PolicyDocument'));
        return undefined;
      case 'PutRolePolicy':
        await store.putRolePolicy(
          roleName(),
          requiredParam(params, 'PolicyName'),
          requiredParam(params, 'PolicyDocument'),
        );
        return undefined;
      case 'GetRolePolicy': {
        const name = roleName();
        const policyName = requiredParam(params, 'PolicyName');
        return toXml({
          RoleName: name,
          PolicyName: policyName,
          PolicyDocument: encoded(store.getRolePolicy(name, policyName)),
        });
      }
      case 'DeleteRolePolicy':
        await store.deleteRolePolicy(roleName(), requiredParam(params, 'PolicyName'));
        return undefined;
      case 'ListRolePolicies': {
        const names = Object.keys(store.getRole(roleName()).inlinePolicies).sort();
        const { items, ...rest } = page(names, params);
        return toXml({ PolicyNames: items, ...rest });
      }
      case 'AttachRolePolicy':
        await store.attachRolePolicy(roleName(), policyArn());
        return undefined;
      case 'DetachRolePolicy':
        await store.detachRolePolicy(roleName(), policyArn());
        return undefined;
      case 'ListAttachedRolePolicies': {
        const { items, ...rest } = page(store.getRole(roleName()).attachedPolicies, params);
        return toXml({
          AttachedPolicies: items.map((arn) => ({
            PolicyName: arn.split('/').at(-1)!,
            PolicyArn: arn,
          })),
          ...rest,
        });
      }
      case 'TagRole':
        await store.tagRole(roleName(), tags(params));
        return undefined;
      case 'UntagRole':
        await store.untagRole(roleName(), queryList(params, 'TagKeys.member'));
        return undefined;
      case 'ListRoleTags': {
        const { items, ...rest } = page(store.getRole(roleName()).tags, params);
        return toXml({ Tags: tagsXml(items), ...rest });
      }
      case 'CreatePolicy': {
        const policy = await store.createPolicy({
          name: requiredParam(params, 'PolicyName'),
          document: requiredParam(params, 'PolicyDocument'),
          path: params.get('Path') ?? undefined,
          description: params.get('Description') ?? undefined,
          tags: tags(params),
        });
        return toXml({ Policy: this.policyXml(policy) });
      }
      case 'GetPolicy':
        return toXml({ Policy: this.policyXml(store.getPolicy(policyArn())) });
      case 'DeletePolicy':
        await store.deletePolicy(policyArn());
        return undefined;
      case 'ListPolicies': {
        // Local IAM holds no AWS managed policies, so every scope lists the customer's own.
        const policies = store.listPolicies(
          params.get('PathPrefix') ?? '/',
          params.get('OnlyAttached') === 'true',
        );
        const { items, ...rest } = page(params.get('Scope') === 'AWS' ? [] : policies, params);
        return toXml({ Policies: items.map((policy) => this.policyXml(policy)), ...rest });
      }
      case 'CreatePolicyVersion': {
        const arn = policyArn();
        const version = await store.createPolicyVersion(
          arn,
          requiredParam(params, 'PolicyDocument'),
          params.get('SetAsDefault') === 'true',
        );
        return toXml({
          PolicyVersion: {
            VersionId: version.id,
            IsDefaultVersion: store.getPolicy(arn).defaultVersionId === version.id,
            CreateDate: new Date(version.created),
          },
        });
      }
      case 'GetPolicyVersion': {
        const arn = policyArn();
        const version = store.getPolicyVersion(arn, requiredParam(params, 'VersionId'));
        return toXml({
          PolicyVersion: {
            Document: encoded(version.document),
            VersionId: version.id,
            IsDefaultVersion: store.getPolicy(arn).defaultVersionId === version.id,
            CreateDate: new Date(version.created),
          },
        });
      }
      case 'ListPolicyVersions': {
        const policy = store.getPolicy(policyArn());
        const { items, ...rest } = page(policy.versions, params);
        return toXml({
          Versions: items.map((version) => ({
            VersionId: version.id,
            IsDefaultVersion: policy.defaultVersionId === version.id,
            CreateDate: new Date(version.created),
          })),
          ...rest,
        });
      }
      case 'DeletePolicyVersion':
        await store.deletePolicyVersion(policyArn(), requiredParam(params, 'VersionId'));
        return undefined;
      case 'SetDefaultPolicyVersion':
        await store.setDefaultPolicyVersion(policyArn(), requiredParam(params, 'VersionId'));
        return undefined;
      case 'CreateOpenIDConnectProvider': {
        const provider = await store.createOpenIdConnectProvider({
          url: requiredParam(params, 'Url'),
          clientIds: queryList(params, 'ClientIDList.member'),
          thumbprints: queryList(params, 'ThumbprintList.member'),
          tags: tags(params),
        });
        return toXml({ OpenIDConnectProviderArn: provider.arn, Tags: tagsXml(provider.tags) });
      }
      case 'GetOpenIDConnectProvider':
        return toXml(
          this.providerXml(
            store.getOpenIdConnectProvider(requiredParam(params, 'OpenIDConnectProviderArn')),
          ),
        );
      case 'ListOpenIDConnectProviders':
        return toXml({
          OpenIDConnectProviderList: store
            .listOpenIdConnectProviders()
            .map((provider) => ({ Arn: provider.arn })),
        });
      case 'DeleteOpenIDConnectProvider':
        await store.deleteOpenIdConnectProvider(requiredParam(params, 'OpenIDConnectProviderArn'));
        return undefined;
      default:
        throw unknownAction(action);
    }
  }
}

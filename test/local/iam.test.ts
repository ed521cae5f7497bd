import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IamStore } from '../../local/iam/index.js';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let iam: IAMClient;

beforeAll(() => {
  iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
});

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' }],
});

function createRole(name: string, extra: Partial<{ Path: string; Description: string }> = {}) {
  return iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, ...extra }),
  );
}

describe('IAM roles', () => {
  it('creates a role and returns its trust policy URL-encoded, as IAM does', async () => {
    const { Role } = await createRole('streaming-role', {
      Path: '/service/',
      Description: 'streaming function',
    });
    const got = await iam.send(new GetRoleCommand({ RoleName: 'streaming-role' }));

    expect(Role).toMatchObject({
      RoleName: 'streaming-role',
      Path: '/service/',
      Arn: 'arn:aws:iam::000000000000:role/service/streaming-role',
      RoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}$/),
      MaxSessionDuration: 3600,
    });
    expect(got.Role?.AssumeRolePolicyDocument).toBe(encodeURIComponent(trust));
    expect(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)).toBe(trust);
    expect(got.Role?.Description).toBe('streaming function');
  });

  it('refuses a second role of the same name with EntityAlreadyExists', async () => {
    await createRole('twice-role');
    await expect(createRole('twice-role')).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      message: 'Role with name twice-role already exists.',
    });
  });

  it('refuses a trust policy that is not JSON with MalformedPolicyDocument', async () => {
    await expect(
      iam.send(new CreateRoleCommand({ RoleName: 'bad-trust', AssumeRolePolicyDocument: '{' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });

  it('answers NoSuchEntity for a role that is not there', async () => {
    await expect(iam.send(new GetRoleCommand({ RoleName: 'nobody' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name nobody cannot be found.',
    });
  });

  it('updates the description, session duration and trust policy', async () => {
    await createRole('updated-role');
    const newTrust = trust.replace('lambda', 'firehose');

    await iam.send(
      new UpdateRoleCommand({
        RoleName: 'updated-role',
        Description: 'now firehose',
        MaxSessionDuration: 7200,
      }),
    );
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'updated-role', PolicyDocument: newTrust }),
    );
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'updated-role' }));

    expect(Role).toMatchObject({ Description: 'now firehose', MaxSessionDuration: 7200 });
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(newTrust);
  });

  it('lists roles by path prefix, a page at a time', async () => {
    for (const name of ['paged-a', 'paged-b', 'paged-c'])
      await createRole(name, { Path: '/paged/' });

    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    const second = await iam.send(
      new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }),
    );

    expect(first.Roles?.map((r) => r.RoleName)).toEqual(['paged-a', 'paged-b']);
    expect(first.IsTruncated).toBe(true);
    expect(second.Roles?.map((r) => r.RoleName)).toEqual(['paged-c']);
    expect(second.IsTruncated).toBe(false);
  });

  it('tags and untags a role', async () => {
    await createRole('tagged-role');

    await iam.send(
      new TagRoleCommand({
        RoleName: 'tagged-role',
        Tags: [
          { Key: 'team', Value: 'pipeline' },
          { Key: 'stage', Value: 'test' },
        ],
      }),
    );
    await iam.send(new UntagRoleCommand({ RoleName: 'tagged-role', TagKeys: ['stage'] }));
    const { Tags } = await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged-role' }));

    expect(Tags).toEqual([{ Key: 'team', Value: 'pipeline' }]);
  });
});

describe('IAM role policies', () => {
  it('puts, reads, lists and deletes an inline policy; DeleteRole waits for it', async () => {
    await createRole('inline-role');
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'inline-role',
        PolicyName: 'write-table',
        PolicyDocument: policy,
      }),
    );

    const got = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'write-table' }),
    );
    const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-role' }));
    const conflict = iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' }));
    await expect(conflict).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'write-table' }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' }));

    expect(decodeURIComponent(got.PolicyDocument!)).toBe(policy);
    expect(listed.PolicyNames).toEqual(['write-table']);
  });

  it('attaches AWS managed and customer managed policies, and detaches them', async () => {
    await createRole('attached-role');
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'customer-policy', PolicyDocument: policy }),
    );
    const managed = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

    await iam.send(new AttachRolePolicyCommand({ RoleName: 'attached-role', PolicyArn: managed }));
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'attached-role', PolicyArn: Policy!.Arn }),
    );
    const listed = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'attached-role' }),
    );
    await expect(
      iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn })),
    ).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await expect(
      iam.send(new DeleteRoleCommand({ RoleName: 'attached-role' })),
    ).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must detach all policies first.',
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'attached-role', PolicyArn: managed }));
    await iam.send(
      new DetachRolePolicyCommand({ RoleName: 'attached-role', PolicyArn: Policy!.Arn }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'attached-role' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn }));

    expect(listed.AttachedPolicies).toEqual([
      { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: managed },
      { PolicyName: 'customer-policy', PolicyArn: Policy!.Arn },
    ]);
  });

  it('refuses to attach a customer policy that does not exist', async () => {
    await createRole('missing-policy-role');
    await expect(
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'missing-policy-role',
          PolicyArn: 'arn:aws:iam::000000000000:policy/nothing',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('keeps policy versions, with one default that cannot be deleted', async () => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'versioned-policy', PolicyDocument: policy }),
    );
    const second = policy.replace('PutItem', 'GetItem');

    const { PolicyVersion } = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: Policy!.Arn,
        PolicyDocument: second,
        SetAsDefault: true,
      }),
    );
    const got = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v2' }),
    );
    await expect(
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v2' })),
    ).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }));
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: Policy!.Arn }));

    expect(PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    expect(decodeURIComponent(got.PolicyVersion!.Document!)).toBe(second);
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(['v2']);
  });
});

describe('IAM OpenID Connect providers', () => {
  it("registers GitHub's provider, lists, reads and deletes it", async () => {
    const { OpenIDConnectProviderArn } = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      }),
    );
    const listed = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn }));
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn }));

    expect(OpenIDConnectProviderArn).toBe(
      'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
    );
    expect(listed.OpenIDConnectProviderList).toEqual([{ Arn: OpenIDConnectProviderArn }]);
    expect(got).toMatchObject({
      Url: 'token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    });
    await expect(
      iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('IAM through the AWS CLI', () => {
  it('creates a role and reads its trust policy back decoded', async () => {
    await aws(
      'iam',
      'create-role',
      '--role-name',
      'cli-role',
      '--assume-role-policy-document',
      trust,
    );

    const { Role } = JSON.parse(await aws('iam', 'get-role', '--role-name', 'cli-role')) as {
      Role: { Arn: string; AssumeRolePolicyDocument: unknown };
    };

    expect(Role.Arn).toBe('arn:aws:iam::000000000000:role/cli-role');
    expect(Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust));
  });

  it('shows NoSuchEntity for a missing role', async () => {
    const stderr = await aws.fails('iam', 'get-role', '--role-name', 'cli-nobody');

    expect(stderr).toContain('NoSuchEntity');
  });
});

describe('IAM state', () => {
  it('keeps roles and their policies across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iam-'));
    const before = new IamStore(dir);
    await before.createRole({ name: 'kept-role', assumeRolePolicyDocument: trust });
    await before.putRolePolicy('kept-role', 'inline', policy);

    const after = new IamStore(dir);
    await after.load();

    expect(after.getRole('kept-role').inlinePolicies).toEqual({ inline: policy });
    await rm(dir, { recursive: true, force: true });
  });
});

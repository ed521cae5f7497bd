import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { isObject } from '../../../lib/templates/parse.js';
import type { TemplateValue } from '../../../lib/templates/parse.js';
import type { Properties } from '../model.js';
import { changed, ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioner } from './provisioner.js';

/** A policy document as IAM takes it: JSON text. */
export function policyText(value: TemplateValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

function inlinePolicies(properties: Properties): Map<string, string> {
  const policies = Array.isArray(properties.Policies) ? properties.Policies.filter(isObject) : [];
  return new Map(
    policies.map((policy) => [String(policy.PolicyName), policyText(policy.PolicyDocument)]),
  );
}

function managedArns(properties: Properties): string[] {
  return Array.isArray(properties.ManagedPolicyArns)
    ? properties.ManagedPolicyArns.map(String)
    : [];
}

/** Puts the inline policies and attachments of `after` that `before` lacks, removes the rest. */
async function syncPolicies(
  context: ProvisionContext,
  role: string,
  before: Properties,
  after: Properties,
): Promise<void> {
  const iam = context.clients.get(IAMClient);
  const old = inlinePolicies(before);
  const next = inlinePolicies(after);
  for (const [name, document] of next)
    if (old.get(name) !== document)
      await iam.send(
        new PutRolePolicyCommand({ RoleName: role, PolicyName: name, PolicyDocument: document }),
      );
  for (const name of old.keys())
    if (!next.has(name))
      await ignoringMissing(['NoSuchEntityException'], () =>
        iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name })),
      );
  const attached = managedArns(before);
  const wanted = managedArns(after);
  for (const arn of wanted)
    if (!attached.includes(arn))
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
  for (const arn of attached)
    if (!wanted.includes(arn))
      await ignoringMissing(['NoSuchEntityException'], () =>
        iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })),
      );
}

/** AWS::IAM::Role through local IAM's API (recorded, not enforced): trust policy, inline and managed policies. */
export const iamRole: Provisioner = {
  nameProperty: 'RoleName',
  async create(context, properties) {
    const name = textOf(properties.RoleName) ?? context.generatedName({ maxLength: 64 });
    const tags = tagsOf(properties.Tags);
    const { Role } = await context.clients.get(IAMClient).send(
      new CreateRoleCommand({
        RoleName: name,
        Path: textOf(properties.Path),
        AssumeRolePolicyDocument: policyText(properties.AssumeRolePolicyDocument),
        Description: textOf(properties.Description),
        MaxSessionDuration: properties.MaxSessionDuration as number | undefined,
        PermissionsBoundary: textOf(properties.PermissionsBoundary),
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    await syncPolicies(context, name, {}, properties);
    return { physicalId: name, attributes: { Arn: Role!.Arn!, RoleId: Role!.RoleId! } };
  },

  async update(context, current, properties) {
    const iam = context.clients.get(IAMClient);
    const name = current.physicalId;
    const before = current.properties;
    if (changed(before.AssumeRolePolicyDocument, properties.AssumeRolePolicyDocument))
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: name,
          PolicyDocument: policyText(properties.AssumeRolePolicyDocument),
        }),
      );
    if (
      changed(before.Description, properties.Description) ||
      changed(before.MaxSessionDuration, properties.MaxSessionDuration)
    )
      await iam.send(
        new UpdateRoleCommand({
          RoleName: name,
          Description: textOf(properties.Description) ?? '',
          MaxSessionDuration: properties.MaxSessionDuration as number | undefined,
        }),
      );
    if (changed(before.Tags, properties.Tags) && tagsOf(properties.Tags).length > 0)
      await iam.send(new TagRoleCommand({ RoleName: name, Tags: tagsOf(properties.Tags) }));
    await syncPolicies(context, name, before, properties);
    return { physicalId: name, attributes: current.attributes };
  },

  async delete(context, current) {
    await ignoringMissing(['NoSuchEntityException'], async () => {
      // IAM refuses to delete a role that still has policies.
      await syncPolicies(context, current.physicalId, current.properties, {});
      await context.clients
        .get(IAMClient)
        .send(new DeleteRoleCommand({ RoleName: current.physicalId }));
    });
  },
};

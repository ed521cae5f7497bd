import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import type { Properties } from '../model.js';
import { policyText } from './iamRole.js';
import { changed, ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

const rolesOf = (properties: Properties): string[] =>
  Array.isArray(properties.Roles) ? properties.Roles.map(String) : [];

/** AWS::IAM::ManagedPolicy: a customer managed policy, new versions on change, attached to its roles. */
export const iamManagedPolicy: Provisioner = {
  nameProperty: 'ManagedPolicyName',
  async create(context, properties) {
    const iam = context.clients.get(IAMClient);
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName:
          textOf(properties.ManagedPolicyName) ?? context.generatedName({ maxLength: 128 }),
        Path: textOf(properties.Path),
        Description: textOf(properties.Description),
        PolicyDocument: policyText(properties.PolicyDocument),
      }),
    );
    for (const role of rolesOf(properties))
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: Policy!.Arn }));
    return {
      physicalId: Policy!.Arn!,
      attributes: { PolicyArn: Policy!.Arn!, PolicyId: Policy!.PolicyId! },
    };
  },
  async update(context, current, properties) {
    const iam = context.clients.get(IAMClient);
    const arn = current.physicalId;
    if (changed(current.properties.PolicyDocument, properties.PolicyDocument)) {
      const { Versions = [] } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
      // IAM keeps five versions at most: make room by dropping the oldest that is not the default.
      const old = Versions.filter((v) => !v.IsDefaultVersion);
      if (Versions.length >= 5 && old.length > 0)
        await iam.send(
          new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: old.at(-1)!.VersionId }),
        );
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: arn,
          PolicyDocument: policyText(properties.PolicyDocument),
          SetAsDefault: true,
        }),
      );
    }
    const before = rolesOf(current.properties);
    const after = rolesOf(properties);
    for (const role of after.filter((r) => !before.includes(r)))
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
    for (const role of before.filter((r) => !after.includes(r)))
      await ignoringMissing(['NoSuchEntityException'], () =>
        iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })),
      );
    return { physicalId: arn, attributes: current.attributes };
  },
  async delete(context, current) {
    const iam = context.clients.get(IAMClient);
    const arn = current.physicalId;
    await ignoringMissing(['NoSuchEntityException'], async () => {
      for (const role of rolesOf(current.properties))
        await ignoringMissing(['NoSuchEntityException'], () =>
          iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })),
        );
      const { Versions = [] } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
      for (const version of Versions.filter((v) => !v.IsDefaultVersion))
        await iam.send(
          new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: version.VersionId }),
        );
      await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    });
  },
};

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { arn } from '../../account.js';
import { changed, ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { Provisioned, ProvisionContext, Provisioner } from './provisioner.js';

function provisioned(context: ProvisionContext, name: string): Provisioned {
  // The documented Arn ends in ":*" (every stream of the group), not the group's own ARN.
  return {
    physicalId: name,
    attributes: { Arn: arn('logs', context.region, `log-group:${name}:*`) },
  };
}

/** AWS::Logs::LogGroup through local CloudWatch Logs' API: retention and tags. */
export const logsLogGroup: Provisioner = {
  nameProperty: 'LogGroupName',
  async create(context, properties) {
    const name = textOf(properties.LogGroupName) ?? context.generatedName({ maxLength: 512 });
    const logs = context.clients.get(CloudWatchLogsClient);
    const tags = Object.fromEntries(tagsOf(properties.Tags).map((tag) => [tag.Key, tag.Value]));
    await logs.send(
      new CreateLogGroupCommand({
        logGroupName: name,
        kmsKeyId: textOf(properties.KmsKeyId),
        logGroupClass: textOf(properties.LogGroupClass) as never,
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
      }),
    );
    if (properties.RetentionInDays !== undefined)
      await logs.send(
        new PutRetentionPolicyCommand({
          logGroupName: name,
          retentionInDays: Number(properties.RetentionInDays),
        }),
      );
    return provisioned(context, name);
  },
  async update(context, current, properties) {
    const logs = context.clients.get(CloudWatchLogsClient);
    const name = current.physicalId;
    if (changed(current.properties.RetentionInDays, properties.RetentionInDays)) {
      if (properties.RetentionInDays === undefined)
        await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: name }));
      else
        await logs.send(
          new PutRetentionPolicyCommand({
            logGroupName: name,
            retentionInDays: Number(properties.RetentionInDays),
          }),
        );
    }
    if (changed(current.properties.Tags, properties.Tags) && tagsOf(properties.Tags).length > 0)
      await logs.send(
        new TagResourceCommand({
          resourceArn: arn('logs', context.region, `log-group:${name}`),
          tags: Object.fromEntries(tagsOf(properties.Tags).map((tag) => [tag.Key, tag.Value])),
        }),
      );
    return provisioned(context, name);
  },
  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients
        .get(CloudWatchLogsClient)
        .send(new DeleteLogGroupCommand({ logGroupName: current.physicalId })),
    );
  },
};

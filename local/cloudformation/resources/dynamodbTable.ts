import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import type { Properties, StackResource } from '../model.js';
import { changed, ignoringMissing, poll, tagsOf, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioned, Provisioner } from './provisioner.js';

/** Waits for a table to leave CREATING/UPDATING, as CloudFormation does before it moves on. */
async function activeTable(context: ProvisionContext, name: string): Promise<TableDescription> {
  const client = context.clients.get(DynamoDBClient);
  return poll(context, `table ${name}`, async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    return Table?.TableStatus === 'ACTIVE' ? Table : undefined;
  });
}

function provisioned(table: TableDescription): Provisioned {
  return {
    physicalId: table.TableName!,
    attributes: {
      Arn: table.TableArn!,
      ...(table.LatestStreamArn ? { StreamArn: table.LatestStreamArn } : {}),
    },
  };
}

/**
 * AWS::DynamoDB::Table through local DynamoDB's API. PointInTimeRecoverySpecification,
 * SSESpecification, TimeToLiveSpecification and ContributorInsights are recorded in the stack:
 * dynalite has no backups, TTL or encryption to switch on.
 */
export const dynamodbTable: Provisioner = {
  nameProperty: 'TableName',
  async create(context, properties) {
    const name = textOf(properties.TableName) ?? context.generatedName({ maxLength: 255 });
    const billing = textOf(properties.BillingMode) ?? 'PROVISIONED';
    const tags = tagsOf(properties.Tags);
    await context.clients.get(DynamoDBClient).send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: properties.AttributeDefinitions as never,
        KeySchema: properties.KeySchema as never,
        BillingMode: billing as never,
        ProvisionedThroughput: properties.ProvisionedThroughput as never,
        GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes as never,
        LocalSecondaryIndexes: properties.LocalSecondaryIndexes as never,
        StreamSpecification: properties.StreamSpecification as never,
        TableClass: properties.TableClass as never,
        DeletionProtectionEnabled: properties.DeletionProtectionEnabled as never,
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    return provisioned(await activeTable(context, name));
  },

  async update(context, current, properties) {
    const client = context.clients.get(DynamoDBClient);
    const name = current.physicalId;
    const before = current.properties;
    if (
      changed(before.BillingMode, properties.BillingMode) ||
      changed(before.ProvisionedThroughput, properties.ProvisionedThroughput) ||
      changed(before.StreamSpecification, properties.StreamSpecification)
    ) {
      await client.send(
        new UpdateTableCommand({
          TableName: name,
          BillingMode: (textOf(properties.BillingMode) ?? 'PROVISIONED') as never,
          ProvisionedThroughput: properties.ProvisionedThroughput as never,
          StreamSpecification: (properties.StreamSpecification ?? {
            StreamEnabled: false,
          }) as never,
        }),
      );
    }
    let table = await activeTable(context, name);
    if (changed(before.Tags, properties.Tags))
      await retag(context, table.TableArn!, current, properties);
    table = await activeTable(context, name);
    return provisioned(table);
  },

  async delete(context, current) {
    const client = context.clients.get(DynamoDBClient);
    await ignoringMissing(['ResourceNotFoundException'], async () => {
      await client.send(new DeleteTableCommand({ TableName: current.physicalId }));
      // Until DescribeTable says ResourceNotFoundException, which ends the wait.
      await poll(context, `deleting table ${current.physicalId}`, async () => {
        await client.send(new DescribeTableCommand({ TableName: current.physicalId }));
        return undefined;
      });
    });
  },
};

async function retag(
  context: ProvisionContext,
  arn: string,
  current: StackResource,
  properties: Properties,
): Promise<void> {
  const client = context.clients.get(DynamoDBClient);
  const next = tagsOf(properties.Tags);
  const gone = tagsOf(current.properties.Tags)
    .map((tag) => tag.Key)
    .filter((key) => !next.some((tag) => tag.Key === key));
  if (gone.length > 0)
    await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: gone }));
  if (next.length > 0) await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: next }));
}

import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  TagDeliveryStreamCommand,
  UpdateDestinationCommand,
} from '@aws-sdk/client-firehose';
import { changed, ignoringMissing, poll, tagsOf, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioned, Provisioner } from './provisioner.js';

async function active(context: ProvisionContext, name: string): Promise<Provisioned> {
  return poll(context, `delivery stream ${name}`, async () => {
    const { DeliveryStreamDescription: description } = await context.clients
      .get(FirehoseClient)
      .send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    return description?.DeliveryStreamStatus === 'ACTIVE'
      ? { physicalId: name, attributes: { Arn: description.DeliveryStreamARN! } }
      : undefined;
  });
}

/** AWS::KinesisFirehose::DeliveryStream (DirectPut to S3) through local Firehose's API. */
export const firehoseDeliveryStream: Provisioner = {
  nameProperty: 'DeliveryStreamName',
  async create(context, properties) {
    const name = textOf(properties.DeliveryStreamName) ?? context.generatedName({ maxLength: 64 });
    const tags = tagsOf(properties.Tags);
    await context.clients.get(FirehoseClient).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: (textOf(properties.DeliveryStreamType) ?? 'DirectPut') as never,
        ExtendedS3DestinationConfiguration: properties.ExtendedS3DestinationConfiguration as never,
        S3DestinationConfiguration: properties.S3DestinationConfiguration as never,
        DeliveryStreamEncryptionConfigurationInput:
          properties.DeliveryStreamEncryptionConfigurationInput as never,
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    return active(context, name);
  },

  async update(context, current, properties) {
    const client = context.clients.get(FirehoseClient);
    const name = current.physicalId;
    const extended = changed(
      current.properties.ExtendedS3DestinationConfiguration,
      properties.ExtendedS3DestinationConfiguration,
    );
    const plain = changed(
      current.properties.S3DestinationConfiguration,
      properties.S3DestinationConfiguration,
    );
    if (extended || plain) {
      const { DeliveryStreamDescription: description } = await client.send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }),
      );
      await client.send(
        new UpdateDestinationCommand({
          DeliveryStreamName: name,
          CurrentDeliveryStreamVersionId: description!.VersionId,
          DestinationId:
            description!.Destinations?.[0]?.DestinationId ?? 'destinationId-000000000001',
          ...(extended
            ? {
                ExtendedS3DestinationUpdate: properties.ExtendedS3DestinationConfiguration as never,
              }
            : { S3DestinationUpdate: properties.S3DestinationConfiguration as never }),
        }),
      );
    }
    if (changed(current.properties.Tags, properties.Tags) && tagsOf(properties.Tags).length > 0)
      await client.send(
        new TagDeliveryStreamCommand({ DeliveryStreamName: name, Tags: tagsOf(properties.Tags) }),
      );
    return active(context, name);
  },

  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients
        .get(FirehoseClient)
        .send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: current.physicalId })),
    );
  },
};

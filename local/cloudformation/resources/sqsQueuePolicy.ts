import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Properties } from '../model.js';
import { ignoringMissing } from './provisioner.js';
import type { ProvisionContext, Provisioner } from './provisioner.js';

const queuesOf = (properties: Properties): string[] =>
  Array.isArray(properties.Queues) ? properties.Queues.map(String) : [];

async function setPolicy(
  context: ProvisionContext,
  queues: string[],
  policy: string,
): Promise<void> {
  for (const queue of queues)
    await context.clients
      .get(SQSClient)
      .send(new SetQueueAttributesCommand({ QueueUrl: queue, Attributes: { Policy: policy } }));
}

/** AWS::SQS::QueuePolicy: the Policy attribute of each of its queues (recorded, not enforced). */
export const sqsQueuePolicy: Provisioner = {
  async create(context, properties) {
    await setPolicy(context, queuesOf(properties), JSON.stringify(properties.PolicyDocument));
    return { physicalId: context.generatedName({ maxLength: 128 }) };
  },
  async update(context, current, properties) {
    const gone = queuesOf(current.properties).filter((q) => !queuesOf(properties).includes(q));
    await ignoringMissing(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'], () =>
      setPolicy(context, gone, ''),
    );
    await setPolicy(context, queuesOf(properties), JSON.stringify(properties.PolicyDocument));
    return { physicalId: current.physicalId };
  },
  async delete(context, current) {
    for (const queue of queuesOf(current.properties))
      await ignoringMissing(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'], () =>
        setPolicy(context, [queue], ''),
      );
  },
};

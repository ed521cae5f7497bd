import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

/** AWS::Logs::LogStream: a stream in its group; every property replaces it. */
export const logsLogStream: Provisioner = {
  async create(context, properties) {
    const name = textOf(properties.LogStreamName) ?? context.generatedName({ maxLength: 512 });
    await context.clients.get(CloudWatchLogsClient).send(
      new CreateLogStreamCommand({
        logGroupName: textOf(properties.LogGroupName),
        logStreamName: name,
      }),
    );
    return { physicalId: name };
  },
  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients.get(CloudWatchLogsClient).send(
        new DeleteLogStreamCommand({
          logGroupName: textOf(current.properties.LogGroupName),
          logStreamName: current.physicalId,
        }),
      ),
    );
  },
};

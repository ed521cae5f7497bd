import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { arn } from '../../account.js';
import type { Properties } from '../model.js';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

function input(name: string, properties: Properties): Record<string, unknown> {
  return {
    Name: name,
    GroupName: textOf(properties.GroupName),
    ScheduleExpression: textOf(properties.ScheduleExpression),
    ScheduleExpressionTimezone: textOf(properties.ScheduleExpressionTimezone),
    FlexibleTimeWindow: properties.FlexibleTimeWindow,
    Target: properties.Target,
    State: textOf(properties.State),
    Description: textOf(properties.Description),
    StartDate:
      properties.StartDate === undefined ? undefined : new Date(String(properties.StartDate)),
    EndDate: properties.EndDate === undefined ? undefined : new Date(String(properties.EndDate)),
    KmsKeyArn: textOf(properties.KmsKeyArn),
  };
}

/** AWS::Scheduler::Schedule through local EventBridge Scheduler's API; Ref is its name. */
export const schedulerSchedule: Provisioner = {
  nameProperty: 'Name',
  replacing: ['GroupName'],
  async create(context, properties) {
    const name = textOf(properties.Name) ?? context.generatedName({ maxLength: 64 });
    const { ScheduleArn } = await context.clients
      .get(SchedulerClient)
      .send(new CreateScheduleCommand(input(name, properties) as never));
    return {
      physicalId: name,
      attributes: {
        Arn:
          ScheduleArn ??
          arn(
            'scheduler',
            context.region,
            `schedule/${textOf(properties.GroupName) ?? 'default'}/${name}`,
          ),
      },
    };
  },
  async update(context, current, properties) {
    const { ScheduleArn } = await context.clients
      .get(SchedulerClient)
      .send(new UpdateScheduleCommand(input(current.physicalId, properties) as never));
    return {
      physicalId: current.physicalId,
      attributes: { Arn: ScheduleArn ?? current.attributes.Arn! },
    };
  },
  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients.get(SchedulerClient).send(
        new DeleteScheduleCommand({
          Name: current.physicalId,
          GroupName: textOf(current.properties.GroupName),
        }),
      ),
    );
  },
};

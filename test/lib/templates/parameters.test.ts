import { describe, expect, it } from 'vitest';
import { deriveNames } from '../../../lib/config/names.js';
import { parseConfig } from '../../../lib/config/load.js';
import type { PipelineConfigInput } from '../../../lib/config/schema.js';
import { ValidationError } from '../../../lib/errors.js';
import {
  artifactsParameters,
  checkParameterValues,
  pipelineParameters,
  toCloudFormationParameters,
} from '../../../lib/templates/parameters.js';
import { template } from './support.js';

const CODE = {
  streaming: 'functions/streaming-0123456789abcdef.zip',
  notification: 'functions/notification-fedcba9876543210.zip',
};

function configOf(overrides: Partial<PipelineConfigInput> = {}) {
  const config = parseConfig(
    JSON.stringify({
      firstName: 'Kyle',
      lastName: 'Maposa',
      alertEmails: ['kyle@maposa.dev'],
      bucketReadAccess: 'authenticated-aws-accounts',
      ...overrides,
    }),
  );
  return { config, names: deriveNames(config) };
}

describe('pipelineParameters', () => {
  it('fills every parameter of the pipeline template from the sample config', async () => {
    // Prepare
    const { config, names } = configOf();
    const pipeline = await template('cloudformation/pipeline.yaml');

    // Act
    const values = pipelineParameters(config, names, CODE);

    // Assess
    expect(checkParameterValues(pipeline, values)).toEqual([]);
    expect(values).toMatchObject({
      NamePrefix: 'DEKYLMAP',
      OwnerName: 'Kyle Maposa',
      TableName: 'DEKYLMAP-streaming-dynamodb',
      StreamingFunctionName: 'DEKYLMAP-streaming-lambda',
      BucketName: 'dekylemaposa-deliverystream-s3',
      CodeBucketName: 'dekylemaposa-code-artifacts-s3',
      AlertEmails: 'kyle@maposa.dev',
      AlertEmailCount: '1',
      BucketReadAccess: 'authenticated-aws-accounts',
      ReaderAccountIds: '',
      ScheduleMinutes: '1',
      DeliveryBufferSeconds: '60',
      StreamingCodeKey: CODE.streaming,
    });
    expect(Object.keys(values).sort()).toEqual(
      Object.keys(pipeline.body.Parameters as object).sort(),
    );
  });

  it.each([
    [
      'named reader accounts and five addresses',
      {
        bucketReadAccess: { accounts: ['111122223333', '444455556666'] },
        alertEmails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'],
      },
    ],
    [
      'a private bucket, a slow schedule and no buffering',
      {
        bucketReadAccess: 'private' as const,
        scheduleMinutes: 1440,
        deliveryBufferSeconds: 0,
      },
    ],
    [
      'the shortest and the longest names',
      { firstName: 'Al', lastName: 'Wolfeschlegelsteinhausenbergerdorff' },
    ],
    ['accented names', { firstName: 'José', lastName: "O'Brien-Núñez" }],
  ])('satisfies the template with %s', async (_, overrides) => {
    const { config, names } = configOf(overrides as Partial<PipelineConfigInput>);
    const pipeline = await template('cloudformation/pipeline.yaml');
    expect(checkParameterValues(pipeline, pipelineParameters(config, names, CODE))).toEqual([]);
  });

  it('maps {"accounts": [...]} to BucketReadAccess accounts and the list of IDs', () => {
    const { config, names } = configOf({ bucketReadAccess: { accounts: ['111122223333'] } });
    expect(pipelineParameters(config, names, CODE)).toMatchObject({
      BucketReadAccess: 'accounts',
      ReaderAccountIds: '111122223333',
    });
  });

  it('rejects more addresses than the template has subscriptions, naming the field', () => {
    // The config schema refuses six addresses too; the mapper keeps its own guard for callers
    // that build a config some other way.
    const emails = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}@x.io`);
    const { config: valid, names } = configOf();
    const config = { ...valid, alertEmails: emails };
    expect(() => pipelineParameters(config, names, CODE)).toThrow(ValidationError);
    expect(() => pipelineParameters(config, names, CODE)).toThrow(
      'alertEmails: lists 6 addresses; the pipeline stack subscribes at most 5',
    );
  });

  it('gives the code-artifacts stack its parameters', async () => {
    const { names } = configOf();
    const artifacts = await template('cloudformation/code-artifacts.yaml');
    const values = artifactsParameters(names);
    expect(checkParameterValues(artifacts, values)).toEqual([]);
    expect(toCloudFormationParameters(values)).toEqual([
      { ParameterKey: 'NamePrefix', ParameterValue: 'DEKYLMAP' },
      { ParameterKey: 'ArtifactsBucketName', ParameterValue: 'dekylemaposa-code-artifacts-s3' },
    ]);
  });
});

describe('checkParameterValues', () => {
  it('names each value the template would refuse', async () => {
    // Prepare
    const { config, names } = configOf();
    const pipeline = await template('cloudformation/pipeline.yaml');
    const values = pipelineParameters(config, names, CODE);

    // Act
    const findings = checkParameterValues(pipeline, {
      ...values,
      StreamingCodeKey: 'functions/streaming.zip',
      BucketReadAccess: 'public',
      ScheduleMinutes: '0',
      TableName: undefined as unknown as string,
      Extra: 'x',
    }).map((finding) => finding.message);

    // Assess
    expect(findings).toEqual([
      'value given for Extra, which the template does not declare',
      'TableName has no default and no value was given',
      'BucketReadAccess = "public": is not one of AllowedValues authenticated-aws-accounts, private, accounts',
      'ScheduleMinutes = "0": is below MinValue 1',
      'StreamingCodeKey = "functions/streaming.zip": does not match AllowedPattern ^functions/streaming-[0-9a-f]{16}\\.zip$',
    ]);
  });
});

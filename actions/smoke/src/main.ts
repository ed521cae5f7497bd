import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import {
  booleanInput,
  credentialsOrSkip,
  integerInput,
  readInputs,
  runAction,
} from '../../../lib/steps/action.js';
import { systemClock } from '../../../lib/steps/report.js';
import { defaultSmokeTimeoutSeconds, smokeTest } from '../../../lib/steps/smoke.js';
import { smokeTargets } from '../../../lib/steps/smokeTargets.js';

const inputs = z.object({
  config: z.string().default(DEFAULT_CONFIG_FILE),
  since: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-28T18:00:00Z' })
    .transform((text) => new Date(text))
    .optional(),
  'timeout-seconds': integerInput(1).optional(),
  drill: booleanInput.default(false),
});

/** The smoke action: proves the deployed pipeline delivers, and with drill that it alerts. */
export async function run(): Promise<void> {
  const started = new Date();
  await runAction(core, process.env, async (reporter) => {
    const input = readInputs(core, inputs, ['config', 'since', 'timeout-seconds', 'drill']);
    const config = await loadConfig(input.config);
    const names = deriveNames(config);
    const region = { region: config.region };
    const cloudFormation = new CloudFormationClient(region);
    if (!(await credentialsOrSkip(core, cloudFormation.config.credentials))) return;
    const timeoutSeconds = input['timeout-seconds'] ?? defaultSmokeTimeoutSeconds(config);
    core.info(
      input['timeout-seconds'] === undefined
        ? `Timeout ${timeoutSeconds} s: (2 × ${config.scheduleMinutes} min schedule + ${config.deliveryBufferSeconds} s buffer) × 1.5 + 60 s`
        : `Timeout ${timeoutSeconds} s (input timeout-seconds)`,
    );
    const result = await smokeTest(
      { s3: new S3Client(region), lambda: new LambdaClient(region), sqs: new SQSClient(region) },
      {
        targets: await smokeTargets(cloudFormation, names),
        tickers: config.tickers.map((ticker) => ticker.name),
        ownerName: `${config.firstName} ${config.lastName}`,
        since: input.since ?? started,
        timeoutMs: timeoutSeconds * 1_000,
        drill: input.drill,
        clock: systemClock,
      },
      reporter,
    );
    core.setOutput('objects', String(result.objects));
    core.setOutput('records', String(result.records));
    if (result.firstObjectSeconds !== undefined)
      core.setOutput('first-object-seconds', String(result.firstObjectSeconds));
    core.setOutput('alert-received', result.alertReceived);
  });
}

import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import {
  credentialsOrSkip,
  integerInput,
  readInputs,
  runAction,
} from '../../../lib/steps/action.js';
import { checkConfirmation, teardownPipeline } from '../../../lib/steps/teardown.js';

const inputs = z.object({
  config: z.string().default(DEFAULT_CONFIG_FILE),
  confirm: z.string({ error: 'is required: set it to the pipeline stack name' }),
  'wait-minutes': integerInput(1).default(30),
});

/** The teardown action: empties the buckets and deletes both stacks. */
export async function run(): Promise<void> {
  await runAction(core, process.env, async (reporter) => {
    const input = readInputs(core, inputs, ['config', 'confirm', 'wait-minutes']);
    const config = await loadConfig(input.config);
    const names = deriveNames(config);
    const cloudFormation = new CloudFormationClient({ region: config.region });
    // The confirmation is checked before anything, credentials included.
    checkConfirmation(names, input.confirm);
    if (!(await credentialsOrSkip(core, cloudFormation.config.credentials))) return;
    const result = await teardownPipeline(
      { cloudFormation, s3: new S3Client({ region: config.region }) },
      { names, confirm: input.confirm, timeoutMs: input['wait-minutes'] * 60_000 },
      reporter,
    );
    core.setOutput('deleted', JSON.stringify(result.deleted));
  });
}

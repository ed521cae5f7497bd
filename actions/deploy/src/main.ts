import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { BUILD_DIR } from '../../../lib/build/functions.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import {
  credentialsOrSkip,
  integerInput,
  readInputs,
  runAction,
} from '../../../lib/steps/action.js';
import { deployPipeline } from '../../../lib/steps/deploy.js';

const inputs = z.object({
  config: z.string().default(DEFAULT_CONFIG_FILE),
  artifacts: z.string().default(BUILD_DIR),
  'wait-minutes': integerInput(1).default(30),
});

/** The deploy action: code-artifacts stack, function zips, then the pipeline stack. */
export async function run(): Promise<void> {
  await runAction(core, process.env, async (reporter) => {
    const input = readInputs(core, inputs, ['config', 'artifacts', 'wait-minutes']);
    const config = await loadConfig(input.config);
    const names = deriveNames(config);
    const cloudFormation = new CloudFormationClient({ region: config.region });
    if (!(await credentialsOrSkip(core, cloudFormation.config.credentials))) return;
    const result = await deployPipeline(
      { cloudFormation, s3: new S3Client({ region: config.region }) },
      {
        config,
        names,
        artifacts: input.artifacts,
        timeoutMs: input['wait-minutes'] * 60_000,
      },
      reporter,
    );
    core.setOutput('stack-name', result.stackName);
    core.setOutput('changed', String(result.changed));
    core.setOutput('status', result.status);
    for (const [key, value] of Object.entries(result.outputs)) core.setOutput(key, value);
  });
}

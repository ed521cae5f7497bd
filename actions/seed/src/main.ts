import * as core from '@actions/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import {
  booleanInput,
  credentialsOrSkip,
  readInputs,
  runAction,
} from '../../../lib/steps/action.js';
import { seedTickers } from '../../../lib/steps/seed.js';

const inputs = z.object({
  config: z.string().default(DEFAULT_CONFIG_FILE),
  reset: booleanInput.default(false),
});

/** The seed action: writes the config's tickers into the table. */
export async function run(): Promise<void> {
  await runAction(core, process.env, async (reporter) => {
    const input = readInputs(core, inputs, ['config', 'reset']);
    const config = await loadConfig(input.config);
    const names = deriveNames(config);
    const dynamodb = new DynamoDBClient({ region: config.region });
    if (!(await credentialsOrSkip(core, dynamodb.config.credentials))) return;
    const result = await seedTickers(
      dynamodb,
      { tickers: config.tickers, tableName: names.table, reset: input.reset },
      reporter,
    );
    core.setOutput('written', String(result.written.length));
    core.setOutput('kept', String(result.kept.length));
    core.setOutput('not-in-config', JSON.stringify(result.notInConfig));
  });
}

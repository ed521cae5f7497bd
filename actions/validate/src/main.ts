import * as core from '@actions/core';
import { z } from 'zod';
import { FUNCTION_CALLS } from '../../../functions/calls.js';
import { DEFAULT_CONFIG_FILE } from '../../../lib/config/load.js';
import { ValidationError } from '../../../lib/errors.js';
import {
  annotationMessage,
  annotationOf,
  readInputs,
  runAction,
} from '../../../lib/steps/action.js';
import { validateStep } from '../../../lib/steps/validate.js';
import { TEMPLATE_DIR } from '../../../lib/templates/validate.js';

const inputs = z.object({
  config: z.string().default(DEFAULT_CONFIG_FILE),
  templates: z.string().default(TEMPLATE_DIR),
});

/** The validate action: every check of `npm run validate`, findings as annotations. */
export async function run(): Promise<void> {
  await runAction(core, process.env, async (reporter) => {
    const input = readInputs(core, inputs, ['config', 'templates']);
    const result = await validateStep(
      {
        config: input.config,
        templates: input.templates,
        functionCalls: FUNCTION_CALLS,
        ...(process.env.PATH === undefined ? {} : { cfnLintPath: process.env.PATH }),
      },
      reporter,
    );
    for (const warning of result.warnings)
      core.warning(annotationMessage(warning), annotationOf(warning));
    if (result.names) {
      core.setOutput('stack-name', result.names.stack);
      core.setOutput('names', JSON.stringify(result.names));
    }
    if (result.monthlyCostUsd !== undefined)
      core.setOutput('monthly-cost-usd', result.monthlyCostUsd.toFixed(2));
    // The errors go out as annotations on their file and line, then fail the step.
    if (!result.ok) throw new ValidationError(result.errors);
  });
}

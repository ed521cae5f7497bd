import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../../lib/errors.js';
import {
  booleanInput,
  credentialsOrSkip,
  integerInput,
  readInputs,
  runAction,
} from '../../../lib/steps/action.js';
import type { ActionCore, Annotation } from '../../../lib/steps/action.js';
import { PermissionError } from '../../../lib/steps/errors.js';

/** A stand-in for @actions/core that records what an action did. */
function recordingCore(inputs: Record<string, string> = {}) {
  const calls = {
    outputs: {} as Record<string, unknown>,
    errors: [] as [string, Annotation | undefined][],
    notices: [] as string[],
    failed: [] as string[],
    summary: [] as string[],
    written: 0,
  };
  const core: ActionCore = {
    getInput: (name) => inputs[name] ?? '',
    setOutput: (name, value) => void (calls.outputs[name] = value),
    info: () => undefined,
    notice: (message) => void calls.notices.push(message),
    warning: () => undefined,
    error: (message, properties) => void calls.errors.push([message, properties]),
    setFailed: (message) => void calls.failed.push(message),
    summary: {
      addRaw: (text) => calls.summary.push(text),
      write: async () => void calls.written++,
    },
  };
  return { core, calls };
}

const schema = z.object({
  reset: booleanInput.default(false),
  'wait-minutes': integerInput(1).default(30),
});

describe('readInputs', () => {
  it('applies the defaults to inputs left empty', () => {
    const { core } = recordingCore({ reset: '' });

    expect(readInputs(core, schema, ['reset', 'wait-minutes'])).toEqual({
      reset: false,
      'wait-minutes': 30,
    });
  });

  it('converts booleans and numbers', () => {
    const { core } = recordingCore({ reset: 'True', 'wait-minutes': '5' });

    expect(readInputs(core, schema, ['reset', 'wait-minutes'])).toEqual({
      reset: true,
      'wait-minutes': 5,
    });
  });

  it('names the input and what would be right', () => {
    const { core } = recordingCore({ reset: 'yes', 'wait-minutes': '0' });

    expect(() => readInputs(core, schema, ['reset', 'wait-minutes'])).toThrow(
      /input reset: must be true or false; input wait-minutes: must be at least 1/,
    );
  });
});

describe('runAction', () => {
  it('turns each validation finding into an annotation on its file and line, then fails', async () => {
    const { core, calls } = recordingCore();
    const finding = {
      path: 'tickers[0].price',
      message: 'too low',
      file: 'c.json',
      line: 4,
      column: 7,
    };

    await runAction(core, {}, async () => {
      throw new ValidationError([finding]);
    });

    expect(calls.errors).toEqual([
      ['tickers[0].price: too low', { file: 'c.json', startLine: 4, startColumn: 7 }],
    ]);
    expect(calls.failed).toHaveLength(1);
  });

  it("fails with a step error's message alone", async () => {
    const { core, calls } = recordingCore();

    await runAction(core, {}, async () => {
      throw new PermissionError('s3:PutObject', 's3://b/k');
    });

    expect(calls.failed[0]).toMatch(
      /^the AWS credentials may not call s3:PutObject on s3:\/\/b\/k/,
    );
  });

  it('writes the summary only where the runner gives a summary file', async () => {
    const withFile = recordingCore();
    const without = recordingCore();

    await runAction(withFile.core, { GITHUB_STEP_SUMMARY: '/tmp/s' }, async (r) => r.summary('x'));
    await runAction(without.core, {}, async (r) => r.summary('x'));

    expect(withFile.calls.written).toBe(1);
    expect(without.calls.written).toBe(0);
  });
});

describe('credentialsOrSkip', () => {
  it('leaves a notice naming AWS_DEPLOY_ROLE_ARN and sets skipped when there are none', async () => {
    const { core, calls } = recordingCore();
    const none = async () => {
      throw Object.assign(new Error('none'), { name: 'CredentialsProviderError' });
    };

    expect(await credentialsOrSkip(core, none)).toBe(false);
    expect(calls.notices[0]).toContain('AWS_DEPLOY_ROLE_ARN');
    expect(calls.outputs.skipped).toBe('true');
  });
});

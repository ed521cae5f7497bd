import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import type { CreateFunctionCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';

/** A function zip holding one handler file (`index.mjs` unless named), as a test writes it. */
export function zipHandler(source: string, file = 'index.mjs'): Uint8Array {
  return zipSync({ [file]: strToU8(source) });
}

/** The settings every test function shares; tests spread their own over them. */
export const TEST_FUNCTION = {
  Runtime: 'nodejs22.x',
  Role: 'arn:aws:iam::000000000000:role/test-function',
  Handler: 'index.handler',
} as const;

/** Creates a test function from handler source (in `index.mjs`). */
export async function deployFunction(
  lambda: LambdaClient,
  name: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      ...TEST_FUNCTION,
      FunctionName: name,
      Code: { ZipFile: zipHandler(source) },
      ...extra,
    }),
  );
}

/** Invokes a function synchronously; the answer with its payload parsed and its log tail decoded. */
export async function invokeJson(
  lambda: LambdaClient,
  name: string,
  payload: unknown = {},
  logType?: 'Tail',
) {
  const result = await lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(payload)),
      ...(logType ? { LogType: logType } : {}),
    }),
  );
  return {
    ...result,
    body: JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) as Record<string, unknown>,
    log: result.LogResult ? Buffer.from(result.LogResult, 'base64').toString('utf8') : '',
  };
}

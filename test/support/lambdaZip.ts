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

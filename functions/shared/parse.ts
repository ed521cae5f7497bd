import type * as z from 'zod';
import { ValidationError } from '../../lib/errors.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/**
 * Parses `input` with `schema`, or throws a {@link ValidationError} whose findings name each field
 * (prefixed by `what`, such as `environment`) and say what would be right.
 */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      path: [what, formatPath(issue.path)].filter(Boolean).join(' '),
      message: issue.message,
    })),
  );
}

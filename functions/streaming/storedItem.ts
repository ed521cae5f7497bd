/**
 * DynamoDB's wire shapes, declared structurally so pure logic can read and build items without
 * importing `@aws-sdk/*`; the SDK's own types are assignable to these.
 */
export interface StoredValue {
  S?: string;
  N?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, StoredValue>;
  L?: StoredValue[];
}

/** One DynamoDB item as the SDK returns it (attribute name to typed value). */
export type StoredItem = Record<string, StoredValue>;

/** The type letter DynamoDB uses for a value, such as `S` or `N`, for error messages. */
export function typeOf(value: StoredValue): string {
  const names = { S: 'string', N: 'number', BOOL: 'boolean', NULL: 'null', M: 'map', L: 'list' };
  for (const [key, name] of Object.entries(names)) {
    if ((value as Record<string, unknown>)[key] !== undefined) return `a ${name} (${key})`;
  }
  const other = Object.keys(value)[0];
  return other ? `a value of type ${other}` : 'an empty value';
}

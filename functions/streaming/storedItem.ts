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

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A number's stored size: DynamoDB keeps it as base-100 digits aligned on the decimal point plus
 * one byte (so `12` takes 2 bytes, `1.2` takes 3), and one more byte when it is negative.
 */
function numberSize(text: string): number {
  const match = /^\s*(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?\s*$/.exec(text);
  if (!match) return 21; // The largest a number can take.
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const all = whole + fraction;
  const lead = all.search(/[1-9]/);
  if (lead === -1) return 1; // Zero.
  const digits = all.slice(lead).replace(/0+$/, '').length;
  // The power of ten of the first significant digit decides how the pairs of digits fall.
  const power = whole.length - lead - 1 + Number(exponent);
  const padded = digits % 2 === 0 && power % 2 === 0 ? 1 : 0;
  return 1 + Math.ceil(digits / 2) + padded + (sign ? 1 : 0);
}

function valueSize(value: StoredValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, each) => sum + 1 + valueSize(each), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemSize(value.M);
  return 0;
}

/**
 * An item's size as DynamoDB bills it: every attribute name plus its value, strings in UTF-8.
 * A write costs one unit per started KB of the larger of the item before and after.
 */
export function itemSize(item: StoredItem): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + utf8Bytes(name) + valueSize(value),
    0,
  );
}

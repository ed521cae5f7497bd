import { createHash } from 'node:crypto';

/** A message attribute as SQS stores it: a data type and a string or (base64) binary value. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as the JSON protocol carries it. */
  BinaryValue?: string;
}

/** The hex MD5 of a message body, as SQS returns it and the SDK checks it. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * The MD5 of message attributes as SQS computes it: for each attribute in name order, the
 * length-prefixed name and data type, a transport byte (1 string, 2 binary) and the
 * length-prefixed value. Undefined when there are no attributes, as SQS then omits the field.
 */
export function md5OfAttributes(attributes: Record<string, MessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')));
    if (attribute.StringValue !== undefined) {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(attribute.StringValue, 'utf8')));
    } else {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(attribute.BinaryValue ?? '', 'base64')));
    }
  }
  return hash.digest('hex');
}

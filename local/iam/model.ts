import { randomBytes } from 'node:crypto';
import { AwsError } from '../http.js';

/** An IAM error (query protocol code, HTTP status). */
export class IamError extends AwsError {
  override name = 'IamError';
}

/** Thrown for a role, policy or provider that does not exist. */
export class NoSuchEntityError extends IamError {
  override name = 'NoSuchEntityError';
  constructor(message: string) {
    super('NoSuchEntity', message, 404);
  }
}

/** A tag as IAM lists them. */
export interface Tag {
  Key: string;
  Value: string;
}

/** A role as stored. */
export interface Role {
  name: string;
  id: string;
  arn: string;
  path: string;
  created: number;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Tag[];
  /** Inline policies by name. */
  inlinePolicies: Record<string, string>;
  /** Managed policy ARNs attached. */
  attachedPolicies: string[];
}

/** A customer managed policy as stored, with its versions. */
export interface ManagedPolicy {
  name: string;
  id: string;
  arn: string;
  path: string;
  description?: string;
  created: number;
  updated: number;
  defaultVersionId: string;
  versions: { id: string; document: string; created: number }[];
  nextVersion: number;
  tags: Tag[];
}

/** An OpenID Connect identity provider as stored. */
export interface OidcProvider {
  arn: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  created: number;
  tags: Tag[];
}

/** Everything local IAM keeps, as saved in its state file. */
export interface IamState {
  roles: Role[];
  policies: ManagedPolicy[];
  providers: OidcProvider[];
}

const NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^\/([\x21-\x7E]{0,510}\/)?$/;
/** A policy name: IAM allows 128 characters where a role has 64. */
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** How many versions IAM keeps of one managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** AWS's unique ids: a four-letter prefix by kind and 17 characters. */
export function uniqueId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...randomBytes(17)].map((byte) => alphabet[byte % 32]).join('');
}

/** IAM's ValidationError, in AWS's "1 validation error detected" wording. */
export function validationError(value: unknown, field: string, constraint: string): IamError {
  return new IamError(
    'ValidationError',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Checks a role or policy name against IAM's pattern. */
export function checkName(value: string, field: string, pattern = NAME, max = 64): void {
  if (!pattern.test(value))
    throw validationError(
      value,
      field,
      `Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and ${max}`,
    );
}

/** Checks a path: `/` or `/a/b/`. */
export function checkPath(path: string): void {
  if (!PATH.test(path))
    throw validationError(
      path,
      'path',
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
}

/** Checks a policy document is a JSON object with statements, as IAM's parser first does. */
export function checkPolicyDocument(document: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new IamError('MalformedPolicyDocument', 'This policy contains invalid Json');
  }
  const statement = (parsed as { Statement?: unknown } | null)?.Statement;
  if (typeof parsed !== 'object' || parsed === null || typeof statement !== 'object' || !statement)
    throw new IamError('MalformedPolicyDocument', 'Syntax errors in policy: it needs a Statement.');
}

/** Adds tags to a list, replacing those with the same key; IAM allows 50. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, tag);
  if (byKey.size > 50)
    throw new IamError(
      'LimitExceeded',
      'The number of tags has reached the maximum limit of 50.',
      409,
    );
  return [...byKey.values()];
}

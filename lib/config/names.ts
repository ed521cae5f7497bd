import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';

/** Letters that Unicode does not decompose into a base letter and an accent. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
};

/** Characters people write in names that carry no letter: dropped. */
const SEPARATORS = /[\s\-‐‑–—'’ʼ`.]/gu;

/**
 * Reduces a person's name to ASCII letters: folds accents (`José` → `Jose`), drops spaces,
 * hyphens, apostrophes and periods. Throws naming `field` when anything else remains.
 */
export function normaliseName(name: string, field: string): string {
  const folded = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/./gu, (char) => TRANSLITERATIONS[char] ?? char)
    .replace(SEPARATORS, '');
  const bad = [...folded].filter((char) => !/[A-Za-z]/.test(char));
  if (bad.length > 0) {
    const unique = [...new Set(bad)];
    const shown = unique.map((char) => JSON.stringify(char)).join(', ');
    const kind = unique.some((char) => /\p{L}/u.test(char)) ? 'Latin letter' : 'letter';
    throw new ValidationError([
      {
        path: field,
        message:
          `${JSON.stringify(name)} contains ${shown}, which ` +
          (unique.length > 1 ? `are not ${kind}s` : `is not a ${kind}`) +
          '; AWS resource names need the name in Latin letters (A-Z, accents are fine), such as "Kyle"',
      },
    ]);
  }
  if (folded.length === 0) {
    throw new ValidationError([
      {
        path: field,
        message: `${JSON.stringify(name)} has no letters; write a name such as "Kyle"`,
      },
    ]);
  }
  return folded;
}

/** Every AWS resource name of one person's pipeline. */
export interface ResourceNames {
  /** `DE` + 3 letters of each name, upper case: `DEKYLMAP`. */
  prefix: string;
  stack: string;
  artifactsStack: string;
  table: string;
  streamingFunction: string;
  notificationFunction: string;
  topic: string;
  deliveryStream: string;
  bucket: string;
  artifactsBucket: string;
  schedule: string;
  streamingRole: string;
  notificationRole: string;
  deliveryStreamRole: string;
  schedulerRole: string;
  streamingLogGroup: string;
  notificationLogGroup: string;
  deliveryStreamLogGroup: string;
  /** Glue database of the delivered data: lower case with underscores, `dekylmap_streaming_db`. */
  glueDatabase: string;
  /** Athena workgroup that queries run in. */
  workGroup: string;
  /** The stack of cloudformation/github-oidc.yaml. Outside the `DE...-` prefix, like its roles,
   * so that the deploy role, whose IAM and stack permissions cover that prefix, cannot change itself. */
  oidcStack: string;
  deployRole: string;
  previewRole: string;
}

interface NameRule {
  max: number;
  min?: number;
  pattern: RegExp;
  allowed: string;
}

/** Each AWS service's own rules for the names we derive. */
const RULES = {
  stack: { max: 128, pattern: /^[A-Za-z][A-Za-z0-9-]*$/, allowed: 'letters, digits and hyphens' },
  table: { min: 3, max: 255, pattern: /^[A-Za-z0-9_.-]+$/, allowed: 'letters, digits, _ . -' },
  function: { max: 64, pattern: /^[A-Za-z0-9_-]+$/, allowed: 'letters, digits, _ -' },
  topic: { max: 256, pattern: /^[A-Za-z0-9_-]+$/, allowed: 'letters, digits, _ -' },
  deliveryStream: { max: 64, pattern: /^[A-Za-z0-9_.-]+$/, allowed: 'letters, digits, _ . -' },
  role: { max: 64, pattern: /^[\w+=,.@-]+$/, allowed: 'letters, digits, _ + = , . @ -' },
  schedule: { max: 64, pattern: /^[A-Za-z0-9_.-]+$/, allowed: 'letters, digits, _ . -' },
  logGroup: { max: 512, pattern: /^[\w/.#-]+$/, allowed: 'letters, digits, _ - / . #' },
  glueDatabase: { max: 255, pattern: /^[a-z0-9_]+$/, allowed: 'lower-case letters, digits and _' },
  workGroup: { max: 128, pattern: /^[A-Za-z0-9._-]+$/, allowed: 'letters, digits, . _ -' },
} as const satisfies Record<string, NameRule>;

const BUCKET_RULE = {
  min: 3,
  max: 63,
  pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
  allowed: 'lower-case letters, digits, dots and hyphens',
};

function check(name: string, rule: NameRule, what: string): string | undefined {
  if (name.length > rule.max)
    return `${what} "${name}" is ${name.length} characters; at most ${rule.max} are allowed`;
  if (name.length < (rule.min ?? 1))
    return `${what} "${name}" is shorter than ${rule.min} characters`;
  if (!rule.pattern.test(name)) return `${what} "${name}" may only contain ${rule.allowed}`;
  return undefined;
}

/** Derives every resource name from the person's name; throws when one breaks its service's rules. */
export function deriveNames(person: { firstName: string; lastName: string }): ResourceNames {
  const errors: Finding[] = [];
  const normalise = (name: string, field: string): string => {
    try {
      return normaliseName(name, field);
    } catch (error: unknown) {
      if (error instanceof ValidationError) errors.push(...error.findings);
      else throw error;
      return '';
    }
  };
  const first = normalise(person.firstName, 'firstName');
  const last = normalise(person.lastName, 'lastName');
  if (errors.length > 0) throw new ValidationError(errors);

  const prefix = `DE${first.slice(0, 3)}${last.slice(0, 3)}`.toUpperCase();
  const full = `de${first}${last}`.toLowerCase();
  const names: ResourceNames = {
    prefix,
    stack: `${prefix}-streaming-pipeline`,
    artifactsStack: `${prefix}-code-artifacts`,
    table: `${prefix}-streaming-dynamodb`,
    streamingFunction: `${prefix}-streaming-lambda`,
    notificationFunction: `${prefix}-notification-lambda`,
    topic: `${prefix}-streaming-sns-topic`,
    deliveryStream: `${prefix}-deliverystream`,
    bucket: `${full}-deliverystream-s3`,
    artifactsBucket: `${full}-code-artifacts-s3`,
    schedule: `${prefix}-streaming-schedule`,
    streamingRole: `${prefix}-streaming-lambda-role`,
    notificationRole: `${prefix}-notification-lambda-role`,
    deliveryStreamRole: `${prefix}-deliverystream-role`,
    schedulerRole: `${prefix}-streaming-schedule-role`,
    streamingLogGroup: `/aws/lambda/${prefix}-streaming-lambda`,
    notificationLogGroup: `/aws/lambda/${prefix}-notification-lambda`,
    deliveryStreamLogGroup: `/aws/kinesisfirehose/${prefix}-deliverystream`,
    glueDatabase: `${prefix.toLowerCase()}_streaming_db`,
    workGroup: `${prefix}-streaming-workgroup`,
    oidcStack: `GitHubOidc-${prefix}`,
    deployRole: `GitHubDeploy-${prefix}`,
    previewRole: `GitHubPreview-${prefix}`,
  };

  const checks: [keyof ResourceNames, NameRule, string][] = [
    ['stack', RULES.stack, 'CloudFormation stack name'],
    ['artifactsStack', RULES.stack, 'CloudFormation stack name'],
    ['table', RULES.table, 'DynamoDB table name'],
    ['streamingFunction', RULES.function, 'Lambda function name'],
    ['notificationFunction', RULES.function, 'Lambda function name'],
    ['topic', RULES.topic, 'SNS topic name'],
    ['deliveryStream', RULES.deliveryStream, 'Firehose delivery stream name'],
    ['schedule', RULES.schedule, 'Scheduler schedule name'],
    ['streamingRole', RULES.role, 'IAM role name'],
    ['notificationRole', RULES.role, 'IAM role name'],
    ['deliveryStreamRole', RULES.role, 'IAM role name'],
    ['schedulerRole', RULES.role, 'IAM role name'],
    ['streamingLogGroup', RULES.logGroup, 'log group name'],
    ['notificationLogGroup', RULES.logGroup, 'log group name'],
    ['deliveryStreamLogGroup', RULES.logGroup, 'log group name'],
    ['glueDatabase', RULES.glueDatabase, 'Glue database name'],
    ['workGroup', RULES.workGroup, 'Athena workgroup name'],
    ['oidcStack', RULES.stack, 'CloudFormation stack name'],
    ['deployRole', RULES.role, 'IAM role name'],
    ['previewRole', RULES.role, 'IAM role name'],
  ];
  for (const [key, rule, what] of checks) {
    const problem = check(names[key], rule, what);
    if (problem)
      errors.push({
        path: 'firstName',
        message: `${problem} (derived from firstName and lastName)`,
      });
  }
  for (const key of ['bucket', 'artifactsBucket'] as const) {
    const problem = check(names[key], BUCKET_RULE, 'S3 bucket name');
    if (problem) {
      const excess = names[key].length - BUCKET_RULE.max;
      errors.push({
        path: 'lastName',
        message:
          `${problem}: it is made of the full firstName and lastName, which together may have at most ` +
          `${first.length + last.length - excess} letters; shorten firstName or lastName ` +
          `(for example use a short form of a long name) by ${excess} letters`,
      });
      break; // The other bucket name is made the same way; one message is enough.
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return names;
}

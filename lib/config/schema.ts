import { z } from 'zod';
import { AWS_REGIONS } from './regions.js';
import { closest, quoteList } from '../text.js';
import { normaliseName } from './names.js';
import { ValidationError } from '../errors.js';
import { hasAtMostTwoDecimals, MAX_PRICE, MAX_TICKER_NAME_BYTES, nearestPrice } from './limits.js';

/** The tutorial's five tickers, seeded when the config names none. */
export const DEFAULT_TICKERS = [
  { name: 'Index_1', price: 100 },
  { name: 'Index_2', price: 90 },
  { name: 'Index_3', price: 80 },
  { name: 'Index_4', price: 70 },
  { name: 'Index_5', price: 60 },
] as const;

/** The ways the data bucket can be shared for reading; nobody outside the account ever writes. */
export const BUCKET_READ_ACCESS = ['authenticated-aws-accounts', 'private'] as const;

/** The pipeline template has one email subscription slot per address, up to this many. */
export const MAX_ALERT_EMAILS = 5;

/** Largest ticker list the pipeline is sized for (one tick must finish well inside a minute). */
export const MAX_TICKERS = 10_000;

type Issue = { code: string; input?: unknown; keys?: string[] };

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return `the string ${JSON.stringify(input)}`;
  if (typeof input === 'object') return 'an object';
  return `${typeof input} ${String(input)}`;
}

/** An error message for a missing or mistyped value: "required: <what>" or "<what>, not <input>". */
function expected(what: string) {
  return (issue: Issue) =>
    issue.input === undefined
      ? `required: ${what}`
      : `must be ${what}, not ${describe(issue.input)}`;
}

/** A strict object whose unknown keys are reported with a "did you mean" hint. */
function strictObject<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const allowed = Object.keys(shape).filter((key) => key !== '$schema');
  return z.strictObject(shape, {
    error: (issue: Issue) => {
      if (issue.code === 'unrecognized_keys') {
        return (issue.keys ?? [])
          .map((key) => {
            const hint = closest(key, allowed);
            return `unknown field ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`;
          })
          .concat(`the fields allowed here are ${quoteList(allowed, 'and')}`)
          .join('; ');
      }
      return expected(what)(issue);
    },
  });
}

const nameSchema = (example: string) =>
  z
    .string({ error: expected(`a name in Latin letters, such as ${JSON.stringify(example)}`) })
    .trim()
    .min(1, { error: `must not be empty: write a name such as ${JSON.stringify(example)}` })
    .max(64, { error: 'must be at most 64 characters' })
    .superRefine((name, context) => {
      if (name === '') return; // Already reported as empty.
      try {
        normaliseName(name, '');
      } catch (error: unknown) {
        if (!(error instanceof ValidationError)) throw error;
        for (const finding of error.findings)
          context.addIssue({ code: 'custom', message: finding.message });
      }
    });

const regionSchema = z.string({ error: expected('an AWS region code such as "eu-west-1"') }).check(
  z.refine((region) => (AWS_REGIONS as readonly string[]).includes(region), {
    error: (issue) => {
      const input = String(issue.input);
      const hint = closest(input, AWS_REGIONS);
      return `${JSON.stringify(input)} is not an AWS region code; ${
        hint ? `did you mean ${JSON.stringify(hint)}?` : 'use one such as "eu-west-1"'
      }`;
    },
  }),
);

const emailSchema = z.email({
  error: (issue) =>
    typeof issue.input === 'string'
      ? `${JSON.stringify(issue.input)} is not an email address; write one such as "kyle@example.com"`
      : expected('an email address such as "kyle@example.com"')(issue),
});

const accountIdSchema = z
  .string({ error: expected('a 12-digit AWS account ID in quotes, such as "123456789012"') })
  .regex(/^\d{12}$/, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an AWS account ID; write exactly 12 digits, such as "123456789012"`,
  });

const accountsSchema = strictObject(
  {
    accounts: z
      .array(accountIdSchema, {
        error: expected('a list of 12-digit account IDs, such as ["123456789012"]'),
      })
      .min(1, { error: 'must list at least one 12-digit account ID' })
      .refine((ids) => new Set(ids).size === ids.length, {
        error: 'lists an account ID twice; list each once',
      })
      .meta({ description: 'The 12-digit IDs of the AWS accounts that may read, each once.' }),
  },
  'an object such as {"accounts": ["123456789012"]}',
);

const bucketReadAccessSchema = z
  .union([z.enum(BUCKET_READ_ACCESS), accountsSchema], {
    error: (issue) =>
      `${issue.input === undefined ? 'required: ' : 'must be '}${quoteList(BUCKET_READ_ACCESS)} or {"accounts": ["123456789012"]}` +
      (issue.input === undefined ? '' : `, not ${describe(issue.input)}`),
  })
  .meta({
    description:
      'Who may read the data bucket. Nobody outside this AWS account may ever write to it. ' +
      '"authenticated-aws-accounts": any signed-in AWS principal anywhere (the tutorial\'s setting); ' +
      '"private": this account only; {"accounts": [...]}: these AWS accounts only.',
  });

/** GitHub's rules for an owner (user or organisation) and a repository name. */
export const GITHUB_REPOSITORY =
  /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;

const githubRepositorySchema = z
  .string({
    error: expected('a GitHub repository as "owner/name", such as "kyle/streaming-pipeline"'),
  })
  .refine((repository) => GITHUB_REPOSITORY.test(repository) && !/\/\.\.?$/.test(repository), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a GitHub repository; write "owner/name" as in its URL, such as "kyle/streaming-pipeline"`,
  })
  .meta({
    description:
      'The GitHub repository (owner/name) whose workflows may assume the deploy role of ' +
      'cloudformation/github-oidc.yaml. Optional: the bootstrap command can take it instead.',
  });

const tickerNameSchema = z
  .string({ error: expected('a ticker name such as "Index_1"') })
  .min(1, { error: 'must not be empty: DynamoDB keys need at least one character' })
  .refine((name) => Buffer.byteLength(name, 'utf8') <= MAX_TICKER_NAME_BYTES, {
    error: (issue) =>
      `must be at most ${MAX_TICKER_NAME_BYTES} bytes in UTF-8 (${MAX_TICKER_NAME_BYTES} letters, fewer with accents), ` +
      `not ${Buffer.byteLength(issue.input as string, 'utf8')}, so that each ticker item stays under 1 KB (one DynamoDB write unit)`,
  })
  .refine((name) => !/\p{Cc}/u.test(name), {
    error: 'must not contain control characters such as tabs or newlines',
  })
  .refine((name) => name.trim() === name, {
    error: 'must not start or end with white space',
  })
  // For editors: a name of at most 64 bytes has at most 64 characters.
  .meta({
    maxLength: MAX_TICKER_NAME_BYTES,
    description:
      "The ticker's name, its DynamoDB key: unique in the list, at most 64 bytes in UTF-8, " +
      'no control characters, no white space at either end.',
  });

const priceSchema = z
  .number({ error: expected('a positive number such as 100 (not in quotes)') })
  .positive({
    error: (issue) => `must be a positive number such as 100, not ${String(issue.input)}`,
  })
  .max(MAX_PRICE, {
    error: (issue) =>
      `must be at most ${MAX_PRICE}, not ${String(issue.input)}: prices run from 0.01 to ${MAX_PRICE} ` +
      '(one billion), which the streaming function and DynamoDB keep exactly in whole cents',
  })
  .refine(hasAtMostTwoDecimals, {
    error: (issue) =>
      `must have at most two decimal places (prices are in cents), such as ${nearestPrice(issue.input as number)}`,
  })
  .meta({
    description: 'The starting price, from 0.01 to 1,000,000,000 with at most two decimals.',
  });

const tickerSchema = strictObject(
  { name: tickerNameSchema, price: priceSchema },
  'an object such as {"name": "Index_1", "price": 100}',
);

const tickersSchema = z
  .array(tickerSchema, {
    error: expected('a list of tickers such as [{"name": "Index_1", "price": 100}]'),
  })
  .min(1, { error: 'must list at least one ticker, such as {"name": "Index_1", "price": 100}' })
  .max(MAX_TICKERS, { error: `must list at most ${MAX_TICKERS} tickers` })
  .superRefine((tickers, context) => {
    const seen = new Map<string, number>();
    tickers.forEach((ticker, index) => {
      const first = seen.get(ticker.name);
      if (first === undefined) seen.set(ticker.name, index);
      else
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `${JSON.stringify(ticker.name)} is already the name of tickers[${first}]; ticker names must be unique`,
        });
    });
  });

const wholeNumber = (what: string, min: number, max: number) =>
  z
    .number({ error: expected(`${what} (not in quotes)`) })
    .int({ error: (issue) => `must be a whole number, not ${String(issue.input)}` })
    .min(min, { error: (issue) => `must be at least ${min}, not ${String(issue.input)}` })
    .max(max, { error: (issue) => `must be at most ${max}, not ${String(issue.input)}` });

/** The schema of `pipeline.config.json`: parses, converts and fills in defaults. */
export const pipelineConfigSchema = strictObject(
  {
    $schema: z.string().optional().meta({ description: 'Path to the JSON Schema of this file.' }),
    firstName: nameSchema('Kyle').meta({
      description:
        'Your first name. Its first three letters go into every resource name. Accents are ' +
        'folded (José → Jose); spaces, hyphens, apostrophes and periods are dropped; any other ' +
        'character that is not a Latin letter is an error.',
    }),
    lastName: nameSchema('Maposa').meta({
      description:
        'Your last name. Its first three letters go into every resource name; the same rules ' +
        'as firstName.',
    }),
    region: regionSchema
      .default('eu-west-1')
      .meta({ description: 'The AWS region to deploy to.', enum: [...AWS_REGIONS] }),
    alertEmails: z
      .array(emailSchema, {
        error: expected('a list of email addresses, such as ["kyle@example.com"]'),
      })
      .min(1, { error: 'must list at least one email address, such as ["kyle@example.com"]' })
      // A refinement rather than .max(): zod runs .max() on a string given in place of the list.
      .refine((emails) => emails.length <= MAX_ALERT_EMAILS, {
        error: (issue) =>
          `lists ${(issue.input as unknown[]).length} addresses; the pipeline stack subscribes at most ${MAX_ALERT_EMAILS} (use a mailing list for more)`,
      })
      .refine((emails) => new Set(emails.map((e) => e.toLowerCase())).size === emails.length, {
        error: 'lists an email address twice; list each once',
      })
      .meta({
        description:
          'Who is emailed when the streaming function fails (one to five addresses, each once). ' +
          'Each must confirm the subscription SNS emails it before alerts arrive.',
        maxItems: MAX_ALERT_EMAILS,
      }),
    bucketReadAccess: bucketReadAccessSchema,
    githubRepository: githubRepositorySchema.optional(),
    tickers: tickersSchema.default(DEFAULT_TICKERS.map((ticker) => ({ ...ticker }))).meta({
      description:
        'The rows seeded into the DynamoDB table, with unique names; the default is the ' +
        "tutorial's five.",
    }),
    scheduleMinutes: wholeNumber('a whole number of minutes such as 1', 1, 1440)
      .default(1)
      .meta({ description: 'How often the streaming function runs, in minutes.' }),
    deliveryBufferSeconds: wholeNumber('a whole number of seconds from 0 to 900', 0, 900)
      .default(60)
      .meta({
        description: 'How long Firehose buffers records before writing an object to S3 (0-900).',
      }),
  },
  'a JSON object such as {"firstName": "Kyle", "lastName": "Maposa", ...}',
);

/** A config as written in the file. */
export type PipelineConfigInput = z.input<typeof pipelineConfigSchema>;
/** A config after validation, with defaults filled in. */
export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
/** How the data bucket may be read. */
export type BucketReadAccess = PipelineConfig['bucketReadAccess'];

/** The JSON Schema that editors use to complete and check `pipeline.config.json`. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(pipelineConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Streaming pipeline config',
  };
}

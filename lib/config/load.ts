import { readFile } from 'node:fs/promises';
import { findNodeAtLocation, getNodePath, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node, ParseError, ParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';
import { deriveNames } from './names.js';
import { pipelineConfigSchema } from './schema.js';
import type { PipelineConfig } from './schema.js';

/** The config file at the repository root. */
export const DEFAULT_CONFIG_FILE = 'pipeline.config.json';

/** Renders a zod path the way a person writes it: `tickers[1].price`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const PARSE_HINTS: Record<string, string> = {
  CommaExpected: 'a comma is missing between two entries',
  PropertyNameExpected: 'expected a field name in double quotes (is there a trailing comma?)',
  ValueExpected: 'expected a value (is there a trailing comma?)',
  ColonExpected: 'expected ":" after the field name',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the list',
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  InvalidSymbol: 'this is not valid JSON here (strings need double quotes)',
};

function parseError(text: string, error: ParseError): Finding {
  const code = printParseErrorCode(error.error);
  return {
    path: '',
    message: `invalid JSON: ${PARSE_HINTS[code] ?? code}`,
    ...position(text, error.offset),
  };
}

/** Flattens zod issues into findings, reporting a union's best branch rather than "invalid input". */
function issuesToFindings(
  issues: readonly z.core.$ZodIssue[],
  prefix: PropertyKey[] = [],
): Finding[] {
  return issues.flatMap((issue): Finding[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // A branch whose errors are deeper than its root matched the input's shape: report those.
      const matching = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0));
      if (matching) return issuesToFindings(matching, path);
    }
    // One unknown key: point at the key itself rather than at the object holding it.
    if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) path.push(issue.keys[0]!);
    return [{ path: formatPath(path), message: issue.message }];
  });
}

/** Adds the line and column of each finding's field, so editors and CI can point at it. */
function locate(
  findings: Finding[],
  tree: Node | undefined,
  text: string,
  file: string,
): Finding[] {
  return findings.map((finding) => {
    const segments = finding.path
      .split(/\.|\[(\d+)\]/)
      .filter((segment) => segment !== undefined && segment !== '')
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    let node = tree ? findNodeAtLocation(tree, segments) : undefined;
    // An unknown key is not in the schema but is in the file: point at its name.
    if (node?.parent?.type === 'property') node = node.parent;
    for (let i = segments.length; !node && tree && i >= 0; i--) {
      node = findNodeAtLocation(tree, segments.slice(0, i));
    }
    return { ...finding, file, ...(node ? position(text, node.offset) : {}) };
  });
}

/**
 * Every key given a second time in the same object, at the repeated key: JSON.parse would keep the
 * last value without a word, so a config edited in two places would silently lose one edit.
 */
function duplicateKeys(tree: Node, text: string, file: string): Finding[] {
  const findings: Finding[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'object') {
      const first = new Map<string, Node>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0];
        if (!key || typeof key.value !== 'string') continue;
        const earlier = first.get(key.value);
        if (!earlier) first.set(key.value, key);
        else
          findings.push({
            path: formatPath(getNodePath(key)),
            message:
              `${JSON.stringify(key.value)} is given twice (first on line ${position(text, earlier.offset).line}); ` +
              'JSON keeps only the last one, so remove one of them',
            file,
            ...position(text, key.offset),
          });
      }
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree);
  return findings;
}

/** Parses and validates config text; throws {@link ValidationError} with every problem found. */
export function parseConfig(source: string, file = DEFAULT_CONFIG_FILE): PipelineConfig {
  const text = source.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw new ValidationError([
      { path: '', message: 'the file is empty; it must hold a JSON object', file },
    ]);
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  // Only the first syntax error: the ones after it are usually its echoes.
  if (errors[0] || !tree) {
    throw new ValidationError([
      {
        ...parseError(text, errors[0] ?? { error: 4 as ParseErrorCode, offset: 0, length: 0 }),
        file,
      },
    ]);
  }
  const duplicates = duplicateKeys(tree, text, file);
  const data: unknown = JSON.parse(text);
  const result = pipelineConfigSchema.safeParse(data);
  if (!result.success) {
    throw new ValidationError([
      ...duplicates,
      ...locate(issuesToFindings(result.error.issues), tree, text, file),
    ]);
  }
  // The derived resource names have their own limits (an S3 bucket name holds both names whole):
  // checked here so that their errors point into the file too.
  const problems = [...duplicates];
  try {
    deriveNames(result.data);
  } catch (error: unknown) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...locate(error.findings, tree, text, file));
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return result.data;
}

/** Reads, parses and validates a config file. */
export async function loadConfig(file = DEFAULT_CONFIG_FILE): Promise<PipelineConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'the file does not exist; copy the sample pipeline.config.json or pass --config <file>'
        : code === 'EISDIR'
          ? 'this is a folder; pass the path of a JSON file'
          : `the file cannot be read (${code ?? 'unknown error'})`;
    throw new ValidationError([{ path: '', message: reason, file }], { cause: error });
  }
  return parseConfig(text, file);
}

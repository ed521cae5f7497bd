/** A compiled CloudWatch Logs filter pattern: does this message match? */
export type LogMatcher = (message: string) => boolean;

/** Thrown for a pattern local AWS cannot read (or does not support). */
export class FilterPatternError extends Error {
  override name = 'FilterPatternError';
}

type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

interface JsonTerm {
  path: (string | number)[];
  op: Comparison;
  value: string | number | null | boolean;
  /** A string value with `*`: compared as a wildcard. */
  wildcard?: RegExp;
}

const JSON_TERM =
  /^\s*\$((?:\.[A-Za-z_][\w-]*|\[\d+\])*)\s*(=|!=|<=|>=|<|>)\s*("(?:[^"\\]|\\.)*"|[^\s&|)]+)\s*$/;

function parsePath(text: string): (string | number)[] {
  return [...text.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? match[1]! : Number(match[2]),
  );
}

function parseJsonTerm(text: string): JsonTerm {
  const match = JSON_TERM.exec(text);
  if (!match) {
    throw new FilterPatternError(
      `cannot read JSON filter term ${JSON.stringify(text.trim())}; write it as $.field = value`,
    );
  }
  const [, pathText = '', op, raw = ''] = match;
  let value: JsonTerm['value'];
  if (raw.startsWith('"')) value = JSON.parse(raw) as string;
  else if (raw === 'NULL') value = null;
  else if (raw === 'TRUE' || raw === 'FALSE') value = raw === 'TRUE';
  else if (raw !== '' && Number.isFinite(Number(raw))) value = Number(raw);
  else value = raw;
  const term: JsonTerm = { path: parsePath(pathText), op: op as Comparison, value };
  if (typeof value === 'string' && value.includes('*')) {
    const escaped = value.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    term.wildcard = new RegExp(`^${escaped.join('.*')}$`);
  }
  if (typeof value !== 'number' && op !== '=' && op !== '!=') {
    throw new FilterPatternError(`${op} compares numbers only, not ${raw}`);
  }
  return term;
}

function lookup(document: unknown, path: (string | number)[]): unknown {
  let current = document;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function compare(term: JsonTerm, actual: unknown): boolean {
  if (typeof term.value === 'number') {
    if (typeof actual !== 'number') return term.op === '!=' && actual !== undefined;
    switch (term.op) {
      case '=':
        return actual === term.value;
      case '!=':
        return actual !== term.value;
      case '<':
        return actual < term.value;
      case '<=':
        return actual <= term.value;
      case '>':
        return actual > term.value;
      case '>=':
        return actual >= term.value;
    }
  }
  if (actual === undefined) return false;
  const equal = term.wildcard
    ? typeof actual === 'string' && term.wildcard.test(actual)
    : actual === term.value;
  return term.op === '=' ? equal : !equal;
}

/** `{ $.a = 1 && $.b != "x" }`: terms joined by `&&` or `||` (`&&` binds tighter), no parentheses. */
function compileJson(body: string): LogMatcher {
  if (body.includes('(')) {
    throw new FilterPatternError('local AWS reads JSON filter patterns without parentheses');
  }
  const alternatives = body.split('||').map((part) => part.split('&&').map(parseJsonTerm));
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    if (document === null || typeof document !== 'object') return false;
    return alternatives.some((all) =>
      all.every((term) => compare(term, lookup(document, term.path))),
    );
  };
}

/** Splits a text pattern into terms, keeping quoted phrases whole. */
function terms(pattern: string): string[] {
  const found: string[] = [];
  for (const match of pattern.matchAll(/([?-]?)"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    if (match[3] !== undefined) found.push(match[3]);
    else found.push(`${match[1]}${JSON.parse(`"${match[2]}"`) as string}`);
  }
  return found;
}

/**
 * Compiles a filter pattern as CloudWatch Logs reads it: empty matches everything; plain terms and
 * quoted phrases must all appear (case-sensitive); `?term` terms match when any appears; `-term`
 * excludes; `{ $.field = value }` matches JSON messages. Space-delimited `[...]` patterns are not
 * supported and say so.
 */
export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const trimmed = (pattern ?? '').trim();
  if (trimmed === '' || trimmed === '""') return () => true;
  if (trimmed.startsWith('{')) {
    if (!trimmed.endsWith('}')) throw new FilterPatternError('a JSON filter pattern ends with }');
    return compileJson(trimmed.slice(1, -1));
  }
  if (trimmed.startsWith('[')) {
    throw new FilterPatternError('local AWS does not support space-delimited ([...]) patterns');
  }
  const required: string[] = [];
  const anyOf: string[] = [];
  const excluded: string[] = [];
  for (const term of terms(trimmed)) {
    if (term.startsWith('?') && term.length > 1) anyOf.push(term.slice(1));
    else if (term.startsWith('-') && term.length > 1) excluded.push(term.slice(1));
    else required.push(term);
  }
  return (message) =>
    required.every((term) => message.includes(term)) &&
    !excluded.some((term) => message.includes(term)) &&
    (anyOf.length === 0 || anyOf.some((term) => message.includes(term)));
}

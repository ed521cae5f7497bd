import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';

/** A JSON-like value of a template, with short tags turned into their long form (`{"Ref": "X"}`). */
export type TemplateValue =
  string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };

/** A path into a template: map keys and list indexes, such as `['Resources', 'Bucket', 'Type']`. */
export type TemplatePath = readonly (string | number)[];

/** A parsed template that can say where each value came from and which comment sits next to it. */
export interface ParsedTemplate {
  file: string;
  body: { [key: string]: TemplateValue };
  /** The line and column of the value at `path`, or of its nearest ancestor that has one. */
  locate(path: TemplatePath): { line: number; column: number };
  /** The comments written on, just before, or just after the value at `path` (empty when none). */
  commentsAt(path: TemplatePath): string;
}

/** The short forms CloudFormation accepts, and the long forms they stand for. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Transform': 'Fn::Transform',
};

/** The plain words SnakeYAML (CloudFormation's YAML 1.1 reader) turns into booleans. */
const YAML_11_BOOLEANS = /^(yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** Whether a value is a map (not a list, not a scalar). */
export function isObject(value: unknown): value is { [key: string]: TemplateValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const pathKey = (path: TemplatePath): string => JSON.stringify(path);

/** Parses a template's YAML (or JSON) text; throws {@link ValidationError} with located findings. */
export function parseTemplate(text: string, file: string): ParsedTemplate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const positions = new Map<string, { line: number; column: number }>();
  const comments = new Map<string, string>();
  const findings: Finding[] = [];

  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const note = (path: TemplatePath, ...texts: (string | null | undefined)[]) => {
    const joined = texts.filter((t): t is string => !!t && t.trim() !== '').join('\n');
    if (joined) comments.set(pathKey(path), `${comments.get(pathKey(path)) ?? ''}${joined}\n`);
  };

  // Only the first syntax error: the ones after it are usually its echoes.
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos?.[0];
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    findings.push({
      path: '',
      message: `not valid YAML: ${message}`,
      file,
      ...(where ? { line: where.line, column: where.col } : {}),
    });
  }

  const convert = (node: unknown, path: (string | number)[]): TemplateValue => {
    if (isAlias(node)) {
      findings.push({
        path: path.join('.'),
        message: 'YAML aliases (*name) are not supported by CloudFormation; write the value out',
        file,
        ...at(node.range?.[0] ?? 0),
      });
      return null;
    }
    const yamlNode = node as YamlNode | null | undefined;
    if (yamlNode?.range && !positions.has(pathKey(path)))
      positions.set(pathKey(path), at(yamlNode.range[0]));
    let value: TemplateValue;
    if (isMap(yamlNode)) {
      value = {};
      for (const pair of yamlNode.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const childPath = [...path, key];
        // Point a key's findings at the key itself, where an editor shows the name.
        if (isScalar(keyNode) && keyNode.range)
          positions.set(pathKey(childPath), at(keyNode.range[0]));
        note(childPath, isScalar(keyNode) ? keyNode.commentBefore : undefined);
        note(childPath, (pair.value as YamlNode | null)?.commentBefore);
        note(childPath, (pair.value as YamlNode | null)?.comment);
        value[key] = convert(pair.value, childPath);
      }
    } else if (isSeq(yamlNode)) {
      value = yamlNode.items.map((item, index) => {
        note([...path, index], (item as YamlNode).commentBefore, (item as YamlNode).comment);
        return convert(item, [...path, index]);
      });
    } else if (isScalar(yamlNode)) {
      const raw = yamlNode.value;
      // CloudFormation reads YAML 1.1, where these words are booleans; YAML 1.2 (and so this
      // parser, and the local engine) reads text. Ask for quotes so both read the same.
      if (yamlNode.type === 'PLAIN' && typeof raw === 'string' && YAML_11_BOOLEANS.test(raw))
        findings.push({
          path: path.join('.'),
          message: `unquoted ${raw} is a boolean to CloudFormation (YAML 1.1): write '${raw}' in quotes for the text, or true/false`,
          file,
          ...(positions.get(pathKey(path)) ?? at(yamlNode.range?.[0] ?? 0)),
        });
      value =
        typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
          ? raw
          : raw === null || raw === undefined
            ? null
            : String(raw);
    } else {
      value = null;
    }
    const tag = yamlNode?.tag;
    if (tag && tag.startsWith('!') && !tag.startsWith('!!') && !tag.startsWith('tag:')) {
      const long = SHORT_TAGS[tag];
      if (!long) {
        findings.push({
          path: path.join('.'),
          message: `unknown tag ${tag}; CloudFormation knows ${Object.keys(SHORT_TAGS).join(', ')}`,
          file,
          ...(positions.get(pathKey(path)) ?? at(yamlNode.range?.[0] ?? 0)),
        });
        return value;
      }
      // `!GetAtt Resource.Attribute` is the short form of `[Resource, Attribute]`.
      if (long === 'Fn::GetAtt' && typeof value === 'string') {
        const dot = value.indexOf('.');
        return { [long]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
      }
      return { [long]: value };
    }
    return value;
  };

  // Unknown-tag warnings are expected: CloudFormation's tags are not YAML's, and are handled above.
  const contents = doc.contents;
  const body = findings.length === 0 ? convert(contents, []) : null;
  if (findings.length > 0) throw new ValidationError(findings);
  if (!isObject(body)) {
    throw new ValidationError([
      {
        path: '',
        message: 'a template must be a YAML map with a Resources section',
        file,
        line: 1,
        column: 1,
      },
    ]);
  }
  return {
    file,
    body,
    locate(path) {
      // A short tag has no key of its own in the file: `!If [...]` holds what `Fn::If:` would.
      const inFile = (part: TemplatePath) =>
        part.filter((s) => typeof s !== 'string' || !(s.startsWith('Fn::') || s === 'Ref'));
      for (let i = path.length; i >= 0; i--) {
        const part = path.slice(0, i);
        const found = positions.get(pathKey(part)) ?? positions.get(pathKey(inFile(part)));
        if (found) return found;
      }
      return { line: 1, column: 1 };
    },
    commentsAt(path) {
      return comments.get(pathKey(path)) ?? '';
    },
  };
}

/** Reads and parses a template file; a missing file is a {@link ValidationError} naming it. */
export async function readTemplate(file: string): Promise<ParsedTemplate> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(
      [
        {
          path: '',
          message:
            code === 'ENOENT'
              ? 'the template does not exist'
              : `the template cannot be read (${code ?? 'unknown error'})`,
          file,
        },
      ],
      { cause: error },
    );
  }
  return parseTemplate(text, file);
}

/** A finding about the value at `path` of a template, located in its file. */
export function findingAt(template: ParsedTemplate, path: TemplatePath, message: string): Finding {
  return {
    path: path.join('.'),
    message,
    file: template.file,
    ...template.locate(path),
  };
}

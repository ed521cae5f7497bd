import { isObject } from './parse.js';
import type { TemplatePath, TemplateValue } from './parse.js';

/** The pseudo parameters every template may `Ref`. */
export const PSEUDO_PARAMETERS = [
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
] as const;

/** The name of the intrinsic function a value calls (`Ref`, `Fn::Sub`, ...), if it is one. */
export function intrinsicName(value: TemplateValue | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/** Calls `visit` on every value under `value` (itself included), depth first, with its path. */
export function walk(
  value: TemplateValue | undefined,
  path: TemplatePath,
  visit: (value: TemplateValue, path: TemplatePath) => void,
): void {
  if (value === undefined) return;
  visit(value, path);
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index], visit));
  else if (isObject(value))
    for (const [key, child] of Object.entries(value)) walk(child, [...path, key], visit);
}

/**
 * The values a property may take at deploy time with their paths: both branches of an `Fn::If`
 * (`AWS::NoValue` dropped), the value itself otherwise.
 */
export function branches(
  value: TemplateValue | undefined,
  path: TemplatePath,
): { value: TemplateValue; path: TemplatePath }[] {
  if (value === undefined) return [];
  if (intrinsicName(value) === 'Fn::If') {
    const args = (value as { 'Fn::If': TemplateValue })['Fn::If'];
    if (Array.isArray(args) && args.length === 3) {
      return [1, 2].flatMap((index) => {
        const branch = args[index]!;
        if (isObject(branch) && branch.Ref === 'AWS::NoValue') return [];
        return branches(branch, [...path, 'Fn::If', index]);
      });
    }
  }
  if (isObject(value) && value.Ref === 'AWS::NoValue') return [];
  return [{ value, path }];
}

/** A value that may be one item or a list of them, as a list (each item with its path). */
export function listOf(
  value: TemplateValue | undefined,
  path: TemplatePath,
): { value: TemplateValue; path: TemplatePath }[] {
  return branches(value, path).flatMap((branch) =>
    Array.isArray(branch.value)
      ? branch.value.flatMap((item, index) => branches(item, [...branch.path, index]))
      : [branch],
  );
}

/** The `${Name}` and `${Name.Attribute}` variables of an `Fn::Sub` string (`${!Literal}` skipped). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => match[1]!.trim())
    .filter((name) => !name.startsWith('!'));
}

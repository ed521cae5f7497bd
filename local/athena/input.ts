import { AwsError } from '../http.js';

/** A request's JSON body, or any JSON object in it. */
export type Json = Record<string, unknown>;

/** Athena's answer to a request it cannot serve as asked. */
export function invalid(message: string, code = 'InvalidRequestException'): AwsError {
  return new AwsError(code, message);
}

/** A required, non-empty string field of a request. */
export function text(input: Json, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value.length === 0)
    throw invalid(`${field} is required and must be a non-empty string`);
  return value;
}

/** Whether a value is a JSON object (not null, not an array). */
export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional object field of a request, empty when absent. */
export function optionalObject(input: Json, field: string): Json {
  const value = input[field];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${field} must be an object`);
  return value as Json;
}

import { describe, expect, it } from 'vitest';
import { compileFilterPattern, FilterPatternError } from '../../local/logs/filterPattern.js';

const matches = (pattern: string, message: string) => compileFilterPattern(pattern)(message);

describe('compileFilterPattern', () => {
  it('matches everything when the pattern is empty', () => {
    expect(matches('', 'anything')).toBe(true);
  });

  it('needs every plain term, case-sensitively', () => {
    expect(matches('ERROR timeout', 'ERROR: request timeout')).toBe(true);
    expect(matches('ERROR timeout', 'ERROR: request failed')).toBe(false);
    expect(matches('error', 'ERROR')).toBe(false);
  });

  it('keeps a quoted phrase whole', () => {
    expect(matches('"Task timed out"', 'x Task timed out after 3.00 seconds')).toBe(true);
    expect(matches('"Task timed out"', 'timed out Task')).toBe(false);
  });

  it('matches any of the ?terms', () => {
    expect(matches('?ERROR ?WARN', 'WARN disk')).toBe(true);
    expect(matches('?ERROR ?WARN', 'INFO fine')).toBe(false);
  });

  it('excludes -terms', () => {
    expect(matches('ERROR -retry', 'ERROR final')).toBe(true);
    expect(matches('ERROR -retry', 'ERROR retry 1')).toBe(false);
  });

  it('compares JSON string and number fields with = and !=', () => {
    const line = JSON.stringify({ level: 'ERROR', detail: { code: 503 }, message: 'tick' });
    expect(matches('{ $.level = "ERROR" }', line)).toBe(true);
    expect(matches('{ $.level != "ERROR" }', line)).toBe(false);
    expect(matches('{ $.detail.code = 503 }', line)).toBe(true);
    expect(matches('{ $.detail.code != 503 }', line)).toBe(false);
    expect(matches('{ $.level = ERROR && $.message = "tick" }', line)).toBe(true);
    expect(matches('{ $.level = "WARN" || $.detail.code > 500 }', line)).toBe(true);
  });

  it('does not match a JSON pattern against text that is not JSON', () => {
    expect(matches('{ $.level = "ERROR" }', 'ERROR plain text')).toBe(false);
  });

  it('refuses space-delimited patterns, saying so', () => {
    expect(() => compileFilterPattern('[ip, user, status]')).toThrow(FilterPatternError);
  });
});

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/errors.js';
import { toSarif } from '../../lib/sarif.js';

const TOOL = { name: 'npm run validate' };
const at = (file: string, message: string, line = 3, column = 5): Finding => ({
  path: 'Resources.Table',
  message,
  file,
  line,
  column,
});

describe('toSarif', () => {
  it('writes a SARIF 2.1.0 log of one run named after the tool', () => {
    const log = toSarif({ errors: [], warnings: [] }, TOOL);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.tool.driver).toEqual({ name: 'npm run validate', rules: [] });
  });

  it('locates each finding at its file, line and column with its level', () => {
    const log = toSarif(
      {
        errors: [at('cloudformation/pipeline.yaml', 'wildcard action "s3:*"')],
        warnings: [at('pipeline.config.json', 'reserved example address', 7, 2)],
      },
      TOOL,
    );
    expect(log.runs[0]!.results).toEqual([
      {
        ruleId: 'template',
        ruleIndex: 0,
        level: 'error',
        message: { text: 'Resources.Table: wildcard action "s3:*"' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'cloudformation/pipeline.yaml' },
              region: { startLine: 3, startColumn: 5 },
            },
          },
        ],
      },
      expect.objectContaining({
        ruleId: 'config',
        ruleIndex: 1,
        level: 'warning',
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'pipeline.config.json' },
              region: { startLine: 7, startColumn: 2 },
            },
          },
        ],
      }),
    ]);
  });

  it("names cfn-lint's and cfn-guard's rules by their own ids, each rule once", () => {
    const log = toSarif(
      {
        errors: [
          at('a.yaml', 'E3012 (cfn-lint): Property is of the wrong type'),
          at('b.yaml', 'E3012 (cfn-lint): Property is of the wrong type'),
          at(
            'a.yaml',
            '[CT.S3.PR.1]: Require an S3 bucket to have block public access (cfn-guard)',
          ),
        ],
        warnings: [],
      },
      TOOL,
    );
    const [run] = log.runs;
    expect(run!.tool.driver.rules.map((rule) => rule.id)).toEqual(['E3012', 'CT.S3.PR.1']);
    expect(run!.results.map((result) => [result.ruleId, result.ruleIndex])).toEqual([
      ['E3012', 0],
      ['E3012', 0],
      ['CT.S3.PR.1', 1],
    ]);
    expect(run!.tool.driver.rules[0]!.shortDescription.text).toContain('cfn-lint');
  });

  it('starts at line 1, column 1 when a finding has no position, and leaves out findings without a file', () => {
    const log = toSarif(
      {
        errors: [
          { path: '', message: 'no file at all' },
          { path: '', message: 'bad', file: 'c.yaml' },
        ],
        warnings: [],
      },
      TOOL,
    );
    expect(log.runs[0]!.results).toHaveLength(1);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region).toEqual({
      startLine: 1,
      startColumn: 1,
    });
  });
});

import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CfnLintError,
  checkWithCfnLint,
  findCfnLint,
  findingsOfReport,
} from '../../../lib/templates/cfnLint.js';
import { fixture, REAL_TEMPLATES, template } from './support.js';

const cfnLint = await findCfnLint();
const withCfnLint = cfnLint ? it : it.skip;
if (!cfnLint) console.warn('cfn-lint is not on PATH (pip install cfn-lint): its tests are skipped');

/** One match as cfn-lint 1.x prints it with --format json. */
const match = {
  Filename: fixture('out-of-range'),
  Id: 'x',
  Level: 'Error',
  Location: {
    Start: { LineNumber: 18, ColumnNumber: 7 },
    End: { LineNumber: 18, ColumnNumber: 14 },
    Path: ['Resources', 'StreamingFunction', 'Properties', 'Timeout'],
  },
  Message: '1000 is greater than the maximum of 900',
  ParentId: null,
  Rule: { Id: 'E3034', Description: '', ShortDescription: '', Source: '' },
};

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('findingsOfReport', () => {
  it('turns a match into a located finding that names the rule and cfn-lint', async () => {
    // Act
    const { errors, warnings } = findingsOfReport([match], [await template('out-of-range')]);

    // Assess
    expect(warnings).toEqual([]);
    expect(errors).toEqual([
      {
        path: 'Resources.StreamingFunction.Properties.Timeout',
        message: 'E3034 (cfn-lint): 1000 is greater than the maximum of 900',
        file: fixture('out-of-range'),
        line: 18,
        column: 7,
      },
    ]);
  });

  it('files warnings and informational matches as warnings, by cfn-lint’s level', async () => {
    const report = [
      { ...match, Level: 'Warning' },
      { ...match, Level: 'Informational' },
    ];
    const { errors, warnings } = findingsOfReport(report, [await template('out-of-range')]);
    expect([errors.length, warnings.length]).toEqual([0, 2]);
  });

  it('fails loudly when the report is not in the form it knows', () => {
    const changed = [{ ...match, Location: { StartLine: 18 } }];
    expect(() => findingsOfReport(changed, [])).toThrow(CfnLintError);
  });
});

describe('checkWithCfnLint', () => {
  it('says plainly that cfn-lint was not found when PATH has none', async () => {
    // Prepare: a PATH of one empty folder.
    const dir = await mkdtemp(join(tmpdir(), 'no-cfn-lint-'));
    folders.push(dir);

    // Act
    const found = await findCfnLint(dir);
    const result = await checkWithCfnLint([await template('out-of-range')], { path: dir });

    // Assess
    expect(found).toBeUndefined();
    expect(result.status).toEqual({
      ran: false,
      reason: expect.stringMatching(/^cfn-lint was not found on PATH/),
    });
    expect(result.errors).toEqual([]);
  });

  it('reports a cfn-lint that cannot run instead of failing the whole validation', async () => {
    // Prepare: a cfn-lint that fails the way a pyenv shim without the package does.
    const dir = await mkdtemp(join(tmpdir(), 'broken-cfn-lint-'));
    folders.push(dir);
    const binary = join(dir, 'cfn-lint');
    await writeFile(binary, '#!/bin/sh\necho "pyenv: cfn-lint: command not found" >&2\nexit 127\n');
    await chmod(binary, 0o755);

    // Act
    const result = await checkWithCfnLint([await template('out-of-range')], { binary });

    // Assess
    expect(result.status).toEqual({
      ran: false,
      reason: expect.stringContaining(
        'could not run (exit 127): pyenv: cfn-lint: command not found',
      ),
    });
  });

  withCfnLint('passes the real templates', async () => {
    const templates = await Promise.all(REAL_TEMPLATES.map((file) => template(file)));
    const result = await checkWithCfnLint(templates, { binary: cfnLint });
    expect(result).toEqual({ status: { ran: true, binary: cfnLint }, errors: [], warnings: [] });
  });
});

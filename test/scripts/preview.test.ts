import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../scripts/preview.js';
import { runMain } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const cloudFormation = mockClient(CloudFormationClient);
const tempDir = useTempDir('preview-');
const KEYS = {
  streaming: { key: 'functions/streaming-0123456789abcdef.zip' },
  notification: { key: 'functions/notification-0123456789abcdef.zip' },
};

afterEach(() => cloudFormation.reset());

describe('npm run preview', () => {
  it("previews the pipeline stack with the config's parameters and the build's code keys", async () => {
    // Prepare
    const dir = await tempDir();
    const manifest = join(dir, 'manifest.json');
    const markdown = join(dir, 'preview.md');
    await writeFile(manifest, JSON.stringify(KEYS));
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    cloudFormation.on(CreateChangeSetCommand).resolves({});
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'CREATE_COMPLETE', Changes: [] });
    cloudFormation.on(DeleteChangeSetCommand).resolves({});

    // Act
    const { code, stdout } = await runMain(main, ['--manifest', manifest, '--markdown', markdown], {
      GITHUB_RUN_ID: '7',
    });

    // Assess
    expect(code).toBe(0);
    const input = cloudFormation.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input.StackName).toBe('DEKYLMAP-streaming-pipeline');
    expect(input.ChangeSetName).toBe('preview-7');
    expect(input.TemplateBody).toBe(await readFile('cloudformation/pipeline.yaml', 'utf8'));
    expect(input.Parameters).toContainEqual({
      ParameterKey: 'StreamingCodeKey',
      ParameterValue: KEYS.streaming.key,
    });
    expect(await readFile(markdown, 'utf8')).toContain('The change set lists no resource changes.');
    expect(stdout).toContain('Change-set preview: DEKYLMAP-streaming-pipeline');
  });

  it('says to build first when the manifest is missing', async () => {
    const missing = join(await tempDir(), 'manifest.json');
    const { code, stderr } = await runMain(main, ['--manifest', missing]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${missing} is missing: run npm run build first`);
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEST_ENV } from './localAws.js';

const run = promisify(execFile);

/**
 * Runs a Python script with boto3 (an independent S3 client) against an endpoint. The script finds
 * a path-style client as `s3` and the endpoint as `endpoint`; what it prints is returned.
 */
export async function runBoto3(endpoint: string, script: string): Promise<string> {
  const prelude = [
    'import boto3, botocore.config, json, sys, urllib.request',
    'endpoint = sys.argv[1]',
    "s3 = boto3.client('s3', endpoint_url=endpoint, config=botocore.config.Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))",
  ].join('\n');
  const { stdout } = await run('python3', ['-c', `${prelude}\n${script}`, endpoint], {
    env: {
      PATH: process.env.PATH,
      ...TEST_ENV,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  return stdout;
}

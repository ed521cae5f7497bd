import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonFile } from '../../local/state.js';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'json-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JsonFile', () => {
  it('writes in call order even from separate instances on one path', async () => {
    const path = join(dir, 'state.json');

    // Services make a JsonFile per call: parallel calls must not race on the temporary file.
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => new JsonFile(path, () => 0).write(index)),
    );

    expect(JSON.parse(await readFile(path, 'utf8'))).toBe(19);
  });
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const projectDir = path.join(__dirname, '..', '..');

describe('client/api-types.ts', () => {
  it('is what openapi-typescript makes of the current OpenAPI document (npm run openapi:types)', async () => {
    // In a process of its own: openapi-typescript loads ES modules that Jest's CommonJS runtime cannot.
    const script = path.join(projectDir, 'scripts', 'openapi-types.ts');
    await expect(
      promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', script, '--check'], { cwd: projectDir }),
    ).resolves.toBeDefined();
  }, 60_000);
});

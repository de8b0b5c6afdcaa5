import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OFFLINE_NODE_FLAGS } from '../../../lib/local/local-stack';

describe("serverless offline's V8 settings", () => {
  it('are flags this Node knows (an unknown one would stop serverless offline from starting)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      ...OFFLINE_NODE_FLAGS,
      '-e',
      'process.stdout.write("ok")',
    ]);
    expect(stdout).toBe('ok');
  });
});

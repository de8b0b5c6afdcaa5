import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTethered, stopProcessGroup } from '../../../lib/local/child-processes';
import { tempDir } from '../../helpers/services';

const projectDir = path.resolve(__dirname, '..', '..', '..');

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(50);
  }
  return check();
}

describe('tethered children', () => {
  it('passes the exit code through and stops with its process group', async () => {
    const done = spawnTethered('/bin/sh', ['-c', 'exit 7'], { cwd: projectDir, output: 'pipe' });
    await expect(new Promise((resolve) => done.once('exit', resolve))).resolves.toBe(7);

    const running = spawnTethered('/bin/sleep', ['30'], { cwd: projectDir, output: 'pipe' });
    await sleep(200);
    expect(groupAlive(running.pid!)).toBe(true);
    await stopProcessGroup(running, 2000);
    expect(await until(() => !groupAlive(running.pid!), 3000)).toBe(true);
  });

  it('dies with the process that started it, even when that one is killed with SIGKILL', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const script = path.join(dir, 'parent.ts');
      await writeFile(
        script,
        [
          `import { spawnTethered } from ${JSON.stringify(path.join(projectDir, 'lib/local/child-processes'))};`,
          `const child = spawnTethered('/bin/sleep', ['60'], { cwd: ${JSON.stringify(dir)}, output: 'pipe' });`,
          `setTimeout(() => process.stdout.write(String(child.pid) + '\\n'), 100);`,
          `setInterval(() => undefined, 1000);`,
        ].join('\n'),
      );
      const parent = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: projectDir,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const pgid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      expect(groupAlive(pgid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await until(() => !groupAlive(pgid), 5000)).toBe(true);
    } finally {
      await cleanup();
    }
  }, 30_000);
});

import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProcessSpawner } from '../../../lib/process/process-spawner';
import {
  OUTPUT_CHUNK_BYTES,
  OUTPUT_FLUSH_MS,
  runProcess as runInThisProcess,
} from '../../../lib/process/run-process';
import type { OutputChunk, RunOptions, RunResult } from '../../../lib/process/run-process';
import { SpawnError } from '../../../lib/process/process-errors';
import { liveTaskProcesses } from '../../../lib/process/task-processes';
import { alive } from '../../helpers/processes';

const fixture = (name: string) => path.resolve(__dirname, '../../fixtures', name);
const base = { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 };

const spawner = createProcessSpawner();
afterAll(() => spawner.close());

// The same behaviour whether the task starts from this process or from the process spawner.
describe.each<[string, (options: RunOptions) => Promise<RunResult>]>([
  ['runProcess (from this process)', runInThisProcess],
  ['the process spawner', (options) => spawner.run(options)],
])('%s', (_name, runProcess) => {
  it('reports exit code, stdout and stderr of a real process', async () => {
    const result = await runProcess({ ...base, executable: fixture('exit-with.sh'), args: ['3'] });
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      stdout: 'out:3\n',
      stderr: 'err:3\n',
      timedOut: false,
      cancelled: false,
      truncated: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes arguments literally, with no shell to interpret them', async () => {
    const hostile = ['; rm -rf /', '$(id)', '`id`', 'a | b', 'line1\nline2', '-n'];
    const result = await runProcess({ ...base, executable: '/usr/bin/printf', args: ['%s\\n', ...hostile] });
    expect(result.stdout).toBe(hostile.map((h) => `${h}\n`).join(''));
  });

  it('feeds stdin', async () => {
    const result = await runProcess({ ...base, executable: '/usr/bin/sha256sum', args: ['-'], stdin: 'abc' });
    expect(result.stdout).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n');
  });

  it('caps output and says it was truncated', async () => {
    const result = await runProcess({ ...base, executable: fixture('flood.sh'), maxOutputBytes: 1000 });
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(result.stdout)).toBe(1000);
    expect(result.truncated).toBe(true);
  });

  it('hands on its output while it runs, in pieces that add up to the final text', async () => {
    const chunks: OutputChunk[] = [];
    const started = Date.now();
    const seen: number[] = [];
    // Three lines 700 ms apart, the last one with a character of 4 bytes; then stderr once.
    const script =
      "let i=0; const t=setInterval(()=>{ i+=1; process.stdout.write('tick ' + i + (i===3 ? ' \u{1F600}' : '') + '\\n');" +
      " if (i===3) { clearInterval(t); process.stderr.write('bye\\n'); } }, 700)";
    const result = await runProcess({
      ...base,
      executable: process.execPath,
      args: ['-e', script],
      onOutput: (chunk) => {
        chunks.push(chunk);
        seen.push(Date.now() - started);
      },
    });
    expect(result.stdout).toBe('tick 1\ntick 2\ntick 3 \u{1F600}\n');
    // The first two lines arrive while it runs, each within the flush interval of being written.
    const stdout = chunks.filter((c) => c.stream === 'stdout');
    expect(stdout.slice(0, 2).map((c) => c.data)).toEqual(['tick 1\n', 'tick 2\n']);
    expect(seen[0]).toBeLessThan(700 + OUTPUT_FLUSH_MS + 400);
    // Every piece starts where the previous one ended, in bytes of the final text.
    const text = Buffer.from(result.stdout);
    let offset = 0;
    for (const chunk of stdout) {
      expect(chunk.offset).toBe(offset);
      expect(text.subarray(offset, offset + Buffer.byteLength(chunk.data)).toString()).toBe(chunk.data);
      offset += Buffer.byteLength(chunk.data);
    }
  });

  it('hands on a large write in pieces of at most 16 KiB, never splitting a character', async () => {
    const chunks: OutputChunk[] = [];
    // 20,000 three-byte characters in one write, then a pause so the rest is handed on too.
    const script = "process.stdout.write('\u20ac'.repeat(20000)); setTimeout(() => {}, 1200)";
    const result = await runProcess({
      ...base,
      maxOutputBytes: 1024 * 1024,
      executable: process.execPath,
      args: ['-e', script],
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(result.stdout).toBe('\u20ac'.repeat(20000));
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const chunk of chunks) {
      expect(Buffer.byteLength(chunk.data)).toBeLessThanOrEqual(OUTPUT_CHUNK_BYTES);
      expect(chunk.data).toMatch(/^\u20ac+$/);
    }
    expect(chunks.map((c) => c.data).join('')).toBe(result.stdout);
  });

  it('hands on nothing of a task that ends before the flush interval (its output is in the result)', async () => {
    const chunks: OutputChunk[] = [];
    const result = await runProcess({
      ...base,
      executable: '/usr/bin/printf',
      args: ['hi'],
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(result.stdout).toBe('hi');
    await sleep(OUTPUT_FLUSH_MS + 100);
    expect(chunks).toEqual([]);
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const result = await runProcess({
      ...base,
      executable: fixture('spawn-grandchild.sh'),
      timeoutMs: 500,
    });
    const grandchild = Number(result.stdout.trim());
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGTERM');
    // The whole group is dead within the timeout + 1 s (the fault suite's promise).
    expect(result.durationMs).toBeLessThan(500 + 1000);
    expect(grandchild).toBeGreaterThan(0);
    await sleep(100);
    expect(alive(grandchild)).toBe(false);
  });

  it('sends SIGKILL after the grace period to a process that ignores SIGTERM', async () => {
    const result = await runProcess({
      ...base,
      executable: fixture('ignore-term.sh'),
      timeoutMs: 300,
      killGraceMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
  });

  it('is cancelled through an AbortSignal', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const result = await runProcess({
      ...base,
      executable: '/usr/bin/sleep',
      args: ['30'],
      signal: abort.signal,
    });
    expect(result.cancelled).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('gives the task a minimal environment without credentials, in its own directory, removed afterwards', async () => {
    const result = await runProcess({
      ...base,
      executable: fixture('print-env.sh'),
      env: ['SPAWN_QUEUE_ALLOWED', 'AWS_SECRET_ACCESS_KEY'],
      parentEnv: {
        SPAWN_QUEUE_ALLOWED: 'yes',
        SPAWN_QUEUE_HIDDEN: 'no',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ACCESS_KEY_ID: 'key',
      },
    });
    expect(result.stdout).toContain('SPAWN_QUEUE_ALLOWED=yes');
    expect(result.stdout).not.toContain('SPAWN_QUEUE_HIDDEN');
    expect(result.stdout).not.toContain('AWS_');
    const cwd = /CWD=(.*)/.exec(result.stdout)?.[1] ?? '';
    expect(path.basename(cwd)).toMatch(/^spawn-queue-job-/);
    expect(result.stdout).toContain(`HOME=${cwd}\n`);
    expect(result.stdout).toContain(`TMPDIR=${cwd}\n`);
    await expect(access(cwd)).rejects.toThrow();
  });

  it('rejects with SpawnError, starting nothing, when its working directory cannot be made', async () => {
    const run = runProcess({ ...base, executable: '/bin/echo', workRoot: '/nonexistent/work-root' });
    await expect(run).rejects.toBeInstanceOf(SpawnError);
    await expect(run).rejects.toThrow('could not make a working directory');
  });

  it('removes its working directory with whatever the task left in it', async () => {
    const result = await runProcess({
      ...base,
      executable: '/bin/sh',
      args: ['-c', 'mkdir -p left/behind && echo x > left/behind/file && pwd'],
    });
    expect(result.exitCode).toBe(0);
    await expect(access(result.stdout.trim())).rejects.toThrow();
  });

  it('rejects with SpawnError when the program cannot start', async () => {
    await expect(runProcess({ ...base, executable: '/nonexistent/program' })).rejects.toBeInstanceOf(
      SpawnError,
    );
  });

  it('refuses a relative executable', async () => {
    await expect(runProcess({ ...base, executable: 'sleep' })).rejects.toThrow('absolute path');
  });

  it('is seen by the task-process monitor while it runs, and not after', async () => {
    let pid = 0;
    const run = runProcess({
      ...base,
      executable: '/usr/bin/sleep',
      args: ['0.3'],
      onSpawn: (p) => (pid = p),
    });
    await sleep(100);
    expect(await liveTaskProcesses()).toContain(pid);
    await run;
    expect(await liveTaskProcesses()).not.toContain(pid);
  });
});

describe('the process spawner', () => {
  it('starts tasks from a process of its own, and starts again after that process dies (its task killed)', async () => {
    const own = createProcessSpawner();
    try {
      let pid = 0;
      const running = own.run({
        ...base,
        executable: '/usr/bin/sleep',
        args: ['30'],
        onSpawn: (p) => (pid = p),
      });
      await eventuallyTrue(() => pid > 0);
      const spawnerPid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      expect(spawnerPid).not.toBe(process.pid);
      process.kill(spawnerPid, 'SIGKILL');
      await expect(running).rejects.toThrow('the process spawner exited (SIGKILL) while a task ran');
      await eventuallyTrue(() => !alive(pid));
      expect(alive(pid)).toBe(false);

      const again = await own.run({ ...base, executable: '/usr/bin/printf', args: ['ok'] });
      expect(again.stdout).toBe('ok');
    } finally {
      own.close();
    }
  });

  it('fails only the start of a task that spawn refuses (a NUL byte in an argument); the tasks beside it go on', async () => {
    const own = createProcessSpawner();
    try {
      let pid = 0;
      const beside = own.run({
        ...base,
        executable: '/usr/bin/sleep',
        args: ['0.5'],
        onSpawn: (p) => (pid = p),
      });
      await eventuallyTrue(() => pid > 0);
      await expect(own.run({ ...base, executable: '/usr/bin/printf', args: ['x\u0000y'] })).rejects.toThrow(
        SpawnError,
      );
      // The spawner is the same process and its other task finishes.
      await expect(beside).resolves.toMatchObject({ exitCode: 0 });
      await expect(own.run({ ...base, executable: '/usr/bin/printf', args: ['ok'] })).resolves.toMatchObject({
        stdout: 'ok',
      });
      // In this process too, a refused spawn is a failed start, never a thrown exception.
      await expect(
        runInThisProcess({ ...base, executable: '/usr/bin/printf', args: ['x\u0000y'] }),
      ).rejects.toThrow(/could not start \/usr\/bin\/printf/);
    } finally {
      own.close();
    }
  });

  it('when closed, kills the tasks it runs', async () => {
    const own = createProcessSpawner();
    let pid = 0;
    void own
      .run({ ...base, executable: '/usr/bin/sleep', args: ['30'], onSpawn: (p) => (pid = p) })
      .catch(() => undefined);
    await eventuallyTrue(() => pid > 0);
    own.close();
    await eventuallyTrue(() => !alive(pid));
    expect(alive(pid)).toBe(false);
  });
});

async function eventuallyTrue(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(20);
}

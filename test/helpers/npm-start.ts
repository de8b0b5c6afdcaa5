import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

const projectDir = path.resolve(__dirname, '..', '..');

export interface NpmStart {
  start: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/**
 * `npm start`'s own script with `env` over this environment, as a terminal runs it: a process group
 * of its own (the foreground job). Resolves once it prints that it is ready.
 */
export async function npmStart(
  env: Record<string, string>,
  readyTimeoutMs = 90_000,
  { throughNpm = false }: { throughNpm?: boolean } = {},
): Promise<NpmStart> {
  // `throughNpm`: npm itself runs the script (and is the process a signal goes to), as a user's
  // `npm start` or a service manager's does.
  const [command, args] = throughNpm
    ? ['npm', ['start']]
    : [process.execPath, [path.join(projectDir, 'scripts', 'launch.js'), 'scripts/start.ts']];
  const start = spawn(command, args, {
    cwd: projectDir,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  start.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  start.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    // A start that hangs fails here with what it printed, not as a test timeout that says nothing.
    const timer = setTimeout(() => {
      process.kill(-start.pid!, 'SIGKILL');
      reject(new Error(`npm start was not ready after ${readyTimeoutMs} ms: ${output.slice(-1500)}`));
    }, readyTimeoutMs);
    start.stdout?.on('data', () => {
      if (output.includes('spawn-queue: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    start.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}): ${output.slice(-500)}`));
    });
  });
  return { start, output: () => output };
}

/** Stops it as Ctrl-C does (SIGINT to its process group) and waits for it to exit. */
export async function stopNpmStart(stack: NpmStart | undefined): Promise<void> {
  if (!stack || stack.start.exitCode !== null || stack.start.signalCode !== null) return;
  const exited = new Promise((resolve) => stack.start.once('exit', resolve));
  process.kill(-stack.start.pid!, 'SIGINT');
  await exited;
}
